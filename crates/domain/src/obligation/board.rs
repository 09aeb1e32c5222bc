//! The live table of obligations: compiled rules, and for every (rule, subject, window) that has
//! seen an activity, the evidence counted per target.

use super::window::{self, Window};
use super::world::{Indexed, OrgFacts, World};
use super::{status, Activity, Evidence, Status, Subject};
use crate::org::OrgKind;
use crate::plan::{ActivityKind, Plan, Rule, TargetKind, Who};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The key of a count with no particular target (rules that count activities, not targets).
const ANY: i64 = 0;

/// Something a coverage rule asks a subject to cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    id: i64,
    /// How many times in a window.
    need: u32,
    /// Owed from the window that contains this moment on (it was registered, or raised to the
    /// supervision level the rule asks for, then); `None`: throughout.
    from: Option<DateTime<Utc>>,
}

impl Target {
    fn owed_in(&self, w: &Window) -> bool {
        self.from.is_none_or(|f| w.end > f)
    }
}

/// A rule made ready for counting: its windows, its subjects and each subject's targets.
struct Compiled {
    rule: usize,
    windows: Vec<Window>,
    subjects: Vec<Subject>,
    subject_at: HashMap<Subject, u32>,
    /// Coverage rules: each subject's targets, sorted by id. A subject with none is counted as a
    /// plain count rule when it has no inspection points yet (the rule still asks for a
    /// self-inspection), and is not applicable otherwise.
    targets: Vec<Vec<Target>>,
    /// Count rules: what each subject needs per window …
    need: Vec<u32>,
    /// … and, before a change of its supervision level, what it needed until then.
    earlier_need: Vec<Option<(DateTime<Utc>, u32)>>,
    /// When each subject came to exist (an account, an organisation): nothing is owed for a
    /// window that ended before.
    since: Vec<Option<DateTime<Utc>>>,
    info: Vec<SubjectInfo>,
    /// The rule's `requires`: the subject's own signed list in the window …
    needs_signature: bool,
    /// … or each subsidiary's.
    needs_subsidiary_ledgers: bool,
    /// `per = "event"`: the kind of record that opens an instance (a loading), and each
    /// subject's events in the order they were recorded — one instance each, met when the
    /// event carries the rule's record (the loading's vehicle check).
    trigger: Option<ActivityKind>,
    events: Vec<Vec<(Window, Evidence)>>,
    /// The items of the rule's `checklist`: a record counts only when it went through them all.
    checklist: Vec<String>,
}

impl Compiled {
    fn coverage(&self, rule: &Rule, s: usize) -> bool {
        rule.on.each && !(self.targets[s].is_empty() && rule.on.kind == TargetKind::InspectionPoints)
    }

    fn owed_in(&self, s: usize, w: &Window) -> bool {
        self.since[s].is_none_or(|t| w.end > t)
    }

    /// A subject's windows: the rule's calendar windows, or its own events.
    fn windows_of(&self, s: usize) -> std::borrow::Cow<'_, [Window]> {
        match self.trigger {
            Some(_) => self.events[s].iter().map(|e| e.0).collect::<Vec<_>>().into(),
            None => (&self.windows[..]).into(),
        }
    }

    fn window(&self, s: usize, w: usize) -> Window {
        match self.trigger {
            Some(_) => self.events[s][w].0,
            None => self.windows[w],
        }
    }

    /// Counts a record of the rule's own kind into instance `k` under `key` — late when entered
    /// after `in_time_until` — unless it left out items of the rule's checklist, which the
    /// instance then names instead. The one counting step of calendar and per-event rules.
    fn tally(
        &self,
        cells: &mut HashMap<Key, Cell>,
        k: Key,
        key: i64,
        a: &Activity,
        in_time_until: DateTime<Utc>,
    ) -> Option<Key> {
        let left_out = self.left_out(a);
        let cell = cells.entry(k).or_default();
        if !left_out.is_empty() {
            cell.incomplete(left_out);
            return Some(k);
        }
        cell.count(key, a.evidence, a.recorded_at > in_time_until).then_some(k)
    }

    /// The checklist items a record of the rule's own kind left out (none: it counts).
    fn left_out(&self, a: &Activity) -> Vec<String> {
        let Some(items) = &a.items else { return Vec::new() };
        self.checklist.iter().filter(|i| !items.contains(i)).cloned().collect()
    }

    fn need_in(&self, s: usize, w: &Window) -> u32 {
        match self.earlier_need[s] {
            Some((at, n)) if w.end <= at => n,
            _ => self.need[s],
        }
    }
}

/// What pages show about a subject.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectInfo {
    pub name: String,
    /// The jurisdiction path it belongs to (`/1/3/`), for matrices and scope.
    pub place: String,
    /// Its organisation (the org itself, the person's org), if any.
    pub org_id: Option<i64>,
}

