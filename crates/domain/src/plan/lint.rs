//! `anjian plan lint`: everything wrong or doubtful in a plan, each pointing at a line.
//!
//! Errors make a plan unusable (a dangling reference, a deadline outside the campaign, a weaker
//! reading kept where the seed has a stricter one). Warnings are contradictions in the source
//! document that the plan settled, and notes are numbers the seed does not give.

use super::{ActivityKind, Per, Plan, Rule, SourceText, TargetKind, Who};
use crate::org::{OrgKind, SiteKind};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::ops::Range as ByteRange;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PlanFinding))]
pub struct Finding {
    pub severity: Severity,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{}:{}: {sev}: {}", self.line, self.column, self.message)
    }
}

struct Linter<'a> {
    src: SourceText<'a>,
    out: Vec<Finding>,
}

impl Linter<'_> {
    fn at(&mut self, severity: Severity, span: ByteRange<usize>, message: String) {
        let (line, column) = self.src.line_col(span.start);
        self.out.push(Finding { severity, line, column, message });
    }
    fn error<T>(&mut self, s: &Spanned<T>, message: String) {
        self.at(Severity::Error, s.span(), message);
    }
    fn warning<T>(&mut self, s: &Spanned<T>, message: String) {
        self.at(Severity::Warning, s.span(), message);
    }
    fn note<T>(&mut self, s: &Spanned<T>, message: String) {
        self.at(Severity::Note, s.span(), message);
    }

    fn unique<'p, T, I>(&mut self, what: &str, codes: I) -> HashSet<String>
    where
        T: fmt::Display + 'p,
        I: IntoIterator<Item = &'p Spanned<T>>,
    {
        let mut seen = HashSet::new();
        for code in codes {
            if !seen.insert(code.get_ref().to_string()) {
                self.error(code, format!("duplicate {what} `{}`", code.get_ref()));
            }
        }
        seen
    }
}

/// Reads `text` as a plan and lists every finding, most severe first within a line order.
/// A file that does not parse yields its one parse error.
pub fn lint(text: &str) -> Vec<Finding> {
    let plan = match Plan::parse(text) {
        Ok(p) => p,
        Err(e) => {
            return vec![Finding { severity: Severity::Error, line: e.line, column: e.column, message: e.message }]
        }
    };
    let mut l = Linter { src: SourceText::new(text), out: Vec::new() };
    check(&plan, &mut l);
    l.out.sort_by_key(|f| (f.line, f.column, f.severity));
    l.out
}

