//! A bureau's monthly report and weekly summary: drafted from the period's records (hazards
//! found and closed, by county; obligations that closed overdue; task progress; the month's
//! typical cases), edited in the browser and kept in versions, submitted, and exported as .docx
//! with a chart and its table.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::ledgers::parse_period;
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::period::{local_date, local_midnight, Period, PeriodKind};
use anjian_domain::report::ReportState;
use anjian_domain::scope::Scope;
use anjian_reports::docx::{self, Document, Section, Signature};
use anjian_store::hazards::{self, HazardFilter};
use anjian_store::liaison::{self, BureauReport};
use serde::Serialize;

/// `2022-08` → 2022年8月.
pub fn month_title(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => ZH.fill("report.year_month", &[("y", &y), ("m", &m.trim_start_matches('0'))]),
        None => month.to_owned(),
    }
}

/// A date as a report writes it: 2022年8月31日.
pub(crate) fn date_title(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    ZH.fill("report.date", &[("y", &d.year()), ("m", &d.month()), ("d", &d.day())])
}

use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BureauReportState {
    /// `monthly` or `weekly`.
    pub kind: String,
    pub period: String,
    pub bureau: String,
    pub latest: Option<BureauReport>,
    pub body: String,
    pub versions: usize,
    /// County, found, closed in the period (for the chart and its table).
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub counties: Vec<(String, u64, u64)>,
}

/// The day a report is dated: the day its newest version was submitted; a draft, `now`.
pub(crate) fn dated(
    latest: Option<(ReportState, chrono::DateTime<chrono::Utc>)>,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    match latest {
        Some((ReportState::Submitted, at)) => at,
        _ => now,
    }
}

/// One county's hazards in a period (see [`App::county_figures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CountyFigures {
    pub found: u64,
    pub major: u64,
    pub closed: u64,
    pub overdue: u64,
}

/// A report's appendix: hazards found and closed per county, as a native chart (county names,
/// axis titles and values in the reader's own fonts) and the table of the same figures.
pub(crate) fn county_hazards_section(counties: &[(String, u64, u64)]) -> Section {
    use anjian_reports::word_chart::{Chart, Series};
    let series = |key: &str, color: &str, pick: fn(&(String, u64, u64)) -> u64| Series {
        name: ZH.t(key).into(),
        color: color.into(),
        values: counties.iter().map(|c| pick(c) as f64).collect(),
    };
    Section {
        heading: ZH.t("report.appendix_heading").into(),
        chart: Some(Chart {
            title: ZH.t("report.chart_title").into(),
            category_axis: ZH.t("report.county").into(),
            value_axis: ZH.t("report.chart_axis").into(),
            categories: counties.iter().map(|c| c.0.clone()).collect(),
            series: vec![series("report.found", "C62828", |c| c.1), series("report.closed", "2E7D32", |c| c.2)],
        }),
        table: Some((
            vec![ZH.t("report.county").into(), ZH.t("report.found").into(), ZH.t("report.closed").into()],
            counties.iter().map(|c| vec![c.0.clone(), c.1.to_string(), c.2.to_string()]).collect(),
        )),
        ..Default::default()
    }
}

impl App {
    fn report_period(&self, kind: &str, period: &str) -> Result<Period> {
        match kind {
            "monthly" => parse_period(period).map_err(|_| AppError::invalid("period", "invalid_period")),
            "weekly" => chrono::NaiveDate::parse_from_str(period, "%Y-%m-%d")
                .map(|d| Period::containing(PeriodKind::Week, local_midnight(d)))
                .map_err(|_| AppError::invalid("period", "invalid_date")),
            _ => Err(AppError::invalid("kind", "invalid_kind")),
        }
    }

