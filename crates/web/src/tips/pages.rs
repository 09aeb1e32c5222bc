//! The tip channel's pages. Public (no account, no cookie, nothing about the request kept):
//! the report form with its proof of work, the receipt shown once, following a tip with the
//! receipt code. The bureau's: the list with filters and Excel, a tip with its steps, the
//! statistics.
//!
//! The receipt code travels only in form bodies (POST), never in a URL, so it cannot end up in
//! a proxy's access log or a browser's history.

use crate::auth::{csrf_refusal, lang_of, Signed};
use crate::error::PageError;
use crate::i18n::Lang;
use crate::kit::page::{field_messages, local_time, render, Chrome};
use crate::AppState;
use anjian_app::tips::{AssignInput, Challenge, ReporterView, RewardInput, TipDetail, TipInput, TipStatRow};
use anjian_domain::org::Jurisdiction;
use anjian_domain::tip::{Tip, TipFilter};
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT);
    Router::new()
        .route("/report", get(report_form).post(submit).layer(upload))
        .route("/report/follow", get(follow_form).post(follow))
        .route("/report/follow/message", post(reporter_message))
        .route("/assets/pow.js", get(pow_js))
        .route("/tips", get(list))
        .route("/tips/export.xlsx", get(export))
        .route("/tips/stats", get(stats))
        .route("/tips/stats.xlsx", get(stats_xlsx))
        .route("/tips/{id}", get(detail))
        .route("/tips/{id}/files/{file}", get(file))
        .route("/tips/{id}/assign", post(assign))
        .route("/tips/{id}/conclude", post(conclude).layer(upload))
        .route("/tips/{id}/{step}", post(step))
}

async fn pow_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/pow.js"),
    )
}

// ---- public ----

#[derive(Template)]
#[template(path = "tip_new.html")]
struct ReportPage {
    p: Chrome,
    title: &'static str,
    errors: Vec<String>,
    internal: bool,
    categories: Vec<String>,
    counties: Vec<Jurisdiction>,
    challenge: Challenge,
}

#[derive(Deserialize, Default)]
struct ReportQ {
    channel: Option<String>,
}

async fn report_page(state: &AppState, lang: Lang, internal: bool, errors: Vec<String>) -> Response {
    match state.app.tip_form().await {
        Ok((categories, counties, challenge)) => render(&ReportPage {
            p: Chrome::anonymous(lang).at(if internal { "/report?channel=internal" } else { "/report" }),
            title: lang.t("tip.new"),
            errors,
            internal,
            categories,
            counties,
            challenge,
        }),
        Err(e) => PageError::new(e, lang).into_response(),
    }
}

async fn report_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQ>) -> Response {
    report_page(&state, lang_of(&headers), q.channel.as_deref() == Some("internal"), Vec::new()).await
}

#[derive(Template)]
#[template(path = "tip_receipt.html")]
struct ReceiptPage {
    p: Chrome,
    title: &'static str,
    code: String,
}

async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> Response {
    let lang = lang_of(&headers);
    if crate::kit::page::cross_site(&headers) {
        return crate::kit::page::error_page(lang, StatusCode::FORBIDDEN, lang.t("err.csrf"));
    }
    let Some(fields) = crate::kit::page::multipart_list(form).await else {
        return crate::kit::page::error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, lang.code_message("too_large"));
    };
    let text = |n: &str| crate::kit::page::list_text(&fields, n);
    let photos: Vec<Vec<u8>> =
        fields.iter().filter(|(k, v)| k == "photo" && !v.is_empty()).map(|(_, v)| v.clone()).collect();
    let input = TipInput {
        channel: text("channel"),
        category: text("category"),
        county: text("county"),
        subject: text("subject"),
        place: text("place"),
        happened_on: text("happened_on"),
        work_team: text("work_team"),
        body: text("body"),
        contact: text("contact"),
        challenge: text("challenge"),
        nonce: text("nonce"),
    };
    let internal = input.channel == "internal";
    match state.app.submit_tip(Some(crate::kit::page::client_ip(peer, &headers)), input, photos).await {
        Ok(code) => render(&ReceiptPage {
            p: Chrome::anonymous(lang),
            title: lang.t("tip.receipt_title"),
            code: code.to_string(),
        }),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, report_page(&state, lang, internal, field_messages(lang, &e)).await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "tip_follow.html")]
struct FollowPage {
    p: Chrome,
    title: &'static str,
    error: Option<&'static str>,
    code: String,
    view: Option<ReporterView>,
    sent: bool,
}

