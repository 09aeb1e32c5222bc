//! 包联: each leader's assignment from 附件1, the monthly written report drafted from the
//! month's records and submitted by the leader (kept in versions, exported as .docx), and the
//! weekly analysis and arrangement (分析研判和安排部署) of bureaus and departments.

use crate::audit::entry;
use crate::bureau_reports::month_title;
use crate::crypto::digest_json;
use crate::ledgers::parse_period;
use crate::obligations::ObligationView;
use crate::orgs::{replayed, uid_for, Created};
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::obligation::{Activity, Evidence, Source, Status, Subject};
use anjian_domain::period::{local_date, Period, PeriodKind};
use anjian_domain::plan::ActivityKind;
use anjian_domain::report;
use anjian_domain::role::Permission;
use anjian_domain::scope::Scope;
use anjian_reports::docx::{self, Document};
use anjian_store::inspections::{self, InspectionFilter};
use anjian_store::liaison::{self, LiaisonReport, NewAnalysis, WeeklyAnalysis};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderView {
    pub code: String,
    pub name: String,
    pub title: String,
    pub counties: Vec<String>,
    pub industries: Vec<String>,
    pub duties: Vec<String>,
    /// Accounts linked to the leader code.
    pub accounts: Vec<String>,
    /// This period's obligations of the leader.
    pub obligations: Vec<ObligationView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LiaisonReportState))]
pub struct ReportState {
    pub leader: String,
    pub leader_name: String,
    pub month: String,
    /// The newest stored version, if any.
    pub latest: Option<LiaisonReport>,
    /// What the editor shows: the newest version's text, or a draft made from the records.
    pub body: String,
    pub versions: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AnalysisInput {
    /// Monday of the week analysed (`2022-08-01`); the current week when empty.
    #[serde(default)]
    pub week_start: Option<String>,
    pub analysis: String,
    pub arrangements: String,
}

impl App {
    /// Every leader of 附件1 with their assignment, linked accounts and this period's duties.
    pub async fn liaison_overview(&self, actor: &Actor) -> Result<Vec<LeaderView>> {
        actor.require(Permission::ViewCampaign)?;
        let now = self.clock.now();
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let plan = board.plan();
        let w = board.world();
        let mut out = Vec::new();
        for l in &plan.leaders {
            let code = l.code.get_ref();
            let obligations = board
                .for_subject(&Subject::Leader(code.clone()), now)
                .iter()
                .filter(|o| o.window.contains(now) && o.status != Status::NotApplicable)
                .map(|o| ObligationView::new(plan, o))
                .collect();
            out.push(LeaderView {
                code: code.clone(),
                name: l.name.clone(),
                title: l.title.clone(),
                counties: l
                    .counties
                    .iter()
                    .map(|c| {
                        w.jurisdiction_by_code(c.get_ref()).map_or_else(|| c.get_ref().clone(), |j| j.name.clone())
                    })
                    .collect(),
                industries: l.industries.iter().map(|i| plan.vocabulary().industry_name(i.as_str(), false)).collect(),
                duties: l.duties.clone(),
                accounts: w
                    .world
                    .users
                    .iter()
                    .filter(|u| u.leader_code.as_deref() == Some(code))
                    .map(|u| u.name.clone())
                    .collect(),
                obligations,
            });
        }
        Ok(out)
    }

    /// Whose report the caller may read: their own; any leader's for the city bureau (and other
    /// callers who see everything); a county bureau only a leader whose counties all lie inside
    /// its own subtree, since the report carries each county's records (so never the director's,
    /// which covers the city). Anyone else is told the
    /// report is not there, as for any object outside a scope.
    async fn leader_of(&self, actor: &Actor, leader: Option<&str>) -> Result<String> {
        let code = match (leader, &actor.user.leader_code) {
            (None, Some(own)) => return Ok(own.clone()),
            (Some(l), Some(own)) if l == own => return Ok(own.clone()),
            (Some(l), _) if actor.role.is_bureau() || actor.scope == Scope::All => l.to_owned(),
            _ => return Err(AppError::Forbidden),
        };
        let path = match &actor.scope {
            Scope::All => return Ok(code),
            Scope::Jurisdiction { path } => path,
            _ => return Err(AppError::NotFound),
        };
        let (plan, _) = self.current_campaign().await?;
        let l = plan.leader(&code).ok_or(AppError::NotFound)?;
        // A leader assigned no county (the director) answers for the whole city.
        let covers: Vec<&str> = if l.counties.is_empty() {
            plan.jurisdictions.iter().filter(|j| j.parent.is_none()).map(|j| j.code.get_ref().as_str()).collect()
        } else {
            l.counties.iter().map(|c| c.get_ref().as_str()).collect()
        };
        for county in covers {
            let j = anjian_store::jurisdictions::by_code(&self.store.db, county).await?;
            if !j.is_some_and(|j| j.path.starts_with(path.as_str())) {
                return Err(AppError::NotFound);
            }
        }
        Ok(code)
    }

