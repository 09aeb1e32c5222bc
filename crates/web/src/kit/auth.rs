//! Who is calling: a browser session (cookie) for pages, a personal access token or a session
//! with a CSRF header for the API.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;
use anjian_app::auth::{Pending, SessionCtx};
use anjian_app::{Actor, AppError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie(cookie(headers, "lang"))
}

/// The `Set-Cookie` value for a session token (or for clearing it).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> String {
    let name = state.cookie_name();
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// A page request with a session, which may still have a step to finish (second factor,
/// password change). Only the pages for those steps take this.
pub struct AnySession {
    pub ctx: SessionCtx,
    pub lang: Lang,
}

/// A page request by a fully signed-in user.
pub struct Signed {
    pub ctx: SessionCtx,
    pub lang: Lang,
    /// Unread reminders, for the inbox link in the page frame.
    pub unread: u64,
}

impl Signed {
    pub fn actor(&self) -> &Actor {
        &self.ctx.actor
    }
}

/// Where a session with an unfinished step must go.
pub fn pending_path(p: Pending) -> Option<&'static str> {
    match p {
        Pending::SecondFactor => Some("/login/second-factor"),
        Pending::EnrolSecondFactor => Some("/account/second-factor"),
        Pending::ChangePassword => Some("/account/password"),
        Pending::None => None,
    }
}

async fn session_of(parts: &Parts, state: &AppState) -> Result<SessionCtx, AppError> {
    let token = cookie(&parts.headers, state.cookie_name()).ok_or(AppError::Unauthenticated)?;
    state.app.session(token).await
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        match session_of(parts, state).await {
            Ok(ctx) => Ok(AnySession { ctx, lang }),
            Err(AppError::Unauthenticated) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(crate::error::PageError::new(e, lang).into_response()),
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AnySession { ctx, lang } = AnySession::from_request_parts(parts, state).await?;
        match pending_path(ctx.pending) {
            Some(p) => Err(Redirect::to(p).into_response()),
            None => {
                let unread = state.app.unread_count(&ctx.actor).await.unwrap_or(0);
                Ok(Signed { ctx, lang, unread })
            }
        }
    }
}

/// Checks a form's CSRF token against the session's; returns the refusal page if it is wrong.
pub fn csrf_refusal(ctx: &SessionCtx, token: &str, lang: Lang) -> Option<Response> {
    let expected = ctx.session.csrf_token.as_bytes();
    let given = token.as_bytes();
    // Compare every byte so the time taken does not tell how much matched.
    let same = expected.len() == given.len() && expected.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    (!same).then(|| crate::kit::page::error_page(lang, axum::http::StatusCode::FORBIDDEN, lang.t("err.csrf")))
}

/// The caller of an API request.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError(AppError::Unauthenticated))?;
            return Ok(ApiActor(state.app.token_actor(token.trim()).await?));
        }
        let ctx = session_of(parts, state).await?;
        if ctx.pending != Pending::None {
            return Err(ApiError(AppError::Unauthenticated));
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let given = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if given != ctx.session.csrf_token {
                return Err(ApiError(AppError::Forbidden));
            }
        }
        Ok(ApiActor(ctx.actor))
    }
}
