//! Each enterprise's safety fundamentals — fees, safety staff, training, liability insurance —
//! kept as dated records with evidence, assessed for what is missing or expired; the graded,
//! classified table of supervised enterprises (分级分类"一张表") and the bureaus' lists of
//! powers and responsibilities (权力和责任清单).

use crate::audit::entry;
use crate::hazards::photo_attachment;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::fundamentals::{assess, Assessment, Facts};
use anjian_domain::money::Fen;
use anjian_domain::period::local_date;
use anjian_domain::role::Permission;
use anjian_store::fundamentals::{self as store, Fundamental, NewFundamental, Power};
use anjian_store::{attachments, orgs};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundamentalInput {
    /// `fee`, `staff`, `training` or `insurance`.
    pub kind: String,
    #[serde(default)]
    pub year: Option<i32>,
    /// 安全生产费用 extracted and used, in yuan.
    #[serde(default)]
    pub extracted_yuan: Option<f64>,
    #[serde(default)]
    pub used_yuan: Option<f64>,
    #[serde(default)]
    pub required: Option<i32>,
    #[serde(default)]
    pub actual: Option<i32>,
    /// Staff names, the trainee, or the insurer.
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub hours: Option<f64>,
    /// Certificate or policy number.
    #[serde(default)]
    pub reference: String,
    /// Training date, or the policy's first day.
    #[serde(default)]
    pub starts_on: Option<String>,
    /// The policy's last day.
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub org: orgs::Org,
    pub assessment: Assessment,
    pub records: Vec<Fundamental>,
    /// The records' evidence photos (each names its record in `owner_id`).
    pub photos: Vec<attachments::Attachment>,
}

/// The facts the assessment needs, from an organisation's records.
fn facts(records: &[&Fundamental], year: i32) -> Facts {
    let latest = |kind: &str| records.iter().rev().find(|r| r.kind == kind);
    let mut fees: Vec<(i32, i64, i64)> = records
        .iter()
        .filter(|r| r.kind == "fee")
        .filter_map(|r| Some((r.year?, r.amount_fen.map_or(0, Fen::fen), r.used_fen.map_or(0, Fen::fen))))
        .collect();
    // The newest record of a year counts.
    fees.reverse();
    fees.dedup_by_key(|f| f.0);
    fees.reverse();
    Facts {
        fees,
        staff: latest("staff").map(|r| (r.required.unwrap_or(0), r.actual.unwrap_or(0))),
        training_hours: records
            .iter()
            .filter(|r| {
                r.kind == "training" && r.starts_on.as_deref().is_some_and(|d| d.starts_with(&year.to_string()))
            })
            .filter_map(|r| r.hours)
            .sum(),
        insurance_ends: latest("insurance")
            .and_then(|r| r.ends_on.as_deref())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
    }
}

fn date(field: &str, s: Option<&str>, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match s.map(str::trim).filter(|s| !s.is_empty()).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
        Some(Ok(d)) => Some(d),
        _ => {
            errors.push(FieldError::new(field, "invalid_date"));
            None
        }
    }
}

