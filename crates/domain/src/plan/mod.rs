//! A campaign plan kept as data (`plans/*.toml`): jurisdictions, departments, leaders, phases,
//! the tasks of the task list and every frequency rule. The obligation engine reads rules of a
//! few shapes (frequency, coverage, quota, deadline) and needs no code per rule.

mod diff;
mod lint;
mod redate;
pub mod reference;
mod source;
mod vocabulary;

pub use diff::{diff, Change, ChangeKind};
pub use lint::{lint, Finding, Severity};
pub use redate::redate;
pub use source::SourceText;
pub use vocabulary::{
    ActivityKindDef, ActivityRecord, IndustryDef, LevelDef, OrgKindDef, SiteKindDef, SiteRecord, Vocabulary,
};

use crate::org::{Industry, Level, OrgKind, SiteKind};
use crate::period::{DateSpan, PeriodKind};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

/// A plan as written, with the byte spans of the values lint needs to point at.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub plan: Header,
    /// The words the plan speaks in; a plan without (format 1) reads with format 1's.
    #[serde(default)]
    pub vocabulary: Vocabulary,
    /// The document's outline: the sections its citations (`source`) may name.
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
    #[serde(default)]
    pub departments: Vec<Department>,
    #[serde(default)]
    pub battles: Vec<Battle>,
    #[serde(default)]
    pub phases: Vec<Phase>,
    #[serde(default)]
    pub leaders: Vec<Leader>,
    #[serde(default)]
    pub hazard_grades: Vec<HazardGrade>,
    #[serde(default)]
    pub supervision_levels: Vec<SupervisionLevel>,
    pub explosives: Option<ExplosivesDefaults>,
    pub safety_test: Option<SafetyTestRules>,
    /// Deadlines, categories and rewards of the tip channel (举报); defaults when absent.
    pub tips: Option<crate::tip::TipRules>,
    #[serde(default)]
    pub checklists: Vec<Checklist>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub tasks: Vec<Task>,
}

/// A TOML local date (`2022-09-30`), which serde cannot read into a chrono date directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlanDate(pub NaiveDate);

impl<'de> Deserialize<'de> for PlanDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = toml::value::Datetime::deserialize(d)?;
        match (v.date, v.time, v.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
                .map(PlanDate)
                .ok_or_else(|| D::Error::custom("not a calendar date")),
            _ => Err(D::Error::custom("expected a date such as 2022-09-30, without a time")),
        }
    }
}

impl Serialize for PlanDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%Y-%m-%d"))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub id: String,
    pub title: String,
    /// The campaign's name as its board and reports call it (a short name such as “百日攻坚”); the title without.
    pub short_title: Option<String>,
    pub document_no: Option<String>,
    pub issuer: String,
    pub issued: PlanDate,
    pub timezone: String,
    pub starts: Spanned<PlanDate>,
    pub ends: Spanned<PlanDate>,
    /// The issuer's own jurisdiction (whose bureau the departments belong to); without one, the
    /// first jurisdiction without a parent.
    pub jurisdiction: Option<Spanned<String>>,
    /// How long after a window closes an entry still counts as made in time; one made later is
    /// 补录 (shown as such, and it does not turn a window that closed short into met in time).
    #[serde(default = "default_grace_hours")]
    pub late_entry_grace_hours: u32,
}

fn default_grace_hours() -> u32 {
    24
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub code: Spanned<String>,
    pub name: String,
    pub level: Level,
    pub parent: Option<Spanned<String>>,
    /// The bureau's 机关代字 its papers are numbered under (晋市工信 → 晋市工信责改〔2026〕第3号);
    /// without one, the place's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_code: Option<String>,
    /// The name of the jurisdiction's bureau; without one, the plan's issuer for the issuer's
    /// jurisdiction, and the place's name with its level's `bureau` for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bureau: Option<String>,
}

/// A section of the document (二（一）, 附件1, 任务清单) that citations point into: a citation
/// names a section or a part of one (二（一）1（2） lies in 二（一）1).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: Spanned<String>,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: Spanned<String>,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Battle {
    pub code: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub code: Spanned<String>,
    pub name: String,
    pub starts: PlanDate,
    pub ends: PlanDate,
}

