//! Account roles and what each may do. Separation of duties (三员分立): the system admin runs
//! the system, the security admin manages accounts' security, the audit admin only reads the
//! audit log; none of them can change audit records.

use crate::org::string_enum;
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

    /// Whether a user with `self` may create an account of role `other`, or reset one: the
    /// role-creation table of docs/security.md. The three administrators each manage what the
    /// others may not, so no one person holds two of the separated duties; the custodian of
    /// reporters' identities needs a second admin.
    pub fn grant(self, other: Role) -> Grant {
        use Role::*;
        match (self, other) {
            // The system admin runs the bureaus' and enterprises' accounts, and no admin's.
            (SysAdmin, SysAdmin | SecurityAdmin | AuditAdmin | TipCustodian) => Grant::No,
            (SysAdmin, _) => Grant::Yes,
            // The security admin keeps the audit admin's account, and asks for a custodian.
            (SecurityAdmin, AuditAdmin) => Grant::Yes,
            (SecurityAdmin, TipCustodian) => Grant::WithApproval,
            _ => Grant::No,
        }
    }

    /// The role that approves what `self` asked for under `Grant::WithApproval`.
    pub fn approver(self) -> Option<Role> {
        matches!(self, Role::SecurityAdmin).then_some(Role::SysAdmin)
    }
}

/// What the role-creation table says of one (creator, role) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Yes,
    /// Only as a request that a second admin (of the creator's `approver` role) approves.
    WithApproval,
    No,
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
        assert_eq!(Role::SysAdmin.grant(Role::AuditAdmin), Grant::No);
        assert!(Role::ALL.iter().all(|r| r.as_str().parse::<Role>() == Ok(*r)));
    }

    /// The table of docs/security.md, cell by cell: every (creator, role) pair of every role.
    #[test]
    fn the_role_creation_table_holds_in_every_cell() {
        use Grant::*;
        use Role::*;
        // The table as docs/security.md writes it: these cells say yes, one says "with a second
        // admin's approval", every other cell says no.
        let yes = [
            (SysAdmin, CityLeader),
            (SysAdmin, CityStaff),
            (SysAdmin, CountyStaff),
            (SysAdmin, ParkStaff),
            (SysAdmin, GroupSafety),
            (SysAdmin, Principal),
            (SysAdmin, Deputy),
            (SysAdmin, SafetyOfficer),
            (SysAdmin, Staff),
            (SysAdmin, RailwayOperator),
            (SysAdmin, Expert),
            (SysAdmin, PatrolGuard),
            (SecurityAdmin, AuditAdmin),
        ];
        let with_approval = [(SecurityAdmin, TipCustodian)];
        let expected = |creator: Role, role: Role| {
            if yes.contains(&(creator, role)) {
                Yes
            } else if with_approval.contains(&(creator, role)) {
                WithApproval
            } else {
                No
            }
        };
        let mut cells = 0;
        for creator in Role::ALL {
            for role in Role::ALL {
                assert_eq!(creator.grant(*role), expected(*creator, *role), "{creator} creating {role}");
                cells += 1;
            }
        }
        assert_eq!(cells, 16 * 16);
        // The custodian never comes from one admin alone; the approver holds another duty.
        for creator in Role::ALL {
            assert_ne!(creator.grant(TipCustodian), Yes, "{creator}");
        }
        assert_eq!(SecurityAdmin.approver(), Some(SysAdmin));
        // No admin makes another account of its own kind.
        for admin in [SysAdmin, SecurityAdmin, AuditAdmin] {
            assert_eq!(admin.grant(admin), No);
        }
    }
}
