//! What the engine knows about the city: jurisdictions, organisations, people, sites, points and
//! guards, with the indexes the rules ask for.

use crate::org::{Industry, Level, OrgKind, SiteKind};
use crate::plan::{Position, Vocabulary};
use crate::role::Role;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct JurisdictionFacts {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: Level,
    /// `/1/3/`
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub jurisdiction_id: i64,
    pub jurisdiction_path: String,
    pub parent_id: Option<i64>,
    /// `/5/9/`: the group chain, for scope checks.
    pub org_path: String,
    pub park_id: Option<i64>,
    pub supervision_level: String,
    pub industry: Option<Industry>,
    /// When it was registered: it owes nothing, and is owed nothing, for windows that ended
    /// before. `None`: since before the campaign.
    pub since: Option<DateTime<Utc>>,
    /// Its last change of supervision level: what it owes at the new level starts with the
    /// window in which the change was decided.
    pub level_changed: Option<LevelChange>,
}

/// A change of an organisation's supervision level (e.g. raised to 重点监管).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelChange {
    pub at: DateTime<Utc>,
    /// The level before.
    pub from: String,
}

impl OrgFacts {
    /// Its supervision level during a window that ends at `end`.
    pub fn level_until(&self, end: DateTime<Utc>) -> &str {
        match &self.level_changed {
            Some(c) if end <= c.at => &c.from,
            _ => &self.supervision_level,
        }
    }
}

#[derive(Debug, Clone)]
pub struct UserFacts {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    /// 部门负责人 / 包联领导 inside a bureau; principals and deputies follow from the role.
    pub position: Option<Position>,
    /// When the account was made: a person owes nothing for windows that ended before.
    pub since: Option<DateTime<Utc>>,
}

impl UserFacts {
    pub fn holds(&self, p: Position) -> bool {
        match p {
            Position::Principal => self.role == Role::Principal,
            Position::Deputy => self.role == Role::Deputy,
            _ => self.position == Some(p),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SiteFacts {
    pub id: i64,
    pub name: String,
    pub kind: SiteKind,
    pub org_id: i64,
    pub jurisdiction_path: String,
    /// When it was registered.
    pub since: Option<DateTime<Utc>>,
}

/// An inspection point or a crossing guard: something that belongs to one organisation.
#[derive(Debug, Clone, Copy)]
pub struct Owned {
    pub id: i64,
    pub org_id: i64,
    /// When it was registered: a point added today is not missing from last month's round.
    pub since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct World {
    pub jurisdictions: Vec<JurisdictionFacts>,
    pub orgs: Vec<OrgFacts>,
    pub users: Vec<UserFacts>,
    pub sites: Vec<SiteFacts>,
    pub points: Vec<Owned>,
    pub guards: Vec<Owned>,
}

/// The world with lookups by id.
#[derive(Debug, Default)]
pub struct Indexed {
    pub world: World,
    org_at: HashMap<i64, usize>,
    user_at: HashMap<i64, usize>,
    site_at: HashMap<i64, usize>,
    jur_at: HashMap<i64, usize>,
    pub(crate) point_owner: HashMap<i64, i64>,
    pub(crate) guard_owner: HashMap<i64, i64>,
    pub(crate) point_since: HashMap<i64, Option<DateTime<Utc>>>,
    pub(crate) guard_since: HashMap<i64, Option<DateTime<Utc>>>,
    pub(crate) points_of: HashMap<i64, Vec<i64>>,
    pub(crate) guards_of: HashMap<i64, Vec<i64>>,
    pub(crate) children_of: HashMap<i64, Vec<i64>>,
}

impl Indexed {
    pub fn new(world: World) -> Indexed {
        let mut ix = Indexed {
            org_at: world.orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect(),
            user_at: world.users.iter().enumerate().map(|(i, u)| (u.id, i)).collect(),
            site_at: world.sites.iter().enumerate().map(|(i, s)| (s.id, i)).collect(),
            jur_at: world.jurisdictions.iter().enumerate().map(|(i, j)| (j.id, i)).collect(),
            point_owner: world.points.iter().map(|p| (p.id, p.org_id)).collect(),
            guard_owner: world.guards.iter().map(|p| (p.id, p.org_id)).collect(),
            point_since: world.points.iter().filter(|p| p.since.is_some()).map(|p| (p.id, p.since)).collect(),
            guard_since: world.guards.iter().filter(|p| p.since.is_some()).map(|p| (p.id, p.since)).collect(),
            ..Default::default()
        };
        for p in &world.points {
            ix.points_of.entry(p.org_id).or_default().push(p.id);
        }
        for g in &world.guards {
            ix.guards_of.entry(g.org_id).or_default().push(g.id);
        }
        for o in &world.orgs {
            if let Some(parent) = o.parent_id {
                ix.children_of.entry(parent).or_default().push(o.id);
            }
        }
        ix.world = world;
        ix
    }

    pub fn org(&self, id: i64) -> Option<&OrgFacts> {
        self.org_at.get(&id).map(|&i| &self.world.orgs[i])
    }
    pub fn user(&self, id: i64) -> Option<&UserFacts> {
        self.user_at.get(&id).map(|&i| &self.world.users[i])
    }
    pub fn site(&self, id: i64) -> Option<&SiteFacts> {
        self.site_at.get(&id).map(|&i| &self.world.sites[i])
    }
    pub fn jurisdiction(&self, id: i64) -> Option<&JurisdictionFacts> {
        self.jur_at.get(&id).map(|&i| &self.world.jurisdictions[i])
    }
    pub fn jurisdiction_by_code(&self, code: &str) -> Option<&JurisdictionFacts> {
        self.world.jurisdictions.iter().find(|j| j.code == code)
    }

    /// The bureau accountable for an organisation's regulatory work: a bureau itself, or the
    /// bureau a department belongs to.
    pub fn bureau_of(&self, org_id: i64) -> Option<&OrgFacts> {
        let o = self.org(org_id)?;
        match o.kind {
            OrgKind::REGULATOR => Some(o),
            OrgKind::DEPARTMENT => o.parent_id.and_then(|p| self.org(p)).filter(|p| p.kind == OrgKind::REGULATOR),
            _ => None,
        }
    }

    /// The level of the jurisdiction an organisation sits in.
    pub fn level_of(&self, org: &OrgFacts) -> Option<Level> {
        self.jurisdiction(org.jurisdiction_id).map(|j| j.level)
    }

    /// Whether an organisation belongs to an industry, as the plan's vocabulary says.
    pub fn org_in_industry(&self, vocabulary: &Vocabulary, org: &OrgFacts, industry: Industry) -> bool {
        vocabulary.in_industry(org.kind, org.industry, industry)
    }
}