    fn report_bureau(&self, actor: &Actor) -> Result<anjian_store::orgs::Org> {
        match &actor.org {
            Some(o) if actor.role.is_bureau() => Ok(o.clone()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Hazards found and closed in the period, by county inside the caller's jurisdiction.
    async fn counties_in(&self, actor: &Actor, p: Period) -> Result<Vec<(String, u64, u64)>> {
        let mut out = Vec::new();
        for j in self.areas(actor, None).await? {
            let f = self.county_figures(&j.path, p).await?;
            out.push((j.name, f.found, f.closed));
        }
        Ok(out)
    }

    /// One county's hazards in a period: found (of them major), closed (销号) in it, and open
    /// past their deadline now. The one count behind a report's text, its table and its chart;
    /// for a month it reads the counters the cockpit reads.
    pub(crate) async fn county_figures(&self, path: &str, p: Period) -> Result<CountyFigures> {
        use anjian_store::hazard_counts::{self, By};
        let db = &self.store.db;
        let base = HazardFilter { jurisdiction_path: Some(path.to_owned()), ..Default::default() };
        let overdue =
            hazards::count(db, &Scope::All, &HazardFilter { overdue_at: Some(self.clock.now()), ..base.clone() })
                .await?;
        if p.kind == PeriodKind::Month {
            let key = [hazard_counts::month_of(p.start)];
            let (found, closed) =
                hazard_counts::under(&hazard_counts::summed(db, Some(path), &key, By::Jurisdiction).await?, path);
            let by_grade = hazard_counts::summed(db, Some(path), &key, By::Grade).await?;
            let major = by_grade.get("major").map_or(0, |g| g.0);
            return Ok(CountyFigures { found, major, closed, overdue });
        }
        let found_in = HazardFilter { since: Some(p.start), until: Some(p.end), ..base.clone() };
        let found = hazards::count(db, &Scope::All, &found_in).await?;
        let major = hazards::count(db, &Scope::All, &HazardFilter { grade: Some("major".into()), ..found_in }).await?;
        let closed_in = HazardFilter { closed_since: Some(p.start), closed_until: Some(p.end), ..base };
        let closed = hazards::count(db, &Scope::All, &closed_in).await?;
        Ok(CountyFigures { found, major, closed, overdue })
    }

    /// The newest version, or a draft from the period's records.
    pub async fn bureau_report(&self, actor: &Actor, kind: &str, period: &str) -> Result<BureauReportState> {
        let bureau = self.report_bureau(actor)?;
        let p = self.report_period(kind, period)?;
        let versions = liaison::bureau_report_versions(&self.store.db, bureau.id, kind, period).await?;
        let counties = self.counties_in(actor, p).await?;
        let latest = versions.last().cloned();
        let body = match &latest {
            Some(v) => v.body.clone(),
            None => self.draft_bureau_report(actor, kind, p, &counties).await?,
        };
        Ok(BureauReportState {
            kind: kind.to_owned(),
            period: period.to_owned(),
            bureau: bureau.name,
            latest,
            body,
            versions: versions.len(),
            counties,
        })
    }

    async fn draft_bureau_report(
        &self,
        actor: &Actor,
        kind: &str,
        p: Period,
        counties: &[(String, u64, u64)],
    ) -> Result<String> {
        let db = &self.store.db;
        let scope = &actor.scope;
        let now = self.clock.now();
        let in_period = HazardFilter { since: Some(p.start), until: Some(p.end), ..Default::default() };
        let found = hazards::count(db, scope, &in_period).await?;
        let major =
            hazards::count(db, scope, &HazardFilter { grade: Some("major".into()), ..in_period.clone() }).await?;
        let closed = hazards::count(
            db,
            scope,
            &HazardFilter { closed_since: Some(p.start), closed_until: Some(p.end), ..Default::default() },
        )
        .await?;
        let overdue_now =
            hazards::count(db, scope, &HazardFilter { overdue_at: Some(now), ..Default::default() }).await?;
        let span = ZH.t(if kind == "monthly" { "report.this_month" } else { "report.this_week" });
        let mut text = ZH.fill(
            "report.overall",
            &[
                ("span", &span),
                ("found", &found),
                ("major", &major),
                ("closed", &closed),
                ("date", &date_title(local_date(now))),
                ("overdue", &overdue_now),
            ],
        );
        text.push_str(ZH.t("report.counties_heading"));
        for (name, f, c) in counties {
            text.push_str(&ZH.fill("report.county_line", &[("name", &name), ("found", &f), ("closed", &c)]));
        }
        // Obligations whose window closed in the period short of their count.
        let place = match scope {
            Scope::Jurisdiction { path } => path.clone(),
            _ => "/".to_owned(),
        };
        let mut overdue: BTreeMap<String, u32> = BTreeMap::new();
        {
            let guard = self.live_board().await?;
            let board = &guard.as_ref().expect("built").board;
            for k in board.keys(now.min(p.end), &place) {
                let o = board.get(k, now);
                if o.status.closed_short() && o.window.end > p.start && o.window.end <= p.end {
                    *overdue.entry(board.plan().rules[o.rule_index].title.clone()).or_default() += 1;
                }
            }
        }
        text.push_str(ZH.t("report.duties_heading"));
        if overdue.is_empty() {
            text.push_str(&ZH.fill("report.no_overdue", &[("span", &span)]));
        }
        let mut ranked: Vec<_> = overdue.into_iter().collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
        for (title, n) in ranked.iter().take(10) {
            text.push_str(&ZH.fill("report.overdue_line", &[("title", title), ("n", n)]));
        }
        let board = self.campaign_board(actor).await?;
        let phase = board.current_phase.unwrap_or_else(|| ZH.t("report.outside_campaign").into());
        text.push_str(&ZH.fill(
            "report.tasks",
            &[
                ("campaign", &board.campaign),
                ("total", &board.tasks.len()),
                ("phase", &phase),
                ("done", &board.done),
                ("in_progress", &board.in_progress),
                ("not_started", &board.not_started),
                ("overdue", &board.overdue),
            ],
        ));
        if kind == "monthly" {
            text.push_str(ZH.t("report.cases_heading"));
            let month = local_date(p.start).format("%Y-%m").to_string();
            let cases = self.typical_cases(actor, &month).await?;
            if cases.is_empty() {
                text.push_str(ZH.t("report.no_cases"));
            }
            for c in cases {
                text.push_str(&format!("{}\n", c.title));
            }
            text.push_str(ZH.t("report.next_month"));
        } else {
            text.push_str(ZH.t("report.next_week"));
        }
        Ok(text)
    }

    /// Saves the text as a new version (`submit` reports it); unchanged text is refused.
    pub async fn save_bureau_report(
        &self,
        actor: &Actor,
        kind: &str,
        period: &str,
        body: &str,
        submit: bool,
    ) -> Result<BureauReport> {
        let bureau = self.report_bureau(actor)?;
        self.report_period(kind, period)?;
        let body = body.trim();
        if let Some(e) = FieldError::text("body", body, 100_000) {
            return Err(AppError::Invalid(vec![e]));
        }
        let versions = liaison::bureau_report_versions(&self.store.db, bureau.id, kind, period).await?;
        let state = if submit { ReportState::Submitted } else { ReportState::Draft };
        if let Some(l) = versions.last() {
            if l.body == body && (l.state == state || l.state == ReportState::Submitted) {
                return Err(AppError::invalid("body", "unchanged"));
            }
        }
        let version = versions.last().map_or(1, |l| l.version + 1);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let row = liaison::insert_bureau_report(
            &*txn,
            &bureau,
            kind,
            period,
            version,
            state,
            body,
            (actor.id(), actor.name()),
            now,
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::Conflict("report_changed_meanwhile"),
            e => e.into(),
        })?;
        let mut e = entry(
            Some(actor),
            if submit { "bureau_report.submit" } else { "bureau_report.save" },
            "bureau_report",
            row.id,
        );
        e.after_digest = Some(digest_json(&row.body));
        e.detail = format!("kind={kind} period={period} version={version}");
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// The report as a Word document issued in the bureau's name, with the hazards-by-county
    /// chart and its table, the 落款 and page numbers; marked 草稿 only when `draft` is asked.
    pub async fn bureau_report_docx(
        &self,
        actor: &Actor,
        kind: &str,
        period: &str,
        draft: bool,
    ) -> Result<(String, Vec<u8>)> {
        let r = self.bureau_report(actor, kind, period).await?;
        let bureau = self.issuing_bureau(actor).await?;
        let mut sections = docx::sections_from_text(&r.body);
        // The appendix (附：) follows the numbered sections and keeps its own heading.
        sections.push(county_hazards_section(&r.counties));
        let title = match kind {
            "monthly" => {
                ZH.fill("report.monthly_title", &[("bureau", &bureau.name), ("month", &month_title(&r.period))])
            }
            _ => ZH.fill("report.weekly_title", &[("bureau", &bureau.name), ("start", &r.period)]),
        };
        let day = dated(r.latest.as_ref().map(|v| (v.state, v.created_at)), self.clock.now());
        let doc = Document {
            title: title.clone(),
            number: None,
            subtitle: String::new(),
            draft,
            sections,
            signature: Some(Signature { issuer: bureau.name.clone(), date: date_title(local_date(day)) }),
        };
        let bytes = docx::write(&doc).map_err(|e| AppError::Internal(format!("writing a document: {e}")))?;
        Ok((format!("{title}.docx"), bytes))
    }

    /// The month's typical cases as a compilation: each with its enterprise, county, grade, the
    /// dates it was found, due and closed, its governance plan and its before/after photos. A
    /// month without cases has nothing to compile and says so.
    pub async fn typical_cases_docx(&self, actor: &Actor, month: &str) -> Result<(String, Vec<u8>)> {
        let cases = self.typical_cases(actor, month).await?;
        if cases.is_empty() {
            return Err(AppError::invalid("month", "no_typical_cases"));
        }
        let db = &self.store.db;
        let grades: std::collections::HashMap<String, String> =
            self.current_plan().await.map(|p| p.grade_names().into_iter().collect()).unwrap_or_default();
        let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| date_title(local_date(t))).unwrap_or_else(|| "—".into())
        };
        let mut sections = Vec::new();
        for c in &cases {
            let h = hazards::get(db, &actor.scope, c.hazard_id).await?;
            let org = anjian_store::orgs::get(db, &actor.scope, h.org_id).await?;
            let county =
                anjian_store::jurisdictions::by_id(db, org.jurisdiction_id).await?.map(|j| j.name).unwrap_or_default();
            let mut paragraphs = vec![
                ZH.fill(
                    "report.case_facts",
                    &[
                        ("org", &org.name),
                        ("county", &county),
                        ("grade", &grades.get(&h.grade).cloned().unwrap_or_else(|| h.grade.clone())),
                        ("found", &day(Some(h.discovered_at))),
                        ("deadline", &day(h.deadline)),
                        ("closed", &day(h.closed_at)),
                    ],
                ),
                ZH.fill("report.case_hazard", &[("description", &h.description)]),
            ];
            if !c.narrative.trim().is_empty() {
                paragraphs.push(c.narrative.clone());
            }
            if let Some(plan) = hazards::plan_of(db, h.id).await? {
                paragraphs.push(ZH.fill(
                    "report.case_plan",
                    &[
                        ("measures", &plan.measures),
                        ("funds", &plan.funds_materials),
                        ("responsible", &plan.responsible),
                        ("limit", &plan.time_limit),
                    ],
                ));
            } else if !h.measures.is_empty() {
                paragraphs.push(ZH.fill("report.case_measures", &[("measures", &h.measures)]));
            }
            let mut pictures = Vec::new();
            for a in anjian_store::attachments::of_owner(db, "hazard", h.id).await? {
                if let Ok((_, bytes)) = self.attachment(actor, a.id).await {
                    let caption = ZH.t(if a.role == "after" { "report.photo_after" } else { "report.photo_before" });
                    pictures.push(docx::Picture { bytes, caption: caption.into() });
                }
            }
            sections
                .push(Section { heading: format!("一、{}", c.title), paragraphs, pictures, ..Default::default() });
        }
        docx::renumber(&mut sections);
        let bureau = self.issuing_bureau(actor).await.ok();
        let title = ZH.fill("report.cases_title", &[("month", &month_title(month))]);
        let doc = Document {
            title: title.clone(),
            number: None,
            subtitle: ZH.fill("report.cases_count", &[("n", &cases.len())]),
            draft: false,
            sections,
            signature: bureau.map(|b| Signature { issuer: b.name, date: date_title(local_date(self.clock.now())) }),
        };
        let bytes = docx::write(&doc).map_err(|e| AppError::Internal(format!("writing a document: {e}")))?;
        Ok((format!("{title}.docx"), bytes))
    }
}