impl Phase {
    pub fn span(&self) -> DateSpan {
        DateSpan { starts: self.starts.0, ends: self.ends.0 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    pub code: Spanned<String>,
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub counties: Vec<Spanned<String>>,
    #[serde(default)]
    pub industries: Vec<Industry>,
    #[serde(default)]
    pub duties: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HazardGrade {
    pub code: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub needs_governance_plan: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionLevel {
    pub code: Spanned<String>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExplosivesDefaults {
    pub patrol_interval_minutes: Spanned<u32>,
    pub temperature_c: Spanned<Range>,
    pub humidity_pct: Spanned<Range>,
    /// How long a value must stay out of range before an alarm opens.
    #[serde(default = "default_alarm_seconds")]
    pub alarm_after_seconds: i64,
    /// How far back inside the range (℃ / %RH) a value must come before the excursion is over.
    #[serde(default = "default_hysteresis_c")]
    pub hysteresis_c: f64,
    #[serde(default = "default_hysteresis_pct")]
    pub hysteresis_pct: f64,
    /// A sensor silent this long is offline.
    #[serde(default = "default_offline_minutes")]
    pub offline_after_minutes: i64,
    /// An alarm nobody acknowledged this long goes to the county bureau.
    #[serde(default = "default_escalate_minutes")]
    pub escalate_after_minutes: i64,
    /// Raw readings are kept this long; hourly min/max/avg forever.
    #[serde(default = "default_retention_days")]
    pub raw_retention_days: i64,
    pub assumption: Option<Spanned<String>>,
}

fn default_alarm_seconds() -> i64 {
    120
}
fn default_hysteresis_c() -> f64 {
    1.0
}
fn default_hysteresis_pct() -> f64 {
    3.0
}
fn default_offline_minutes() -> i64 {
    15
}
fn default_escalate_minutes() -> i64 {
    30
}
fn default_retention_days() -> i64 {
    90
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyTestRules {
    pub pass_mark: Spanned<u32>,
    /// Minutes a sitting may take; the server enforces it.
    #[serde(default = "default_time_limit")]
    pub time_limit_minutes: u32,
    /// How a paper is drawn from the bank: so many questions of a kind (and topic).
    #[serde(default)]
    pub paper: Vec<PaperPart>,
    pub on_first_fail: crate::safety_test::FirstFail,
    pub on_retest_fail_level: Spanned<String>,
    pub publish_scores: bool,
    pub assumption: Option<Spanned<String>>,
}

fn default_time_limit() -> u32 {
    60
}

/// One part of a paper: `count` questions of `kind` (`single`, `multiple`, `true_false`), from
/// `topic` if given.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PaperPart {
    pub kind: String,
    pub count: u32,
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub id: Spanned<String>,
    pub name: String,
    pub items: Vec<String>,
    /// What each item asks (检查要求), in the items' order; none, or one per item.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// The issuing bureau keeps the checklist as an inspection template, offered on the
    /// inspection form for organisations that keep sites of these kinds.
    #[serde(default)]
    pub template_for: Vec<SiteKind>,
    /// Each new site of these kinds gets one piece of equipment per item, checked every
    /// `check_every_days` (one per item).
    #[serde(default)]
    pub equipment_for: Vec<SiteKind>,
    #[serde(default)]
    pub check_every_days: Vec<u32>,
    pub source: String,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
}

/// Who a rule obliges.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Who {
    /// An organisation of one of these kinds (an enterprise, a group company …).
    Org { org_kinds: Vec<OrgKind> },
    /// A position inside an organisation (主要负责人, 分管负责人, bureau head …).
    Person {
        role: Position,
        org_kinds: Vec<OrgKind>,
        #[serde(default)]
        level: Option<Level>,
    },
    /// A regulator (bureau) at this level.
    Regulator { level: Level },
    /// Leaders of 附件1, by code.
    Leader { leaders: Vec<String> },
}

/// A position a person holds in an organisation, as the seed names them.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 主要负责人
    Principal,
    /// 分管负责人
    Deputy,
    /// 部门负责人 (the head of a bureau)
    BureauHead,
    /// 包联领导 of a county bureau
    LiaisonLeader,
}

/// What a rule's activity is done on.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kind: TargetKind,
    /// Coverage: every target needs `at_least` activities, not the targets together.
    #[serde(default)]
    pub each: bool,
    #[serde(default)]
    pub org_kinds: Vec<OrgKind>,
    #[serde(default)]
    pub site_kinds: Vec<SiteKind>,
    #[serde(default)]
    pub supervision_level: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The subject itself (its own site, its own report).
    #[serde(rename = "self")]
    Itself,
    /// Every 单元/环节/岗位/部位 the subject registered.
    InspectionPoints,
    /// The subsidiaries of a group company.
    Subsidiaries,
    /// Organisations of `org_kinds` inside the subject's jurisdiction.
    Orgs,
    /// Sites of `site_kinds` of the subject, or inside the regulator's jurisdiction.
    Sites,
    /// The crossing guards of a railway operator.
    Guards,
    /// A leader's liaison counties.
    LiaisonCounties,
    /// A leader's liaison industries.
    LiaisonIndustries,
}

crate::code::open_code! {
    /// Kinds of recorded activity that count toward obligations, as the plan declares them. The
    /// constants are the kinds the program's own records produce (and the inspection kinds its
    /// demo city records); a plan may declare more inspection kinds.
    ActivityKind {
        SELF_INSPECTION => "self_inspection",
        SITE_CHECK => "site_check",
        GROUP_CHECK => "group_check",
        EXPERT_HEALTH_CHECK => "expert_health_check",
        CROSS_REGION_CHECK => "cross_region_check",
        FULL_COVERAGE_CHECK => "full_coverage_check",
        SPOT_CHECK => "spot_check",
        UNANNOUNCED_CHECK => "unannounced_check",
        LIAISON_CHECK => "liaison_check",
        MAJOR_HAZARD_RESOLVED => "major_hazard_resolved",
        TYPICAL_CASE => "typical_case",
        LIAISON_REPORT => "liaison_report",
        WEEKLY_ANALYSIS => "weekly_analysis",
        PATROL_ROUND => "patrol_round",
        VEHICLE_CHECK => "vehicle_check",
        FACILITY_MAINTENANCE => "facility_maintenance",
        EQUIPMENT_INSPECTION => "equipment_inspection",
        GUARD_TRAINING => "guard_training",
        EMERGENCY_DRILL => "emergency_drill",
        SAFETY_TEST => "safety_test",
        LEDGER_SIGNED => "ledger_signed",
        LOADING => "loading",
    }
}

impl ActivityKind {
    /// Whether a record of this kind keeps the checklist items it went through, so that a rule
    /// can name a `checklist` it must cover. For any other kind a `checklist` could not be
    /// checked, and the plan's lint refuses it.
    pub fn records_items(self) -> bool {
        matches!(self, ActivityKind::EQUIPMENT_INSPECTION | ActivityKind::VEHICLE_CHECK)
    }
}

/// What a rule's `requires` may name; each is a record the engine knows how to check.
pub const REQUIREMENTS: &[&str] = &[
    // The organisation's monthly hazard list for the window is signed by its principal …
    "principal_signature",
    // … and reported upward by tier, which signing does (the signed list is the bureau's at once).
    "report_by_tier",
    // Each subsidiary covered has its own signed list in the window (一企一台账).
    "ledger_per_subsidiary",
];

/// How often: a repeating calendar period, the phase, the whole campaign, or once per event.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Hour,
    Week,
    HalfMonth,
    Month,
    Quarter,
    Year,
    Phase,
    Campaign,
    Event,
}

impl Per {
    pub fn calendar(self) -> Option<PeriodKind> {
        Some(match self {
            Per::Hour => PeriodKind::Hour,
            Per::Week => PeriodKind::Week,
            Per::HalfMonth => PeriodKind::HalfMonth,
            Per::Month => PeriodKind::Month,
            Per::Quarter => PeriodKind::Quarter,
            Per::Year => PeriodKind::Year,
            Per::Phase | Per::Campaign | Per::Event => return None,
        })
    }
}

/// Another reading of the same rule found elsewhere in the seed.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub source: String,
    pub at_least: Option<u32>,
    pub org_kinds: Option<Vec<OrgKind>>,
    pub items: Option<Vec<String>>,
    /// Another addressee for a report (the body says 领导小组, an annex 市政府分管领导).
    pub reports_to: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Spanned<String>,
    pub title: String,
    pub source: String,
    pub task: Option<Spanned<u32>>,
    pub who: Who,
    pub activity: ActivityKind,
    pub on: Target,
    pub at_least: Spanned<u32>,
    pub per: Option<Per>,
    pub by: Option<Spanned<PlanDate>>,
    #[serde(default)]
    pub phases: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub checklist: Option<Spanned<String>>,
    /// For `per = "event"`: the activity that each needs one of these.
    pub trigger: Option<String>,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Stricter counts for organisations at a supervision level (重点监管 → more often).
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
    /// Why a number not given by the seed was chosen.
    pub assumption: Option<String>,
    /// For a report: to whom it goes, as the document says (shown with the rule).
    pub reports_to: Option<String>,
}

