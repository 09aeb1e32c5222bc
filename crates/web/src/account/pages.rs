//! One's own account: tokens for the API, signing out everywhere.

use crate::auth::{csrf_refusal, session_cookie, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, local_time, render, role_key, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/logout-everywhere", post(logout_everywhere))
        .route("/account/signing-secret", post(set_signing_secret))
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    username: String,
    role_key: &'static str,
    mfa: bool,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    errors: Vec<String>,
    /// The account signs hazard ledgers (a principal): the signing-secret form is shown.
    signs: bool,
    /// An admin reset the account: the next signature waits for a new signing secret.
    signing_secret_required: bool,
    signing_secret_set: bool,
}

async fn page(state: &AppState, s: &Signed, new_token: Option<String>, errors: Vec<String>) -> Response {
    let tokens = match state.app.my_tokens(s.actor()).await {
        Ok(t) => t,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let u = &s.actor().user;
    render(&Page {
        p: Chrome::signed(s, "/account"),
        title: s.lang.t("account.title"),
        username: u.username.clone(),
        role_key: role_key(u.role.as_str()),
        mfa: u.totp_secret.is_some(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                created: local_time(t.created_at),
                last_used: t.last_used_at.map_or_else(|| s.lang.t("common.never").to_owned(), local_time),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_token,
        errors,
        signs: s.actor().role.can(anjian_domain::role::Permission::SignLedger),
        signing_secret_required: u.signing_secret_required,
        signing_secret_set: u.signing_secret_hash.is_some(),
    })
}

async fn show(State(state): State<AppState>, s: Signed) -> Response {
    page(&state, &s, None, Vec::new()).await
}

#[derive(Deserialize)]
struct TokenForm {
    _csrf: String,
    name: String,
}

async fn create_token(State(state): State<AppState>, s: Signed, Form(f): Form<TokenForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.create_token(s.actor(), &f.name).await {
        Ok((_, token)) => page(&state, &s, Some(token), Vec::new()).await,
        Err(e) => {
            let msgs = field_messages(s.lang, &e);
            page(&state, &s, None, msgs).await
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    _csrf: String,
}

async fn revoke_token(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.revoke_token(s.actor(), id).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Deserialize)]
struct SigningSecretForm {
    _csrf: String,
    current: String,
    secret: String,
    repeat: String,
}

async fn set_signing_secret(State(state): State<AppState>, s: Signed, Form(f): Form<SigningSecretForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    if f.secret != f.repeat {
        let msgs = field_messages(s.lang, &anjian_app::AppError::invalid("repeat", "password_mismatch"));
        return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(&state, &s, None, msgs).await).into_response();
    }
    match state.app.set_signing_secret(s.actor(), &f.current, &f.secret).await {
        Ok(()) => Redirect::to("/account?signing_secret=1").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, page(&state, &s, None, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn logout_everywhere(State(state): State<AppState>, s: Signed, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.logout_everywhere(s.actor()).await {
        Ok(_) => ([(header::SET_COOKIE, session_cookie(&state, None))], Redirect::to("/login")).into_response(),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
