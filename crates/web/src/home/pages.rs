//! The home redirect, the enterprise workbench (`/today`) and the guard's round (`/patrol`).

use crate::auth::{return_cookie, return_path, Signed};
use crate::error::PageError;
use crate::kit::page::{key, local_time, render, Chrome, Row};
use crate::AppState;
use anjian_app::home::NeedsAction;
use anjian_app::warehouses::CurrentRound;
use anjian_domain::hazard::HazardFilter;
use anjian_domain::obligation::Status;
use anjian_domain::plan::{ActivityKind, ActivityRecord, Vocabulary};
use anjian_domain::role::{Permission, Role};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/today", get(today)).route("/patrol", get(patrol))
}

/// Each role's first page.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::CityLeader | Role::CityStaff | Role::CountyStaff => "/cockpit",
        Role::PatrolGuard => "/patrol",
        Role::SysAdmin | Role::SecurityAdmin => "/users",
        Role::AuditAdmin => "/audit",
        Role::TipCustodian => "/tips",
        _ => "/today",
    }
}

/// Where a person goes to record an activity of this kind: one tap from the duty it meets.
pub fn entry_link(vocabulary: &Vocabulary, kind: ActivityKind) -> String {
    if vocabulary.activity_kind(kind).is_some_and(|k| k.record == ActivityRecord::Inspection) {
        return format!("/inspections/new?kind={kind}");
    }
    match kind {
        ActivityKind::PATROL_ROUND => "/patrol",
        ActivityKind::VEHICLE_CHECK | ActivityKind::FACILITY_MAINTENANCE | ActivityKind::LOADING => "/warehouses",
        ActivityKind::EQUIPMENT_INSPECTION | ActivityKind::GUARD_TRAINING | ActivityKind::EMERGENCY_DRILL => {
            "/crossings"
        }
        ActivityKind::SAFETY_TEST => "/tests",
        ActivityKind::LEDGER_SIGNED => "/ledgers",
        ActivityKind::WEEKLY_ANALYSIS => "/weekly-analyses",
        ActivityKind::LIAISON_REPORT => "/liaison/report",
        ActivityKind::TYPICAL_CASE => "/typical-cases",
        ActivityKind::MAJOR_HAZARD_RESOLVED => "/hazards?grade=major&open=true",
        _ => "",
    }
    .into()
}

/// `/`: the public go to the tip form; a signed-in person to the page that asked for the
/// sign-in (kept through its steps), or to their role's own first page.
async fn home(State(state): State<AppState>, headers: HeaderMap, s: Result<Signed, Response>) -> Response {
    let s = match s {
        Ok(s) => s,
        Err(_) if crate::auth::cookie(&headers, state.cookie_name()).is_none() => {
            return Redirect::to("/report").into_response()
        }
        Err(to_sign_in_or_finish) => return to_sign_in_or_finish,
    };
    match return_path(&headers) {
        Some(p) => ([(header::SET_COOKIE, return_cookie(&state, None))], Redirect::to(p)).into_response(),
        None => Redirect::to(home_of(s.actor().role)).into_response(),
    }
}

/// An open hazard as the workbench lists it.
struct HazardLine {
    id: i64,
    description: String,
    state_key: &'static str,
    deadline: String,
    overdue: bool,
}

/// A duty with the page that records it.
struct Duty {
    row: Row,
    entry: String,
    met: bool,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    p: Chrome,
    title: String,
    waiting: NeedsAction,
    duties: Vec<Duty>,
    hazards: Vec<HazardLine>,
    /// The month whose list the principal has still to sign, if any.
    unsigned: Option<String>,
}

async fn today(State(state): State<AppState>, s: Signed) -> Response {
    match today_page(&state, &s).await {
        Ok(page) => render(&page),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn today_page(state: &AppState, s: &Signed) -> anjian_app::Result<TodayPage> {
    let actor = s.actor();
    let app = &state.app;
    let now = app.clock.now();
    let waiting = app.needs_action(actor).await?;
    let plan = app.current_plan().await?;
    let mine = crate::kit::page::unless_forbidden(app.my_obligations(actor).await)?;
    let duties = mine
        .current
        .iter()
        .map(|o| Duty {
            row: Row::new(o),
            entry: plan.rule(&o.rule_id).map(|r| entry_link(plan.vocabulary(), r.activity)).unwrap_or_default(),
            met: matches!(o.status, Status::Met | Status::NotApplicable),
        })
        .collect();
    let org = actor.org.as_ref().filter(|o| o.kind != "regulator" && o.kind != "department");
    let hazards = match org {
        Some(o) if actor.role.can(Permission::ViewHazards) => {
            let f = HazardFilter { org_id: Some(o.id), open_only: true, ..Default::default() };
            let mut list = app.list_hazards(actor, &f, None, 200).await?;
            list.sort_by_key(|h| h.deadline);
            list.into_iter()
                .take(10)
                .map(|h| HazardLine {
                    id: h.id,
                    overdue: h.is_overdue(now),
                    description: h.description,
                    state_key: key("state", h.state.as_str()),
                    deadline: h.deadline.map(local_time).unwrap_or_default(),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    // Last month's list, once the month is over, until the principal has signed it.
    let unsigned = match org {
        Some(o) if actor.role.can(Permission::SignLedger) => {
            let last = anjian_domain::period::Period::containing(anjian_domain::period::PeriodKind::Month, now).start
                - chrono::Duration::days(1);
            let period = anjian_domain::period::local_date(last).format("%Y-%m").to_string();
            let signed = app.list_ledgers(actor, Some(&period), Some(o.id)).await?;
            signed.is_empty().then_some(period)
        }
        _ => None,
    };
    Ok(TodayPage {
        p: Chrome::signed(s, "/today"),
        title: org
            .map_or_else(|| s.lang.t("home.today").to_owned(), |o| format!("{} · {}", o.name, s.lang.t("home.today"))),
        waiting,
        duties,
        hazards,
        unsigned,
    })
}

#[derive(Template)]
#[template(path = "patrol.html")]
struct PatrolPage {
    p: Chrome,
    title: &'static str,
    rounds: Vec<CurrentRound>,
    hour: String,
}

/// The round under way at the guard's warehouses: what is done and what is still to visit.
async fn patrol(State(state): State<AppState>, s: Signed) -> Response {
    let rounds = match state.app.current_rounds(s.actor()).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let hour = rounds.first().map(|r| local_time(r.hour)).unwrap_or_default();
    render(&PatrolPage { p: Chrome::signed(&s, "/patrol"), title: s.lang.t("home.patrol"), rounds, hour })
}
