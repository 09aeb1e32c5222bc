//! The HTTP face of anjian: server-rendered pages (zh-CN first, no script from anywhere else),
//! the JSON API under `/api/v1` with its OpenAPI document, and the operations endpoints.
//! Handlers parse, call a use case in `anjian_app`, and render; no rule lives here.

pub mod api;
mod api_docs;
pub mod kit;
mod metrics;
mod ops;
mod pages;
mod request_id;
pub mod server;

// The features, one folder each: pages, API handlers and exports side by side.
mod account;
mod audit;
mod bureau_reports;
mod campaign;
mod checklists;
mod cockpit;
mod crossings;
mod fundamentals;
mod hazards;
mod home;
mod inspections;
mod ledgers;
mod liaison;
mod notifications;
mod obligations;
mod orgs;
mod papers;
mod points;
mod safety_test;
mod tips;
mod typical_cases;
mod users;
mod warehouses;

pub use kit::i18n;
use kit::{auth, error, sheets};

pub use error::{ErrorBody, ErrorDetail};
pub use metrics::Metrics;

use anjian_app::App;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// Cookies marked Secure with the `__Host-` prefix. Off only for plain-HTTP intranet trials.
    pub secure_cookies: bool,
    /// Send HSTS (only behind TLS).
    pub hsts: bool,
    /// The configured address people reach anjian at, for printed QR codes.
    pub public_url: Option<String>,
}

impl AppState {
    pub fn new(app: App) -> AppState {
        AppState { app, metrics: Arc::new(Metrics::new()), secure_cookies: true, hsts: false, public_url: None }
    }

    /// The base of links that leave the screen (printed QR codes): the configured public
    /// address, or — with a warning to show — the host this request came in on.
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> (String, bool) {
        match &self.public_url {
            Some(u) => (u.clone(), true),
            None => {
                let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
                let scheme = if self.hsts { "https" } else { "http" };
                (format!("{scheme}://{host}"), false)
            }
        }
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-anjian"
        } else {
            "anjian"
        }
    }
}

/// Headers every response carries (SECURITY.md): a CSP that allows no inline script, no
/// framing, no sniffing, and no caching of anything but the static assets.
async fn security_headers(state: axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        if !h.contains_key(k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    };
    set(h, "content-security-policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "no-referrer");
    set(h, header::CACHE_CONTROL.as_str(), "no-store");
    if state.hsts {
        set(h, "strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    resp
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(ops::router())
        .layer(middleware::from_fn_with_state(state.clone(), metrics::layer))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        // A bug in one request answers 500 and leaves the server and every other request alone.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            error::json_error(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error".into(),
                Vec::new(),
            )
        }))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The path only: query strings can carry search terms, never log them.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }))
        .layer(middleware::from_fn(request_id::layer))
        .with_state(state)
}
