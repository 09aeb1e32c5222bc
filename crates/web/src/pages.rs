//! Server-rendered pages, composed from the features' own routers. Each feature folder holds its
//! pages beside its API handlers and exports; what they share is in `kit`.

use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/app.css", get(css))
        .route("/assets/picker.js", get(picker_js))
        .route("/assets/inspection.js", get(inspection_js))
        .route("/lang/{code}", get(set_lang))
        .merge(crate::home::pages::router())
        .merge(crate::api_docs::router())
        .merge(crate::account::login::router())
        .merge(crate::campaign::pages::router())
        .merge(crate::orgs::pages::router())
        .merge(crate::users::pages::router())
        .merge(crate::audit::pages::router())
        .merge(crate::account::pages::router())
        .merge(crate::hazards::supervision::router())
        .merge(crate::papers::router())
        .merge(crate::hazards::pages::router())
        .merge(crate::inspections::pages::router())
        .merge(crate::ledgers::pages::router())
        .merge(crate::points::pages::router())
        .merge(crate::checklists::pages::router())
        .merge(crate::obligations::pages::router())
        .merge(crate::campaign::board::router())
        .merge(crate::liaison::pages::router())
        .merge(crate::notifications::pages::router())
        .merge(crate::crossings::pages::router())
        .merge(crate::safety_test::pages::router())
        .merge(crate::fundamentals::pages::router())
        .merge(crate::cockpit::pages::router())
        .merge(crate::typical_cases::pages::router())
        .merge(crate::bureau_reports::pages::router())
        .merge(crate::tips::pages::router())
        .merge(crate::warehouses::pages::router())
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../assets/app.css"),
    )
}

#[derive(serde::Deserialize, Default)]
struct LangQ {
    back: Option<String>,
}

/// A script the binary serves (same origin, so the CSP's `script-src 'self'` allows it).
fn script(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

async fn picker_js() -> impl IntoResponse {
    script(crate::kit::picker::SCRIPT)
}

async fn inspection_js() -> impl IntoResponse {
    script(include_str!("../assets/inspection.js"))
}

/// Switches the language and goes back to the page it was asked from (a path on this site
/// only; the pages send no referrer, so the link says where it came from).
async fn set_lang(
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<LangQ>,
) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    let back = q.back.as_deref().and_then(crate::auth::local_path).unwrap_or("/").to_owned();
    ([(header::SET_COOKIE, format!("lang={lang}; Path=/; SameSite=Lax; Max-Age=31536000"))], Redirect::to(&back))
        .into_response()
}
