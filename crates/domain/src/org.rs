//! Kinds of jurisdictions, organisations and sites, as the plan and the store name them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// 辖区 level: the city, or a county-level area (县、市、区、开发区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    City,
    County,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::County => "county",
        }
    }
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

string_enum! {
    /// What kind of organisation an org row is.
    OrgKind {
        Regulator => "regulator",
        Department => "department",
        Enterprise => "enterprise",
        ExplosivesEnterprise => "explosives_enterprise",
        GroupCompany => "group_company",
        Park => "park",
        RailwayOperator => "railway_operator",
        ExpertPanel => "expert_panel",
    }
}

impl OrgKind {
    /// Supervised organisations (生产经营单位 and park authorities), as opposed to bureaus.
    pub fn is_supervised(self) -> bool {
        !matches!(self, OrgKind::Regulator | OrgKind::Department | OrgKind::ExpertPanel)
    }
}

string_enum! {
    /// Physical sites an activity can be done on.
    SiteKind {
        Warehouse => "warehouse",
        RailwayCrossing => "railway_crossing",
    }
}

string_enum! {
    /// Industries a liaison leader can be assigned to (附件1 包联行业).
    Industry {
        IndustrialPark => "industrial_park",
        Explosives => "explosives",
        RailwayCrossing => "railway_crossing",
    }
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