/// One obligation instance at a moment.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub rule_index: usize,
    pub rule_id: String,
    pub subject: Subject,
    pub subject_name: String,
    pub place: String,
    pub window_index: usize,
    pub window: Window,
    pub need: u32,
    /// Counted from entries made in time.
    pub done: u32,
    /// Counted from entries made after the window closed (补录), beyond `done`.
    pub late: u32,
    /// Coverage rules: how many targets there are and how many are done.
    pub targets: usize,
    pub targets_met: usize,
    pub status: Status,
    /// What the rule requires that is still missing (`principal_signature` …): until it is
    /// there, the window is not met however much else was done.
    pub missing: Vec<&'static str>,
    /// While the window is short: the checklist items that the records entered for it left
    /// out (a crossing check without the video), which is why they did not count.
    pub missing_items: Vec<String>,
}

/// Counts by status for one rule inside some scope, for one window or all windows to date.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSummary {
    pub met: u32,
    pub due: u32,
    pub at_risk: u32,
    /// Windows that closed short — including those made up afterwards (补录), which stay
    /// overdue for their period.
    pub overdue: u32,
    /// Of `overdue`, those made up by entries made after the window closed.
    pub met_late: u32,
    pub not_applicable: u32,
}

impl RuleSummary {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::Due => self.due += 1,
            Status::AtRisk => self.at_risk += 1,
            Status::Overdue => self.overdue += 1,
            Status::MetLate => {
                self.overdue += 1;
                self.met_late += 1;
            }
            Status::NotApplicable => self.not_applicable += 1,
        }
    }
    pub fn total(&self) -> u32 {
        self.met + self.due + self.at_risk + self.overdue
    }
}

#[derive(Debug, Default, Clone)]
struct Cell {
    by_target: HashMap<i64, Vec<Evidence>>,
    /// What few cells have, boxed so that the many others pay one pointer for it.
    rare: Option<Box<Rare>>,
}

#[derive(Debug, Default, Clone)]
struct Rare {
    /// Entries made after the window closed (补录), kept apart: they show, but do not make the
    /// window met in time.
    late: HashMap<i64, Vec<Evidence>>,
    /// Signed lists (the subject's own under [`ANY`], or a subsidiary's under its id) with
    /// whether the signature came late — for rules that require them.
    signed: HashMap<i64, bool>,
    /// Records that did not count because they left out items of the rule's checklist: the
    /// items left out, together.
    left_out: Vec<String>,
}

impl Cell {
    fn late(&self) -> Option<&HashMap<i64, Vec<Evidence>>> {
        self.rare.as_ref().map(|r| &r.late)
    }
    fn signed(&self) -> Option<&HashMap<i64, bool>> {
        self.rare.as_ref().map(|r| &r.signed)
    }
    fn left_out(&self) -> &[String] {
        self.rare.as_ref().map_or(&[], |r| &r.left_out)
    }
    /// Notes a record that left out checklist items: it does not count, but says why.
    fn incomplete(&mut self, items: Vec<String>) {
        let r = self.rare();
        for i in items {
            if !r.left_out.contains(&i) {
                r.left_out.push(i);
            }
        }
    }
    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Default::default)
    }
    /// Counts a record toward `key`, in time or late; false if it was already counted there
    /// (either way: a record counts once).
    fn count(&mut self, key: i64, evidence: Evidence, late: bool) -> bool {
        let known = |m: &HashMap<i64, Vec<Evidence>>| m.get(&key).is_some_and(|l| l.contains(&evidence));
        if known(&self.by_target) || self.late().is_some_and(known) {
            return false;
        }
        let list = if late { &mut self.rare().late } else { &mut self.by_target };
        list.entry(key).or_default().push(evidence);
        true
    }
}

/// Where one instance stands: needed, done in time, made up late, and (coverage) targets.
struct Progress {
    need: u32,
    done: u32,
    late: u32,
    targets: usize,
    targets_met: usize,
}

/// Identifies one obligation instance inside a board.
pub type Key = (u32, u32, u32);

pub struct Board {
    plan: Arc<Plan>,
    world: Indexed,
    rules: Vec<Compiled>,
    by_kind: HashMap<ActivityKind, Vec<usize>>,
    cells: HashMap<Key, Cell>,
    applied: u64,
    /// How long after a window closes an entry still counts as made in time.
    grace: Duration,
}

