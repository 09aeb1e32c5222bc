//! Account roles and what each may do. Separation of duties (三员分立): the system admin runs
//! the system, the security admin manages accounts' security, the audit admin only reads the
//! audit log; none of them can change audit records.

use crate::org::string_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::org::UnknownCode;

string_enum! {
    Role {
        SysAdmin => "sys_admin",
        SecurityAdmin => "security_admin",
        AuditAdmin => "audit_admin",
        CityLeader => "city_leader",
        CityStaff => "city_staff",
        CountyStaff => "county_staff",
        ParkStaff => "park_staff",
        GroupSafety => "group_safety",
        Principal => "principal",
        Deputy => "deputy",
        SafetyOfficer => "safety_officer",
        Staff => "staff",
        RailwayOperator => "railway_operator",
        Expert => "expert",
        PatrolGuard => "patrol_guard",
        TipCustodian => "tip_custodian",
    }
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ViewOrgs,
    ManageOrgs,
    ViewUsers,
    ManageUsers,
    ViewCampaign,
    ManagePlan,
    ViewAudit,
    ViewHazards,
    /// Register an organisation's inspection points.
    ManagePoints,
    /// File a hazard (anyone on site may).
    ReportHazard,
    /// Attach plans, rectify, fix on the spot.
    RectifyHazard,
    /// Verify (销号) or reject a rectification.
    VerifyHazard,
    /// Sign the monthly hazard list (the principal).
    SignLedger,
    /// Read tips (举报) of the jurisdiction; never carries the reporter's identity.
    ViewTips,
    /// Triage, assign, verify, conclude tips; propose and pay rewards.
    HandleTips,
    /// Open a tip's sealed contact details (the custodian, with a reason, audited).
    RevealTipContact,
}

/// Where a role's data scope is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeBasis {
    /// Everything (admins).
    Everything,
    /// The jurisdiction subtree of the user's organisation (bureaus, experts).
    Jurisdiction,
    /// The user's organisation and its subsidiaries.
    OrgSubtree,
    /// Organisations inside the user's park.
    Park,
}

impl Role {
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match self {
            SysAdmin => {
                matches!(p, ViewOrgs | ManageOrgs | ViewUsers | ManageUsers | ViewCampaign | ManagePlan | ViewHazards)
            }
            SecurityAdmin => matches!(p, ViewUsers | ManageUsers | ViewAudit),
            AuditAdmin => matches!(p, ViewAudit),
            CityLeader => {
                matches!(p, ViewOrgs | ViewUsers | ViewCampaign | ViewHazards | ReportHazard | VerifyHazard | ViewTips)
            }
            // The custodian keeps the key to reporters' contact details and does nothing else.
            TipCustodian => matches!(p, ViewTips | RevealTipContact),
            CityStaff | CountyStaff => {
                matches!(
                    p,
                    ViewOrgs
                        | ManageOrgs
                        | ViewUsers
                        | ViewCampaign
                        | ViewHazards
                        | ReportHazard
                        | VerifyHazard
                        | ViewTips
                        | HandleTips
                )
            }
            Principal => matches!(
                p,
                ViewOrgs
                    | ViewUsers
                    | ViewCampaign
                    | ViewHazards
                    | ManagePoints
                    | ReportHazard
                    | RectifyHazard
                    | VerifyHazard
                    | SignLedger
            ),
            Deputy | SafetyOfficer | GroupSafety | ParkStaff | RailwayOperator => matches!(
                p,
                ViewOrgs
                    | ViewUsers
                    | ViewCampaign
                    | ViewHazards
                    | ManagePoints
                    | ReportHazard
                    | RectifyHazard
                    | VerifyHazard
            ),
            Staff | PatrolGuard => matches!(p, ViewOrgs | ViewCampaign | ViewHazards | ReportHazard | RectifyHazard),
            Expert => matches!(p, ViewOrgs | ViewCampaign | ViewHazards | ReportHazard),
        }
    }

    pub fn scope_basis(self) -> ScopeBasis {
        use Role::*;
        match self {
            SysAdmin | SecurityAdmin | AuditAdmin => ScopeBasis::Everything,
            CityLeader | CityStaff | CountyStaff | Expert | TipCustodian => ScopeBasis::Jurisdiction,
            ParkStaff => ScopeBasis::Park,
            GroupSafety | Principal | Deputy | SafetyOfficer | Staff | RailwayOperator | PatrolGuard => {
                ScopeBasis::OrgSubtree
            }
        }
    }

    /// Bureau staff and every admin log in with a second factor (SECURITY.md).
    pub fn requires_second_factor(self) -> bool {
        use Role::*;
        matches!(self, SysAdmin | SecurityAdmin | AuditAdmin | CityLeader | CityStaff | CountyStaff | TipCustodian)
    }

    /// Roles that belong to a bureau rather than to a supervised organisation.
    pub fn is_bureau(self) -> bool {
        use Role::*;
        matches!(self, CityLeader | CityStaff | CountyStaff)
    }

    /// Roles a user with `self` may give to an account they create.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            // The system admin creates accounts but cannot make another security or audit admin:
            // that would let one person hold two of the three separated duties.
            Role::SysAdmin => !matches!(other, Role::SecurityAdmin | Role::AuditAdmin),
            Role::SecurityAdmin => !matches!(other, Role::SysAdmin),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_admins_are_separated() {
        assert!(!Role::SysAdmin.can(Permission::ViewAudit));
        assert!(Role::AuditAdmin.can(Permission::ViewAudit));
        for p in [Permission::ManageUsers, Permission::ManageOrgs, Permission::ManagePlan, Permission::ViewOrgs] {
            assert!(!Role::AuditAdmin.can(p), "{p:?}");
        }
        assert!(!Role::SysAdmin.may_grant(Role::AuditAdmin));
        assert!(Role::ALL.iter().all(|r| r.as_str().parse::<Role>() == Ok(*r)));
    }
}
