//! The leaders' picture of a city or a county, built only from the records: hazards found and
//! closed by month, open and overdue hazards by grade and county, major hazards and their
//! governance plans, the month's quota, obligation compliance by county, campaign tasks by
//! phase, crossings, and safety tests. No figure is typed by hand.

use crate::{Actor, App, AppError, Result};
use anjian_domain::campaign::TaskStatus;
use anjian_domain::period::{local_date, Period, PeriodKind};
use anjian_domain::safety_test::Standing;
use anjian_domain::scope::Scope;
use anjian_store::hazard_counts;
use anjian_store::hazards::{self, HazardFilter};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cockpit {
    pub place: String,
    /// The jurisdiction looked at, when narrowed to a county.
    pub jurisdiction_id: Option<i64>,
    pub months: Vec<String>,
    pub found: Vec<u64>,
    pub closed: Vec<u64>,
    /// Grade code, name, open, overdue, found and closed in the campaign's months.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub by_grade: Vec<(String, String, u64, u64, u64, u64)>,
    /// County id, name, open, overdue, found and closed in the campaign's months.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub by_county: Vec<(i64, String, u64, u64, u64, u64)>,
    pub major_open: u64,
    pub major_with_plan: u64,
    /// Industry code (附件1 包联行业), open, overdue, found and closed in the campaign's months.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub by_industry: Vec<(String, u64, u64, u64, u64)>,
    /// Open hazards by age: found within 30 days, 31–90 days ago, longer ago.
    pub open_by_age: [u64; 3],
    /// The city's or county's monthly quota this month: (title, done, need).
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub quota: Vec<(String, u32, u32)>,
    /// County name, periods met, periods due so far, overdue.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub compliance: Vec<(String, u32, u32, u32)>,
    /// Phase name, done, in progress, not started, overdue (tasks due in the phase; continuous
    /// tasks under the current one).
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub tasks: Vec<(String, u32, u32, u32, u32)>,
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u64>))]
    pub crossings: (usize, usize, usize, usize),
    /// Not tested, passed, retest due, failed retest.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u64>))]
    pub tests: (usize, usize, usize, usize),
    /// Explosives warehouses: live alarms, of which patrol misses, of which escalated.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u64>))]
    pub alarms: (usize, usize, usize),
    /// Tips by outcome (`pending`, `true`, `partly_true`, `untrue`); empty for a role that may
    /// not see tips.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub tips: Vec<(String, u64)>,
}

/// The jurisdiction path the counts are read under: the narrower of the caller's scope and the
/// county asked for; one outside the scope gets a path that matches nothing. Oversight roles are
/// scoped by jurisdiction (or see everything); no other scope reaches the cockpit.
fn counted_within(scope: &Scope, asked: Option<&str>) -> Result<Option<String>> {
    let own = match scope {
        Scope::All => None,
        Scope::Jurisdiction { path } => Some(path.as_str()),
        _ => return Err(AppError::Forbidden),
    };
    Ok(match (asked, own) {
        (None, own) => own.map(str::to_owned),
        (Some(a), None) => Some(a.to_owned()),
        (Some(a), Some(o)) if a.starts_with(o) => Some(a.to_owned()),
        (Some(a), Some(o)) if o.starts_with(a) => Some(o.to_owned()),
        (Some(_), Some(_)) => Some("/-/".to_owned()),
    })
}

