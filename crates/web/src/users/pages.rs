//! Accounts in the caller's scope; admins create accounts and reset passwords here.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, render, role_key, Chrome};
use crate::AppState;
use anjian_app::users::CreateUser;
use anjian_domain::account::UserFilter;
use anjian_domain::role::{Permission, Role};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/export.xlsx", get(export))
        .route("/users/{id}/reset-password", post(reset))
        .route("/users/requests/{id}/approve", post(approve))
        .route("/users/requests/{id}/refuse", post(refuse))
}

/// A request waiting for a second admin, as the users page lists it.
pub struct RequestRow {
    pub id: i64,
    pub action_key: &'static str,
    pub username: String,
    pub display_name: String,
    pub role_key: &'static str,
    pub requested_at: String,
}

const PAGE: u64 = 50;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role_key: &'static str,
    pub org: Option<(i64, String)>,
    pub status_key: &'static str,
    pub mfa: bool,
    /// The role-creation table lets the caller reset this account (at once or by request).
    pub can_reset: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<UserRow>,
    count_text: String,
    q: String,
    next_href: Option<String>,
    can_manage: bool,
    roles: Vec<(&'static str, &'static str)>,
    one_time: Option<String>,
    notice: Option<&'static str>,
    errors: Vec<String>,
    /// The new account's organisation, picked by name.
    org_picker: crate::kit::picker::OrgPicker,
    requests: Vec<RequestRow>,
    /// The caller approves the requests listed (a system admin).
    can_decide: bool,
}

/// What a form's action came to: a one-time password to show, or a request filed.
enum Shown {
    Nothing,
    OneTime(String),
    Requested,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    org_id: Option<i64>,
    after: Option<i64>,
}

