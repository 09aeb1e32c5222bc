//! Background jobs of a running server: reminders, webhook deliveries and the warehouses' watch
//! (offline sensors, missed patrol hours, escalation). Every instance runs
//! the loop; the lease inside each job makes only one of them do the work at a time.

use anjian_app::App;
use std::time::Duration;

/// This instance's name on the job leases.
pub fn holder() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::new_v4())
}

pub async fn run(app: App, every: Duration, holder: String) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for webhooks; reminder job not started");
            return;
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match app.run_reminders(&holder).await {
            Ok(Some(r)) if r.due_soon + r.overdue + r.digests > 0 => {
                tracing::info!(due_soon = r.due_soon, overdue = r.overdue, digests = r.digests, "reminders sent")
            }
            Ok(_) => {}
            // No plan yet, or the database is away for a moment: try again next tick.
            Err(e) => tracing::warn!(error = %e, "reminder job"),
        }
        match app.run_watch(&holder).await {
            Ok(Some(w)) if w.offline + w.patrol_missed + w.escalated > 0 => tracing::info!(
                offline = w.offline,
                patrol_missed = w.patrol_missed,
                escalated = w.escalated,
                "warehouse watch"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "warehouse watch"),
        }
        if app.settings.webhook_url.is_some() {
            if let Err(e) = app.deliver_webhooks(&holder, &client).await {
                tracing::warn!(error = %e, "webhook deliveries");
            }
        }
    }
}

/// Advances the signed audit checkpoint every `every` (and at once on start). Each instance
/// keeps its own checkpoint in its own data folder; no lease is needed.
pub async fn advance_checkpoints(app: App, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        advance_checkpoint_once(&app).await;
    }
}

pub async fn advance_checkpoint_once(app: &App) {
    match app.advance_audit_checkpoint().await {
        Ok(Some(Ok(_))) | Ok(None) => {}
        // Logged at every attempt until an operator looks: a broken chain or an untrusted
        // checkpoint is never signed over.
        Ok(Some(Err(b))) => tracing::error!(problem = %b, "audit checkpoint not advanced"),
        Err(e) => tracing::warn!(error = %e, "audit checkpoint"),
    }
}
