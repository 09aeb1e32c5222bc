//! 执法文书 on the web and the API: the papers of a bureau's area, one paper as issued (with its
//! hash checked), the form that issues one from an inspection, a hazard or an order, and the
//! paper as .docx.

use crate::auth::{csrf_refusal, ApiActor, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::api::{ApiJson, ApiQuery};
use crate::kit::page::{field_messages, local_time, render, Chrome};
use crate::AppState;
use anjian_app::papers::{kind_key, PaperInput};
use anjian_app::AppError;
use anjian_domain::hazard::HazardFilter;
use anjian_domain::paper::{Paper, PaperKind};
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/papers", get(list).post(issue))
        .route("/papers/new", get(new_form))
        .route("/papers/{id}", get(detail))
        .route("/papers/{id}/paper.docx", get(docx))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/papers", get(api_list).post(api_issue))
        .route("/papers/{id}", get(api_get))
        .route("/papers/{id}/paper.docx", get(api_docx))
}

/// A paper as a line of a list.
pub struct Line {
    pub id: i64,
    pub number: String,
    pub kind_key: &'static str,
    pub enterprise: String,
    pub issued: String,
    pub by: String,
    pub corrects: bool,
}

impl From<&Paper> for Line {
    fn from(p: &Paper) -> Line {
        Line {
            id: p.id,
            number: p.number.clone(),
            kind_key: kind_key(p.kind),
            enterprise: p.content.enterprise.clone(),
            issued: local_time(p.issued_at),
            by: p.issued_by_name.clone(),
            corrects: p.corrects,
        }
    }
}

/// The papers served about a hazard or on an enterprise, for the pages that show them.
pub fn lines(papers: &[Paper]) -> Vec<Line> {
    papers.iter().map(Line::from).collect()
}

