//! The monthly hazard list (隐患清单, 台账): drafted from the records, signed by the principal
//! (who re-enters the password), reported to the bureaus above, never changed afterwards.

use crate::audit::entry;
use crate::{Actor, App, AppError, Result};
use anjian_domain::ledger::{self, LedgerItem};
use anjian_domain::period::{local_midnight, Period, PeriodKind};
use anjian_domain::role::{Permission, Role};
use anjian_store::hazards;
use anjian_store::ledgers::{self, Ledger, NewLedger};
use anjian_store::{orgs, users};
use chrono::{DateTime, NaiveDate, Utc};

/// `2022-08` → that month in Asia/Shanghai.
pub fn parse_period(p: &str) -> Result<Period> {
    NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| p.len() == 7)
        .map(|d| Period::containing(PeriodKind::Month, local_midnight(d)))
        .ok_or_else(|| AppError::invalid("period", "invalid_period"))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A signed list, checked: does its content still match its hash and signature?
#[derive(Debug, Clone)]
pub struct CheckedLedger {
    pub ledger: Ledger,
    pub items: Vec<LedgerItem>,
    pub intact: bool,
}

impl App {
    /// The list of a month as the records stand now (not yet signed).
    pub async fn draft_ledger(&self, actor: &Actor, org_id: i64, period: &str) -> Result<Vec<LedgerItem>> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        let month = parse_period(period)?;
        let rows = hazards::for_ledger(&self.store.db, org.id, month.start, month.end).await?;
        let points: std::collections::HashMap<i64, String> =
            anjian_store::points::of_org(&self.store.db, org.id).await?.into_iter().map(|p| (p.id, p.name)).collect();
        let mut names = std::collections::HashMap::new();
        let mut items = Vec::with_capacity(rows.len());
        for h in rows {
            let verified_by = match h.closed_by {
                Some(u) => {
                    if let std::collections::hash_map::Entry::Vacant(v) = names.entry(u) {
                        v.insert(
                            users::by_id_for_auth(&self.store.db, u).await?.map(|x| x.display_name).unwrap_or_default(),
                        );
                    }
                    names.get(&u).cloned()
                }
                None => None,
            };
            items.push(LedgerItem {
                hazard_uid: h.uid,
                description: h.description,
                location: h.point_id.and_then(|p| points.get(&p).cloned()).unwrap_or_default(),
                grade: h.grade,
                source: h.source,
                discovered_at: rfc3339(h.discovered_at),
                measures: h.measures,
                funds_fen: h.funds_fen,
                owner: h.owner,
                deadline: h.deadline.map(rfc3339),
                state: h.state.as_str().to_owned(),
                verified_by,
                closed_at: h.closed_at.map(rfc3339),
            });
        }
        Ok(items)
    }

    /// The principal signs the month's list. The password is asked again; the signature covers
    /// the hash of exactly the items shown. Signing an unchanged list twice is refused; a changed
    /// list becomes a new version and the old one stays.
    pub async fn sign_ledger(&self, actor: &Actor, org_id: i64, period: &str, password: &str) -> Result<Ledger> {
        actor.require(Permission::SignLedger)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        if actor.role != Role::Principal || actor.org.as_ref().map(|o| o.id) != Some(org.id) {
            return Err(AppError::Forbidden);
        }
        // After an admin's reset, whoever holds the account must first choose a signing secret:
        // the reset hands over the account, not the principal's signature.
        if actor.user.signing_secret_required {
            return Err(AppError::invalid("password", "signing_secret_required"));
        }
        let secret = actor.user.signing_secret_hash.as_deref().unwrap_or(&actor.user.password_hash);
        if !self.crypto.verify_password(password, secret) {
            let mut e = entry(Some(actor), "ledger.sign", "org", org.id);
            e.result = "bad_password".into();
            self.record_alone(e).await?;
            return Err(AppError::invalid("password", "wrong_password"));
        }
        self.write_signed_ledger(actor, org, period, self.clock.now()).await
    }

    /// Signs the organisation's list for `period` as it stands, at `now`: the signed version,
    /// the activity that counts it for the rules requiring a signature, and the audit record.
    pub(crate) async fn write_signed_ledger(
        &self,
        actor: &Actor,
        org: anjian_store::orgs::Org,
        period: &str,
        now: DateTime<Utc>,
    ) -> Result<Ledger> {
        let items = self.draft_ledger(actor, org.id, period).await?;
        let canonical = ledger::canonical(&items);
        let hash = ledger::content_hash(&canonical);
        let latest = ledgers::latest(&self.store.db, org.id, period).await?;
        if latest.as_ref().is_some_and(|l| l.content_hash == hash) {
            return Err(AppError::invalid("period", "already_signed"));
        }
        let message = ledger::signed_message(&hash, actor.id(), now.timestamp_micros(), org.id, period);
        let txn = self.store.begin_write().await?;
        let row = ledgers::insert(
            &*txn,
            NewLedger {
                uid: uuid::Uuid::new_v4().to_string(),
                org: org.clone(),
                period: period.to_owned(),
                version: latest.map_or(1, |l| l.version + 1),
                item_count: items.len() as i32,
                items_json: canonical,
                content_hash: hash.clone(),
                signature: self.crypto.sign(message.as_bytes()),
                signed_by: actor.id(),
                signer: actor.user.display_name.clone(),
                signed_at: now,
            },
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::invalid("period", "already_signed"),
            e => e.into(),
        })?;
        // The signature counts for rules that require it (the monthly self-inspection): for its
        // own month, late when signed after the month closed.
        let month = parse_period(period)?;
        let at = now.min(month.end - chrono::Duration::seconds(1));
        let signed = anjian_domain::obligation::Activity {
            target_org: Some(org.id),
            ..anjian_domain::obligation::Activity::new(
                anjian_domain::plan::ActivityKind::LEDGER_SIGNED,
                at,
                anjian_domain::obligation::Evidence { source: anjian_domain::obligation::Source::Ledger, id: row.id },
            )
            .by(actor.id(), actor.user.org_id)
        };
        anjian_store::activities::insert_many(&*txn, &[signed], now).await?;
        let mut e = entry(Some(actor), "ledger.sign", "ledger", row.id);
        e.after_digest = Some(hash);
        e.detail = format!("org={} period={period} version={} items={}", org.id, row.version, row.item_count);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// A signed list with its verification: the content still hashes to what was signed, and the
    /// signature over hash, signer and time holds.
    pub async fn get_ledger(&self, actor: &Actor, id: i64) -> Result<CheckedLedger> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let l = ledgers::get(&self.store.db, &actor.scope, id).await?;
        Ok(self.check_ledger(l))
    }

    pub fn check_ledger(&self, l: Ledger) -> CheckedLedger {
        let items: Vec<LedgerItem> = serde_json::from_str(&l.items_json).unwrap_or_default();
        let message =
            ledger::signed_message(&l.content_hash, l.signed_by, l.signed_at.timestamp_micros(), l.org_id, &l.period);
        let intact = ledger::content_hash(&l.items_json) == l.content_hash
            && self.crypto.verify_signature(message.as_bytes(), &l.signature);
        CheckedLedger { ledger: l, items, intact }
    }

    /// Signed lists in scope (what a bureau has received).
    pub async fn list_ledgers(&self, actor: &Actor, period: Option<&str>, org_id: Option<i64>) -> Result<Vec<Ledger>> {
        actor.require(Permission::ViewHazards)?;
        Ok(ledgers::list(&self.store.db, &actor.scope, period, org_id, 200).await?)
    }
}