impl App {
    /// The cockpit of the caller's jurisdiction, or of one county inside it.
    pub async fn cockpit(&self, actor: &Actor, jurisdiction: Option<i64>) -> Result<Cockpit> {
        actor.require_oversight()?;
        let plan = self.current_plan().await?;
        let now = self.clock.now();
        let within = self.jurisdiction_filter(jurisdiction).await?;
        let db = &self.store.db;
        let scope = &actor.scope;
        let base = HazardFilter { jurisdiction_path: within.clone(), ..Default::default() };
        // Months of the campaign so far (or the last twelve after it).
        let mut months = Vec::new();
        let mut m = Period::containing(PeriodKind::Month, plan.span().start().min(now));
        while m.start <= now && m.start < plan.span().end() {
            months.push(m);
            m = m.next();
        }
        if months.is_empty() {
            months.push(Period::containing(PeriodKind::Month, now));
        }
        let counties = self.areas(actor, within.as_deref()).await?;
        // Found and closed per month from the counts kept as hazards change; the rest is about
        // open hazards only, in one pass over them (they are read by state, not among the closed).
        let keys: Vec<String> = months.iter().map(|m| hazard_counts::month_of(m.start)).collect();
        let counted = counted_within(scope, within.as_deref())?;
        let per_month = hazard_counts::by_month(db, counted.as_deref(), &keys).await?;
        let per_industry = hazard_counts::summed(db, counted.as_deref(), &keys, hazard_counts::By::Industry).await?;
        let per_grade = hazard_counts::summed(db, counted.as_deref(), &keys, hazard_counts::By::Grade).await?;
        let per_place = hazard_counts::summed(db, counted.as_deref(), &keys, hazard_counts::By::Jurisdiction).await?;
        let (found, closed): (Vec<u64>, Vec<u64>) =
            keys.iter().map(|k| per_month.get(k).copied().unwrap_or_default()).unzip();
        let mut questions: Vec<HazardFilter> = Vec::new();
        for g in &plan.hazard_grades {
            let f = HazardFilter { grade: Some(g.code.get_ref().clone()), open_only: true, ..base.clone() };
            questions.push(HazardFilter { overdue_at: Some(now), ..f.clone() });
            questions.push(f);
        }
        for j in &counties {
            let f = HazardFilter { jurisdiction_path: Some(j.path.clone()), open_only: true, ..Default::default() };
            questions.push(HazardFilter { overdue_at: Some(now), ..f.clone() });
            questions.push(f);
        }
        let major = HazardFilter { grade: Some("major".into()), open_only: true, ..base.clone() };
        questions.push(HazardFilter { with_plan: true, ..major.clone() });
        questions.push(major);
        let industries: Vec<_> = plan.vocabulary().industries.iter().map(|i| *i.code.get_ref()).collect();
        for i in &industries {
            let f = HazardFilter { industry: Some(i.as_str().to_owned()), open_only: true, ..base.clone() };
            questions.push(HazardFilter { overdue_at: Some(now), ..f.clone() });
            questions.push(f);
        }
        let (days_30, days_90) = (now - chrono::Duration::days(30), now - chrono::Duration::days(90));
        let open = HazardFilter { open_only: true, ..base.clone() };
        questions.push(HazardFilter { since: Some(days_30), ..open.clone() });
        questions.push(HazardFilter { since: Some(days_90), until: Some(days_30), ..open.clone() });
        questions.push(HazardFilter { until: Some(days_90), ..open });
        let open = HazardFilter { open_only: true, ..Default::default() };
        let answers = hazards::tallies(db, scope, &open, &questions).await?;
        let mut a = answers.into_iter();
        let mut next = move || a.next().unwrap_or(0);
        let mut by_grade = Vec::new();
        for g in &plan.hazard_grades {
            let overdue = next();
            let (found, closed) = per_grade.get(g.code.get_ref()).copied().unwrap_or_default();
            by_grade.push((g.code.get_ref().clone(), g.name.clone(), next(), overdue, found, closed));
        }
        let mut by_county = Vec::new();
        for j in counties {
            let overdue = next();
            let (found, closed) = hazard_counts::under(&per_place, &j.path);
            by_county.push((j.id, j.name, next(), overdue, found, closed));
        }
        let major_with_plan = next();
        let major_open = next();
        let mut by_industry = Vec::new();
        for i in &industries {
            let overdue = next();
            let (found, closed) = per_industry.get(i.as_str()).copied().unwrap_or_default();
            by_industry.push((i.as_str().to_owned(), next(), overdue, found, closed));
        }
        let open_by_age = [next(), next(), next()];

        let matrix = self.compliance_matrix(actor, jurisdiction).await?;
        let compliance = matrix
            .rows
            .iter()
            .map(|r| {
                let (mut met, mut total, mut overdue) = (0, 0, 0);
                for c in &r.cells {
                    met += c.met;
                    total += c.total();
                    overdue += c.overdue;
                }
                (r.name.clone(), met, total, overdue)
            })
            .collect();
        // The month's quota: the bureau's own major-hazard and typical-case rules.
        let mut quota = Vec::new();
        {
            let guard = self.live_board().await?;
            let board = &guard.as_ref().expect("built").board;
            if let Some(bureau) = actor.org.as_ref().and_then(|o| board.world().bureau_of(o.id)).map(|b| b.id) {
                for o in board.for_subject(&anjian_domain::obligation::Subject::Org(bureau), now) {
                    let rule = &plan.rules[o.rule_index];
                    let quota_rule = matches!(
                        rule.activity,
                        anjian_domain::plan::ActivityKind::MAJOR_HAZARD_RESOLVED
                            | anjian_domain::plan::ActivityKind::TYPICAL_CASE
                    );
                    if quota_rule && o.window.contains(now) {
                        quota.push((rule.title.clone(), o.done, o.need));
                    }
                }
            }
        }
        let board = self.campaign_board(actor).await?;
        let today = local_date(now);
        let mut tasks = Vec::new();
        for ph in &plan.phases {
            let span = ph.span();
            let mut row = (ph.name.clone(), 0, 0, 0, 0);
            for t in board.tasks.iter().filter(|t| match t.due {
                Some(d) => span.contains_date(d),
                None => span.contains_date(today),
            }) {
                match t.status {
                    TaskStatus::Done => row.1 += 1,
                    TaskStatus::InProgress => row.2 += 1,
                    TaskStatus::NotStarted => row.3 += 1,
                    TaskStatus::Overdue => row.4 += 1,
                }
            }
            tasks.push(row);
        }
        let crossings = self.crossings(actor, jurisdiction).await?;
        let crossing_figures = (
            crossings.len(),
            crossings.iter().filter(|c| c.covered).count(),
            crossings.iter().filter(|c| c.open_faults > 0).count(),
            crossings.iter().filter(|c| c.overdue_equipment > 0).count(),
        );
        let results = self.test_results(actor).await?;
        let count = |s: Standing| results.iter().filter(|r| r.standing == s).count();
        let place = match jurisdiction.and_then(|id| matrix.rows.first().map(|_| id)) {
            Some(id) => self
                .visible_jurisdictions(actor)
                .await?
                .into_iter()
                .find(|j| j.id == id)
                .map(|j| j.name)
                .unwrap_or_default(),
            None => self
                .visible_jurisdictions(actor)
                .await?
                .into_iter()
                .min_by_key(|j| j.path.len())
                .map(|j| j.name)
                .unwrap_or_default(),
        };
        let live = anjian_store::warehouses::alarms(
            db,
            scope,
            &anjian_store::warehouses::AlarmFilter { live: true, ..Default::default() },
            10_000,
        )
        .await?;
        let live: Vec<_> =
            live.into_iter().filter(|a| within.as_deref().is_none_or(|w| a.jurisdiction_path.starts_with(w))).collect();
        let alarms = (
            live.len(),
            live.iter().filter(|a| a.kind == "patrol_missed").count(),
            live.iter().filter(|a| a.escalated_at.is_some()).count(),
        );
        let tip_filter = anjian_store::tips::TipFilter { county_path: within.clone(), ..Default::default() };
        let mut tips: Vec<(String, u64)> = Vec::new();
        for row in self.tip_stats(actor, &tip_filter).await.unwrap_or_default() {
            match tips.iter_mut().find(|(o, _)| *o == row.outcome) {
                Some(t) => t.1 += row.count,
                None => tips.push((row.outcome, row.count)),
            }
        }
        tips.sort();
        Ok(Cockpit {
            alarms,
            tips,
            place,
            jurisdiction_id: jurisdiction,
            months: months.iter().map(|m| local_date(m.start).format("%Y-%m").to_string()).collect(),
            found,
            closed,
            by_grade,
            by_county,
            major_open,
            major_with_plan,
            by_industry,
            open_by_age,
            quota,
            compliance,
            tasks,
            crossings: crossing_figures,
            tests: (
                count(Standing::NotTested),
                count(Standing::Passed),
                count(Standing::RetestDue),
                count(Standing::FailedRetest),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_under_the_narrower_of_scope_and_county() {
        let county = Scope::Jurisdiction { path: "/1/3/".into() };
        assert_eq!(counted_within(&Scope::All, None).unwrap(), None);
        assert_eq!(counted_within(&Scope::All, Some("/1/4/")).unwrap().as_deref(), Some("/1/4/"));
        assert_eq!(counted_within(&county, None).unwrap().as_deref(), Some("/1/3/"));
        assert_eq!(counted_within(&county, Some("/1/")).unwrap().as_deref(), Some("/1/3/"));
        assert_eq!(counted_within(&county, Some("/1/3/9/")).unwrap().as_deref(), Some("/1/3/9/"));
        // Another county's figures are not the caller's to see: the path matches nothing.
        assert_eq!(counted_within(&county, Some("/1/4/")).unwrap().as_deref(), Some("/-/"));
        assert!(counted_within(&Scope::Org { path: "/7/".into() }, None).is_err());
    }
}
