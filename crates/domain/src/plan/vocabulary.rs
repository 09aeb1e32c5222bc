//! The words a plan speaks in: its jurisdiction levels, kinds of organisation and site,
//! industries and activity kinds. The program knows only shapes and its built-in records (an
//! inspection, a patrol round, a loading …); every named kind is declared by the plan, with the
//! record that produces it where the program must know.
//!
//! A plan written before vocabularies were declared (format 1) reads with the vocabulary that
//! format had as closed lists, kept as data in `format1.toml`.

use super::Plan;
use crate::org::{Industry, Level, OrgKind, SiteKind};
use crate::plan::ActivityKind;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use toml::Spanned;

/// A jurisdiction level, from the top: 省 → 市 → 县 → 乡镇 … The order they are declared in is the
/// order they nest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelDef {
    pub code: Spanned<Level>,
    pub name: String,
    pub name_en: Option<String>,
    /// What the regulator of a jurisdiction at this level is called after its place's name
    /// (某某县 + 应急管理局); the plan may name a bureau itself on its jurisdiction.
    pub bureau: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgKindDef {
    pub code: Spanned<OrgKind>,
    pub name: String,
    pub name_en: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryDef {
    pub code: Spanned<Industry>,
    pub name: String,
    pub name_en: Option<String>,
    /// Organisations of these kinds belong to the industry whatever their own `industry` says
    /// (a 民爆 enterprise is in 民爆).
    #[serde(default)]
    pub org_kinds: Vec<OrgKind>,
    /// Sites of these kinds belong to the industry (a leader of 民爆 sees its warehouses).
    #[serde(default)]
    pub site_kinds: Vec<SiteKind>,
}

/// The built-in record a site of a kind is kept as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteRecord {
    /// A magazine with sensors, checkpoints and hourly rounds.
    Warehouse,
    /// A railway crossing with equipment, guard posts and guards.
    RailwayCrossing,
    /// A place and nothing more (a tailings pond, a storage tank farm).
    Site,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteKindDef {
    pub code: Spanned<SiteKind>,
    pub name: String,
    pub name_en: Option<String>,
    pub record: SiteRecord,
}

/// The built-in record that produces an activity kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityRecord {
    /// An inspection of this kind, recorded by the roles named.
    Inspection,
    /// The record the program keeps for this built-in kind (a patrol round, a loading …).
    Builtin,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityKindDef {
    pub code: Spanned<ActivityKind>,
    pub name: String,
    pub name_en: Option<String>,
    pub record: ActivityRecord,
    /// For an inspection kind: the roles that record it.
    #[serde(default)]
    pub recorded_by: Vec<Role>,
    /// For an inspection kind: made by a bureau, an expert or a group on someone else's site,
    /// rather than by the organisation on its own.
    #[serde(default)]
    pub external: bool,
    /// For an inspection kind: whether it must go through every registered inspection point
    /// (a full self-inspection covers 单元、环节、岗位、部位).
    #[serde(default)]
    pub covers_points: bool,
}

impl ActivityKindDef {
    /// Built-in codes that only an inspection produces (the inspection kinds the program's own
    /// demo city records); every other built-in code is its own record's.
    pub fn is_inspection_kind_only(&self) -> bool {
        INSPECTION_BUILTINS.contains(self.code.get_ref())
    }
}

/// The built-in activity codes that name inspection kinds rather than records of their own.
pub const INSPECTION_BUILTINS: &[ActivityKind] = &[
    ActivityKind::SELF_INSPECTION,
    ActivityKind::SITE_CHECK,
    ActivityKind::GROUP_CHECK,
    ActivityKind::EXPERT_HEALTH_CHECK,
    ActivityKind::CROSS_REGION_CHECK,
    ActivityKind::FULL_COVERAGE_CHECK,
    ActivityKind::SPOT_CHECK,
    ActivityKind::UNANNOUNCED_CHECK,
    ActivityKind::LIAISON_CHECK,
];

/// A plan's vocabulary, as declared (or format 1's).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    #[serde(default)]
    pub levels: Vec<LevelDef>,
    #[serde(default)]
    pub org_kinds: Vec<OrgKindDef>,
    #[serde(default)]
    pub industries: Vec<IndustryDef>,
    #[serde(default)]
    pub site_kinds: Vec<SiteKindDef>,
    #[serde(default)]
    pub activity_kinds: Vec<ActivityKindDef>,
}

/// A name in the reader's language: the English one when asked for and given.
fn pick<'a>(name: &'a str, name_en: &'a Option<String>, english: bool) -> &'a str {
    match name_en {
        Some(en) if english => en,
        _ => name,
    }
}

