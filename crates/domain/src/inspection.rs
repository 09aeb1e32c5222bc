//! Inspections and their points: the kinds the seed names, who may record each, and which plan
//! activity each counts as.

use crate::org::string_enum;
use crate::plan::ActivityKind;
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// 单元 / 环节 / 岗位 / 部位: what a full self-inspection must cover.
    PointKind {
        Unit => "unit",
        Process => "process",
        Post => "post",
        Location => "location",
    }
}

string_enum! {
    /// 检查 kinds of the seed.
    InspectionKind {
        SelfInspection => "self_inspection",
        SiteCheck => "site_check",
        GroupCheck => "group_check",
        ExpertHealthCheck => "expert_health_check",
        CrossRegionCheck => "cross_region_check",
        FullCoverageCheck => "full_coverage_check",
        SpotCheck => "spot_check",
        UnannouncedCheck => "unannounced_check",
        LiaisonCheck => "liaison_check",
    }
}

impl InspectionKind {
    /// The activity this inspection counts as for the obligation engine.
    pub fn activity(self) -> ActivityKind {
        match self {
            InspectionKind::SelfInspection => ActivityKind::SelfInspection,
            InspectionKind::SiteCheck => ActivityKind::SiteCheck,
            InspectionKind::GroupCheck => ActivityKind::GroupCheck,
            InspectionKind::ExpertHealthCheck => ActivityKind::ExpertHealthCheck,
            InspectionKind::CrossRegionCheck => ActivityKind::CrossRegionCheck,
            InspectionKind::FullCoverageCheck => ActivityKind::FullCoverageCheck,
            InspectionKind::SpotCheck => ActivityKind::SpotCheck,
            InspectionKind::UnannouncedCheck => ActivityKind::UnannouncedCheck,
            InspectionKind::LiaisonCheck => ActivityKind::LiaisonCheck,
        }
    }

    /// Whether a role may record this kind. Enterprises inspect themselves; group companies their
    /// subsidiaries; experts and bureaus parks and enterprises; leaders make supervisory checks.
    pub fn recordable_by(self, role: Role) -> bool {
        use InspectionKind::*;
        use Role::*;
        match self {
            SelfInspection => {
                matches!(role, Principal | Deputy | SafetyOfficer | RailwayOperator | ParkStaff | GroupSafety)
            }
            SiteCheck => matches!(role, Principal | Deputy | RailwayOperator | GroupSafety),
            GroupCheck => matches!(role, GroupSafety),
            ExpertHealthCheck => matches!(role, Expert | CityStaff | CountyStaff),
            CrossRegionCheck | FullCoverageCheck | SpotCheck | UnannouncedCheck => {
                matches!(role, CityStaff | CountyStaff | Expert)
            }
            LiaisonCheck => matches!(role, CityLeader | CityStaff | CountyStaff),
        }
    }

    /// Kinds made by a bureau on someone else's site rather than by the organisation itself.
    pub fn is_external(self) -> bool {
        !matches!(self, InspectionKind::SelfInspection | InspectionKind::SiteCheck)
    }
}

/// One inspection (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub inspector_id: i64,
    pub inspector: String,
    pub summary: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The checklist version the inspection followed, if any.
    pub checklist_version_id: Option<i64>,
    /// The site inspected (a crossing, a warehouse), if the inspection was of one.
    pub site_id: Option<i64>,
}

/// One checklist item of an inspection and its result (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub point_id: Option<i64>,
    pub item: String,
    pub passed: bool,
    pub note: String,
    pub hazard_id: Option<i64>,
}

/// An inspection point: a 单元, 环节, 岗位 or 部位 of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub org_id: Option<i64>,
    pub kind: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Recorded by one of these accounts.
    pub inspectors: Option<Vec<i64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_can_be_recorded_by_someone_and_counts_as_an_activity() {
        for k in InspectionKind::ALL {
            assert!(Role::ALL.iter().any(|r| k.recordable_by(*r)), "{k}");
            let _ = k.activity();
            assert_eq!(k.as_str().parse::<InspectionKind>(), Ok(*k));
        }
        assert!(!InspectionKind::SpotCheck.recordable_by(Role::Principal), "an enterprise does not spot-check itself");
    }
}