    /// The leader's report for `month`: the newest version, or a draft from the records.
    pub async fn liaison_report(&self, actor: &Actor, leader: Option<&str>, month: &str) -> Result<ReportState> {
        actor.require(Permission::ViewCampaign)?;
        let code = self.leader_of(actor, leader).await?;
        let (plan, _) = self.current_campaign().await?;
        let l = plan.leader(&code).ok_or(AppError::NotFound)?;
        let period = parse_period(month).map_err(|_| AppError::invalid("month", "invalid_period"))?;
        let versions = liaison::report_versions(&self.store.db, &code, month).await?;
        let latest = versions.last().cloned();
        let body = match &latest {
            Some(v) => v.body.clone(),
            None => self.draft_liaison_report(&code, period).await?,
        };
        Ok(ReportState {
            leader: code,
            leader_name: format!("{}（{}）", l.name, l.title),
            month: month.to_owned(),
            latest,
            body,
            versions: versions.len(),
        })
    }

    /// A draft from the month's records: the leader's checks, hazards found and closed in their
    /// counties, and the obligations there that ended overdue.
    async fn draft_liaison_report(&self, code: &str, month: Period) -> Result<String> {
        let now = self.clock.now();
        let (checks_by, counties, overdue_lines, own_lines, org_names) = {
            let guard = self.live_board().await?;
            let board = &guard.as_ref().expect("built").board;
            let plan = board.plan();
            let w = board.world();
            let users: Vec<i64> =
                w.world.users.iter().filter(|u| u.leader_code.as_deref() == Some(code)).map(|u| u.id).collect();
            let counties: Vec<(String, String)> = plan
                .leader(code)
                .map(|l| {
                    l.counties
                        .iter()
                        .filter_map(|c| w.jurisdiction_by_code(c.get_ref()))
                        .map(|j| (j.name.clone(), j.path.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let mut overdue: BTreeMap<String, u32> = BTreeMap::new();
            for (_, path) in &counties {
                for k in board.keys(now.min(month.end), path) {
                    let o = board.get(k, now);
                    if o.status.closed_short() && o.window.end > month.start && o.window.end <= month.end {
                        *overdue.entry(plan.rules[o.rule_index].title.clone()).or_default() += 1;
                    }
                }
            }
            let own: Vec<String> = board
                .for_subject(&Subject::Leader(code.to_owned()), now)
                .iter()
                .filter(|o| o.window.start < month.end && o.window.end > month.start)
                // The monthly report is this document itself: it is not a duty it reports on.
                .filter(|o| plan.rules[o.rule_index].activity != ActivityKind::LIAISON_REPORT)
                .map(|o| {
                    let status = ZH.t(match o.status {
                        Status::Met => "report.status_met",
                        Status::Overdue => "report.status_overdue",
                        Status::MetLate => "report.status_met_late",
                        Status::NotApplicable => "report.status_not_applicable",
                        _ => "report.status_open",
                    });
                    ZH.fill(
                        "report.own_line",
                        &[
                            ("rule", &plan.rules[o.rule_index].title),
                            ("window", &o.window.label()),
                            ("done", &o.done),
                            ("need", &o.need),
                            ("status", &status),
                        ],
                    )
                })
                .collect();
            let names: std::collections::HashMap<i64, String> =
                w.world.orgs.iter().map(|o| (o.id, o.name.clone())).collect();
            (users, counties, overdue, own, names)
        };
        let checks = if checks_by.is_empty() {
            Vec::new()
        } else {
            let f = InspectionFilter {
                kind: Some(ActivityKind::LIAISON_CHECK.as_str().to_owned()),
                since: Some(month.start),
                until: Some(month.end),
                inspectors: Some(checks_by),
                ..Default::default()
            };
            inspections::list(&self.store.db, &Scope::All, &f, None, 200).await?
        };
        let mut text = String::new();
        text.push_str(&ZH.fill("report.liaison_checks", &[("n", &checks.len())]));
        for c in checks.iter().rev() {
            let org = org_names.get(&c.org_id).cloned().unwrap_or_default();
            let day = local_date(c.at);
            let date = ZH.fill("report.month_day", &[("m", &day.month()), ("d", &day.day())]);
            text.push_str(&ZH.fill("report.check_line", &[("date", &date), ("org", &org), ("summary", &c.summary)]));
        }
        text.push_str(ZH.t("report.liaison_counties"));
        let mut overdue_hazards = Vec::new();
        for (name, path) in &counties {
            let f = self.county_figures(path, month).await?;
            text.push_str(&ZH.fill(
                "report.liaison_county_line",
                &[("name", name), ("found", &f.found), ("major", &f.major), ("closed", &f.closed)],
            ));
            if f.overdue > 0 {
                overdue_hazards.push((name, f.overdue));
            }
        }
        text.push_str(ZH.t("report.liaison_overdue_heading"));
        if overdue_lines.is_empty() && overdue_hazards.is_empty() {
            text.push_str(ZH.t("report.liaison_no_overdue"));
        }
        for (name, n) in &overdue_hazards {
            text.push_str(&ZH.fill("report.overdue_hazards_line", &[("name", name), ("n", n)]));
        }
        for (title, n) in &overdue_lines {
            text.push_str(&ZH.fill("report.overdue_line", &[("title", title), ("n", n)]));
        }
        text.push_str(ZH.t("report.liaison_own"));
        for l in &own_lines {
            text.push_str(&format!("{l}\n"));
        }
        text.push_str(ZH.t("report.liaison_next"));
        Ok(text)
    }

    /// Saves the leader's text as a new version; `submit` reports it to the leadership group
    /// (it then counts for the monthly-report rule). Unchanged text is refused.
    pub async fn save_liaison_report(
        &self,
        actor: &Actor,
        month: &str,
        body: &str,
        submit: bool,
    ) -> Result<LiaisonReport> {
        let code = actor.user.leader_code.clone().ok_or(AppError::Forbidden)?;
        let period = parse_period(month).map_err(|_| AppError::invalid("month", "invalid_period"))?;
        let body = body.trim();
        if let Some(e) = FieldError::text("body", body, 50_000) {
            return Err(AppError::Invalid(vec![e]));
        }
        let latest = liaison::latest_report(&self.store.db, &code, month).await?;
        let state = if submit { report::ReportState::Submitted } else { report::ReportState::Draft };
        if let Some(l) = &latest {
            if l.body == body && (l.state == state || l.state == report::ReportState::Submitted) {
                return Err(AppError::invalid("body", "unchanged"));
            }
        }
        let version = latest.as_ref().map_or(1, |l| l.version + 1);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let row = liaison::insert_report(&*txn, &code, month, version, state, body, actor.id(), actor.name(), now)
            .await
            .map_err(|e| match e {
                anjian_store::StoreError::Conflict(_) => AppError::Conflict("report_changed_meanwhile"),
                e => e.into(),
            })?;
        if submit {
            // The report counts for its own month: submitted after the month has closed, it is
            // that month's report entered late (补录), not next month's.
            let at = now.min(period.end - chrono::Duration::seconds(1));
            let act =
                Activity::new(ActivityKind::LIAISON_REPORT, at, Evidence { source: Source::LiaisonReport, id: row.id })
                    .by(actor.id(), actor.user.org_id);
            anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        }
        let mut e = entry(
            Some(actor),
            if submit { "liaison_report.submit" } else { "liaison_report.save" },
            "liaison_report",
            row.id,
        );
        e.after_digest = Some(digest_json(&row.body));
        e.detail = format!("leader={code} month={month} version={version}");
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Hazards found and closed in the month in each county a leader is assigned, from the
    /// counts the cockpit reads.
    async fn leader_counties_month(&self, code: &str, month: &str) -> Result<Vec<(String, u64, u64)>> {
        let (plan, _) = self.current_campaign().await?;
        let l = plan.leader(code).ok_or(AppError::NotFound)?;
        let period = parse_period(month).map_err(|_| AppError::invalid("month", "invalid_period"))?;
        let mut out = Vec::new();
        for c in &l.counties {
            let Some(j) = anjian_store::jurisdictions::by_code(&self.store.db, c.get_ref()).await? else { continue };
            let f = self.county_figures(&j.path, period).await?;
            out.push((j.name, f.found, f.closed));
        }
        Ok(out)
    }

    /// The report as a Word document (the newest version, or the draft if none is saved).
    pub async fn liaison_report_docx(
        &self,
        actor: &Actor,
        leader: Option<&str>,
        month: &str,
        draft: bool,
    ) -> Result<(String, Vec<u8>)> {
        let r = self.liaison_report(actor, leader, month).await?;
        let mut sections = docx::sections_from_text(&r.body);
        sections
            .push(crate::bureau_reports::county_hazards_section(&self.leader_counties_month(&r.leader, month).await?));
        let day = crate::bureau_reports::dated(r.latest.as_ref().map(|v| (v.state, v.created_at)), self.clock.now());
        let doc = Document {
            title: ZH.fill("report.liaison_title", &[("month", &month_title(month))]),
            number: None,
            subtitle: r.leader_name.clone(),
            draft,
            sections,
            signature: Some(docx::Signature {
                issuer: r.leader_name.clone(),
                date: crate::bureau_reports::date_title(anjian_domain::period::local_date(day)),
            }),
        };
        let bytes = docx::write(&doc).map_err(|e| AppError::Internal(format!("writing a document: {e}")))?;
        Ok((ZH.fill("report.liaison_file", &[("leader", &r.leader_name), ("month", &month_title(month))]), bytes))
    }

    /// Records a week's analysis and arrangement for the caller's bureau or department.
    pub async fn record_weekly_analysis(
        &self,
        actor: &Actor,
        input: AnalysisInput,
        key: Option<&str>,
    ) -> Result<Created<WeeklyAnalysis>> {
        actor.require(Permission::ViewCampaign)?;
        if !actor.role.is_bureau() {
            return Err(AppError::Forbidden);
        }
        let org = actor.org.clone().ok_or(AppError::Forbidden)?;
        let uid = uid_for(key)?;
        let digest = digest_json(&input);
        if let Some(existing) = liaison::analysis_by_uid(&self.store.db, &uid).await? {
            let mine = existing.author_id == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let now = self.clock.now();
        let mut errors = Vec::new();
        let this_week = Period::containing(PeriodKind::Week, now);
        let week = match input.week_start.as_deref().filter(|s| !s.is_empty()) {
            None => this_week,
            Some(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => {
                    let p = Period::containing(PeriodKind::Week, anjian_domain::period::local_midnight(d));
                    if p.start > this_week.start {
                        errors.push(FieldError::new("week_start", "in_future"));
                    }
                    p
                }
                Err(_) => {
                    errors.push(FieldError::new("week_start", "invalid_date"));
                    this_week
                }
            },
        };
        let (analysis, arrangements) = (input.analysis.trim().to_owned(), input.arrangements.trim().to_owned());
        errors.extend(FieldError::text("analysis", &analysis, 20_000));
        errors.extend(FieldError::text("arrangements", &arrangements, 20_000));
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        // It counts in the week it is about, at the moment it was written (or that week's end).
        let at = now.min(week.end - chrono::Duration::seconds(1));
        let txn = self.store.begin_write().await?;
        let row = liaison::insert_analysis(
            &*txn,
            NewAnalysis {
                uid,
                org: org.clone(),
                week_start: local_date(week.start).format("%Y-%m-%d").to_string(),
                analysis,
                arrangements,
                author_id: actor.id(),
                author: actor.user.display_name.clone(),
                request_digest: Some(digest),
            },
            now,
        )
        .await?;
        let act =
            Activity::new(ActivityKind::WEEKLY_ANALYSIS, at, Evidence { source: Source::WeeklyAnalysis, id: row.id })
                .by(actor.id(), Some(org.id))
                .on_org(org.id);
        anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        let mut e = entry(Some(actor), "weekly_analysis.record", "weekly_analysis", row.id);
        e.after_digest = Some(digest_json(&row));
        e.detail = format!("week={}", row.week_start);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Created { value: row, replayed: false })
    }

    pub async fn weekly_analyses(&self, actor: &Actor) -> Result<Vec<WeeklyAnalysis>> {
        actor.require(Permission::ViewCampaign)?;
        Ok(liaison::analyses(&self.store.db, &actor.scope, 200).await?)
    }

    pub async fn weekly_analysis(&self, actor: &Actor, id: i64) -> Result<WeeklyAnalysis> {
        actor.require(Permission::ViewCampaign)?;
        Ok(liaison::analysis(&self.store.db, &actor.scope, id).await?)
    }
}
