//! Reminders: before a window ends (at risk) and when it closes short (overdue), into each
//! responsible account's inbox, a daily digest of what is unread, and every message out to an
//! outgoing webhook (signed, retried with doubling waits) for an SMS or messaging gateway.
//!
//! The job is safe to run on several instances at once: each run first takes a lease row in the
//! database, and the notification's unique key makes a repeat a no-op.

use crate::{Actor, App, Result};
use anjian_domain::obligation::{Board, Status, Subject};
use anjian_domain::period::local_date;
use anjian_domain::role::Role;
use anjian_store::notifications::{self, Delivery, NewNotification, Notification};
use chrono::{DateTime, Duration, Timelike, Utc};
use hmac::Mac;
use serde::Serialize;
use sha2::Sha256;

use crate::ZH;

impl App {
    /// An instance stopping lets go of its job leases: a restart, or another instance, carries
    /// on with the reminders and the watch at once rather than minutes later.
    pub async fn release_job_leases(&self, holder: &str) -> Result<u64> {
        Ok(notifications::release_leases(&self.store.db, holder, self.clock.now()).await?)
    }
}

/// A time as a notice gives it: local, to the minute (8月31日 23:59).
pub(crate) fn local_minute(t: chrono::DateTime<chrono::Utc>) -> String {
    let local = t.with_timezone(&anjian_domain::TZ);
    ZH.fill(
        "notify.minute",
        &[("m", &local.format("%-m")), ("d", &local.format("%-d")), ("time", &local.format("%H:%M"))],
    )
}

