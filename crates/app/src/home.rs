//! What a person opens first: the things that wait for them, counted once here so that the
//! home page, the cockpit and the workbench show the same numbers as the lists they link to.

use crate::{Actor, App, Result};
use anjian_domain::hazard::HazardFilter;
use anjian_domain::obligation::Status;
use anjian_domain::role::Permission;
use anjian_domain::tip::{TipFilter, TipState};
use anjian_domain::warehouse::{AlarmFilter, AlarmState};

/// What waits for the caller's action, each figure the length of the list its link opens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedsAction {
    /// Open hazards in scope past their deadline (to supervise, or to rectify).
    pub overdue_hazards: u64,
    /// Open hazards in scope (an enterprise's own, on its workbench).
    pub open_hazards: u64,
    /// Tips received and not yet assigned (to triage).
    pub tips_to_triage: u64,
    /// This period's duties of the caller not met yet …
    pub duties_open: u64,
    /// … and past windows that closed short.
    pub duties_overdue: u64,
    /// Alarms raised and not yet acknowledged.
    pub alarms_unacknowledged: u64,
}

impl NeedsAction {
    pub fn is_empty(&self) -> bool {
        *self == NeedsAction { open_hazards: self.open_hazards, ..Default::default() }
    }
}

impl App {
    /// The caller's waiting work. Parts the role may not see are zero, not errors.
    pub async fn needs_action(&self, actor: &Actor) -> Result<NeedsAction> {
        let now = self.clock.now();
        let mut n = NeedsAction::default();
        if actor.role.can(Permission::ViewHazards) {
            let open = HazardFilter { open_only: true, ..Default::default() };
            n.open_hazards = self.count_hazards(actor, &open).await?;
            n.overdue_hazards = self.count_hazards(actor, &HazardFilter { overdue_at: Some(now), ..open }).await?;
        }
        if actor.role.can(Permission::HandleTips) {
            let f = TipFilter { state: Some(TipState::Received), ..Default::default() };
            n.tips_to_triage = self.tips(actor, &f, 10_000).await?.len() as u64;
        }
        if actor.role.can(Permission::ViewCampaign) {
            let mine = self.my_obligations(actor).await?;
            n.duties_open =
                mine.current.iter().filter(|o| !matches!(o.status, Status::Met | Status::NotApplicable)).count() as u64;
            n.duties_overdue = mine.overdue_total as u64;
        }
        if actor.role.can(Permission::ViewHazards) && self.warehouses(actor).await.is_ok_and(|w| !w.is_empty()) {
            let live = self.alarms(actor, &AlarmFilter { live: true, ..Default::default() }).await?;
            n.alarms_unacknowledged = live.iter().filter(|a| a.state == AlarmState::Open).count() as u64;
        }
        Ok(n)
    }
}