impl Vocabulary {
    /// The vocabulary format 1 plans were read with.
    pub fn format1() -> &'static Vocabulary {
        static V: OnceLock<Vocabulary> = OnceLock::new();
        V.get_or_init(|| toml::from_str(include_str!("format1.toml")).expect("format 1 vocabulary parses"))
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
            && self.org_kinds.is_empty()
            && self.industries.is_empty()
            && self.site_kinds.is_empty()
            && self.activity_kinds.is_empty()
    }

    pub fn level(&self, code: Level) -> Option<&LevelDef> {
        self.levels.iter().find(|l| *l.code.get_ref() == code)
    }
    /// How deep a level sits: 0 for the top.
    pub fn depth(&self, code: Level) -> Option<usize> {
        self.levels.iter().position(|l| *l.code.get_ref() == code)
    }
    pub fn org_kind(&self, code: OrgKind) -> Option<&OrgKindDef> {
        self.org_kinds.iter().find(|k| *k.code.get_ref() == code)
    }
    pub fn industry(&self, code: Industry) -> Option<&IndustryDef> {
        self.industries.iter().find(|k| *k.code.get_ref() == code)
    }
    pub fn site_kind(&self, code: SiteKind) -> Option<&SiteKindDef> {
        self.site_kinds.iter().find(|k| *k.code.get_ref() == code)
    }
    pub fn activity_kind(&self, code: ActivityKind) -> Option<&ActivityKindDef> {
        self.activity_kinds.iter().find(|k| *k.code.get_ref() == code)
    }

    /// Whether a kind is declared (the structural ones — bureau, department, expert panel,
    /// park — always are).
    pub fn knows_org_kind(&self, code: OrgKind) -> bool {
        code.is_builtin() || self.org_kind(code).is_some()
    }

    /// The inspection kinds, in the plan's order.
    pub fn inspection_kinds(&self) -> impl Iterator<Item = &ActivityKindDef> {
        self.activity_kinds.iter().filter(|k| k.record == ActivityRecord::Inspection)
    }

    /// Whether `role` may record an inspection of `kind`.
    pub fn recordable_by(&self, kind: ActivityKind, role: Role) -> bool {
        self.activity_kind(kind)
            .is_some_and(|k| k.record == ActivityRecord::Inspection && k.recorded_by.contains(&role))
    }

    /// The site kinds kept as this built-in record.
    pub fn site_kinds_of(&self, record: SiteRecord) -> impl Iterator<Item = SiteKind> + '_ {
        self.site_kinds.iter().filter(move |k| k.record == record).map(|k| *k.code.get_ref())
    }

    /// The organisation kinds of the industries that keep sites of this record (民爆 enterprises
    /// keep warehouses).
    pub fn org_kinds_keeping(&self, record: SiteRecord) -> Vec<OrgKind> {
        self.org_kinds_keeping_sites(&self.site_kinds_of(record).collect::<Vec<_>>())
    }

    /// The organisation kinds of the industries that keep sites of any of these kinds.
    pub fn org_kinds_keeping_sites(&self, sites: &[SiteKind]) -> Vec<OrgKind> {
        self.industries
            .iter()
            .filter(|i| i.site_kinds.iter().any(|s| sites.contains(s)))
            .flat_map(|i| i.org_kinds.iter().copied())
            .collect()
    }

    /// The industry a site of this kind belongs to.
    pub fn industry_of_site(&self, kind: SiteKind) -> Option<Industry> {
        self.industries.iter().find(|i| i.site_kinds.contains(&kind)).map(|i| *i.code.get_ref())
    }

    /// Whether an organisation of `kind` that says it is in `own` belongs to `industry`.
    pub fn in_industry(&self, kind: OrgKind, own: Option<Industry>, industry: Industry) -> bool {
        own == Some(industry) || self.industry(industry).is_some_and(|i| i.org_kinds.contains(&kind))
    }

    /// Names for pages and sheets; a code the plan does not name reads as itself.
    pub fn level_name(&self, code: &str, english: bool) -> String {
        named(code, english, Level::known(code).and_then(|c| self.level(c)).map(|d| (&d.name, &d.name_en)))
    }
    pub fn org_kind_name(&self, code: &str, english: bool) -> String {
        named(code, english, OrgKind::known(code).and_then(|c| self.org_kind(c)).map(|d| (&d.name, &d.name_en)))
    }
    pub fn industry_name(&self, code: &str, english: bool) -> String {
        named(code, english, Industry::known(code).and_then(|c| self.industry(c)).map(|d| (&d.name, &d.name_en)))
    }
    pub fn site_kind_name(&self, code: &str, english: bool) -> String {
        named(code, english, SiteKind::known(code).and_then(|c| self.site_kind(c)).map(|d| (&d.name, &d.name_en)))
    }
    pub fn activity_name(&self, code: &str, english: bool) -> String {
        let d = ActivityKind::known(code).and_then(|c| self.activity_kind(c));
        named(code, english, d.map(|d| (&d.name, &d.name_en)))
    }
}

/// A declared name in the reader's language, or the code itself.
fn named(code: &str, english: bool, names: Option<(&String, &Option<String>)>) -> String {
    names.map_or_else(|| code.to_owned(), |(zh, en)| pick(zh, en, english).to_owned())
}

impl Plan {
    /// The plan's vocabulary: as declared, or format 1's for a plan that declares none.
    pub fn vocabulary(&self) -> &Vocabulary {
        if self.vocabulary.is_empty() {
            Vocabulary::format1()
        } else {
            &self.vocabulary
        }
    }
}
