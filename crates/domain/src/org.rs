//! Kinds of jurisdictions, organisations and sites, as the plan and the store name them.

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
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
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
