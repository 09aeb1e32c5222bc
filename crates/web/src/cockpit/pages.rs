//! The cockpit: a city's (or a county's) picture as server-drawn SVG charts and figures, every
//! one a link to the records behind it. Prints as it shows.

use crate::auth::Signed;
use crate::error::PageError;
use crate::kit::page::{render, Chrome};
use crate::AppState;
use anjian_app::cockpit::Cockpit;
use anjian_reports::chart::{bars, Series};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/cockpit", get(page))
}

#[derive(Template)]
#[template(path = "cockpit.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    c: Cockpit,
    charts: Vec<String>,
    /// The names of `c.by_industry`'s industries, in order.
    industries: Vec<String>,
    /// What waits for the reader's action, first.
    waiting: anjian_app::home::NeedsAction,
}

#[derive(Deserialize, Default)]
struct Q {
    jurisdiction_id: Option<i64>,
}

/// The charts of a cockpit, in the page's language.
/// All tips counted on the cockpit, whatever their outcome.
fn tips_total(tips: &[(String, u64)]) -> u64 {
    tips.iter().map(|t| t.1).sum()
}

pub fn charts(c: &Cockpit, lang: crate::i18n::Lang) -> Vec<String> {
    let place = c.jurisdiction_id.map(|j| format!("&jurisdiction_id={j}")).unwrap_or_default();
    let months: Vec<String> =
        c.months.iter().map(|m| lang.t("cockpit.month_label").replace("{m}", m[5..].trim_start_matches('0'))).collect();
    let hazards = bars(
        lang.t("cockpit.hazards_by_month"),
        &months,
        &[
            Series {
                name: lang.t("cockpit.found").into(),
                color: "#c62828",
                values: c.found.clone(),
                links: c.months.iter().map(|m| format!("/hazards?period={m}{place}")).collect(),
            },
            Series { name: lang.t("cockpit.closed").into(), color: "#2e7d32", values: c.closed.clone(), links: vec![] },
        ],
    );
    let counties = bars(
        lang.t("cockpit.open_by_county"),
        &c.by_county.iter().map(|x| x.1.clone()).collect::<Vec<_>>(),
        &[
            Series {
                name: lang.t("cockpit.open").into(),
                color: "#1f4f8f",
                values: c.by_county.iter().map(|x| x.2).collect(),
                links: c.by_county.iter().map(|x| format!("/hazards?jurisdiction_id={}&state=", x.0)).collect(),
            },
            Series {
                name: lang.t("cockpit.overdue").into(),
                color: "#c62828",
                values: c.by_county.iter().map(|x| x.3).collect(),
                links: c.by_county.iter().map(|x| format!("/hazards?jurisdiction_id={}&overdue=1", x.0)).collect(),
            },
        ],
    );
    let county_names = c.by_county.iter().map(|x| x.1.clone()).collect::<Vec<_>>();
    let found_closed = bars(
        lang.t("cockpit.found_closed_by_county"),
        &county_names,
        &[
            Series {
                name: lang.t("cockpit.found").into(),
                color: "#c62828",
                values: c.by_county.iter().map(|x| x.4).collect(),
                links: c.by_county.iter().map(|x| format!("/hazards?jurisdiction_id={}", x.0)).collect(),
            },
            Series {
                name: lang.t("cockpit.closed").into(),
                color: "#2e7d32",
                values: c.by_county.iter().map(|x| x.5).collect(),
                links: c.by_county.iter().map(|x| format!("/hazards?jurisdiction_id={}&state=closed", x.0)).collect(),
            },
        ],
    );
    let compliance = bars(
        lang.t("cockpit.compliance"),
        &c.compliance.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
        &[
            Series {
                name: lang.t("obstatus.met").into(),
                color: "#2e7d32",
                values: c.compliance.iter().map(|x| u64::from(x.1)).collect(),
                links: vec![],
            },
            Series {
                name: lang.t("obstatus.overdue").into(),
                color: "#c62828",
                values: c.compliance.iter().map(|x| u64::from(x.3)).collect(),
                links: c
                    .compliance
                    .iter()
                    .map(|_| format!("/compliance/overdue?{}", place.trim_start_matches('&')))
                    .collect(),
            },
        ],
    );
    let tasks = bars(
        lang.t("cockpit.tasks"),
        &c.tasks.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
        &[
            Series {
                name: lang.t("taskstatus.done").into(),
                color: "#2e7d32",
                values: c.tasks.iter().map(|x| u64::from(x.1)).collect(),
                links: vec![],
            },
            Series {
                name: lang.t("taskstatus.in_progress").into(),
                color: "#1f4f8f",
                values: c.tasks.iter().map(|x| u64::from(x.2)).collect(),
                links: vec![],
            },
            Series {
                name: lang.t("taskstatus.not_started").into(),
                color: "#9e9e9e",
                values: c.tasks.iter().map(|x| u64::from(x.3)).collect(),
                links: vec![],
            },
            Series {
                name: lang.t("taskstatus.overdue").into(),
                color: "#c62828",
                values: c.tasks.iter().map(|x| u64::from(x.4)).collect(),
                links: c.tasks.iter().map(|_| "/campaign/board".to_owned()).collect(),
            },
        ],
    );
    vec![hazards, found_closed, counties, compliance, tasks]
}

async fn page(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    match (state.app.cockpit(s.actor(), q.jurisdiction_id).await, state.app.needs_action(s.actor()).await) {
        (Ok(c), Ok(waiting)) => {
            let words = crate::kit::words::Words::of(&state, s.lang).await;
            render(&Page {
                p: Chrome::signed(&s, "/cockpit"),
                title: s.lang.t("cockpit.title"),
                charts: charts(&c, s.lang),
                industries: c.by_industry.iter().map(|i| words.industry(&i.0)).collect(),
                c,
                waiting,
            })
        }
        (Err(e), _) | (_, Err(e)) => PageError::new(e, s.lang).into_response(),
    }
}