fn check(plan: &Plan, l: &mut Linter<'_>) {
    let campaign = plan.span();
    if campaign.starts > campaign.ends {
        l.error(&plan.plan.ends, "the campaign ends before it starts".into());
    }
    if plan.plan.timezone != "Asia/Shanghai" {
        l.error(&plan.plan.starts, format!("timezone `{}`: periods are computed in Asia/Shanghai", plan.plan.timezone));
    }

    let vocab = plan.vocabulary();
    check_vocabulary(plan, l);

    // Jurisdictions: each at a declared level, a root at the top one, a child one level below
    // its parent. Any number of roots (an installation may hold several cities).
    let juris = l.unique("jurisdiction", plan.jurisdictions.iter().map(|j| &j.code));
    for j in &plan.jurisdictions {
        let Some(depth) = vocab.depth(j.level) else {
            l.error(&j.code, format!("jurisdiction `{}`: level `{}` is not declared", j.code.get_ref(), j.level));
            continue;
        };
        match &j.parent {
            Some(p) if !juris.contains(p.get_ref()) => {
                l.error(p, format!("unknown parent jurisdiction `{}`", p.get_ref()))
            }
            Some(p) => {
                let parent_depth = plan.jurisdiction(p.get_ref()).and_then(|x| vocab.depth(x.level));
                if parent_depth.is_some_and(|d| d + 1 != depth) {
                    let above =
                        if depth == 0 { "none".to_owned() } else { vocab.levels[depth - 1].code.get_ref().to_string() };
                    l.error(
                        p,
                        format!(
                            "jurisdiction `{}` ({}) must sit under a jurisdiction of the level above ({above})",
                            j.code.get_ref(),
                            j.level
                        ),
                    );
                }
            }
            None if depth != 0 => l.error(
                &j.code,
                format!(
                    "jurisdiction `{}` ({}) has no parent; only the top level stands alone",
                    j.code.get_ref(),
                    j.level
                ),
            ),
            None => {}
        }
    }
    if let Some(code) = &plan.plan.jurisdiction {
        if !juris.contains(code.get_ref()) {
            l.error(code, format!("plan.jurisdiction: unknown jurisdiction `{}`", code.get_ref()));
        }
    } else if plan.jurisdictions.iter().filter(|j| j.parent.is_none()).count() > 1 {
        if let Some(j) = plan.jurisdictions.first() {
            l.error(&j.code, "several jurisdictions without a parent: name the issuer's in plan.jurisdiction".into());
        }
    }

    let departments = l.unique("department", plan.departments.iter().map(|d| &d.code));
    let battles = l.unique("battle", plan.battles.iter().map(|b| &b.code));
    let leaders = l.unique("leader", plan.leaders.iter().map(|x| &x.code));
    let levels = l.unique("supervision level", plan.supervision_levels.iter().map(|x| &x.code));
    let checklists = l.unique("checklist", plan.checklists.iter().map(|x| &x.id));
    l.unique("hazard grade", plan.hazard_grades.iter().map(|x| &x.code));
    let phases = l.unique("phase", plan.phases.iter().map(|x| &x.code));
    l.unique("rule", plan.rules.iter().map(|x| &x.id));

    check_phases(plan, l);
    check_citations(plan, l);
    check_issue_date(plan, l);
    l.unique("section", plan.sections.iter().map(|s| &s.code));

    // A leader's liaison areas lie under the issuer's jurisdiction, never the issuer's own.
    let issuer = plan.issuer_jurisdiction().map(|j| j.code.get_ref().clone());
    for leader in &plan.leaders {
        for c in &leader.counties {
            match plan.jurisdiction(c.get_ref()) {
                None => l.error(c, format!("leader `{}`: unknown county `{}`", leader.code.get_ref(), c.get_ref())),
                Some(j) if j.parent.as_ref().map(|p| p.get_ref()) != issuer.as_ref() => l.error(
                    c,
                    format!(
                        "leader `{}`: `{}` is not an area directly under the issuer's jurisdiction",
                        leader.code.get_ref(),
                        c.get_ref()
                    ),
                ),
                Some(_) => {}
            }
        }
        for i in leader.industries.iter().filter(|i| vocab.industry(**i).is_none()) {
            l.error(&leader.code, format!("leader `{}`: industry `{i}` is not declared", leader.code.get_ref()));
        }
    }

    // Tasks: numbered 1..N, each with a battle, known departments and one kind of deadline.
    let mut task_nos = BTreeSet::new();
    for t in &plan.tasks {
        if !task_nos.insert(*t.no.get_ref()) {
            l.error(&t.no, format!("duplicate task number {}", t.no.get_ref()));
        }
        if !battles.contains(t.battle.get_ref()) {
            l.error(&t.battle, format!("task {}: unknown battle `{}`", t.no.get_ref(), t.battle.get_ref()));
        }
        for d in &t.departments {
            if !departments.contains(d.get_ref()) {
                l.error(d, format!("task {}: unknown department `{}`", t.no.get_ref(), d.get_ref()));
            }
        }
        match (&t.due, t.continuous) {
            (Some(_), true) => {
                l.error(&t.no, format!("task {}: both `due` and `continuous`; pick one", t.no.get_ref()))
            }
            (None, false) => l.error(&t.no, format!("task {}: neither `due` nor `continuous = true`", t.no.get_ref())),
            (Some(due), false) => {
                let d = due.get_ref().0;
                if !campaign.contains_date(d) {
                    l.error(
                        due,
                        format!(
                            "task {}: due {d} is outside the campaign {}..{}",
                            t.no.get_ref(),
                            campaign.starts,
                            campaign.ends
                        ),
                    );
                } else if d < plan.plan.issued.0 {
                    l.warning(due, format!("task {}: due {d} is before the plan was issued ({}); it can only be checked after the fact", t.no.get_ref(), plan.plan.issued.0));
                }
            }
            (None, true) => {}
        }
    }
    if let (Some(first), Some(last)) = (task_nos.first(), task_nos.last()) {
        let expected = (*last - *first + 1) as usize;
        if *first != 1 || expected != task_nos.len() {
            if let Some(t) = plan.tasks.first() {
                l.warning(&t.no, format!("tasks are not numbered 1..{} without gaps", task_nos.len()));
            }
        }
    }

    for rule in &plan.rules {
        check_rule(
            plan,
            rule,
            l,
            &RefSets {
                task_nos: &task_nos,
                leaders: &leaders,
                levels: &levels,
                checklists: &checklists,
                phases: &phases,
            },
        );
    }

    for c in &plan.checklists {
        if !c.requirements.is_empty() && c.requirements.len() != c.items.len() {
            l.error(
                &c.id,
                format!(
                    "checklist `{}`: {} requirements for {} items; give one per item or none",
                    c.id.get_ref(),
                    c.requirements.len(),
                    c.items.len()
                ),
            );
        }
        if !c.equipment_for.is_empty() && (c.check_every_days.len() != c.items.len() || c.check_every_days.contains(&0))
        {
            l.error(
                &c.id,
                format!("checklist `{}`: equipment needs check_every_days, one of 1 or more per item", c.id.get_ref()),
            );
        }
        if c.equipment_for.is_empty() && !c.check_every_days.is_empty() {
            l.error(&c.id, format!("checklist `{}`: check_every_days without equipment_for", c.id.get_ref()));
        }
        for k in c.template_for.iter().chain(&c.equipment_for).filter(|k| plan.vocabulary().site_kind(**k).is_none()) {
            l.error(&c.id, format!("checklist `{}`: site kind `{k}` is not declared", c.id.get_ref()));
        }
        let kept: HashSet<&String> = c.items.iter().collect();
        for alt in
            c.alternatives.iter().filter(|a| a.at_least.is_some() || a.org_kinds.is_some() || a.reports_to.is_some())
        {
            l.error(
                &c.id,
                format!(
                    "checklist `{}`: {} gives a count or organisations, which a checklist has not",
                    c.id.get_ref(),
                    alt.source
                ),
            );
        }
        for alt in &c.alternatives {
            let Some(items) = &alt.items else { continue };
            let missing: Vec<_> = kept.iter().filter(|i| !items.contains(i)).map(|s| s.as_str()).collect();
            let extra: Vec<_> = items.iter().filter(|i| !kept.contains(i)).map(|s| s.as_str()).collect();
            if !extra.is_empty() {
                l.error(
                    &c.id,
                    format!(
                        "checklist `{}`: {} lists {} which the plan omits; keep the stricter reading",
                        c.id.get_ref(),
                        alt.source,
                        extra.join("、")
                    ),
                );
            } else if !missing.is_empty() {
                l.warning(&c.id, format!("contradiction in the seed: checklist `{}` has {} items in {} but {} omits {}; the plan keeps the stricter list", c.id.get_ref(), c.items.len(), c.source, alt.source, missing.join("、")));
            }
        }
    }

    if let Some(x) = &plan.explosives {
        for (name, r) in [("temperature_c", &x.temperature_c), ("humidity_pct", &x.humidity_pct)] {
            if r.get_ref().min >= r.get_ref().max {
                l.error(r, format!("explosives.{name}: min must be below max"));
            }
        }
        if *x.patrol_interval_minutes.get_ref() == 0 {
            l.error(&x.patrol_interval_minutes, "explosives.patrol_interval_minutes must be positive".into());
        }
        if let Some(a) = &x.assumption {
            l.note(a, format!("ambiguity: {}", a.get_ref()));
        }
    }
    if let Some(t) = &plan.tips {
        if let Some(a) = &t.assumption {
            l.note(a, format!("ambiguity: {}", a.get_ref()));
            if t.partly_true_percent > 100 || t.categories.is_empty() {
                l.error(a, "tips: partly_true_percent must be 0..=100 and categories must not be empty".into());
            }
            for r in t.rewards.iter().filter(|r| r.min_yuan > r.max_yuan || r.min_yuan < 0) {
                l.error(a, format!("tips.rewards `{}`: min_yuan must be 0..=max_yuan", r.finding));
            }
        }
    }
    if let Some(t) = &plan.safety_test {
        if *t.pass_mark.get_ref() == 0 || *t.pass_mark.get_ref() > 100 {
            l.error(&t.pass_mark, "safety_test.pass_mark must be 1..=100".into());
        }
        for part in &t.paper {
            if part.kind.parse::<crate::safety_test::QuestionKind>().is_err() || part.count == 0 {
                l.error(
                    &t.pass_mark,
                    format!(
                        "safety_test.paper: `{}` × {} — use single, multiple or true_false, 1 or more",
                        part.kind, part.count
                    ),
                );
            }
        }
        if !levels.contains(t.on_retest_fail_level.get_ref()) {
            l.error(
                &t.on_retest_fail_level,
                format!("unknown supervision level `{}`", t.on_retest_fail_level.get_ref()),
            );
        }
        if let Some(a) = &t.assumption {
            l.note(a, format!("ambiguity: {}", a.get_ref()));
        }
    }
}

