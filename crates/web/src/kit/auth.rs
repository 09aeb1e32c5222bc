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

/// The cookie that keeps, across sign-in and its steps, the page that asked for it.
const RETURN_COOKIE: &str = "anjian_return";

/// A path of this site a sign-in may return to: absolute on this host (`/patrol/…`), no scheme
/// or host (`//evil`, `/\evil`), in the characters a request line carries — nothing that could
/// leave the site or break a header.
pub fn local_path(p: &str) -> Option<&str> {
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && p.len() <= 512
        && p.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'));
    ok.then_some(p)
}

/// `/login?next=…` for a page asked for without a session.
pub fn login_for(path_and_query: &str) -> String {
    match local_path(path_and_query) {
        Some(p) if p != "/" => {
            format!("/login?next={}", percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC))
        }
        _ => "/login".to_owned(),
    }
}

/// The `Set-Cookie` value that keeps `path` to return to after sign-in (or clears it).
pub fn return_cookie(state: &AppState, path: Option<&str>) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    match path.and_then(local_path) {
        Some(p) => format!("{RETURN_COOKIE}={p}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800{secure}"),
        None => format!("{RETURN_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The page kept to return to, if any.
pub fn return_path(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, RETURN_COOKIE).and_then(local_path)
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
    /// The page asked for (path and query), for the language switch to return to.
    pub path: String,
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
            Err(AppError::Unauthenticated) => {
                // A page asked for without a session (a scanned checkpoint above all) is where
                // the sign-in returns to.
                let asked = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let back = if parts.method == Method::GET { login_for(asked) } else { "/login".to_owned() };
                Err(Redirect::to(&back).into_response())
            }
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
                let path = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
                Ok(Signed { ctx, lang, unread, path })
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

#[cfg(test)]
mod tests {
    use super::{local_path, login_for};

    #[test]
    fn a_sign_in_returns_only_to_a_page_of_this_site() {
        assert_eq!(local_path("/patrol/AB12?x=1"), Some("/patrol/AB12?x=1"));
        for outside in ["//evil.example/", "/\\evil.example", "https://evil.example/", "patrol", "/a b", "/a;b", ""] {
            assert_eq!(local_path(outside), None, "{outside}");
        }
        assert_eq!(login_for("/patrol/AB12"), "/login?next=%2Fpatrol%2FAB12");
        assert_eq!(login_for("//evil.example/"), "/login");
        assert_eq!(login_for("/"), "/login");
    }
}
