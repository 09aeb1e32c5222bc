//! Inspections and their points: the kinds the seed names, who may record each, and which plan
//! activity each counts as.

use crate::org::string_enum;
use crate::plan::ActivityKind;
use crate::role::Role;
use serde::{Deserialize, Serialize};
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