const LEASE: &str = "reminders";
const WEBHOOK_LEASE: &str = "webhooks";
/// A first run looks back this far, so that starting anjian does not send the whole campaign.
const FIRST_LOOKBACK_HOURS: i64 = 24;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ReminderRun {
    pub due_soon: usize,
    pub overdue: usize,
    pub digests: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DeliveryRun {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// An account as the reminders need it: id, role, organisation.
type Account = (i64, Role, Option<i64>);

/// The accounts of an organisation holding one of `roles`.
fn accounts_of(accounts: &[Account], org: i64, roles: &[Role]) -> Vec<i64> {
    accounts.iter().filter(|(_, role, o)| *o == Some(org) && roles.contains(role)).map(|(id, _, _)| *id).collect()
}

/// The accounts that answer for a subject.
fn recipients(board: &Board, s: &Subject) -> Vec<i64> {
    let w = board.world();
    match s {
        Subject::User(id) => vec![*id],
        Subject::Leader(code) => {
            w.world.users.iter().filter(|u| u.leader_code.as_deref() == Some(code)).map(|u| u.id).collect()
        }
        Subject::Org(id) => w
            .world
            .users
            .iter()
            .filter(|u| u.org_id == Some(*id))
            .filter(|u| {
                !matches!(
                    u.role,
                    Role::Staff | Role::PatrolGuard | Role::SysAdmin | Role::SecurityAdmin | Role::AuditAdmin
                )
            })
            .map(|u| u.id)
            .collect(),
    }
}

/// `X-Anjian-Signature` of a body sent at `ts` (unix seconds): `sha256=` and the hex HMAC of
/// `"{ts}.{body}"`, so that a receiver can refuse replays of old messages.
pub fn webhook_signature(secret: &[u8], ts: i64, body: &str) -> String {
    let mut m = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(format!("{ts}.{body}").as_bytes());
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

impl App {
    pub(crate) async fn notify(
        &self,
        db: &impl anjian_store::Db,
        n: NewNotification,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let Some(row) = notifications::insert(db, n, now).await? else { return Ok(false) };
        if let Some(url) = &self.settings.webhook_url {
            let username =
                anjian_store::users::by_id_for_auth(db, row.user_id).await?.map(|u| u.username).unwrap_or_default();
            let body = serde_json::json!({
                "id": row.id,
                "user": username,
                "kind": row.kind,
                "title": row.title,
                "body": row.body,
                "link": row.link,
                "created_at": row.created_at,
            })
            .to_string();
            notifications::enqueue_delivery(db, row.id, url, &body, now).await?;
        }
        Ok(true)
    }

    /// One run of the reminder job by instance `holder`; None when another instance holds it.
    pub async fn run_reminders(&self, holder: &str) -> Result<Option<ReminderRun>> {
        let now = self.clock.now();
        let Some(cursor) =
            notifications::take_lease(&self.store.db, LEASE, holder, now, now + Duration::minutes(5)).await?
        else {
            return Ok(None);
        };
        let since = cursor.unwrap_or(now - Duration::hours(FIRST_LOOKBACK_HOURS)).min(now);
        let mut out = ReminderRun::default();
        let mut wanted = Vec::new();
        // The accounts (id, role, organisation) the other reminders go to, from the board's city.
        let accounts: Vec<Account>;
        {
            let guard = self.live_board().await?;
            let board = &guard.as_ref().expect("built").board;
            let plan = board.plan();
            accounts = board.world().world.users.iter().map(|u| (u.id, u.role, u.org_id)).collect();
            for k in board.keys_between(since, now) {
                let o = board.get(k, now);
                let (kind, title, body) = match o.status {
                    Status::AtRisk if o.window.contains(now) => (
                        "due_soon",
                        ZH.fill("notify.due_soon", &[("rule", &plan.rules[o.rule_index].title)]),
                        ZH.fill(
                            "notify.due_soon_body",
                            &[
                                ("subject", &o.subject_name),
                                ("window", &o.window.label()),
                                ("done", &o.done),
                                ("need", &o.need),
                                ("ends", &local_minute(o.window.end)),
                            ],
                        ),
                    ),
                    Status::Overdue if o.window.end > since && o.window.end <= now => (
                        "overdue",
                        ZH.fill("notify.overdue", &[("rule", &plan.rules[o.rule_index].title)]),
                        ZH.fill(
                            "notify.overdue_body",
                            &[
                                ("subject", &o.subject_name),
                                ("window", &o.window.label()),
                                ("done", &o.done),
                                ("need", &o.need),
                            ],
                        ),
                    ),
                    _ => continue,
                };
                let link = crate::obligations::ObligationView::new(plan, &o).link();
                for user in recipients(board, board.subject(k)) {
                    wanted.push(NewNotification {
                        user_id: user,
                        kind: kind.to_owned(),
                        title: title.clone(),
                        body: body.clone(),
                        link: link.clone(),
                        dedupe_key: format!("{kind}:{}:{}:{}:{user}", o.rule_id, o.subject, o.window_index),
                    });
                }
            }
        }
        wanted.extend(self.crossing_reminders(&accounts).await?);
        wanted.extend(self.insurance_reminders(&accounts).await?);
        wanted.extend(self.tip_reminders(&accounts).await?);
        wanted.extend(self.facility_reminders(&accounts).await?);
        for chunk in wanted.chunks(500) {
            let txn = self.store.begin_write().await?;
            for n in chunk {
                let kind = n.kind.clone();
                if self.notify(&*txn, n.clone(), now).await? {
                    match kind.as_str() {
                        "due_soon" | "certificate" => out.due_soon += 1,
                        _ => out.overdue += 1,
                    }
                }
            }
            txn.commit().await?;
        }
        let local = now.with_timezone(&anjian_domain::TZ);
        if local.hour() >= self.settings.digest_hour {
            let today = local_date(now);
            let users = notifications::users_with_unread(&self.store.db, now - Duration::hours(24), now).await?;
            let txn = self.store.begin_write().await?;
            for user in users {
                let unread = notifications::unread_between(&*txn, user, now - Duration::hours(24), now).await?;
                if unread.is_empty() {
                    continue;
                }
                let mut body = ZH.fill("notify.digest_body", &[("n", &unread.len())]);
                body.push('\n');
                for n in unread.iter().take(10) {
                    body.push_str(&format!("· {}\n", n.title));
                }
                let n = NewNotification {
                    user_id: user,
                    kind: "digest".into(),
                    title: ZH.fill("notify.digest", &[("date", &today.format("%Y-%m-%d"))]),
                    body,
                    link: "/inbox".into(),
                    dedupe_key: format!("digest:{today}:{user}"),
                };
                if self.notify(&*txn, n, now).await? {
                    out.digests += 1;
                }
            }
            txn.commit().await?;
        }
        notifications::advance_cursor(&self.store.db, LEASE, holder, now).await?;
        Ok(Some(out))
    }

    /// Crossing equipment past its check interval, and guards' certificates expiring within 30
    /// days or expired: to the operator's accounts, once per due date or certificate.
    async fn crossing_reminders(&self, accounts: &[Account]) -> Result<Vec<NewNotification>> {
        let system = anjian_domain::scope::Scope::All;
        let now = self.clock.now();
        let sites = anjian_store::crossings::crossings(&self.store.db, &system, None).await?;
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let operator_users = |org: i64| accounts_of(accounts, org, &[Role::RailwayOperator]);
        let mut out = Vec::new();
        let ids: Vec<i64> = sites.iter().map(|s| s.id).collect();
        let equipment = anjian_store::crossings::equipment_of(&self.store.db, &ids).await?;
        for e in self.equipment_overdue(equipment, &ids, now).await? {
            let Some(site) = sites.iter().find(|s| s.id == e.equipment.site_id) else { continue };
            for user in operator_users(site.org_id) {
                out.push(NewNotification {
                    user_id: user,
                    kind: "overdue".into(),
                    title: ZH
                        .fill("notify.equipment_overdue", &[("site", &site.name), ("equipment", &e.equipment.name)]),
                    body: ZH.fill(
                        "notify.equipment_overdue_body",
                        &[("due", &e.due.with_timezone(&anjian_domain::TZ).format("%Y-%m-%d"))],
                    ),
                    link: format!("/crossings/{}", site.id),
                    dedupe_key: format!("equipment:{}:{}:{user}", e.equipment.id, e.due.timestamp()),
                });
            }
        }
        for g in self.guard_views_unscoped().await? {
            if g.cert_status.may_serve() && g.cert_status != anjian_domain::crossing::CertStatus::Expiring {
                continue;
            }
            let expires = g.certificate.as_ref().map(|c| c.expires.clone()).unwrap_or_default();
            for user in operator_users(g.guard.org_id) {
                out.push(NewNotification {
                    user_id: user,
                    kind: "certificate".into(),
                    title: ZH.fill(
                        if g.cert_status.may_serve() {
                            "notify.certificate_expiring"
                        } else {
                            "notify.certificate_expired"
                        },
                        &[("guard", &g.guard.name)],
                    ),
                    body: ZH.fill("notify.certificate_body", &[("expires", &expires)]),
                    link: "/guards".into(),
                    dedupe_key: format!("certificate:{}:{expires}:{}:{user}", g.guard.id, g.cert_status.as_str()),
                });
            }
        }
        Ok(out)
    }

    /// Safety liability insurance expiring within 30 days or expired: to the enterprise's principal
    /// and safety officers, once per policy and state.
    async fn insurance_reminders(&self, accounts: &[Account]) -> Result<Vec<NewNotification>> {
        let warnings = self.insurance_warnings().await?;
        let mut out = Vec::new();
        for (org, name, ends, valid) in warnings {
            for user in accounts_of(accounts, org, &[Role::Principal, Role::SafetyOfficer]) {
                out.push(NewNotification {
                    user_id: user,
                    kind: "certificate".into(),
                    title: ZH.fill(
                        if valid { "notify.insurance_expiring" } else { "notify.insurance_expired" },
                        &[("name", &name)],
                    ),
                    body: ZH.fill("notify.insurance_body", &[("ends", &ends)]),
                    link: format!("/orgs/{org}/fundamentals"),
                    dedupe_key: format!("insurance:{org}:{ends}:{valid}:{user}"),
                });
            }
        }
        Ok(out)
    }

    /// Sends the webhook deliveries that are due; None when another instance is sending.
    pub async fn deliver_webhooks(&self, holder: &str, client: &reqwest::Client) -> Result<Option<DeliveryRun>> {
        let now = self.clock.now();
        if notifications::take_lease(&self.store.db, WEBHOOK_LEASE, holder, now, now + Duration::minutes(2))
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let mut out = DeliveryRun::default();
        for d in notifications::due_deliveries(&self.store.db, now, 200).await? {
            let outcome = self.send(client, &d).await;
            let now = self.clock.now();
            let (error, next) = match outcome {
                Ok(()) => {
                    out.delivered += 1;
                    (None, None)
                }
                Err(e) if d.attempts + 1 >= self.settings.webhook_max_attempts => {
                    out.failed += 1;
                    tracing::warn!(delivery = d.id, error = %e, "webhook delivery given up");
                    (Some(e), None)
                }
                Err(e) => {
                    out.retrying += 1;
                    let wait = Duration::seconds(30 * (1i64 << d.attempts.clamp(0, 7)));
                    (Some(e), Some(now + wait))
                }
            };
            let txn = self.store.begin_write().await?;
            notifications::record_attempt(&*txn, &d, now, error, next).await?;
            txn.commit().await?;
        }
        Ok(Some(out))
    }

    async fn send(&self, client: &reqwest::Client, d: &Delivery) -> Result<(), String> {
        let ts = self.clock.now().timestamp();
        let res = client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-anjian-delivery", d.id.to_string())
            .header("x-anjian-timestamp", ts.to_string())
            .header("x-anjian-signature", webhook_signature(&self.settings.webhook_secret, ts, &d.body))
            .body(d.body.clone())
            .send()
            .await
            .map_err(|e| format!("{e}"))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", res.status().as_u16()))
        }
    }

    pub async fn inbox(&self, actor: &Actor) -> Result<(Vec<Notification>, u64)> {
        let list = notifications::of_user(&self.store.db, actor.id(), 200).await?;
        let unread = notifications::unread_count(&self.store.db, actor.id()).await?;
        Ok((list, unread))
    }

    pub async fn unread_count(&self, actor: &Actor) -> Result<u64> {
        Ok(notifications::unread_count(&self.store.db, actor.id()).await?)
    }

    /// Marks one (or every) notification of the caller read.
    pub async fn mark_read(&self, actor: &Actor, id: Option<i64>) -> Result<u64> {
        let txn = self.store.begin_write().await?;
        let n = notifications::mark_read(&*txn, actor.id(), id, self.clock.now()).await?;
        txn.commit().await?;
        Ok(n)
    }

    pub async fn webhook_deliveries(&self, actor: &Actor) -> Result<Vec<Delivery>> {
        if actor.role != Role::SysAdmin {
            return Err(crate::AppError::Forbidden);
        }
        Ok(notifications::deliveries(&self.store.db, 100).await?)
    }
}
