//! Signing in: password, second factor, enrolment, forced password change, signing out.

use crate::auth::{csrf_refusal, lang_of, local_path, pending_path, return_cookie, session_cookie, AnySession};
use crate::kit::page::{render, Chrome};
use crate::AppState;
use anjian_app::auth::Pending;
use anjian_app::AppError;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/login/second-factor", get(second_factor_form).post(second_factor))
        .route("/account/second-factor", get(enrol_form).post(enrol))
        .route("/account/password", get(password_form).post(change_password))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Chrome,
    title: &'static str,
    error: Option<&'static str>,
    username: String,
    /// The page that asked for the sign-in, to return to.
    next: String,
}

#[derive(Deserialize, Default)]
struct NextQ {
    next: Option<String>,
}

async fn login_form(headers: HeaderMap, Query(q): Query<NextQ>) -> Response {
    let lang = lang_of(&headers);
    render(&LoginPage {
        p: Chrome::anonymous(lang).at("/login"),
        title: lang.t("login.title"),
        error: None,
        username: String::new(),
        next: q.next.as_deref().and_then(local_path).unwrap_or_default().to_owned(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    if crate::kit::page::cross_site(&headers) {
        return crate::kit::page::error_page(lang, StatusCode::FORBIDDEN, lang.t("err.csrf"));
    }
    match state.app.login(&form.username, &form.password, Some(crate::kit::page::client_ip(peer, &headers))).await {
        // Home sends them on: through any step still open (second factor, new password), then
        // to the page that asked for the sign-in, or to their role's own first page.
        Ok(s) => (
            AppendHeaders([
                (header::SET_COOKIE, session_cookie(&state, Some(&s.token))),
                (header::SET_COOKIE, return_cookie(&state, Some(&form.next))),
            ]),
            Redirect::to("/"),
        )
            .into_response(),
        Err(e @ (AppError::BadCredentials | AppError::Locked | AppError::Throttled)) => {
            let (status, code) = crate::error::status_and_code(&e);
            let page = LoginPage {
                p: Chrome::anonymous(lang).at("/login"),
                title: lang.t("login.title"),
                error: Some(lang.code_message(code)),
                username: form.username.chars().take(64).collect(),
                next: local_path(&form.next).unwrap_or_default().to_owned(),
            };
            (status, render(&page)).into_response()
        }
        Err(e) => crate::error::PageError::new(e, lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    p: Chrome,
    title: &'static str,
    error: Option<&'static str>,
}

async fn second_factor_form(s: AnySession) -> Response {
    if s.ctx.pending != Pending::SecondFactor {
        return Redirect::to(pending_path(s.ctx.pending).unwrap_or("/")).into_response();
    }
    render(&SecondFactorPage {
        p: Chrome::for_session(&s.ctx, s.lang, "", false),
        title: s.lang.t("mfa.title"),
        error: None,
    })
}

#[derive(Deserialize)]
struct CodeForm {
    _csrf: String,
    code: String,
    #[serde(default)]
    secret: String,
}

async fn second_factor(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    s: AnySession,
    Form(f): Form<CodeForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.verify_second_factor(&s.ctx, &f.code, Some(crate::kit::page::client_ip(peer, &headers))).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => {
            let (status, code) = crate::error::status_and_code(&e);
            let page = SecondFactorPage {
                p: Chrome::for_session(&s.ctx, s.lang, "", false),
                title: s.lang.t("mfa.title"),
                error: Some(s.lang.code_message(code)),
            };
            (status, render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    p: Chrome,
    title: &'static str,
    error: Option<&'static str>,
    secret: String,
    /// The secret in groups of four, to read off and type.
    grouped: String,
    uri: String,
    /// The setup link drawn as a QR code (SVG, made here: no outside service sees the secret).
    qr: String,
}

fn enrol_page(s: &AnySession, secret: String, error: Option<&'static str>) -> EnrolPage {
    let account = percent_encoding::utf8_percent_encode(&s.ctx.actor.user.username, percent_encoding::NON_ALPHANUMERIC);
    let uri =
        format!("otpauth://totp/anjian:{account}?secret={secret}&issuer=anjian&algorithm=SHA1&digits=6&period=30");
    let qr = anjian_reports::qr::svg(&uri, 220)
        .map(|svg| svg.find("<svg").map_or(svg.clone(), |i| svg[i..].to_owned()))
        .unwrap_or_default();
    let grouped =
        secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    EnrolPage {
        p: Chrome::for_session(&s.ctx, s.lang, "", false),
        title: s.lang.t("enrol.title"),
        error,
        secret,
        grouped,
        uri,
        qr,
    }
}

async fn enrol_form(State(state): State<AppState>, s: AnySession) -> Response {
    if s.ctx.pending == Pending::SecondFactor {
        return Redirect::to("/login/second-factor").into_response();
    }
    render(&enrol_page(&s, state.app.new_totp_secret(), None))
}

async fn enrol(State(state): State<AppState>, s: AnySession, Form(f): Form<CodeForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    if s.ctx.pending == Pending::SecondFactor {
        return Redirect::to("/login/second-factor").into_response();
    }
    match state.app.enrol_second_factor(&s.ctx, &f.secret, &f.code).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => {
            let (status, code) = crate::error::status_and_code(&e);
            let msg = s.lang.code_message(code);
            (status, render(&enrol_page(&s, f.secret.clone(), Some(msg)))).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    p: Chrome,
    title: &'static str,
    forced: bool,
    done: bool,
    errors: Vec<String>,
}

fn password_page(s: &AnySession, done: bool, errors: Vec<String>) -> PasswordPage {
    let forced = s.ctx.pending == Pending::ChangePassword;
    PasswordPage {
        p: Chrome::for_session(&s.ctx, s.lang, "", !forced),
        title: s.lang.t("password.title"),
        forced,
        done,
        errors,
    }
}

async fn password_form(s: AnySession) -> Response {
    if s.ctx.pending == Pending::SecondFactor {
        return Redirect::to("/login/second-factor").into_response();
    }
    render(&password_page(&s, false, Vec::new()))
}

#[derive(Deserialize)]
struct PasswordForm {
    _csrf: String,
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(State(state): State<AppState>, s: AnySession, Form(f): Form<PasswordForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    if s.ctx.pending == Pending::SecondFactor {
        return Redirect::to("/login/second-factor").into_response();
    }
    if f.new != f.repeat {
        let msgs = vec![s.lang.code_message("password_mismatch").to_owned()];
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&password_page(&s, false, msgs))).into_response();
    }
    match state.app.change_password(&s.ctx, &f.current, &f.new).await {
        // Any step still open (enrolling a second factor) is where home sends them.
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => {
            let msgs = crate::kit::page::field_messages(s.lang, &e);
            let (status, _) = crate::error::status_and_code(&e);
            (status, render(&password_page(&s, false, msgs))).into_response()
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    _csrf: String,
}

async fn logout(State(state): State<AppState>, s: AnySession, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    if let Err(e) = state.app.logout(&s.ctx).await {
        return crate::error::PageError::new(e, s.lang).into_response();
    }
    ([(header::SET_COOKIE, session_cookie(&state, None))], Redirect::to("/login")).into_response()
}