fn follow_page(
    lang: Lang,
    code: String,
    view: Option<ReporterView>,
    error: Option<&'static str>,
    sent: bool,
) -> Response {
    render(&FollowPage {
        p: Chrome::anonymous(lang).at("/report/follow"),
        title: lang.t("tip.follow"),
        error,
        code,
        view,
        sent,
    })
}

async fn follow_form(headers: HeaderMap) -> Response {
    follow_page(lang_of(&headers), String::new(), None, None, false)
}

#[derive(Deserialize)]
struct FollowForm {
    code: String,
    #[serde(default)]
    body: String,
}

async fn follow(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<FollowForm>,
) -> Response {
    let lang = lang_of(&headers);
    match state.app.follow_tip(Some(crate::kit::page::client_ip(peer, &headers)), &f.code).await {
        Ok(v) => follow_page(lang, f.code, Some(v), None, false),
        Err(e) => {
            let (status, code) = crate::error::status_and_code(&e);
            let msg = if code == "not_found" { lang.t("tip.no_such_code") } else { lang.code_message(code) };
            (status, follow_page(lang, String::new(), None, Some(msg), false)).into_response()
        }
    }
}

async fn reporter_message(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<FollowForm>,
) -> Response {
    let lang = lang_of(&headers);
    if crate::kit::page::cross_site(&headers) {
        return crate::kit::page::error_page(lang, StatusCode::FORBIDDEN, lang.t("err.csrf"));
    }
    let sent = state.app.reporter_message(Some(crate::kit::page::client_ip(peer, &headers)), &f.code, &f.body).await;
    match (sent, state.app.follow_tip(Some(crate::kit::page::client_ip(peer, &headers)), &f.code).await) {
        (Ok(()), Ok(v)) => follow_page(lang, f.code, Some(v), None, true),
        (Err(e), Ok(v)) => {
            let (status, code) = crate::error::status_and_code(&e);
            (status, follow_page(lang, f.code, Some(v), Some(lang.code_message(code)), false)).into_response()
        }
        (_, Err(e)) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, follow_page(lang, String::new(), None, Some(lang.t("tip.no_such_code")), false)).into_response()
        }
    }
}

// ---- the bureau's ----

#[derive(Deserialize, Default)]
struct ListQ {
    state: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    county: Option<String>,
    /// `YYYY-MM`
    month: Option<String>,
    overdue: Option<String>,
}

impl ListQ {
    /// The filter the page shows, as the store takes it; the export uses the same.
    async fn filter(&self, state: &AppState) -> anjian_app::Result<TipFilter> {
        let some = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
        let county_path = match some(&self.county) {
            Some(code) => Some(state.app.jurisdiction_filter_by_code(&code).await?),
            None => None,
        };
        let (from, until) = match some(&self.month).and_then(|m| anjian_app::ledgers::parse_period(&m).ok()) {
            Some(p) => (Some(p.start), Some(p.end)),
            None => (None, None),
        };
        Ok(TipFilter {
            state: some(&self.state)
                .map(|s| s.parse())
                .transpose()
                .map_err(|_| anjian_app::AppError::invalid("state", "invalid_kind"))?,
            category: some(&self.category),
            channel: some(&self.channel),
            county_path,
            from,
            until,
            overdue_at: some(&self.overdue).map(|_| state.app.clock.now()),
        })
    }

    fn query(&self) -> String {
        let v = |s: &Option<String>| s.clone().unwrap_or_default();
        format!(
            "state={}&category={}&channel={}&county={}&month={}&overdue={}",
            v(&self.state),
            v(&self.category),
            v(&self.channel),
            v(&self.county),
            v(&self.month),
            v(&self.overdue)
        )
    }
}

#[derive(Template)]
#[template(path = "tips.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    tips: Vec<(Tip, bool)>,
    categories: Vec<String>,
    counties: Vec<Jurisdiction>,
    q: ListQ,
    query: String,
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    let f = match q.filter(&state).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let now = state.app.clock.now();
    match (state.app.tips(s.actor(), &f, 500).await, state.app.tip_form().await) {
        (Ok(tips), Ok((categories, counties, _))) => render(&ListPage {
            p: Chrome::signed(&s, "/tips"),
            title: s.lang.t("tip.list"),
            tips: tips
                .into_iter()
                .map(|t| {
                    let overdue = t.is_overdue(now);
                    (t, overdue)
                })
                .collect(),
            categories,
            counties,
            query: q.query(),
            q,
        }),
        (Err(e), _) | (_, Err(e)) => PageError::new(e, s.lang).into_response(),
    }
}

