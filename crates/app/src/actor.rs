//! Who is asking: the account, its role, and the scope of data it may touch.

use crate::{AppError, Result};
use anjian_domain::role::{Permission, Role, ScopeBasis};
use anjian_domain::scope::Scope;
use anjian_store::orgs::Org;
use anjian_store::users::User;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub role: Role,
    pub org: Option<Org>,
    pub scope: Scope,
}

impl Actor {
    pub fn new(user: User, org: Option<Org>) -> Actor {
        let role = user.role;
        let scope = scope_for(role, org.as_ref());
        Actor { user, role, org, scope }
    }

    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn name(&self) -> &str {
        &self.user.username
    }

    /// The campaign's oversight views (matrix, board, cockpit): bureau staff, and admins who see
    /// everything.
    pub fn require_oversight(&self) -> Result<()> {
        self.require(Permission::ViewCampaign)?;
        if self.role.is_bureau() || self.scope == Scope::All {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require(&self, p: Permission) -> Result<()> {
        if self.role.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// The scope a role has from where its organisation stands.
pub fn scope_for(role: Role, org: Option<&Org>) -> Scope {
    match (role.scope_basis(), org) {
        (ScopeBasis::Everything, _) => Scope::All,
        (_, None) => Scope::Nothing,
        (ScopeBasis::Jurisdiction, Some(o)) => Scope::Jurisdiction { path: o.jurisdiction_path.clone() },
        (ScopeBasis::OrgSubtree, Some(o)) => Scope::Org { path: o.org_path.clone() },
        (ScopeBasis::Park, Some(o)) => Scope::Park { park_id: o.id },
    }
}
