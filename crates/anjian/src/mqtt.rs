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
pub async fn run(app: App, url: String, client_id: String, prefix: String, credentials: Option<(String, String)>) {
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
    if let Some((user, password)) = credentials {
        opts.set_credentials(user, password);
    }
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
                let gateway = gateway_segment(&prefix, &p.topic).to_owned();
                tokio::spawn(async move {
                    let _permit = permit;
                    match app.ingest_mqtt(&gateway, &p.payload).await {
                        Ok(r) if !r.rejected.is_empty() => {
                            tracing::info!(accepted = r.accepted, rejected = ?r.rejected, topic = %p.topic, "MQTT batch")
                        }
                        Ok(r) => tracing::debug!(accepted = r.accepted, topic = %p.topic, "MQTT batch"),
                        // A batch that can never be taken (too large, or from no gateway anjian
                        // knows) is acknowledged and dropped, or the broker would send it forever.
                        Err(e @ (AppError::Invalid(_) | AppError::Unauthenticated)) => {
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

/// The gateway segment of `<prefix>/<gateway>/readings` (empty when the topic is not of that form).
pub fn gateway_segment<'a>(prefix: &str, topic: &'a str) -> &'a str {
    topic
        .strip_prefix(prefix)
        .and_then(|t| t.strip_prefix('/'))
        .and_then(|t| t.strip_suffix("/readings"))
        .filter(|g| !g.contains('/'))
        .unwrap_or("")
}

/// This instance's client id: `ANJIAN_MQTT_CLIENT_ID` if set, else one kept in the data folder
/// per host, so the broker keeps this instance's session across restarts. Per host, because
/// instances share their data folder (docs/deploy.md): with one id, the broker would drop each
/// instance whenever the other connected, and the two would never share the load.
pub fn client_id(data_dir: &std::path::Path) -> anyhow::Result<String> {
    if let Some(id) = std::env::var("ANJIAN_MQTT_CLIENT_ID").ok().filter(|v| !v.trim().is_empty()) {
        return Ok(id.trim().to_owned());
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    client_id_of_host(data_dir, host.trim())
}

fn client_id_of_host(data_dir: &std::path::Path, host: &str) -> anyhow::Result<String> {
    let host: String = host.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let p = data_dir.join(format!("mqtt-client-id.{}", if host.is_empty() { "localhost" } else { &host }));
    if let Ok(id) = std::fs::read_to_string(&p) {
        if !id.trim().is_empty() {
            return Ok(id.trim().to_owned());
        }
    }
    // The single id an earlier release kept goes to the first host that asks, so that its
    // session (and any readings queued in it) carries on.
    let old = data_dir.join("mqtt-client-id");
    let id = match std::fs::read_to_string(&old).ok().filter(|id| !id.trim().is_empty()) {
        Some(id) => {
            std::fs::remove_file(&old).ok();
            id.trim().to_owned()
        }
        None => format!("anjian-{}", uuid::Uuid::new_v4().simple()),
    };
    std::fs::write(&p, &id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_gateway_is_the_topic_segment_between_prefix_and_readings() {
        assert_eq!(super::gateway_segment("anjian", "anjian/gw-7/readings"), "gw-7");
        assert_eq!(super::gateway_segment("anjian", "anjian/gw-7/x/readings"), "");
        assert_eq!(super::gateway_segment("anjian", "other/gw-7/readings"), "");
        assert_eq!(super::gateway_segment("anjian", "anjianx/gw-7/readings"), "");
    }

    #[test]
    fn urls_name_host_and_port() {
        assert_eq!(super::parse_url("mqtt://127.0.0.1:1883").unwrap(), ("127.0.0.1".into(), 1883));
        assert_eq!(super::parse_url("broker.local").unwrap(), ("broker.local".into(), 1883));
        assert!(super::parse_url("mqtt://host:x").is_err());
    }

    #[test]
    fn instances_sharing_a_data_folder_get_ids_of_their_own_that_last() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mqtt-client-id"), "anjian-earlier").unwrap();
        let a = super::client_id_of_host(dir.path(), "app-1").unwrap();
        let b = super::client_id_of_host(dir.path(), "app-2").unwrap();
        assert_eq!(a, "anjian-earlier", "the earlier release's session carries on");
        assert_ne!(a, b);
        assert_eq!(super::client_id_of_host(dir.path(), "app-1").unwrap(), a);
        assert_eq!(super::client_id_of_host(dir.path(), "app-2").unwrap(), b);
    }
}