impl App {
    /// Records one fundamentals fact of an enterprise (by its own people), with photos as evidence.
    pub async fn record_fundamental(
        &self,
        actor: &Actor,
        org_id: i64,
        input: FundamentalInput,
        photos: Vec<Vec<u8>>,
    ) -> Result<Fundamental> {
        actor.require(Permission::ManagePoints)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        let mut errors = Vec::new();
        let yuan = |field: &str, v: Option<f64>, errors: &mut Vec<FieldError>| match v.and_then(Fen::from_yuan_f64) {
            Some(fen) => Some(fen),
            None => {
                errors.push(FieldError::new(field, "invalid_number"));
                None
            }
        };
        let mut n =
            NewFundamental { kind: input.kind.clone(), note: input.note.trim().to_owned(), ..Default::default() };
        match input.kind.as_str() {
            "fee" => {
                if !input.year.is_some_and(|y| (2000..=2100).contains(&y)) {
                    errors.push(FieldError::new("year", "invalid_number"));
                }
                n.year = input.year;
                n.amount_fen = yuan("extracted_yuan", input.extracted_yuan, &mut errors);
                n.used_fen = yuan("used_yuan", input.used_yuan, &mut errors);
            }
            "staff" => {
                for (f, v) in [("required", input.required), ("actual", input.actual)] {
                    if !v.is_some_and(|v| (0..=10_000).contains(&v)) {
                        errors.push(FieldError::new(f, "invalid_number"));
                    }
                }
                if input.actual.unwrap_or(0) > 0 && input.person.trim().is_empty() {
                    errors.push(FieldError::new("person", "required"));
                }
                (n.required, n.actual, n.person) = (input.required, input.actual, input.person.trim().to_owned());
            }
            "training" => {
                if input.person.trim().is_empty() {
                    errors.push(FieldError::new("person", "required"));
                }
                if !input.hours.is_some_and(|h| h > 0.0 && h <= 1000.0) {
                    errors.push(FieldError::new("hours", "invalid_number"));
                }
                if let Some(d) = date("starts_on", input.starts_on.as_deref(), &mut errors) {
                    if d > local_date(self.clock.now()) {
                        errors.push(FieldError::new("starts_on", "in_future"));
                    }
                }
                (n.person, n.hours, n.reference) =
                    (input.person.trim().to_owned(), input.hours, input.reference.trim().to_owned());
                n.starts_on = input.starts_on.map(|s| s.trim().to_owned());
            }
            "insurance" => {
                if input.person.trim().is_empty() {
                    errors.push(FieldError::new("person", "required"));
                }
                if input.reference.trim().is_empty() {
                    errors.push(FieldError::new("reference", "required"));
                }
                let s = date("starts_on", input.starts_on.as_deref(), &mut errors);
                let e = date("ends_on", input.ends_on.as_deref(), &mut errors);
                if let (Some(s), Some(e)) = (s, e) {
                    if e < s {
                        errors.push(FieldError::new("ends_on", "expiry_before_issue"));
                    }
                }
                (n.person, n.reference) = (input.person.trim().to_owned(), input.reference.trim().to_owned());
                (n.starts_on, n.ends_on) =
                    (input.starts_on.map(|s| s.trim().to_owned()), input.ends_on.map(|s| s.trim().to_owned()));
            }
            _ => errors.push(FieldError::new("kind", "invalid_kind")),
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let stored = self.store_photos(photos).await?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let row = store::insert(&*txn, &org, n, actor.id(), now).await?;
        for (clean, key) in stored {
            attachments::insert(
                &*txn,
                photo_attachment("fundamental", row.id, "evidence", org.clone(), &clean, key, actor.id()),
                now,
            )
            .await?;
        }
        let mut e = entry(Some(actor), "fundamentals.record", "org", org.id);
        e.detail = format!("kind={} record={}", row.kind, row.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// An enterprise's fundamentals with what is missing or expired.
    pub async fn fundamentals_profile(&self, actor: &Actor, org_id: i64) -> Result<Profile> {
        actor.require(Permission::ViewOrgs)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        let records = store::records(&self.store.db, &anjian_domain::scope::Scope::All, Some(org.id)).await?;
        let today = local_date(self.clock.now());
        let assessment = assess(&facts(&records.iter().collect::<Vec<_>>(), today.year()), today);
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let photos = attachments::of_owners(&self.store.db, "fundamental", &ids).await?;
        Ok(Profile { org, assessment, records, photos })
    }

    /// Every supervised enterprise in scope with its assessment, those with gaps first.
    pub async fn fundamentals_overview(&self, actor: &Actor) -> Result<Vec<(orgs::Org, Assessment)>> {
        actor.require(Permission::ViewOrgs)?;
        let all = orgs::list(&self.store.db, &actor.scope, &Default::default(), None, 100_000).await?;
        let records = store::records(&self.store.db, &actor.scope, None).await?;
        let today = local_date(self.clock.now());
        let mut out: Vec<(orgs::Org, Assessment)> = all
            .into_iter()
            .filter(|o| {
                matches!(o.kind.as_str(), "enterprise" | "explosives_enterprise" | "group_company" | "railway_operator")
            })
            .map(|o| {
                let mine: Vec<&Fundamental> = records.iter().filter(|r| r.org_id == o.id).collect();
                let a = assess(&facts(&mine, today.year()), today);
                (o, a)
            })
            .collect();
        out.sort_by_key(|(o, a)| (std::cmp::Reverse(a.gaps()), o.name.clone()));
        Ok(out)
    }

    /// Supervised organisations in scope for the graded, classified table.
    pub async fn graded_table(&self, actor: &Actor) -> Result<Vec<orgs::Org>> {
        actor.require(Permission::ViewOrgs)?;
        let all = orgs::list(&self.store.db, &actor.scope, &Default::default(), None, 100_000).await?;
        Ok(all
            .into_iter()
            .filter(|o| !matches!(o.kind.as_str(), "regulator" | "department" | "expert_panel"))
            .collect())
    }

    /// Adds an item to the caller's bureau's list of powers and responsibilities.
    pub async fn add_power(
        &self,
        actor: &Actor,
        category: &str,
        name: &str,
        basis: &str,
        responsible: &str,
    ) -> Result<Power> {
        if !actor.role.is_bureau() {
            return Err(AppError::Forbidden);
        }
        let bureau = actor.org.clone().ok_or(AppError::Forbidden)?;
        let mut errors = Vec::new();
        for (f, v, max) in
            [("category", category, 50), ("name", name, 200), ("basis", basis, 2000), ("responsible", responsible, 100)]
        {
            errors.extend(FieldError::text(f, v, max));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let item = store::NewPower {
            category: category.trim().to_owned(),
            name: name.trim().to_owned(),
            basis: basis.trim().to_owned(),
            responsible: responsible.trim().to_owned(),
        };
        let p = store::insert_power(&*txn, &bureau, item, actor.id(), now).await?;
        let mut e = entry(Some(actor), "powers.add", "power", p.id);
        e.detail = format!("{} / {}", p.category, p.name);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(p)
    }

    pub async fn powers(&self, actor: &Actor) -> Result<Vec<Power>> {
        actor.require(Permission::ViewOrgs)?;
        Ok(store::powers(&self.store.db, &actor.scope).await?)
    }

    /// Insurance expiring within 30 days or expired: (org id, org name, last day, still valid).
    pub(crate) async fn insurance_warnings(&self) -> Result<Vec<(i64, String, String, bool)>> {
        let records = store::records(&self.store.db, &anjian_domain::scope::Scope::All, None).await?;
        let today = local_date(self.clock.now());
        let mut latest: std::collections::BTreeMap<i64, &Fundamental> = Default::default();
        for r in records.iter().filter(|r| r.kind == "insurance") {
            latest.insert(r.org_id, r);
        }
        let mut out = Vec::new();
        for (org, r) in latest {
            let ends = r.ends_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let status = anjian_domain::crossing::cert_status(ends, today);
            if status != anjian_domain::crossing::CertStatus::Valid {
                let name = orgs::get_unscoped_for_auth(&self.store.db, org).await?.map(|o| o.name).unwrap_or_default();
                out.push((org, name, r.ends_on.clone().unwrap_or_default(), status.may_serve()));
            }
        }
        Ok(out)
    }
}
