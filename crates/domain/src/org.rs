//! Kinds of jurisdictions, organisations and sites, as the plan and the store name them.

use chrono::{DateTime, Utc};
use serde::Serialize;

crate::code::open_code! {
    /// 辖区 level (省、市、县、乡镇 …), as the plan declares them.
    Level {}
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = $crate::org::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($s => Ok($name::$variant),)+ _ => Err($crate::org::UnknownCode(s.to_owned())) }
            }
        }
    };
}
pub(crate) use string_enum;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code `{0}`")]
pub struct UnknownCode(pub String);

crate::code::open_code! {
    /// What kind of organisation an org row is. The program gives behaviour to the bureaus,
    /// their departments, expert panels and parks; every kind of supervised organisation (an
    /// enterprise, a group company, a 民爆 enterprise …) is the plan's word.
    OrgKind {
        REGULATOR => "regulator",
        DEPARTMENT => "department",
        EXPERT_PANEL => "expert_panel",
        PARK => "park",
    }
}

impl OrgKind {
    /// Supervised organisations (生产经营单位 and park authorities), as opposed to bureaus.
    pub fn is_supervised(self) -> bool {
        !matches!(self, OrgKind::REGULATOR | OrgKind::DEPARTMENT | OrgKind::EXPERT_PANEL)
    }
}

crate::code::open_code! {
    /// Physical sites an activity can be done on, as the plan declares them; the two the program
    /// keeps records for are built in.
    SiteKind {
        WAREHOUSE => "warehouse",
        RAILWAY_CROSSING => "railway_crossing",
    }
}

crate::code::open_code! {
    /// Industries (行业), as the plan declares them: what a liaison leader is assigned to.
    Industry {}
}

/// A record of `orgs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Org {
    pub id: i64,
    /// Permanent unique id; the client's idempotency key when it sent one.
    pub uid: String,
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: i64,
    pub jurisdiction_path: String,
    pub parent_id: Option<i64>,
    /// Materialised path of org ids from the top group down, `/5/9/`.
    pub org_path: String,
    pub park_id: Option<i64>,
    pub supervision_level: String,
    pub industry: Option<String>,
    pub address: Option<String>,
    /// Digest of the create request, to tell a replay from a different body with the same key.
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A record of `jurisdictions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Jurisdiction {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
    /// Materialised path of ids from the city down, `/1/3/`.
    pub path: String,
    pub created_at: DateTime<Utc>,
}

/// A physical site of an organisation: an explosives warehouse, a railway crossing.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: i64,
    pub uid: String,
    pub kind: String,
    pub name: String,
    pub org_id: i64,
    pub jurisdiction_id: i64,
    /// Copied from the owning organisation so that scoped reads need no join.
    pub jurisdiction_path: String,
    pub org_path: String,
    pub created_at: DateTime<Utc>,
    /// Railway crossings: line, kilometre post, position and guard posts.
    pub line: Option<String>,
    pub km_post: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub guard_posts: Option<i32>,
    /// `in_service` or `closed` (在用 / 停用).
    pub status: Option<String>,
}

/// Filters a list of organisations can take (in addition to the scope).
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub kind: Option<String>,
    pub jurisdiction_id: Option<i64>,
    /// Part of the name, or the whole code (统一社会信用代码).
    pub q: Option<String>,
    /// Subsidiaries of this org, or members of this park.
    pub under: Option<i64>,
}