#[derive(Deserialize, Default)]
struct ListQ {
    org_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "papers.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    lines: Vec<Line>,
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    match state.app.papers(s.actor(), q.org_id).await {
        Ok(list) => {
            render(&ListPage { p: Chrome::signed(&s, "/papers"), title: s.lang.t("paper.title"), lines: lines(&list) })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "paper.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    paper: Paper,
    kind_key: &'static str,
    issued: String,
    intact: bool,
    refers_to: Option<(i64, String)>,
    may_issue: bool,
    is_order: bool,
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    let paper = match state.app.paper(s.actor(), id).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let refers_to = match paper.refers_to_id {
        Some(r) => state.app.paper(s.actor(), r).await.ok().map(|o| (o.id, o.number)),
        None => None,
    };
    let actor = s.actor();
    render(&DetailPage {
        p: Chrome::signed(&s, "/papers"),
        title: format!("{} {}", s.lang.t(kind_key(paper.kind)), paper.number),
        kind_key: kind_key(paper.kind),
        issued: local_time(paper.issued_at),
        intact: paper.intact(),
        refers_to,
        may_issue: actor.role.is_bureau() && actor.role.can(Permission::VerifyHazard),
        is_order: paper.kind == PaperKind::RectificationOrder,
        paper,
    })
}

async fn docx(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    match state.app.paper_docx(s.actor(), id).await {
        Ok((name, bytes)) => crate::sheets::docx_response(bytes, &name),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewQ {
    kind: Option<String>,
    inspection_id: Option<i64>,
    hazard_id: Option<i64>,
    order_id: Option<i64>,
    corrects_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "paper_new.html")]
struct NewPage {
    p: Chrome,
    title: String,
    kind: String,
    inspection_id: Option<i64>,
    order_id: Option<i64>,
    corrects_id: Option<i64>,
    /// For an order: the enterprise's open hazards, (id, description, deadline, checked).
    hazards: Vec<(i64, String, String, bool)>,
    /// What the paper will be made from, in words.
    source: String,
    text: String,
    errors: Vec<String>,
}

async fn new_page(state: &AppState, s: &Signed, q: NewQ, text: String, errors: Vec<String>) -> Response {
    let actor = s.actor();
    let kind = match q.kind.as_deref().unwrap_or_default().parse::<PaperKind>() {
        Ok(k) if k != PaperKind::SupervisionNotice => k,
        _ => return PageError::new(AppError::invalid("kind", "invalid_kind"), s.lang).into_response(),
    };
    let mut hazards = Vec::new();
    let mut source = String::new();
    if let Some(h) = q.hazard_id {
        let h = match state.app.get_hazard(actor, h).await {
            Ok(v) => v.hazard,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
        let f = HazardFilter { org_id: Some(h.org_id), open_only: true, ..Default::default() };
        let open = state.app.list_hazards(actor, &f, None, 200).await.unwrap_or_default();
        hazards = open
            .into_iter()
            .map(|o| {
                let deadline = o.deadline.map(local_time).unwrap_or_else(|| s.lang.t("paper.no_deadline").to_owned());
                (o.id, o.description, deadline, o.id == h.id)
            })
            .collect();
        source = state.app.get_org(actor, h.org_id).await.map(|(o, _)| o.name).unwrap_or_default();
    }
    if let Some(i) = q.inspection_id {
        source = s.lang.fill("paper.from_inspection", &[("id", &i)]);
    }
    if let Some(o) = q.order_id.or(q.corrects_id) {
        match state.app.paper(actor, o).await {
            Ok(p) => source = format!("{} {}", p.number, p.content.enterprise),
            Err(e) => return PageError::new(e, s.lang).into_response(),
        }
    }
    render(&NewPage {
        p: Chrome::signed(s, "/papers"),
        title: s.lang.t(kind_key(kind)).to_owned(),
        kind: kind.as_str().to_owned(),
        inspection_id: q.inspection_id,
        order_id: q.order_id,
        corrects_id: q.corrects_id,
        hazards,
        source,
        text,
        errors,
    })
}

async fn new_form(State(state): State<AppState>, s: Signed, Query(q): Query<NewQ>) -> Response {
    new_page(&state, &s, q, String::new(), Vec::new()).await
}

/// The issue form, as posted: `hazard_ids` may repeat, so it is read as pairs.
async fn issue(
    State(state): State<AppState>,
    s: Signed,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Some(r) = csrf_refusal(&s.ctx, &get("_csrf"), s.lang) {
        return r;
    }
    let id = |k: &str| get(k).trim().parse::<i64>().ok();
    let q = NewQ {
        kind: Some(get("kind")),
        inspection_id: id("inspection_id"),
        hazard_id: id("hazard_id"),
        order_id: id("order_id"),
        corrects_id: id("corrects_id"),
    };
    let input = match get("kind").parse::<PaperKind>() {
        Ok(kind) => PaperInput {
            kind,
            inspection_id: q.inspection_id,
            hazard_ids: pairs.iter().filter(|(n, _)| n == "hazard_ids").filter_map(|(_, v)| v.parse().ok()).collect(),
            order_id: q.order_id,
            corrects_id: q.corrects_id,
            text: get("text"),
        },
        Err(_) => return PageError::new(AppError::invalid("kind", "invalid_kind"), s.lang).into_response(),
    };
    match state.app.issue_paper(s.actor(), input, None).await {
        Ok(p) => Redirect::to(&format!("/papers/{}", p.id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, new_page(&state, &s, q, get("text"), field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaperParams {
    /// Only the papers served on this enterprise.
    pub org_id: Option<i64>,
}

/// Papers in the caller's area, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/papers", params(PaperParams), responses((status = 200, body = Vec<Paper>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<PaperParams>,
) -> Result<Json<Vec<Paper>>, ApiError> {
    Ok(Json(state.app.papers(&a, q.org_id).await?))
}

/// Issues a paper (现场检查记录, 责令限期整改指令书, 整改复查意见书) from the records; the number
/// is the bureau's next for the kind and year. `Idempotency-Key` makes a retry return the
/// paper already issued.
#[utoipa::path(post, path = "/api/v1/papers", request_body = PaperInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID; a retry with it returns the paper issued")),
    responses((status = 201, body = Paper), (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn api_issue(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PaperInput>,
) -> Result<(StatusCode, Json<Paper>), ApiError> {
    let key = crate::kit::api::idempotency_key(&headers);
    Ok((StatusCode::CREATED, Json(state.app.issue_paper(&a, input, key).await?)))
}

#[utoipa::path(get, path = "/api/v1/papers/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Paper), (status = 404, body = crate::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<Paper>, ApiError> {
    Ok(Json(state.app.paper(&a, id).await?))
}

/// The paper as .docx in the standard layout.
#[utoipa::path(get, path = "/api/v1/papers/{id}/paper.docx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = crate::ErrorBody)))]
pub async fn api_docx(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = state.app.paper_docx(&a, id).await?;
    Ok(crate::sheets::docx_response(bytes, &name))
}