impl Board {
    /// Compiles every rule of `plan` over `world`; no activity counted yet.
    pub fn new(plan: Arc<Plan>, world: World) -> Board {
        let world = Indexed::new(world);
        let mut rules = Vec::new();
        let mut by_kind: HashMap<ActivityKind, Vec<usize>> = HashMap::new();
        for (i, rule) in plan.rules.iter().enumerate() {
            let c = compile(&plan, i, rule, &world);
            by_kind.entry(rule.activity).or_default().push(rules.len());
            if let Some(t) = c.trigger.filter(|t| *t != rule.activity) {
                by_kind.entry(t).or_default().push(rules.len());
            }
            rules.push(c);
        }
        let grace = Duration::hours(i64::from(plan.plan.late_entry_grace_hours));
        Board { plan, world, rules, by_kind, cells: HashMap::new(), applied: 0, grace }
    }

    /// A board with every activity counted.
    pub fn build<'a>(plan: Arc<Plan>, world: World, activities: impl IntoIterator<Item = &'a Activity>) -> Board {
        let mut b = Board::new(plan, world);
        for a in activities {
            b.apply(a);
        }
        b
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn world(&self) -> &Indexed {
        &self.world
    }

    /// How many activities were counted.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Counts one activity into the windows it falls in; returns the instances it changed.
    pub fn apply(&mut self, a: &Activity) -> Vec<Key> {
        self.applied += 1;
        if a.kind == ActivityKind::LEDGER_SIGNED {
            return self.apply_signature(a);
        }
        let mut touched = Vec::new();
        let Board { plan, world, rules, by_kind, cells, grace, .. } = self;
        let Some(rule_ixs) = by_kind.get(&a.kind) else { return touched };
        for &ci in rule_ixs {
            let c = &mut rules[ci];
            let counted = if c.trigger.is_some() {
                count_event(c, ci, plan, world, *grace, cells, a)
            } else {
                count_activity(c, ci, plan, world, *grace, cells, a)
            };
            touched.extend(counted);
        }
        touched
    }

    /// A signed monthly list, counted for the rules that require one: the organisation's own
    /// windows, and its parent's (a group company's) for each subsidiary.
    fn apply_signature(&mut self, a: &Activity) -> Vec<Key> {
        let mut touched = Vec::new();
        let Some(org) = a.target_org.and_then(|id| self.world.org(id)).cloned() else { return touched };
        for (ci, c) in self.rules.iter().enumerate() {
            let (subject, target) = if c.needs_signature {
                (Subject::Org(org.id), ANY)
            } else if c.needs_subsidiary_ledgers {
                match org.parent_id {
                    Some(parent) => (Subject::Org(parent), org.id),
                    None => continue,
                }
            } else {
                continue;
            };
            let Some(w) = window::find(&c.windows, a.at) else { continue };
            let Some(&s) = c.subject_at.get(&subject) else { continue };
            let late = a.recorded_at > c.windows[w].end + self.grace;
            let k = (ci as u32, s, w as u32);
            let signed = self.cells.entry(k).or_default().rare().signed.entry(target).or_insert(late);
            // A signature in time counts over a late one.
            *signed = *signed && late;
            touched.push(k);
        }
        touched
    }

    fn progress(&self, k: Key) -> Progress {
        let c = &self.rules[k.0 as usize];
        let rule = &self.plan.rules[c.rule];
        let s = k.1 as usize;
        let w = &c.window(s, k.2 as usize);
        let nothing = Progress { need: 0, done: 0, late: 0, targets: 0, targets_met: 0 };
        if !c.owed_in(s, w) {
            return nothing;
        }
        let cell = self.cells.get(&k);
        let count = |t: i64| cell.and_then(|c| c.by_target.get(&t)).map_or(0, |v| v.len() as u32);
        let count_late = |t: i64| cell.and_then(Cell::late).and_then(|l| l.get(&t)).map_or(0, |v| v.len() as u32);
        let signed = |t: i64| cell.and_then(Cell::signed).and_then(|s| s.get(&t)).copied();
        let mut p = if c.coverage(rule, s) {
            let mut p = nothing;
            for t in c.targets[s].iter().filter(|t| t.owed_in(w)) {
                let (mut got, mut total) = (count(t.id).min(t.need), (count(t.id) + count_late(t.id)).min(t.need));
                if c.needs_subsidiary_ledgers {
                    // A subsidiary checked without its own signed list is not covered; with a
                    // list signed late, it is covered late.
                    match signed(t.id) {
                        None => (got, total) = (0, 0),
                        Some(true) => got = 0,
                        Some(false) => {}
                    }
                }
                p.need += t.need;
                p.done += got;
                p.late += total - got;
                p.targets += 1;
                p.targets_met += usize::from(got >= t.need);
            }
            p
        } else if rule.on.each && rule.on.kind != TargetKind::InspectionPoints {
            nothing
        } else {
            let need = c.need_in(s, w);
            let done = count(ANY).min(need);
            Progress { need, done, late: (done + count_late(ANY)).min(need) - done, ..nothing }
        };
        if c.needs_signature && p.need > 0 {
            // The work is not done until the principal has signed for it: without a signature
            // the last unit is missing; a signature made late makes the window met late.
            let short = p.need - 1;
            match signed(ANY) {
                None => {
                    p.done = p.done.min(short);
                    p.late = p.late.min(short - p.done);
                }
                Some(true) if p.done == p.need => {
                    p.done -= 1;
                    p.late += 1;
                }
                _ => {}
            }
        }
        p
    }

    /// The requirements of an instance's rule still missing.
    fn missing(&self, k: Key) -> Vec<&'static str> {
        let c = &self.rules[k.0 as usize];
        let signed = self.cells.get(&k).and_then(Cell::signed).is_some_and(|s| s.contains_key(&ANY));
        if c.needs_signature && !signed {
            self.plan.rules[c.rule]
                .requires
                .iter()
                .filter_map(|r| crate::plan::REQUIREMENTS.iter().find(|x| **x == r.as_str()).copied())
                .filter(|r| *r != "ledger_per_subsidiary")
                .collect()
        } else {
            Vec::new()
        }
    }

    fn obligation(&self, k: Key, now: DateTime<Utc>) -> Obligation {
        let c = &self.rules[k.0 as usize];
        let Progress { need, done, late, targets, targets_met } = self.progress(k);
        let window = c.window(k.1 as usize, k.2 as usize);
        let info = &c.info[k.1 as usize];
        let missing_items = if done < need {
            self.cells.get(&k).map(|c| c.left_out().to_vec()).unwrap_or_default()
        } else {
            Vec::new()
        };
        Obligation {
            rule_index: c.rule,
            rule_id: self.plan.rules[c.rule].id.get_ref().clone(),
            subject: c.subjects[k.1 as usize].clone(),
            subject_name: info.name.clone(),
            place: info.place.clone(),
            window_index: k.2 as usize,
            window,
            need,
            done,
            late,
            targets,
            targets_met,
            status: status(need, done, late, &window, now),
            missing: self.missing(k),
            missing_items,
        }
    }

    /// Whether a record of `kind` that took place at `at` and was entered at `recorded_at` came
    /// after a window it falls in had closed, grace included (补录). The same test the count
    /// makes, so a record is marked late exactly where it counts late.
    pub fn entered_late(&self, kind: ActivityKind, at: DateTime<Utc>, recorded_at: DateTime<Utc>) -> bool {
        self.by_kind.get(&kind).is_some_and(|rules| {
            rules.iter().any(|&ci| {
                let c = &self.rules[ci];
                window::find(&c.windows, at).is_some_and(|w| recorded_at > c.windows[w].end + self.grace)
            })
        })
    }

    /// The status of one instance, without building the whole record.
    pub fn status_of(&self, k: Key, now: DateTime<Utc>) -> Status {
        let p = self.progress(k);
        status(p.need, p.done, p.late, &self.rules[k.0 as usize].window(k.1 as usize, k.2 as usize), now)
    }

    /// Every instance of every rule on `subject`, in windows that have started by `now`.
    pub fn for_subject(&self, subject: &Subject, now: DateTime<Utc>) -> Vec<Obligation> {
        let mut out = Vec::new();
        for (ci, c) in self.rules.iter().enumerate() {
            let Some(&s) = c.subject_at.get(subject) else { continue };
            for (w, win) in c.windows_of(s as usize).iter().enumerate() {
                if win.start > now {
                    break;
                }
                out.push(self.obligation((ci as u32, s, w as u32), now));
            }
        }
        out
    }

    /// Every instance key of the board in windows started by `now`, for subjects whose place
    /// starts with `place`.
    pub fn keys<'a>(&'a self, now: DateTime<Utc>, place: &'a str) -> impl Iterator<Item = Key> + 'a {
        self.rules.iter().enumerate().flat_map(move |(ci, c)| {
            c.info.iter().enumerate().filter(move |(_, i)| i.place.starts_with(place)).flat_map(move |(s, _)| {
                let started = c.windows_of(s).partition_point(|w| w.start <= now) as u32;
                (0..started).map(move |w| (ci as u32, s as u32, w))
            })
        })
    }

    /// Keys of every instance whose window is open at some moment in `(from, to]`: the ones
    /// that may have become at risk or overdue since a job last looked at `from`.
    pub fn keys_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Key> {
        let mut out = Vec::new();
        for (ci, c) in self.rules.iter().enumerate() {
            if c.trigger.is_some() {
                for (s, events) in c.events.iter().enumerate() {
                    let open = events.iter().enumerate().filter(|(_, e)| e.0.end > from && e.0.start <= to);
                    out.extend(open.map(|(w, _)| (ci as u32, s as u32, w as u32)));
                }
                continue;
            }
            let first = c.windows.partition_point(|w| w.end <= from);
            let last = c.windows.partition_point(|w| w.start <= to);
            for w in first..last {
                for s in 0..c.subjects.len() {
                    out.push((ci as u32, s as u32, w as u32));
                }
            }
        }
        out
    }

    pub fn subject(&self, k: Key) -> &Subject {
        &self.rules[k.0 as usize].subjects[k.1 as usize]
    }

    pub fn get(&self, k: Key, now: DateTime<Utc>) -> Obligation {
        self.obligation(k, now)
    }

    /// The key of the instance of `rule_index` on `subject` in window `window`, if it exists.
    pub fn key(&self, rule_index: usize, subject: &Subject, window: usize) -> Option<Key> {
        let ci = self.rules.iter().position(|c| c.rule == rule_index)?;
        let c = &self.rules[ci];
        let s = *c.subject_at.get(subject)?;
        (window < c.windows_of(s as usize).len()).then_some((ci as u32, s, window as u32))
    }

    /// The window index of `rule_index` containing `t`.
    pub fn window_at(&self, rule_index: usize, t: DateTime<Utc>) -> Option<usize> {
        let c = self.rules.iter().find(|c| c.rule == rule_index)?;
        window::find(&c.windows, t)
    }

    /// The plan rule an instance belongs to.
    pub fn rule_index(&self, k: Key) -> usize {
        self.rules[k.0 as usize].rule
    }

    pub fn subject_info(&self, k: Key) -> &SubjectInfo {
        &self.rules[k.0 as usize].info[k.1 as usize]
    }

    /// The records counted for one instance, each with whether it was entered late (补录), and
    /// (coverage rules) the targets still short of being covered in time.
    pub fn evidence(&self, k: Key) -> (Vec<(Evidence, bool)>, Vec<i64>) {
        let c = &self.rules[k.0 as usize];
        let rule = &self.plan.rules[c.rule];
        let cell = self.cells.get(&k);
        let mut ev: Vec<(Evidence, bool)> = cell
            .map(|c| {
                let on_time = c.by_target.values().flatten().map(|e| (*e, false));
                on_time.chain(c.late().into_iter().flat_map(|l| l.values().flatten()).map(|e| (*e, true))).collect()
            })
            .unwrap_or_default();
        ev.sort();
        ev.dedup_by_key(|e| e.0);
        let w = &c.window(k.1 as usize, k.2 as usize);
        let missing = if c.coverage(rule, k.1 as usize) {
            c.targets[k.1 as usize]
                .iter()
                .filter(|t| t.owed_in(w))
                .filter(|t| cell.and_then(|c| c.by_target.get(&t.id)).map_or(0, |v| v.len() as u32) < t.need)
                .map(|t| t.id)
                .collect()
        } else {
            Vec::new()
        };
        (ev, missing)
    }

    /// An estimate of the board's heap in bytes: counted cells and evidence, subjects, targets
    /// and windows (hash tables at their load factor, strings by length).
    pub fn footprint(&self) -> usize {
        use std::mem::size_of;
        let mut bytes = 0;
        for c in &self.rules {
            bytes += c.windows.len() * size_of::<Window>();
            bytes += c.events.iter().map(|e| e.capacity() * size_of::<(Window, Evidence)>()).sum::<usize>();
            bytes += c.subjects.len() * (2 * size_of::<Subject>() + size_of::<u32>() + size_of::<SubjectInfo>() + 8);
            bytes += c.info.iter().map(|i| i.name.len() + i.place.len()).sum::<usize>();
            bytes += c.targets.iter().map(|t| t.len() * size_of::<Target>() + size_of::<Vec<Target>>()).sum::<usize>();
        }
        for cell in self.cells.values() {
            bytes += (size_of::<Key>() + size_of::<Cell>()) * 8 / 7;
            for v in cell.by_target.values().chain(cell.late().into_iter().flat_map(|l| l.values())) {
                bytes += (size_of::<i64>() + size_of::<Vec<Evidence>>()) * 8 / 7 + v.capacity() * size_of::<Evidence>();
            }
        }
        bytes
    }

    /// The subjects a plan rule falls on.
    pub fn subjects_of(&self, rule_index: usize) -> &[Subject] {
        self.rules.iter().find(|c| c.rule == rule_index).map_or(&[], |c| c.subjects.as_slice())
    }
}

