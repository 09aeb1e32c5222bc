//! The windows a rule is counted in: its calendar periods clipped to the campaign (and to the
//! phases it names), a phase, the whole campaign, or the time up to a deadline.

use crate::period::{local_date, DateSpan, Period, PeriodKind};
use crate::plan::{Per, Plan, Rule};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// One counting window: `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The calendar period it was cut from (None for a phase, the campaign or a deadline).
    pub period: Option<PeriodKind>,
}

impl Window {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// How much of the window has passed at `t`, from 0.0 to 1.0.
    pub fn elapsed(&self, t: DateTime<Utc>) -> f64 {
        let total = (self.end - self.start).num_milliseconds().max(1) as f64;
        ((t - self.start).num_milliseconds() as f64 / total).clamp(0.0, 1.0)
    }

    /// A short label in local time: `2022-07-11` for a day-based window, `07-11 09:00` for an hour.
    pub fn label(&self) -> String {
        let local = |t: DateTime<Utc>| t.with_timezone(&crate::TZ);
        match self.period {
            Some(PeriodKind::Hour) => local(self.start).format("%Y-%m-%d %H:00").to_string(),
            Some(PeriodKind::Month) => local(self.start).format("%Y-%m").to_string(),
            _ => {
                let last = local_date(self.end - Duration::seconds(1));
                format!("{} – {}", local_date(self.start).format("%Y-%m-%d"), last.format("%Y-%m-%d"))
            }
        }
    }
}

/// The spans a rule applies in: the campaign, or only the phases it names.
fn spans(plan: &Plan, rule: &Rule) -> Vec<DateSpan> {
    if rule.phases.is_empty() {
        return vec![plan.span()];
    }
    plan.phases
        .iter()
        .filter(|p| rule.phases.iter().any(|c| c.get_ref() == p.code.get_ref()))
        .map(|p| p.span())
        .collect()
}

/// Every window of `rule`, in time order, clipped to where the rule applies. Windows that have
/// not started by `until` are left out. Per-event rules have no windows.
pub fn windows(plan: &Plan, rule: &Rule, until: DateTime<Utc>) -> Vec<Window> {
    let mut out = Vec::new();
    for span in spans(plan, rule) {
        let (start, end) = (span.start(), span.end());
        if let Some(by) = &rule.by {
            let deadline = DateSpan { starts: span.starts, ends: by.get_ref().0 }.end().min(end);
            out.push(Window { start, end: deadline, period: None });
            continue;
        }
        match rule.per {
            Some(Per::Event) | None => {}
            Some(Per::Campaign) => out.push(Window { start, end, period: None }),
            Some(Per::Phase) => {
                for p in &plan.phases {
                    let ps = p.span();
                    let (s, e) = (ps.start().max(start), ps.end().min(end));
                    if s < e {
                        out.push(Window { start: s, end: e, period: None });
                    }
                }
            }
            Some(per) => {
                let kind = per.calendar().expect("calendar period");
                let mut p = Period::containing(kind, start);
                while p.start < end && p.start <= until {
                    out.push(Window { start: p.start.max(start), end: p.end.min(end), period: Some(kind) });
                    p = p.next();
                }
            }
        }
    }
    out.retain(|w| w.start <= until);
    out
}

/// The index of the window containing `t` (windows are sorted and do not overlap).
pub fn find(windows: &[Window], t: DateTime<Utc>) -> Option<usize> {
    let i = windows.partition_point(|w| w.start <= t);
    (i > 0 && windows[i - 1].contains(t)).then(|| i - 1)
}
