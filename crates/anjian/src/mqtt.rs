//! Telemetry from the MQTT broker. Gateways publish readings (a JSON array or NDJSON, the same as
//! the HTTP intake) to `anjian/<gateway>/readings` with QoS 1. Every anjian instance subscribes
//! to `$share/anjian/anjian/+/readings`, so the broker splits the load between them; a message is
//! acknowledged only after its batch is committed, and the session is persistent (a fixed client
//! id per data folder, clean session off), so a restart of either side loses nothing: the broker
//! redelivers what was not acknowledged, and the store takes a reading once.

use anjian_app::{App, AppError};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::sync::Arc;
use std::time::Duration;

/// The shared subscription every instance takes, under a topic prefix (`anjian` by default, so
/// gateways publish to `anjian/<gateway>/readings`).
pub fn topic(prefix: &str) -> String {
    format!("$share/anjian/{prefix}/+/readings")
}

/// Host and port of `mqtt://host:port` (port 1883 when absent).
pub fn parse_url(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = url.strip_prefix("mqtt://").or_else(|| url.strip_prefix("tcp://")).unwrap_or(url);
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| anyhow::anyhow!("mqtt_url `{url}`: bad port"))?),
        None => (rest.to_owned(), 1883),
    };
    anyhow::ensure!(!host.is_empty(), "mqtt_url `{url}`: no host");
    Ok((host, port))
}

/// Subscribes and ingests until the process ends; reconnects with a doubling wait (to 30 s).
pub async fn run(app: App, url: String, client_id: String, prefix: String) {
    let topic = topic(&prefix);
    let (host, port) = match parse_url(&url) {
        Ok(hp) => hp,
        Err(e) => {
            tracing::error!(error = %e, "MQTT intake not started");
            return;
        }
    };
    let mut opts = MqttOptions::new(client_id, host, port);
    opts.set_keep_alive(Duration::from_secs(30));
    opts.set_clean_session(false);
    opts.set_manual_acks(true);
    opts.set_max_packet_size(8 * 1024 * 1024, 8 * 1024 * 1024);
    let (client, mut events) = AsyncClient::new(opts, 64);
    // Batches are committed a few at a time; SQLite takes one writer anyway.
    let slots = Arc::new(tokio::sync::Semaphore::new(4));
    let mut wait = Duration::from_millis(500);
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                wait = Duration::from_millis(500);
                tracing::info!(topic = %topic, "MQTT connected");
                if let Err(e) = client.subscribe(topic.as_str(), QoS::AtLeastOnce).await {
                    tracing::warn!(error = %e, "MQTT subscribe");
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let Ok(permit) = slots.clone().acquire_owned().await else { return };
                let (app, client) = (app.clone(), client.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    match app.ingest_mqtt(&p.payload).await {
                        Ok(r) if !r.rejected.is_empty() => {
                            tracing::info!(accepted = r.accepted, rejected = ?r.rejected, topic = %p.topic, "MQTT batch")
                        }
                        Ok(_) => {}
                        // A batch that can never be taken (too large) is acknowledged and
                        // dropped, or the broker would send it forever.
                        Err(e @ AppError::Invalid(_)) => {
                            tracing::warn!(error = %e, topic = %p.topic, "MQTT batch refused")
                        }
                        // The database is away: no ack, so the broker sends it again.
                        Err(e) => {
                            tracing::warn!(error = %e, "MQTT batch not stored; left for redelivery");
                            return;
                        }
                    }
                    if let Err(e) = client.ack(&p).await {
                        tracing::warn!(error = %e, "MQTT ack");
                    }
                });
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, wait_ms = wait.as_millis() as u64, "MQTT connection lost; reconnecting");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// A client id fixed for the data folder, so the broker keeps this instance's session.
pub fn client_id(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let p = data_dir.join("mqtt-client-id");
    if let Ok(id) = std::fs::read_to_string(&p) {
        if !id.trim().is_empty() {
            return Ok(id.trim().to_owned());
        }
    }
    let id = format!("anjian-{}", uuid::Uuid::new_v4().simple());
    std::fs::write(&p, &id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_name_host_and_port() {
        assert_eq!(super::parse_url("mqtt://127.0.0.1:1883").unwrap(), ("127.0.0.1".into(), 1883));
        assert_eq!(super::parse_url("broker.local").unwrap(), ("broker.local".into(), 1883));
        assert!(super::parse_url("mqtt://host:x").is_err());
    }
}