/// Counts an activity into the window of a calendar or deadline rule it falls in.
fn count_activity(
    c: &Compiled,
    ci: usize,
    plan: &Plan,
    world: &Indexed,
    grace: Duration,
    cells: &mut HashMap<Key, Cell>,
    a: &Activity,
) -> Option<Key> {
    let rule = &plan.rules[c.rule];
    let w = window::find(&c.windows, a.at)?;
    let (subject, target) = attribute(plan, world, rule, a)?;
    let s = *c.subject_at.get(&subject)?;
    let key = if c.coverage(rule, s as usize) {
        c.targets[s as usize].binary_search_by_key(&target, |t| t.id).ok()?;
        target
    } else {
        ANY
    };
    c.tally(cells, (ci as u32, s, w as u32), key, a, c.windows[w].end + grace)
}

/// A `per = "event"` rule: the triggering record opens an instance for its subject; the rule's
/// own record, carrying the same evidence (the loading's vehicle check), meets it.
fn count_event(
    c: &mut Compiled,
    ci: usize,
    plan: &Plan,
    world: &Indexed,
    grace: Duration,
    cells: &mut HashMap<Key, Cell>,
    a: &Activity,
) -> Option<Key> {
    let rule = &plan.rules[c.rule];
    let span = plan.span();
    if a.at < span.start() || a.at >= span.end() {
        return None;
    }
    let (subject, _) = attribute(plan, world, rule, a)?;
    let s = *c.subject_at.get(&subject)? as usize;
    let at = c.events[s].iter().position(|e| e.1 == a.evidence);
    if c.trigger == Some(a.kind) && at.is_none() {
        let window = Window { start: a.at, end: a.at + Duration::minutes(1), period: None };
        c.events[s].push((window, a.evidence));
        return Some((ci as u32, s as u32, (c.events[s].len() - 1) as u32));
    }
    if a.kind != rule.activity {
        return None;
    }
    let w = at?;
    let in_time_until = c.events[s][w].0.end + grace;
    c.tally(cells, (ci as u32, s as u32, w as u32), ANY, a, in_time_until)
}