fn check_phases(plan: &Plan, l: &mut Linter<'_>) {
    let campaign = plan.span();
    let mut prev: Option<&super::Phase> = None;
    for p in &plan.phases {
        let s = p.span();
        if s.starts > s.ends {
            l.error(&p.code, format!("phase `{}` ends before it starts", p.code.get_ref()));
        }
        if !campaign.contains_date(s.starts) || !campaign.contains_date(s.ends) {
            l.error(
                &p.code,
                format!("phase `{}` ({}..{}) is outside the campaign", p.code.get_ref(), s.starts, s.ends),
            );
        }
        if let Some(q) = prev {
            let qs = q.span();
            if s.starts <= qs.ends {
                l.error(&p.code, format!("phase `{}` overlaps phase `{}`", p.code.get_ref(), q.code.get_ref()));
            } else if s.starts != qs.ends.succ_opt().unwrap_or(qs.ends) {
                l.warning(
                    &p.code,
                    format!("gap between phase `{}` and phase `{}`", q.code.get_ref(), p.code.get_ref()),
                );
            }
        }
        prev = Some(p);
    }
}

/// The vocabulary itself: codes unique, levels named, each inspection kind recorded by someone,
/// a built-in kind really one the program's records produce.
fn check_vocabulary(plan: &Plan, l: &mut Linter<'_>) {
    let v = &plan.vocabulary;
    if v.is_empty() {
        return;
    }
    l.unique("level", v.levels.iter().map(|c| &c.code));
    if v.levels.is_empty() {
        l.error(&plan.plan.starts, "vocabulary declares no jurisdiction levels".into());
    }
    l.unique("organisation kind", v.org_kinds.iter().map(|c| &c.code));
    l.unique("site kind", v.site_kinds.iter().map(|c| &c.code));
    for c in &v.site_kinds {
        let builtin = match c.record {
            super::SiteRecord::Warehouse => Some(SiteKind::WAREHOUSE),
            super::SiteRecord::RailwayCrossing => Some(SiteKind::RAILWAY_CROSSING),
            super::SiteRecord::Site => None,
        };
        if builtin.is_some_and(|b| b != *c.code.get_ref()) || (builtin.is_none() && c.code.get_ref().is_builtin()) {
            l.error(
                &c.code,
                format!("site kind `{}`: record `{:?}` belongs to another code", c.code.get_ref(), c.record),
            );
        }
    }
    l.unique("industry", v.industries.iter().map(|c| &c.code));
    for c in &v.industries {
        for k in c.org_kinds.iter().filter(|k| !v.knows_org_kind(**k)) {
            l.error(&c.code, format!("industry `{}`: organisation kind `{k}` is not declared", c.code.get_ref()));
        }
        for k in c.site_kinds.iter().filter(|k| v.site_kind(**k).is_none()) {
            l.error(&c.code, format!("industry `{}`: site kind `{k}` is not declared", c.code.get_ref()));
        }
    }
    l.unique("activity kind", v.activity_kinds.iter().map(|c| &c.code));
    for c in &v.activity_kinds {
        let code = *c.code.get_ref();
        match c.record {
            super::ActivityRecord::Builtin if !code.is_builtin() || c.is_inspection_kind_only() => l.error(
                &c.code,
                format!("activity kind `{code}`: no record of the program produces it; declare it with record = \"inspection\""),
            ),
            super::ActivityRecord::Inspection if code.is_builtin() && !c.is_inspection_kind_only() => l.error(
                &c.code,
                format!("activity kind `{code}` is produced by its own record, not by an inspection (record = \"builtin\")"),
            ),
            super::ActivityRecord::Inspection if c.recorded_by.is_empty() => l.error(
                &c.code,
                format!("inspection kind `{code}`: recorded_by names no role, so nobody could record it"),
            ),
            _ => {}
        }
    }
}