async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    let f = match q.filter(&state).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let tips = match state.app.tips(s.actor(), &f, 10_000).await {
        Ok(t) => t,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let lang = s.lang;
    let rows: Vec<Vec<Cell>> = tips
        .iter()
        .map(|t| {
            vec![
                Cell::Number(t.id as f64),
                Cell::Text(local_time(t.created_at)),
                Cell::Text(lang.t(crate::kit::page::key("tip.channel", t.channel.as_str())).to_owned()),
                Cell::Text(t.category.clone()),
                Cell::Text(t.subject.clone()),
                Cell::Text(t.place.clone()),
                Cell::Text(lang.t(crate::kit::page::key("tip.state", t.state.as_str())).to_owned()),
                Cell::Text(
                    t.outcome
                        .map(|o| lang.t(crate::kit::page::key("tip.outcome", o.as_str())).to_owned())
                        .unwrap_or_default(),
                ),
                Cell::Text(t.due_at.map(local_time).unwrap_or_default()),
                t.reward_yuan.map_or(Cell::Empty, |y| Cell::Number(y as f64)),
            ]
        })
        .collect();
    let h = |k: &str| lang.t(k);
    crate::sheets::table_response(
        lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.tips.file"),
        h("tip.list"),
        &[
            "#",
            h("tip.received"),
            h("tip.channel"),
            h("tip.category"),
            h("tip.subject"),
            h("tip.place"),
            h("tip.state"),
            h("tip.outcome"),
            h("tip.due"),
            h("tip.reward_yuan"),
        ],
        &[8.0, 18.0, 10.0, 14.0, 24.0, 24.0, 12.0, 12.0, 18.0, 12.0],
        &rows,
    )
}

#[derive(Template)]
#[template(path = "tip.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    d: TipDetail,
    errors: Vec<String>,
    categories: Vec<String>,
    counties: Vec<Jurisdiction>,
    assignees: Vec<anjian_domain::org::Org>,
    findings: Vec<String>,
    can_handle: bool,
    can_reveal: bool,
    contact: Option<String>,
    /// The steps the handler may take now (the state machine's answer).
    steps: anjian_domain::tip::Steps,
    /// The enterprise the tip concerns, picked by name.
    org_picker: crate::kit::picker::OrgPicker,
}