fn in_place(path: &str, within: &str) -> bool {
    path.starts_with(within)
}

fn need_at_level(rule: &Rule, level: Option<&str>) -> u32 {
    let base = *rule.at_least.get_ref();
    level.and_then(|l| rule.modifiers.iter().find(|m| m.supervision_level == l)).map_or(base, |m| m.at_least.max(base))
}

fn need_for(rule: &Rule, org: Option<&OrgFacts>) -> u32 {
    need_at_level(rule, org.map(|o| o.supervision_level.as_str()))
}

/// What a subject needed before its last change of level, if that changes the count.
fn earlier_need(rule: &Rule, org: Option<&OrgFacts>) -> Option<(DateTime<Utc>, u32)> {
    let o = org?;
    let change = o.level_changed.as_ref()?;
    let before = need_at_level(rule, Some(&change.from));
    (before != need_for(rule, org)).then_some((change.at, before))
}

fn target_org_fits(rule: &Rule, o: &OrgFacts) -> bool {
    rule.on.org_kinds.contains(&o.kind) && rule.on.supervision_level.as_ref().is_none_or(|l| *l == o.supervision_level)
}

/// From when an organisation is a target of a rule: its registration, or — for a rule on one
/// supervision level — the day it was raised to that level.
fn org_target_from(rule: &Rule, o: &OrgFacts) -> Option<DateTime<Utc>> {
    let raised = match (&rule.on.supervision_level, &o.level_changed) {
        (Some(l), Some(c)) if c.from != *l => Some(c.at),
        _ => None,
    };
    o.since.max(raised)
}