async fn page(state: &AppState, s: &Signed, q: ListQuery, shown: Shown, errors: Vec<String>) -> Response {
    let lang = s.lang;
    let actor = s.actor();
    let filter =
        UserFilter { role: None, org_id: q.org_id, q: q.q.clone().map(|s| s.trim().chars().take(50).collect()) };
    let (rows, count) = match tokio::try_join!(
        state.app.list_users(actor, &filter, q.after, PAGE),
        state.app.count_users(actor, &filter)
    ) {
        Ok(x) => x,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let org_names = crate::kit::page::org_names(state, actor, rows.iter().filter_map(|u| u.org_id)).await;
    let now = state.app.clock.now();
    let next_href = (rows.len() as u64 == PAGE).then(|| format!("/users?after={}", rows.last().map_or(0, |r| r.id)));
    let can_manage = actor.role.can(Permission::ManageUsers);
    let requests = if matches!(actor.role, Role::SysAdmin | Role::SecurityAdmin) {
        match state.app.pending_account_requests(actor).await {
            Ok(r) => r,
            Err(e) => return PageError::new(e, lang).into_response(),
        }
    } else {
        Vec::new()
    };
    let requests = requests
        .into_iter()
        .map(|r| RequestRow {
            id: r.id,
            action_key: if r.action == "reset" { "users.request_reset" } else { "users.request_create" },
            username: r.username.unwrap_or_default(),
            display_name: r.display_name.unwrap_or_default(),
            role_key: role_key(r.role.as_str()),
            requested_at: crate::sheets::local(r.requested_at).format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let (one_time, notice) = match shown {
        Shown::Nothing => (None, None),
        Shown::OneTime(pw) => (Some(pw), None),
        Shown::Requested => (None, Some("users.requested")),
    };
    let rows = rows
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role_key: role_key(u.role.as_str()),
            org: u.org_id.and_then(|id| org_names.get(&id).map(|n| (id, n.clone()))),
            status_key: if u.locked_until.is_some_and(|t| t > now) {
                "users.locked"
            } else if u.must_change_password {
                "users.must_change"
            } else {
                "users.active"
            },
            mfa: u.totp_secret.is_some(),
            can_reset: actor.role.grant(u.role) != anjian_domain::role::Grant::No,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    render(&ListPage {
        p: Chrome::signed(s, "/users"),
        title: lang.t("users.title"),
        rows,
        count_text: lang.t("orgs.count").replace("{}", &count.to_string()),
        q: q.q.unwrap_or_default(),
        next_href,
        can_manage,
        roles: Role::ALL
            .iter()
            .filter(|r| actor.role.grant(**r) != anjian_domain::role::Grant::No)
            .map(|r| (r.as_str(), key("role", r.as_str())))
            .collect(),
        one_time,
        notice,
        errors,
        org_picker: crate::kit::picker::org_picker(state, actor, "org_id", "users.org", None, q.org_id, false).await,
        requests,
        can_decide: actor.role == Role::SysAdmin,
    })
}

/// The accounts in scope with the page's filters as .xlsx (no secrets: name, role, organisation,
/// status, second factor).
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let actor = s.actor();
    let filter =
        UserFilter { role: None, org_id: q.org_id, q: q.q.clone().map(|s| s.trim().chars().take(50).collect()) };
    let mut rows = Vec::new();
    let mut after = None;
    while rows.len() < 100_000 {
        let page = match state.app.list_users(actor, &filter, after, PAGE).await {
            Ok(p) => p,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
        after = page.last().map(|u| u.id);
        let done = (page.len() as u64) < PAGE;
        rows.extend(page);
        if done {
            break;
        }
    }
    let names = crate::kit::page::org_names(&state, actor, rows.iter().filter_map(|u| u.org_id)).await;
    let zh = crate::i18n::Lang::Zh;
    let now = state.app.clock.now();
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|u| {
            let status = if u.locked_until.is_some_and(|t| t > now) {
                "users.locked"
            } else if u.must_change_password {
                "users.must_change"
            } else {
                "users.active"
            };
            vec![
                Cell::Text(u.username.clone()),
                Cell::Text(u.display_name.clone()),
                Cell::Text(zh.t(role_key(u.role.as_str())).to_owned()),
                Cell::Text(u.org_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default()),
                Cell::Text(zh.t(status).to_owned()),
                Cell::Text(
                    zh.t(if u.totp_secret.is_some() { "sheet.users.bound" } else { "sheet.users.unbound" }).to_owned(),
                ),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.users.file"),
        crate::sheets::zh("users.title"),
        &crate::sheets::zh_all(&[
            "users.username",
            "users.display_name",
            "users.role",
            "hazards.org",
            "users.status",
            "sheet.users.totp",
        ]),
        &[16.0, 14.0, 12.0, 30.0, 10.0, 10.0],
        &data,
    )
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    page(&state, &s, q, Shown::Nothing, Vec::new()).await
}

#[derive(Deserialize)]
struct CreateForm {
    _csrf: String,
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    org_id: String,
}

async fn create(State(state): State<AppState>, s: Signed, Form(f): Form<CreateForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let org_id = match f.org_id.trim() {
        "" => None,
        v => match state.app.pick_org(s.actor(), v, "org_id").await {
            Ok(n) => Some(n),
            Err(e) => {
                let msg = field_messages(s.lang, &e);
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page(&state, &s, ListQuery::default(), Shown::Nothing, msg).await,
                )
                    .into_response();
            }
        },
    };
    let input = CreateUser {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        org_id,
        leader_code: None,
        position: None,
    };
    match state.app.create_account(s.actor(), input).await {
        Ok(o) => page(&state, &s, ListQuery::default(), shown(o), Vec::new()).await,
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            let msgs = field_messages(s.lang, &e);
            (status, page(&state, &s, ListQuery::default(), Shown::Nothing, msgs).await).into_response()
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    _csrf: String,
}

async fn reset(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.reset_account(s.actor(), id).await {
        Ok(o) => page(&state, &s, ListQuery::default(), shown(o), Vec::new()).await,
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

fn shown(o: anjian_app::users::AccountOutcome) -> Shown {
    match o {
        anjian_app::users::AccountOutcome::Done { one_time_password, .. } => Shown::OneTime(one_time_password),
        anjian_app::users::AccountOutcome::Requested(_) => Shown::Requested,
    }
}

async fn approve(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    decide(state, s, id, f, true).await
}

async fn refuse(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    decide(state, s, id, f, false).await
}

async fn decide(state: AppState, s: Signed, id: i64, f: CsrfForm, approve: bool) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.decide_account_request(s.actor(), id, approve).await {
        Ok(Some((_, pw))) => page(&state, &s, ListQuery::default(), Shown::OneTime(pw), Vec::new()).await,
        Ok(None) => page(&state, &s, ListQuery::default(), Shown::Nothing, Vec::new()).await,
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
