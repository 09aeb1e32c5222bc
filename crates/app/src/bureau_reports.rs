//! A bureau's monthly report and weekly summary: drafted from the period's records (hazards
//! found and closed, by county; obligations that closed overdue; task progress; the month's
//! typical cases), edited in the browser and kept in versions, submitted, and exported as .docx
//! with a chart and its table.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::ledgers::parse_period;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::obligation::Status;
use anjian_domain::period::{local_date, local_midnight, Period, PeriodKind};
use anjian_domain::report::ReportState;
use anjian_domain::scope::Scope;
use anjian_reports::docx::{self, Document, Section};
use anjian_store::hazards::{self, HazardFilter};
use anjian_store::liaison::{self, BureauReport};
use serde::Serialize;
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

/// A report's appendix: hazards found and closed per county, as a chart (PNG, for Word and WPS)
/// and the table of the same figures.
pub(crate) fn county_hazards_section(counties: &[(String, u64, u64)]) -> Section {
    Section {
        heading: "附：各县（市、区）隐患发现与销号".into(),
        paragraphs: vec!["图例：红色为发现，绿色为销号。".into()],
        chart: Some(anjian_reports::chart::bars_png(
            counties.len(),
            &[
                ("发现", [198, 40, 40], counties.iter().map(|c| c.1).collect()),
                ("销号", [46, 125, 50], counties.iter().map(|c| c.2).collect()),
            ],
        )),
        table: Some((
            vec!["县（市、区）".into(), "发现".into(), "销号".into()],
            counties.iter().map(|c| vec![c.0.clone(), c.1.to_string(), c.2.to_string()]).collect(),
        )),
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
        for j in self.visible_jurisdictions(actor).await?.into_iter().filter(|j| j.level == "county") {
            let base = HazardFilter { jurisdiction_path: Some(j.path.clone()), ..Default::default() };
            let found = hazards::count(
                &self.store.db,
                &actor.scope,
                &HazardFilter { since: Some(p.start), until: Some(p.end), ..base.clone() },
            )
            .await?;
            let closed = hazards::count(
                &self.store.db,
                &actor.scope,
                &HazardFilter { closed_since: Some(p.start), closed_until: Some(p.end), ..base },
            )
            .await?;
            out.push((j.name, found, closed));
        }
        Ok(out)
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
        let span = if kind == "monthly" { "本月" } else { "本周" };
        let mut text = format!(
            "一、总体情况\n{span}共发现隐患 {found} 项（其中重大隐患 {major} 项），销号 {closed} 项；截至 {}，逾期未整改隐患 {overdue_now} 项。\n",
            local_date(now).format("%Y年%m月%d日")
        );
        text.push_str("\n二、各县（市、区）情况\n");
        for (name, f, c) in counties {
            text.push_str(&format!("{name}：发现 {f} 项，销号 {c} 项。\n"));
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
                if o.status == Status::Overdue && o.window.end > p.start && o.window.end <= p.end {
                    *overdue.entry(board.plan().rules[o.rule_index].title.clone()).or_default() += 1;
                }
            }
        }
        text.push_str("\n三、履职督办情况\n");
        if overdue.is_empty() {
            text.push_str(&format!("{span}无逾期未完成事项。\n"));
        }
        let mut ranked: Vec<_> = overdue.into_iter().collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
        for (title, n) in ranked.iter().take(10) {
            text.push_str(&format!("{title}：逾期 {n} 项。\n"));
        }
        let board = self.campaign_board(actor).await?;
        text.push_str(&format!(
            "\n四、“三大战役”任务进展\n当前处于{}。20 项任务中，已完成 {} 项，进行中 {} 项，未开始 {} 项，逾期 {} 项。\n",
            board.current_phase.unwrap_or_else(|| "战役期外".into()),
            board.done,
            board.in_progress,
            board.not_started,
            board.overdue
        ));
        if kind == "monthly" {
            text.push_str("\n五、典型案例\n");
            let month = local_date(p.start).format("%Y-%m").to_string();
            let cases = self.typical_cases(actor, &month).await?;
            if cases.is_empty() {
                text.push_str("本月无典型案例。\n");
            }
            for c in cases {
                text.push_str(&format!("{}\n", c.title));
            }
            text.push_str("\n六、下一步工作安排\n");
        } else {
            text.push_str("\n五、下周工作安排\n");
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
        if body.is_empty() || body.chars().count() > 100_000 {
            return Err(AppError::Invalid(vec![FieldError::new("body", "required")]));
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

    /// The report as a Word document, with the hazards-by-county chart and its table.
    pub async fn bureau_report_docx(&self, actor: &Actor, kind: &str, period: &str) -> Result<(String, Vec<u8>)> {
        let r = self.bureau_report(actor, kind, period).await?;
        let mut sections = docx::sections_from_text(&r.body);
        sections.push(county_hazards_section(&r.counties));
        let title = match kind {
            "monthly" => format!("{}{}安全生产工作月报", r.bureau, r.period.replacen('-', "年", 1) + "月"),
            _ => format!("{}安全生产工作周报（{} 起一周）", r.bureau, r.period),
        };
        let state = match &r.latest {
            Some(v) if v.state == ReportState::Submitted => format!("第 {} 版（已报送）", v.version),
            Some(v) => format!("第 {} 版（草稿）", v.version),
            None => "草稿（未保存）".to_owned(),
        };
        let doc = Document { title, subtitle: state, sections };
        let bytes = docx::write(&doc).map_err(|e| AppError::Internal(format!("writing a document: {e}")))?;
        Ok((format!("{kind}-{}.docx", r.period), bytes))
    }
}
