//! 包联: the leaders' assignments and this period's duties, each leader's monthly report (edited
//! in the browser, saved in versions, submitted, exported as .docx), and weekly analyses.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, local_time, render, Chrome, Row};
use crate::AppState;
use anjian_app::liaison::{AnalysisInput, LeaderView, ReportState};
use anjian_domain::report::WeeklyAnalysis;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/liaison", get(overview))
        .route("/liaison/export.xlsx", get(overview_xlsx))
        .route("/liaison/report", get(report).post(save))
        .route("/liaison/report.docx", get(docx))
        .route("/weekly-analyses", get(analyses).post(record))
        .route("/weekly-analyses/export.xlsx", get(analyses_xlsx))
        .route("/weekly-analyses/{id}", get(analysis))
}

pub struct LeaderRow {
    pub l: LeaderView,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "liaison.html")]
struct OverviewPage {
    p: Chrome,
    title: &'static str,
    leaders: Vec<LeaderRow>,
    month: String,
    is_leader: bool,
}

fn this_month(state: &AppState) -> String {
    anjian_domain::period::local_date(state.app.clock.now()).format("%Y-%m").to_string()
}

async fn overview(State(state): State<AppState>, s: Signed) -> Response {
    match state.app.liaison_overview(s.actor()).await {
        Ok(list) => render(&OverviewPage {
            p: Chrome::signed(&s, "/liaison"),
            title: s.lang.t("liaison.title"),
            leaders: list
                .into_iter()
                .map(|l| LeaderRow { rows: l.obligations.iter().map(Row::new).collect(), l })
                .collect(),
            month: this_month(&state),
            is_leader: s.actor().user.leader_code.is_some(),
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// The overview as an .xlsx: a row per leader and duty of this period (a leader with none has
/// one row), with the counties and industries they are assigned.
async fn overview_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let list = match state.app.liaison_overview(s.actor()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for l in list {
        let who = [
            Cell::Text(format!("{} {}", l.title, l.name)),
            Cell::Text(l.counties.join("、")),
            Cell::Text(l.industries.join("、")),
        ];
        let duties: Vec<Row> = l.obligations.iter().map(Row::new).collect();
        if duties.is_empty() {
            rows.push(who.to_vec());
        }
        for d in duties {
            let mut row = who.to_vec();
            row.extend([
                Cell::Text(d.title),
                Cell::Text(d.window),
                Cell::Text(d.progress),
                Cell::Text(zh.t(d.status_key).to_owned()),
            ]);
            rows.push(row);
        }
    }
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), Some(anjian_app::bureau_reports::month_title(&this_month(&state))))
            .await,
        &crate::i18n::Lang::Zh.fill("sheet.liaison.file", &[("month", &this_month(&state))]),
        crate::sheets::zh("liaison.title"),
        &crate::sheets::zh_all(&[
            "sheet.liaison.leader",
            "campaign.leader_counties",
            "campaign.leader_industries",
            "sheet.liaison.duty",
            "ob.window",
            "sheet.liaison.progress",
            "ob.status",
        ]),
        &[20.0, 20.0, 24.0, 30.0, 20.0, 10.0, 10.0],
        &rows,
    )
}

#[derive(Deserialize, Default)]
struct ReportQ {
    month: Option<String>,
    leader: Option<String>,
    saved: Option<String>,
    draft: Option<String>,
}

#[derive(Template)]
#[template(path = "liaison_report.html")]
struct ReportPage {
    p: Chrome,
    title: &'static str,
    r: ReportState,
    can_edit: bool,
    saved: bool,
    errors: Vec<String>,
    saved_at: String,
}

async fn report_page(state: &AppState, s: &Signed, q: ReportQ, body: Option<String>, errors: Vec<String>) -> Response {
    let month = q.month.filter(|m| !m.is_empty()).unwrap_or_else(|| this_month(state));
    match state.app.liaison_report(s.actor(), q.leader.as_deref().filter(|l| !l.is_empty()), &month).await {
        Ok(mut r) => {
            if let Some(b) = body {
                r.body = b;
            }
            render(&ReportPage {
                p: Chrome::signed(s, "/liaison"),
                title: s.lang.t("liaison.report"),
                can_edit: s.actor().user.leader_code.as_deref() == Some(r.leader.as_str()),
                saved: q.saved.is_some(),
                saved_at: r.latest.as_ref().map(|l| local_time(l.created_at)).unwrap_or_default(),
                r,
                errors,
            })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn report(State(state): State<AppState>, s: Signed, Query(q): Query<ReportQ>) -> Response {
    report_page(&state, &s, q, None, Vec::new()).await
}

#[derive(Deserialize)]
struct SaveForm {
    _csrf: String,
    month: String,
    body: String,
    #[serde(default)]
    submit: Option<String>,
}

async fn save(State(state): State<AppState>, s: Signed, Form(f): Form<SaveForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.save_liaison_report(s.actor(), &f.month, &f.body, f.submit.is_some()).await {
        Ok(_) => Redirect::to(&format!("/liaison/report?month={}&saved=1", f.month)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            let q = ReportQ { month: Some(f.month), ..Default::default() };
            (status, report_page(&state, &s, q, Some(f.body), field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn docx(State(state): State<AppState>, s: Signed, Query(q): Query<ReportQ>) -> Response {
    let month = q.month.filter(|m| !m.is_empty()).unwrap_or_else(|| this_month(&state));
    match state
        .app
        .liaison_report_docx(s.actor(), q.leader.as_deref().filter(|l| !l.is_empty()), &month, q.draft.is_some())
        .await
    {
        Ok((name, bytes)) => crate::sheets::docx_response(bytes, &name),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "weekly_analyses.html")]
struct AnalysesPage {
    p: Chrome,
    title: &'static str,
    list: Vec<(WeeklyAnalysis, String)>,
    errors: Vec<String>,
    can_record: bool,
    draft: (String, String),
}

async fn analyses_page(state: &AppState, s: &Signed, errors: Vec<String>, draft: (String, String)) -> Response {
    match state.app.weekly_analyses(s.actor()).await {
        Ok(list) => render(&AnalysesPage {
            p: Chrome::signed(s, "/liaison"),
            title: s.lang.t("weekly.title"),
            list: list
                .into_iter()
                .map(|a| {
                    let t = local_time(a.created_at);
                    (a, t)
                })
                .collect(),
            errors,
            can_record: s.actor().role.is_bureau(),
            draft,
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn analyses(State(state): State<AppState>, s: Signed) -> Response {
    analyses_page(&state, &s, Vec::new(), Default::default()).await
}

#[derive(Deserialize)]
struct AnalysisForm {
    _csrf: String,
    #[serde(default)]
    week_start: String,
    analysis: String,
    arrangements: String,
    #[serde(default)]
    idempotency_key: String,
}

async fn record(State(state): State<AppState>, s: Signed, Form(f): Form<AnalysisForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let input = AnalysisInput {
        week_start: Some(f.week_start),
        analysis: f.analysis.clone(),
        arrangements: f.arrangements.clone(),
    };
    let key = (!f.idempotency_key.is_empty()).then_some(f.idempotency_key.as_str());
    match state.app.record_weekly_analysis(s.actor(), input, key).await {
        Ok(c) => Redirect::to(&format!("/weekly-analyses/{}", c.value.id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            let status = if status == StatusCode::OK { StatusCode::UNPROCESSABLE_ENTITY } else { status };
            (status, analyses_page(&state, &s, field_messages(s.lang, &e), (f.analysis, f.arrangements)).await)
                .into_response()
        }
    }
}

/// The weekly analyses in scope as .xlsx.
async fn analyses_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let list = match state.app.weekly_analyses(s.actor()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(&state, s.actor(), list.iter().map(|a| a.org_id)).await;
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.week_start.clone()),
                Cell::Text(names.get(&a.org_id).cloned().unwrap_or_default()),
                Cell::Text(a.author.clone()),
                Cell::Text(a.analysis.clone()),
                Cell::Text(a.arrangements.clone()),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.weekly.file"),
        crate::sheets::zh("weekly.analysis"),
        &crate::sheets::zh_all(&[
            "sheet.weekly.week",
            "hazards.org",
            "weekly.author",
            "weekly.analysis",
            "weekly.arrangements",
        ]),
        &[12.0, 24.0, 12.0, 50.0, 50.0],
        &rows,
    )
}

#[derive(Template)]
#[template(path = "weekly_analysis.html")]
struct AnalysisPage {
    p: Chrome,
    title: &'static str,
    a: WeeklyAnalysis,
    at: String,
}

async fn analysis(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    match state.app.weekly_analysis(s.actor(), id).await {
        Ok(a) => render(&AnalysisPage {
            p: Chrome::signed(&s, "/liaison"),
            title: s.lang.t("weekly.title"),
            at: local_time(a.created_at),
            a,
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