/// Where the plan's leaders look: the issuer's jurisdiction (a city bureau's leaders, the city).
fn issuer_path(plan: &Plan, world: &Indexed) -> String {
    plan.issuer_jurisdiction()
        .and_then(|j| world.jurisdiction_by_code(j.code.get_ref()))
        .map(|j| j.path.clone())
        .unwrap_or_else(|| "/".into())
}

fn compile(plan: &Plan, i: usize, rule: &Rule, world: &Indexed) -> Compiled {
    let windows = window::windows(plan, rule, plan.span().end());
    let mut subjects = Vec::new();
    let mut info = Vec::new();
    let org_subject = |o: &OrgFacts| {
        (
            Subject::Org(o.id),
            SubjectInfo { name: o.name.clone(), place: o.jurisdiction_path.clone(), org_id: Some(o.id) },
        )
    };
    match &rule.who {
        Who::Org { org_kinds } => {
            for o in world.world.orgs.iter().filter(|o| org_kinds.contains(&o.kind)) {
                let (s, i) = org_subject(o);
                subjects.push(s);
                info.push(i);
            }
        }
        Who::Regulator { level } => {
            for o in
                world.world.orgs.iter().filter(|o| o.kind == OrgKind::REGULATOR && world.level_of(o) == Some(*level))
            {
                let (s, i) = org_subject(o);
                subjects.push(s);
                info.push(i);
            }
        }
        Who::Person { role, org_kinds, level } => {
            for u in world.world.users.iter().filter(|u| u.holds(*role)) {
                let Some(o) = u.org_id.and_then(|id| world.org(id)) else { continue };
                if !org_kinds.contains(&o.kind) || level.is_some_and(|l| world.level_of(o) != Some(l)) {
                    continue;
                }
                subjects.push(Subject::User(u.id));
                info.push(SubjectInfo {
                    name: format!("{}（{}）", u.name, o.name),
                    place: o.jurisdiction_path.clone(),
                    org_id: Some(o.id),
                });
            }
        }
        Who::Leader { leaders } => {
            let city = issuer_path(plan, world);
            for code in leaders {
                let name = plan.leader(code).map_or_else(|| code.clone(), |l| format!("{}（{}）", l.name, l.title));
                subjects.push(Subject::Leader(code.clone()));
                info.push(SubjectInfo { name, place: city.clone(), org_id: None });
            }
        }
    }
    let mut targets = Vec::with_capacity(subjects.len());
    let mut need = Vec::with_capacity(subjects.len());
    let mut earlier = Vec::with_capacity(subjects.len());
    let mut since = Vec::with_capacity(subjects.len());
    for (s, inf) in subjects.iter().zip(&info) {
        let org = inf.org_id.and_then(|id| world.org(id));
        need.push(need_for(rule, org));
        earlier.push(earlier_need(rule, org));
        since.push(match s {
            // A bureau the plan names answers for the whole campaign, whenever its row was made.
            Subject::Org(_) if org.is_some_and(|o| matches!(o.kind, OrgKind::REGULATOR | OrgKind::DEPARTMENT)) => None,
            Subject::Org(_) => org.and_then(|o| o.since),
            Subject::User(id) => world.user(*id).and_then(|u| u.since),
            Subject::Leader(_) => None,
        });
        let mut t = if rule.on.each { targets_of(plan, rule, s, org, world) } else { Vec::new() };
        t.sort_unstable();
        t.dedup_by_key(|x| x.id);
        targets.push(t);
    }
    let subject_at = subjects.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect();
    let requires = |r: &str| rule.requires.iter().any(|x| x == r);
    let trigger = match rule.per {
        Some(crate::plan::Per::Event) => rule.trigger.as_deref().and_then(|t| t.parse().ok()),
        _ => None,
    };
    let events = vec![Vec::new(); subjects.len()];
    let checklist = rule
        .checklist
        .as_ref()
        .and_then(|id| plan.checklists.iter().find(|c| c.id.get_ref() == id.get_ref()))
        .map(|c| c.items.clone())
        .unwrap_or_default();
    Compiled {
        checklist,
        trigger,
        events,
        rule: i,
        windows,
        subjects,
        subject_at,
        targets,
        need,
        earlier_need: earlier,
        since,
        info,
        needs_signature: requires("principal_signature") || requires("report_by_tier"),
        needs_subsidiary_ledgers: requires("ledger_per_subsidiary"),
    }
}