/// A different `at_least` for subjects (or, for coverage, targets) at a supervision level.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    pub supervision_level: String,
    pub at_least: u32,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub no: Spanned<u32>,
    pub battle: Spanned<String>,
    pub area: String,
    pub content: String,
    #[serde(default)]
    pub departments: Vec<Spanned<String>>,
    pub responsible: Option<String>,
    #[serde(default)]
    pub continuous: bool,
    pub due: Option<Spanned<PlanDate>>,
    pub due_text: String,
}

/// Why a plan file could not be read at all.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Plan {
    /// Reads a plan; syntax and type errors carry the line and column.
    pub fn parse(text: &str) -> Result<Plan, ParseError> {
        toml::from_str::<Plan>(text).map_err(|e| {
            let (line, column) = e.span().map(|s| SourceText::new(text).line_col(s.start)).unwrap_or((1, 1));
            ParseError { line, column, message: e.message().to_owned() }
        })
    }

    pub fn span(&self) -> DateSpan {
        DateSpan { starts: self.plan.starts.get_ref().0, ends: self.plan.ends.get_ref().0 }
    }

    /// The campaign's name as its board and reports call it.
    pub fn short_title(&self) -> &str {
        self.plan.short_title.as_deref().unwrap_or(&self.plan.title)
    }

    /// The phase a local date falls in.
    pub fn phase_on(&self, date: NaiveDate) -> Option<&Phase> {
        self.phases.iter().find(|p| p.span().contains_date(date))
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code.get_ref() == code)
    }

    pub fn jurisdiction(&self, code: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.code.get_ref() == code)
    }

    /// The issuer's jurisdiction: the one the header names, or the first root.
    pub fn issuer_jurisdiction(&self) -> Option<&Jurisdiction> {
        match &self.plan.jurisdiction {
            Some(code) => self.jurisdiction(code.get_ref()),
            None => self.jurisdictions.iter().find(|j| j.parent.is_none()),
        }
    }

    /// The name of a jurisdiction's bureau (see [`Jurisdiction::bureau`]).
    pub fn bureau_name(&self, j: &Jurisdiction) -> String {
        if let Some(b) = &j.bureau {
            return b.clone();
        }
        if self.issuer_jurisdiction().is_some_and(|i| i.code.get_ref() == j.code.get_ref()) {
            return self.plan.issuer.clone();
        }
        let suffix = self.vocabulary().level(j.level).and_then(|l| l.bureau.clone());
        format!("{}{}", j.name, suffix.unwrap_or_default())
    }

    pub fn battle(&self, code: &str) -> Option<&Battle> {
        self.battles.iter().find(|b| b.code.get_ref() == code)
    }

    pub fn leader(&self, code: &str) -> Option<&Leader> {
        self.leaders.iter().find(|l| l.code.get_ref() == code)
    }

    /// A rule by its id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.get_ref() == id)
    }

    /// The items a record of `kind` goes through: the checklist the plan's rules on that kind
    /// name (the first that names one), or none when no rule asks for a checklist.
    pub fn checklist_items(&self, kind: ActivityKind) -> &[String] {
        self.rules
            .iter()
            .filter(|r| r.activity == kind)
            .filter_map(|r| r.checklist.as_ref())
            .find_map(|id| self.checklists.iter().find(|c| c.id.get_ref() == id.get_ref()))
            .map_or(&[], |c| &c.items)
    }

    /// The hazard grades' codes and names, in the plan's order (what forms offer and sheets
    /// print).
    pub fn grade_names(&self) -> Vec<(String, String)> {
        self.hazard_grades.iter().map(|g| (g.code.get_ref().clone(), g.name.clone())).collect()
    }

    /// The equipment a new site of `kind` gets: each item of the checklists kept as its
    /// equipment, with the days between checks.
    pub fn equipment_for(&self, kind: SiteKind) -> Vec<(String, u32)> {
        self.checklists
            .iter()
            .filter(|c| c.equipment_for.contains(&kind))
            .flat_map(|c| c.items.iter().cloned().zip(c.check_every_days.iter().copied()))
            .collect()
    }

    pub fn task(&self, no: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| *t.no.get_ref() == no)
    }

    pub fn rules_of_task(&self, no: u32) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.task.as_ref().map(|t| *t.get_ref()) == Some(no))
    }
}

/// A record of `plan_versions`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersion {
    pub id: i64,
    pub plan_id: String,
    pub version: i32,
    pub sha256: String,
    pub source: String,
    /// JSON list of the changes against the version before.
    pub changes: String,
    pub imported_at: DateTime<Utc>,
    pub imported_by: Option<i64>,
}