/// Every kind a rule names is declared, and its activity is one a record produces.
fn check_rule_words(plan: &Plan, r: &Rule, l: &mut Linter<'_>) {
    let v = plan.vocabulary();
    let id = r.id.get_ref();
    if v.activity_kind(r.activity).is_none() {
        l.error(&r.id, format!("rule `{id}`: activity `{}` is not declared, so no record produces it", r.activity));
    }
    let mut org_kinds: Vec<OrgKind> = r.on.org_kinds.clone();
    if let Who::Org { org_kinds: k } | Who::Person { org_kinds: k, .. } = &r.who {
        org_kinds.extend(k.iter().copied());
    }
    for alt in &r.alternatives {
        org_kinds.extend(alt.org_kinds.iter().flatten().copied());
    }
    for k in org_kinds.iter().filter(|k| !v.knows_org_kind(**k)) {
        l.error(&r.id, format!("rule `{id}`: organisation kind `{k}` is not declared"));
    }
    for k in r.on.site_kinds.iter().filter(|k| v.site_kind(**k).is_none()) {
        l.error(&r.id, format!("rule `{id}`: site kind `{k}` is not declared"));
    }
    let level = match &r.who {
        Who::Regulator { level } => Some(*level),
        Who::Person { level, .. } => *level,
        _ => None,
    };
    if let Some(level) = level.filter(|x| v.level(*x).is_none()) {
        l.error(&r.id, format!("rule `{id}`: level `{level}` is not declared"));
    }
}