/// The targets a coverage rule asks the subject to cover, each with its count and from when.
fn targets_of(plan: &Plan, rule: &Rule, subject: &Subject, org: Option<&OrgFacts>, world: &Indexed) -> Vec<Target> {
    let n = *rule.at_least.get_ref();
    let org_id = org.map(|o| o.id);
    let bureau_path = org.filter(|o| o.kind == OrgKind::REGULATOR).map(|o| o.jurisdiction_path.as_str());
    let owned = |m: &HashMap<i64, Vec<i64>>, since: &HashMap<i64, Option<DateTime<Utc>>>| {
        org_id
            .and_then(|id| m.get(&id))
            .map(|v| v.iter().map(|&t| Target { id: t, need: n, from: since.get(&t).copied().flatten() }).collect())
            .unwrap_or_default()
    };
    let org_target = |o: &OrgFacts| Target { id: o.id, need: need_for(rule, Some(o)), from: org_target_from(rule, o) };
    match rule.on.kind {
        TargetKind::Itself | TargetKind::LiaisonIndustries => Vec::new(),
        TargetKind::InspectionPoints => owned(&world.points_of, &world.point_since),
        TargetKind::Guards => owned(&world.guards_of, &world.guard_since),
        TargetKind::Subsidiaries => org_id
            .and_then(|id| world.children_of.get(&id))
            .map(|v| v.iter().filter_map(|&c| world.org(c)).map(org_target).collect())
            .unwrap_or_default(),
        TargetKind::Orgs => world
            .world
            .orgs
            .iter()
            .filter(|o| target_org_fits(rule, o) && bureau_path.is_some_and(|p| in_place(&o.jurisdiction_path, p)))
            .map(org_target)
            .collect(),
        TargetKind::Sites => world
            .world
            .sites
            .iter()
            .filter(|s| rule.on.site_kinds.contains(&s.kind))
            .filter(|s| match bureau_path {
                Some(p) => in_place(&s.jurisdiction_path, p),
                None => Some(s.org_id) == org_id,
            })
            .map(|s| Target { id: s.id, need: n, from: s.since })
            .collect(),
        TargetKind::LiaisonCounties => match subject {
            Subject::Leader(code) => plan
                .leader(code)
                .map(|l| {
                    l.counties
                        .iter()
                        .filter_map(|c| world.jurisdiction_by_code(c.get_ref()))
                        .map(|j| Target { id: j.id, need: n, from: None })
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        },
    }
}

/// The jurisdiction path an activity happened in: its target's.
fn place_of(world: &Indexed, a: &Activity) -> Option<String> {
    if let Some(j) = a.target_jurisdiction.and_then(|id| world.jurisdiction(id)) {
        return Some(j.path.clone());
    }
    if let Some(s) = a.target_site.and_then(|id| world.site(id)) {
        return Some(s.jurisdiction_path.clone());
    }
    a.target_org.and_then(|id| world.org(id)).map(|o| o.jurisdiction_path.clone())
}

/// Which subject an activity counts for under `rule`, and on which target; None if it does not
/// count for the rule at all.
fn attribute(plan: &Plan, world: &Indexed, rule: &Rule, a: &Activity) -> Option<(Subject, i64)> {
    let subject = match &rule.who {
        Who::Org { org_kinds } => {
            let id = match rule.on.kind {
                TargetKind::Subsidiaries | TargetKind::Orgs => a.actor_org,
                _ => a.target_org.or(a.actor_org),
            }?;
            let o = world.org(id)?;
            org_kinds.contains(&o.kind).then_some(Subject::Org(id))?
        }
        Who::Person { role, org_kinds, level } => {
            let u = world.user(a.actor_user?)?;
            let o = world.org(u.org_id?)?;
            let fits =
                u.holds(*role) && org_kinds.contains(&o.kind) && level.is_none_or(|l| world.level_of(o) == Some(l));
            fits.then_some(Subject::User(u.id))?
        }
        Who::Regulator { level } => {
            let b = world.bureau_of(a.actor_org?)?;
            (world.level_of(b) == Some(*level)).then_some(Subject::Org(b.id))?
        }
        Who::Leader { leaders } => {
            let code = world.user(a.actor_user?)?.leader_code.as_ref()?;
            leaders.contains(code).then(|| Subject::Leader(code.clone()))?
        }
    };
    let subject_org = match &subject {
        Subject::Org(id) => world.org(*id),
        Subject::User(id) => world.user(*id).and_then(|u| u.org_id).and_then(|o| world.org(o)),
        Subject::Leader(_) => None,
    };
    let bureau_path = subject_org.filter(|o| o.kind == OrgKind::REGULATOR).map(|o| o.jurisdiction_path.as_str());
    let target = match rule.on.kind {
        TargetKind::Itself => ANY,
        TargetKind::InspectionPoints => match a.target_point {
            Some(p) => (world.point_owner.get(&p).copied() == subject_org.map(|o| o.id)).then_some(p)?,
            None => ANY,
        },
        TargetKind::Guards => {
            let g = a.target_guard?;
            (world.guard_owner.get(&g).copied() == subject_org.map(|o| o.id)).then_some(g)?
        }
        TargetKind::Subsidiaries => {
            let t = world.org(a.target_org?)?;
            (t.parent_id.is_some() && t.parent_id == subject_org.map(|o| o.id)).then_some(t.id)?
        }
        TargetKind::Orgs => {
            let t = world.org(a.target_org?)?;
            let inside = bureau_path.is_none_or(|p| in_place(&t.jurisdiction_path, p));
            (target_org_fits(rule, t) && inside).then_some(t.id)?
        }
        TargetKind::Sites => {
            let s = world.site(a.target_site?)?;
            let inside = match bureau_path {
                Some(p) => in_place(&s.jurisdiction_path, p),
                None => subject_org.is_some_and(|o| o.id == s.org_id),
            };
            (rule.on.site_kinds.contains(&s.kind) && inside).then_some(s.id)?
        }
        TargetKind::LiaisonCounties => {
            let Subject::Leader(code) = &subject else { return None };
            let place = place_of(world, a)?;
            let leader = plan.leader(code)?;
            leader
                .counties
                .iter()
                .filter_map(|c| world.jurisdiction_by_code(c.get_ref()))
                .find(|j| in_place(&place, &j.path))
                .map(|j| j.id)?
        }
        TargetKind::LiaisonIndustries => {
            let Subject::Leader(code) = &subject else { return None };
            let leader = plan.leader(code)?;
            let fits = leader.industries.iter().any(|&ind| {
                a.target_org
                    .and_then(|id| world.org(id))
                    .is_some_and(|o| world.org_in_industry(plan.vocabulary(), o, ind))
                    || a.target_site
                        .and_then(|id| world.site(id))
                        .is_some_and(|s| plan.vocabulary().industry_of_site(s.kind) == Some(ind))
            });
            fits.then_some(ANY)?
        }
    };
    Some((subject, target))
}