async fn detail_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>, contact: Option<String>) -> Response {
    let d = match state.app.tip_detail(s.actor(), id).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let (categories, counties, _) = match state.app.tip_form().await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let plan = state.app.current_plan().await.ok();
    let findings = anjian_app::App::tip_rules(plan.as_deref()).rewards.into_iter().map(|r| r.finding).collect();
    let assignees = match crate::kit::page::unless_forbidden(state.app.tip_assignees(s.actor()).await) {
        Ok(a) => a,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    use anjian_domain::role::Permission;
    let d_steps = d.tip.steps(s.actor().id());
    let can_handle = s.actor().role.can(Permission::HandleTips);
    let org_picker = if can_handle {
        crate::kit::picker::org_picker(state, s.actor(), "org_id", "tip.org", None, d.tip.org_id, false).await
    } else {
        crate::kit::picker::OrgPicker::unused("org_id", "tip.org")
    };
    render(&DetailPage {
        org_picker,
        p: Chrome::signed(s, "/tips"),
        title: format!("{} #{}", s.lang.t("tip.one"), id),
        d,
        errors,
        categories,
        counties,
        assignees,
        findings,
        can_handle,
        can_reveal: s.actor().role.can(Permission::RevealTipContact),
        contact,
        steps: d_steps,
    })
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    detail_page(&state, &s, id, Vec::new(), None).await
}

async fn file(State(state): State<AppState>, s: Signed, Path((id, fid)): Path<(i64, i64)>) -> Response {
    match state.app.tip_file(s.actor(), id, fid).await {
        Ok((f, bytes)) => {
            ([(header::CONTENT_TYPE, f.content_type), (header::CONTENT_DISPOSITION, "inline".to_owned())], bytes)
                .into_response()
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// After a step: back to the tip, or the tip with the step's errors.
async fn after(state: &AppState, s: &Signed, id: i64, r: anjian_app::Result<()>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/tips/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(state, s, id, field_messages(s.lang, &e), None).await).into_response()
        }
    }
}

#[derive(Deserialize)]
struct AssignForm {
    _csrf: String,
    category: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    org_id: String,
    assignee_org_id: String,
    #[serde(default)]
    note: String,
}

async fn assign(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<AssignForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    // The enterprise concerned, if named: picked by name (or code, or number) in scope.
    let org_id = match f.org_id.trim() {
        "" => None,
        text => match state.app.pick_org(s.actor(), text, "org_id").await {
            Ok(id) => Some(id),
            Err(e) => return after(&state, &s, id, Err(e)).await,
        },
    };
    let input = AssignInput {
        category: f.category,
        county: f.county,
        org_id,
        assignee_org_id: f.assignee_org_id.parse().unwrap_or(0),
        note: f.note,
    };
    let r = state.app.assign_tip(s.actor(), id, input).await;
    after(&state, &s, id, r).await
}

async fn conclude(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = crate::kit::page::multipart_list(form).await else {
        return crate::kit::page::error_page(s.lang, StatusCode::PAYLOAD_TOO_LARGE, s.lang.code_message("too_large"));
    };
    let text = |n: &str| crate::kit::page::list_text(&fields, n);
    if let Some(r) = csrf_refusal(&s.ctx, &text("_csrf"), s.lang) {
        return r;
    }
    let photos = fields.iter().filter(|(k, v)| k == "photo" && !v.is_empty()).map(|(_, v)| v.clone()).collect();
    let r = state.app.conclude_tip(s.actor(), id, &text("outcome"), &text("findings"), photos).await;
    after(&state, &s, id, r).await
}

#[derive(Deserialize)]
struct TextForm {
    _csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    penalty_yuan: String,
    #[serde(default)]
    approve: String,
    #[serde(default)]
    description: String,
}

/// Every one-form step of a tip (`/tips/{id}/{step}`): the CSRF check, the use case, and back
/// to the tip (or on to the hazard filed, or the tip with the opened contact).
async fn step(
    State(state): State<AppState>,
    s: Signed,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<TextForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let app = &state.app;
    let r = match step.as_str() {
        "hazard" => match app.tip_to_hazard(s.actor(), id, &f.text, &f.description).await {
            Ok(h) => return Redirect::to(&format!("/hazards/{h}")).into_response(),
            Err(e) => Err(e),
        },
        "reveal" => match app.reveal_tip_contact(s.actor(), id, &f.text).await {
            Ok(contact) => return detail_page(&state, &s, id, Vec::new(), Some(contact)).await,
            Err(e) => Err(e),
        },
        "reward" => match f.penalty_yuan.trim() {
            "" => Some(0),
            p => p.parse().ok(),
        }
        .ok_or_else(|| anjian_app::AppError::invalid("penalty_yuan", "invalid_number"))
        .map(|penalty_yuan| RewardInput { finding: f.text.clone(), penalty_yuan }),
        _ => Ok(RewardInput::default()),
    };
    let r = match (step.as_str(), r) {
        (_, Err(e)) => Err(e),
        ("reward", Ok(input)) => app.propose_reward(s.actor(), id, input).await.map(|_| ()),
        ("decision", _) => app.decide_reward(s.actor(), id, f.approve == "yes", &f.text).await,
        ("payment", _) => app.record_reward_payment(s.actor(), id, &f.text).await,
        ("close", _) => app.close_tip(s.actor(), id, &f.text).await,
        ("message", _) => app.bureau_tip_message(s.actor(), id, &f.text).await,
        _ => Err(anjian_app::AppError::NotFound),
    };
    after(&state, &s, id, r).await
}

#[derive(Template)]
#[template(path = "tip_stats.html")]
struct StatsPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<TipStatRow>,
    q: ListQ,
    query: String,
    counties: Vec<Jurisdiction>,
}

async fn stats(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    let f = match q.filter(&state).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    match (state.app.tip_stats(s.actor(), &f).await, state.app.tip_form().await) {
        (Ok(rows), Ok((_, counties, _))) => render(&StatsPage {
            p: Chrome::signed(&s, "/tips"),
            title: s.lang.t("tip.stats"),
            rows,
            query: q.query(),
            q,
            counties,
        }),
        (Err(e), _) | (_, Err(e)) => PageError::new(e, s.lang).into_response(),
    }
}

async fn stats_xlsx(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    let f = match q.filter(&state).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rows = match state.app.tip_stats(s.actor(), &f).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let lang = s.lang;
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.month.clone()),
                Cell::Text(r.county.clone()),
                Cell::Text(r.category.clone()),
                Cell::Text(lang.t(crate::kit::page::key("tip.outcome", &r.outcome)).to_owned()),
                Cell::Number(r.count as f64),
            ]
        })
        .collect();
    let h = |k: &str| lang.t(k);
    crate::sheets::table_response(
        lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.tips.stats_file"),
        h("tip.stats"),
        &[h("tip.month"), h("tip.county"), h("tip.category"), h("tip.outcome"), h("tip.count")],
        &[10.0, 14.0, 16.0, 12.0, 8.0],
        &cells,
    )
}