struct RefSets<'a> {
    task_nos: &'a BTreeSet<u32>,
    leaders: &'a HashSet<String>,
    levels: &'a HashSet<String>,
    checklists: &'a HashSet<String>,
    phases: &'a HashSet<String>,
}

fn check_rule(plan: &Plan, r: &Rule, l: &mut Linter<'_>, refs: &RefSets<'_>) {
    let id = r.id.get_ref();
    let n = *r.at_least.get_ref();
    if n == 0 {
        l.error(&r.at_least, format!("rule `{id}`: at_least must be 1 or more"));
    }
    match (&r.per, &r.by) {
        (Some(_), Some(by)) => l.error(by, format!("rule `{id}`: give either `per` or `by`, not both")),
        (None, None) => l.error(&r.id, format!("rule `{id}`: needs `per` (how often) or `by` (a deadline)")),
        (None, Some(by)) if !plan.span().contains_date(by.get_ref().0) => {
            l.error(by, format!("rule `{id}`: deadline {} is outside the campaign", by.get_ref().0))
        }
        _ => {}
    }
    if r.per == Some(Per::Event) && r.trigger.is_none() {
        l.error(&r.id, format!("rule `{id}`: per = \"event\" needs a `trigger`"));
    }
    if let Some(t) = &r.trigger {
        if t.parse::<crate::plan::ActivityKind>().is_err() {
            l.error(&r.id, format!("rule `{id}`: unknown trigger `{t}` (an event the records know, e.g. `loading`)"));
        }
    }
    if r.per != Some(Per::Event) && r.trigger.is_some() {
        l.error(&r.id, format!("rule `{id}`: `trigger` only goes with per = \"event\""));
    }
    if let Some(t) = &r.task {
        if !refs.task_nos.contains(t.get_ref()) {
            l.error(t, format!("rule `{id}`: unknown task {}", t.get_ref()));
        }
    }
    for p in &r.phases {
        if !refs.phases.contains(p.get_ref()) {
            l.error(p, format!("rule `{id}`: unknown phase `{}`", p.get_ref()));
        }
    }
    if let Some(c) = &r.checklist {
        if !refs.checklists.contains(c.get_ref()) {
            l.error(c, format!("rule `{id}`: unknown checklist `{}`", c.get_ref()));
        }
        // A checklist the engine cannot hold a record to would be silently ignored: refuse it.
        if !r.activity.records_items() {
            l.error(
                c,
                format!(
                    "rule `{id}`: a `{}` record keeps no checklist items, so checklist `{}` could not be checked (only {} can carry one)",
                    r.activity.as_str(),
                    c.get_ref(),
                    ActivityKind::BUILTIN.iter().filter(|k| k.records_items()).map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    // A requirement the engine cannot check would be silently ignored: refuse it.
    for req in r.requires.iter().filter(|q| !crate::plan::REQUIREMENTS.contains(&q.as_str())) {
        l.error(
            &r.id,
            format!("rule `{id}`: unknown requirement `{req}` (known: {})", crate::plan::REQUIREMENTS.join(", ")),
        );
    }
    check_rule_words(plan, r, l);
    match &r.who {
        Who::Leader { leaders } => {
            if leaders.is_empty() {
                l.error(&r.id, format!("rule `{id}`: who.leaders is empty"));
            }
            for code in leaders.iter().filter(|c| !refs.leaders.contains(*c)) {
                l.error(&r.id, format!("rule `{id}`: unknown leader `{code}`"));
            }
        }
        Who::Org { org_kinds } | Who::Person { org_kinds, .. } if org_kinds.is_empty() => {
            l.error(&r.id, format!("rule `{id}`: who.org_kinds is empty"));
        }
        _ => {}
    }
    let on = &r.on;
    if on.each && on.kind == TargetKind::Itself {
        l.error(&r.id, format!("rule `{id}`: on.each makes no sense for `self`"));
    }
    if on.kind == TargetKind::Orgs && on.org_kinds.is_empty() {
        l.error(&r.id, format!("rule `{id}`: on.kind = \"orgs\" needs on.org_kinds"));
    }
    if on.kind == TargetKind::Sites && on.site_kinds.is_empty() {
        l.error(&r.id, format!("rule `{id}`: on.kind = \"sites\" needs on.site_kinds"));
    }
    if matches!(on.kind, TargetKind::LiaisonCounties | TargetKind::LiaisonIndustries)
        && !matches!(r.who, Who::Leader { .. })
    {
        l.error(&r.id, format!("rule `{id}`: liaison targets need who.kind = \"leader\""));
    }
    if let Some(level) = &on.supervision_level {
        if !refs.levels.contains(level) {
            l.error(&r.id, format!("rule `{id}`: unknown supervision level `{level}`"));
        }
    }
    for m in &r.modifiers {
        if !refs.levels.contains(&m.supervision_level) {
            l.error(&r.id, format!("rule `{id}`: modifier names unknown supervision level `{}`", m.supervision_level));
        }
        if m.at_least < n {
            l.error(&r.at_least, format!("rule `{id}`: a modifier for `{}` asks for fewer ({}) than the rule ({n}); key supervision only raises a frequency", m.supervision_level, m.at_least));
        }
    }
    for alt in &r.alternatives {
        if let Some(a) = alt.at_least {
            if a > n {
                l.error(
                    &r.at_least,
                    format!("rule `{id}`: {} asks for {a}, the plan keeps {n}; keep the stricter reading", alt.source),
                );
            } else if a < n {
                l.warning(&r.at_least, format!("contradiction in the seed: rule `{id}` ({}) asks for {n} but {} asks for {a}; the plan keeps {n}", r.source, alt.source));
            }
        }
        if let Some(kinds) = &alt.org_kinds {
            let kept = &on.org_kinds;
            if kinds.iter().any(|k| !kept.contains(k)) {
                l.error(
                    &r.id,
                    format!(
                        "rule `{id}`: {} covers organisations the plan leaves out; keep the broader reading",
                        alt.source
                    ),
                );
            } else if kept.len() > kinds.len() {
                l.warning(&r.id, format!("contradiction in the seed: rule `{id}` covers {} kinds of organisation but {} only {}; the plan keeps the broader reading", kept.len(), alt.source, kinds.len()));
            }
        }
    }
    for alt in &r.alternatives {
        if let (Some(other), Some(kept)) = (&alt.reports_to, &r.reports_to) {
            if other != kept {
                l.warning(&r.id, format!("contradiction in the seed: rule `{id}` reports to {kept} ({}) but {} says {other}; the plan keeps {kept}", r.source, alt.source));
            }
        }
        if alt.reports_to.is_some() && r.reports_to.is_none() {
            l.error(
                &r.id,
                format!("rule `{id}`: {} names an addressee but the rule gives none (`reports_to`)", alt.source),
            );
        }
    }
    // A requirement that means nothing for this rule's subject would never be checked.
    for req in &r.requires {
        let meaningful = match req.as_str() {
            "principal_signature" | "report_by_tier" => matches!(r.who, Who::Org { .. }),
            "ledger_per_subsidiary" => r.on.kind == TargetKind::Subsidiaries,
            _ => true,
        };
        if !meaningful {
            l.error(&r.id, format!("rule `{id}`: `{req}` means nothing here (it asks an organisation's own signed list, or one per subsidiary for a rule on subsidiaries)"));
        }
    }
    if let Some(a) = &r.assumption {
        l.note(&r.id, format!("ambiguity: rule `{id}`: {a}"));
    }
}

/// Every `source` cites a section the plan lists (or a part of one), and a task citation a task
/// that exists. A plan that lists no sections is not checked.
fn check_citations(plan: &Plan, l: &mut Linter<'_>) {
    if plan.sections.is_empty() {
        return;
    }
    let codes: Vec<&str> = plan.sections.iter().map(|s| s.code.get_ref().as_str()).collect();
    let cites_a_section = |c: &str| {
        let head = c.split_whitespace().next().unwrap_or("");
        codes.iter().any(|s| {
            head.strip_prefix(s).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|ch: char| ch.is_ascii_digit() || ch == '（' || ch == '(')
            })
        })
    };
    let tasks: BTreeSet<u32> = plan.tasks.iter().map(|t| *t.no.get_ref()).collect();
    let mut check = |at: &Spanned<String>, what: &str, source: &str| {
        for c in source.split('；').map(str::trim).filter(|c| !c.is_empty()) {
            if !cites_a_section(c) {
                l.error(at, format!("{what}: `{c}` cites no section the plan lists (sections)"));
            }
            let mut words = c.split_whitespace();
            if let (Some(head), Some(n)) = (words.next(), words.next()) {
                let is_task_list = plan.sections.iter().any(|s| s.code.get_ref() == head && s.title.contains("任务"));
                if let (true, Ok(n)) = (is_task_list, n.parse::<u32>()) {
                    if !tasks.contains(&n) {
                        l.error(at, format!("{what}: `{c}` cites task {n}, which the plan does not have"));
                    }
                }
            }
        }
    };
    for r in &plan.rules {
        check(&r.id, &format!("rule `{}`", r.id.get_ref()), &r.source);
        for a in &r.alternatives {
            check(&r.id, &format!("rule `{}`", r.id.get_ref()), &a.source);
        }
        for m in &r.modifiers {
            check(&r.id, &format!("rule `{}`", r.id.get_ref()), &m.source);
        }
    }
    for c in &plan.checklists {
        check(&c.id, &format!("checklist `{}`", c.id.get_ref()), &c.source);
        for a in &c.alternatives {
            check(&c.id, &format!("checklist `{}`", c.id.get_ref()), &a.source);
        }
    }
    if let (Some(t), Some(first)) = (&plan.tips, plan.sections.first()) {
        if let Some(source) = &t.source {
            check(&first.code, "tips", source);
        }
    }
}

/// Windows that open before anyone could read the plan can only be met after the fact: say
/// which rules have them, once.
fn check_issue_date(plan: &Plan, l: &mut Linter<'_>) {
    let issued = plan.plan.issued.0;
    if plan.span().starts >= issued {
        return;
    }
    let early: Vec<&str> = plan
        .rules
        .iter()
        .filter(|r| r.per.is_some_and(|p| p != Per::Event))
        .filter(|r| {
            r.phases.is_empty()
                || r.phases
                    .iter()
                    .any(|p| plan.phases.iter().any(|x| x.code.get_ref() == p.get_ref() && x.starts.0 < issued))
        })
        .map(|r| r.id.get_ref().as_str())
        .collect();
    if !early.is_empty() {
        l.warning(
            &plan.plan.starts,
            format!(
                "the campaign starts {} but the plan was issued {issued}: the windows before then of {} rules ({}) can only be checked after the fact",
                plan.span().starts,
                early.len(),
                early.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../../plans/jincheng-2022.toml");

    fn errors(f: &[Finding]) -> Vec<&Finding> {
        f.iter().filter(|f| f.severity == Severity::Error).collect()
    }

    #[test]
    fn the_shipped_plan_has_no_errors_and_reports_the_seeds_contradictions() {
        let f = lint(SHIPPED);
        assert!(errors(&f).is_empty(), "{:#?}", errors(&f));
        let warnings: Vec<_> =
            f.iter().filter(|f| f.severity == Severity::Warning).map(|f| f.message.as_str()).collect();
        assert!(
            warnings.iter().any(|m| m.contains("deputy-weekly-site-check") && m.contains("asks for 1")),
            "{warnings:#?}"
        );
        assert!(warnings.iter().any(|m| m.contains("four-defences") && m.contains("犬防")), "{warnings:#?}");
        assert!(
            warnings.iter().any(|m| m.contains("task 18") && m.contains("before the plan was issued")),
            "{warnings:#?}"
        );
        assert!(f.iter().any(|f| f.severity == Severity::Note && f.message.contains("ambiguity")));
        // A reviewer's reading: the annex sends the liaison report elsewhere than the body …
        assert!(
            warnings.iter().any(|m| m.contains("liaison-monthly-report") && m.contains("市政府分管领导")),
            "{warnings:#?}"
        );
        // … and the first weeks ran before the plan was issued.
        assert!(
            warnings.iter().any(|m| m.contains("issued 2022-07-29") && m.contains("principal-weekly-site-check")),
            "{warnings:#?}"
        );
    }

    #[test]
    fn citations_must_point_at_a_section_the_plan_lists() {
        let f = lint(&with("source = \"二（一）1（1）；任务清单 1\"", "source = \"五（一）；任务清单 1\""));
        assert!(errors(&f).iter().any(|e| e.message.contains("`五（一）` cites no section")), "{f:#?}");
        let f = lint(&with("source = \"二（一）1（1）；任务清单 1\"", "source = \"二（一）1（1）；任务清单 21\""));
        assert!(errors(&f).iter().any(|e| e.message.contains("cites task 21")), "{f:#?}");
        // A section's own text after its number is not a part of it.
        let f = lint(&with(
            "source = \"二（三）3 落实举报奖励机制；任务清单 20\"",
            "source = \"三（四）落实举报奖励机制\"",
        ));
        assert!(errors(&f).iter().any(|e| e.message.contains("tips: `三（四）落实举报奖励机制`")), "{f:#?}");
    }

    #[test]
    fn a_template_needs_one_requirement_per_item_and_declared_site_kinds() {
        let f = lint(&with("  \"温湿度在线监测正常，超限报警有效\",\n", ""));
        assert!(errors(&f).iter().any(|e| e.message.contains("9 requirements for 10 items")), "{f:#?}");
        let f = lint(&with("template_for = [\"warehouse\"]", "template_for = [\"silo\"]"));
        assert!(errors(&f).iter().any(|e| e.message.contains("site kind `silo` is not declared")), "{f:#?}");
        let f =
            lint(&with("check_every_days = [30, 30, 30, 30, 90, 30]", "check_every_days = [30, 30, 0, 30, 90, 30]"));
        assert!(errors(&f).iter().any(|e| e.message.contains("check_every_days, one of 1 or more per item")), "{f:#?}");
    }

    #[test]
    fn a_requirement_that_means_nothing_for_the_subject_is_an_error() {
        let text =
            with("requires = [\"principal_signature\", \"report_by_tier\"]", "requires = [\"ledger_per_subsidiary\"]");
        let f = lint(&text);
        assert!(errors(&f).iter().any(|e| e.message.contains("`ledger_per_subsidiary` means nothing here")), "{f:#?}");
    }

    #[test]
    fn the_shipped_plan_holds_the_seed() {
        let p = Plan::parse(SHIPPED).unwrap();
        assert_eq!(p.jurisdictions.len(), 8);
        assert_eq!(p.departments.len(), 3);
        assert_eq!(p.phases.len(), 4);
        assert_eq!(p.tasks.len(), 20);
        assert_eq!(p.leaders.len(), 8);
        let deputy = p.rules.iter().find(|r| r.id.get_ref() == "deputy-weekly-site-check").unwrap();
        assert_eq!(*deputy.at_least.get_ref(), 2);
    }

    fn with(replace: &str, by: &str) -> String {
        assert!(SHIPPED.contains(replace), "fixture text not found: {replace}");
        SHIPPED.replacen(replace, by, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn an_unknown_department_is_an_error_on_its_line() {
        let text = with("departments = [\"chanye\"]\ndue = 2022-09-30", "departments = [\"nosuch\"]\ndue = 2022-09-30");
        let f = lint(&text);
        let e = errors(&f);
        assert_eq!(e.len(), 1, "{f:#?}");
        assert!(e[0].message.contains("unknown department `nosuch`"));
        assert_eq!(e[0].line, line_of(&text, "[\"nosuch\"]"));
    }

    #[test]
    fn keeping_the_weaker_reading_is_an_error() {
        let text = with("at_least = 2\nper = \"week\"\nalternatives", "at_least = 1\nper = \"week\"\nalternatives = [{ source = \"x\", at_least = 2 }]\nassumption_unused_marker = 0\n#");
        let text = text.replace("assumption_unused_marker = 0\n", "");
        let f = lint(&text);
        assert!(errors(&f).iter().any(|e| e.message.contains("keep the stricter reading")), "{f:#?}");
    }

    #[test]
    fn a_requirement_the_engine_does_not_know_is_an_error() {
        let text = with(
            "requires = [\"principal_signature\", \"report_by_tier\"]",
            "requires = [\"principal_signature\", \"notarised\"]",
        );
        let f = lint(&text);
        assert!(errors(&f).iter().any(|e| e.message.contains("unknown requirement `notarised`")), "{f:#?}");
    }

    #[test]
    fn a_checklist_on_a_record_that_keeps_no_items_is_an_error() {
        // The hourly patrol's check-in keeps no items: a checklist on it could never be checked.
        let text = with("per = \"hour\"\n", "per = \"hour\"\nchecklist = \"four-defences\"\n");
        let f = lint(&text);
        assert!(
            errors(&f).iter().any(|e| e.message.contains("`patrol_round` record keeps no checklist items")),
            "{f:#?}"
        );
        // Where the record keeps them (the loading's vehicle check), the seed's checklist is fine.
        assert!(errors(&lint(&with("", ""))).is_empty());
    }

    #[test]
    fn syntax_errors_and_unknown_fields_point_at_the_line() {
        let text = with("at_least = 1\nper = \"month\"\nrequires", "at_least = 1\nper = \"monthly\"\nrequires");
        let f = lint(&text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, line_of(&text, "\"monthly\""));
        let text = with("title = \"企业每月全面自查自改\"", "title = \"企业每月全面自查自改\"\ncolour = 1");
        let f = lint(&text);
        assert!(f[0].message.contains("colour"), "{f:#?}");
        assert_eq!(f[0].line, line_of(&text, "colour"));
    }

    #[test]
    fn deadlines_outside_the_campaign_and_overlapping_phases_are_errors() {
        let f = lint(&with("due = 2022-11-30", "due = 2023-01-15"));
        assert!(errors(&f).iter().any(|e| e.message.contains("outside the campaign")));
        let f = lint(&with("starts = 2022-10-01", "starts = 2022-09-20"));
        assert!(errors(&f).iter().any(|e| e.message.contains("overlaps")), "{f:#?}");
    }

    #[test]
    fn dangling_leader_and_county_references_are_errors() {
        let f = lint(&with("counties = [\"qinshui\"]", "counties = [\"atlantis\"]"));
        assert!(errors(&f).iter().any(|e| e.message.contains("unknown county `atlantis`")));
        let f = lint(&with("leaders = [\"director\"] }", "leaders = [\"nobody\"] }"));
        assert!(errors(&f).iter().any(|e| e.message.contains("unknown leader `nobody`")));
    }
}
