//! Hazards over the API: report, list, export, import, one hazard, its actions and photos.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{
    import_result, limit, read_sheet, ApiJson, ApiPath, ApiQuery, ImportParams, ImportResult, IMPORT_LIMIT,
};
use crate::AppState;
use anjian_app::hazards::HazardInput;
use anjian_domain::hazard::Action;
use anjian_domain::hazard::{Hazard, HazardFilter, PlanParts};
use anjian_reports::sheet_head::SheetHead;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hazards", get(list_hazards).post(report_hazard))
        .route("/hazards/export.xlsx", get(export_hazards))
        .route(
            "/orgs/{id}/hazards/import",
            post(import_hazards).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/hazards/{id}", get(get_hazard))
        .route("/hazards/{id}/actions", post(act))
        .route("/hazards/{id}/deadline", post(set_deadline))
        .route("/hazards/{id}/photos", post(add_photo).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)))
        .route("/attachments/{id}", get(get_attachment))
}

#[derive(Serialize, ToSchema)]
pub struct HazardDto {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub point_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub source: String,
    pub description: String,
    pub grade: String,
    pub category: Option<String>,
    pub measures: String,
    pub funds_fen: anjian_domain::money::Fen,
    pub owner: String,
    pub deadline: Option<DateTime<Utc>>,
    /// `reported`, `rectifying`, `awaiting_verification` or `closed`.
    pub state: String,
    pub has_plan: bool,
    pub overdue: bool,
    pub discovered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

fn dto(h: Hazard, now: DateTime<Utc>) -> HazardDto {
    let overdue = h.is_overdue(now);
    HazardDto {
        id: h.id,
        uid: h.uid,
        org_id: h.org_id,
        point_id: h.point_id,
        inspection_id: h.inspection_id,
        source: h.source,
        description: h.description,
        grade: h.grade,
        category: h.category,
        measures: h.measures,
        funds_fen: h.funds_fen,
        owner: h.owner,
        deadline: h.deadline,
        state: h.state.as_str().to_owned(),
        has_plan: h.has_plan,
        overdue,
        discovered_at: h.discovered_at,
        closed_at: h.closed_at,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ReportHazardBody {
    pub org_id: i64,
    /// `self_inspection`, `tip`, `alarm`, `order`, `report`, …
    #[serde(default = "default_source")]
    pub source: String,
    pub description: String,
    pub point_id: Option<i64>,
    pub grade: String,
    pub category: Option<String>,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub funds_fen: i64,
    #[serde(default)]
    pub owner: String,
    pub deadline: Option<DateTime<Utc>>,
}

fn default_source() -> String {
    "report".into()
}

#[utoipa::path(post, path = "/api/v1/hazards", request_body = ReportHazardBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID; becomes the hazard's uid")),
    responses((status = 201, body = HazardDto), (status = 200, body = HazardDto, description = "replay"), (status = 422, body = ErrorBody)))]
pub async fn report_hazard(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ReportHazardBody>,
) -> Result<(StatusCode, Json<HazardDto>), ApiError> {
    let input = HazardInput {
        description: b.description,
        point_id: b.point_id,
        grade: b.grade,
        category: b.category,
        measures: b.measures,
        funds_fen: b.funds_fen,
        owner: b.owner,
        deadline: b.deadline,
    };
    let c = s.app.report_hazard(&a, b.org_id, &b.source, input, crate::kit::api::idempotency_key(&headers)).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(dto(c.value, s.app.clock.now()))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HazardParams {
    pub org_id: Option<i64>,
    /// Inside this jurisdiction (a county, or the city).
    pub jurisdiction_id: Option<i64>,
    /// Of organisations in this industry (`explosives`, `industrial_park`, …).
    pub industry: Option<String>,
    pub state: Option<String>,
    pub grade: Option<String>,
    /// Only open hazards past their deadline.
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub open: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub q: Option<String>,
    pub before: Option<i64>,
    /// Rows per page, 1 to 200 (50 when absent); outside that range the request is refused.
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "crate::kit::api::page_limit")]
    pub limit: Option<u64>,
}

impl HazardParams {
    async fn filter(&self, s: &AppState, now: DateTime<Utc>) -> Result<HazardFilter, ApiError> {
        let jurisdiction_path = s.app.jurisdiction_filter(self.jurisdiction_id).await?;
        Ok(HazardFilter {
            jurisdiction_path,
            industry: self.industry.clone().filter(|i| !i.is_empty()),
            org_id: self.org_id,
            state: crate::kit::api::code("state", self.state.as_deref())?,
            grade: self.grade.clone(),
            overdue_at: self.overdue.then_some(now),
            open_only: self.open,
            since: self.since,
            until: self.until,
            q: self.q.clone(),
            ..Default::default()
        })
    }
}

/// The ledger view as .xlsx, with the same filters as the list (at most 100,000 rows).
#[utoipa::path(get, path = "/api/v1/hazards/export.xlsx", params(HazardParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "序号, 隐患描述, 部位, 等级, 来源, 发现时间, 整改措施, 资金, 责任人, 完成时限, 状态, 验收人, 销号时间")))]
pub async fn export_hazards(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<HazardParams>,
) -> Result<axum::response::Response, ApiError> {
    let rows = s.app.export_hazards(&a, &p.filter(&s, s.app.clock.now()).await?, 100_000).await?;
    let plan = s.app.current_plan().await?;
    let grades = plan.grade_names().into_iter().collect();
    let head =
        SheetHead { title: crate::sheets::zh("sheet.ledger.title").into(), ..crate::sheets::head(&s, &a, None).await };
    let bytes =
        anjian_reports::ledger_sheet::write(&head, &crate::sheets::ledger_rows(rows, &grades, plan.vocabulary()))
            .map_err(|e| anjian_app::AppError::Internal(e.to_string()))?;
    Ok(crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.ledger.file")))
}

/// Imports hazards from an .xlsx in the ledger's columns (body: the file). Checks every row;
/// stores nothing unless the whole sheet is valid; rows imported before are skipped.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/hazards/import", params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportResult), (status = 422, body = ErrorBody)))]
pub async fn import_hazards(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let sheet = read_sheet(&body).await?;
    let out = s.app.import_hazards(&a, id, sheet, &crate::sheets::source_labels(), q.apply).await?;
    import_result(out, q.apply)
}

#[derive(Serialize, ToSchema)]
pub struct HazardPage {
    pub items: Vec<HazardDto>,
    pub next: Option<i64>,
    pub count: u64,
}

#[utoipa::path(get, path = "/api/v1/hazards", params(HazardParams), responses((status = 200, body = HazardPage)))]
pub async fn list_hazards(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<HazardParams>,
) -> Result<Json<HazardPage>, ApiError> {
    let n = limit(p.limit);
    let now = s.app.clock.now();
    let f = p.filter(&s, now).await?;
    let (rows, count) = tokio::try_join!(s.app.list_hazards(&a, &f, p.before, n), s.app.count_hazards(&a, &f))?;
    let next = (rows.len() as u64 == n).then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Json(HazardPage { items: rows.into_iter().map(|h| dto(h, now)).collect(), next, count }))
}

#[derive(Serialize, ToSchema)]
pub struct HazardEventDto {
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoDto {
    pub id: i64,
    /// `before` or `after`.
    pub role: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub sha256: String,
}

impl From<anjian_domain::attachment::Attachment> for PhotoDto {
    fn from(a: anjian_domain::attachment::Attachment) -> Self {
        PhotoDto {
            id: a.id,
            role: a.role,
            content_type: a.content_type,
            width: a.width,
            height: a.height,
            sha256: a.sha256,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhotoParams {
    /// `before` or `after`.
    pub role: String,
}

/// Attaches a photo (JPEG or PNG, at most 10 MiB; body: the image). It is re-encoded on the
/// server, so EXIF, GPS and other metadata never reach storage.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/photos", params(("id" = i64, Path), PhotoParams),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = PhotoDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "not an image, too large, too many pixels")))]
pub async fn add_photo(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PhotoParams>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<PhotoDto>), ApiError> {
    let row = s.app.attach_photo(&a, id, &q.role, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The file of an attachment in the caller's scope.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = i64, Path)), responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
pub async fn get_attachment(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Response, ApiError> {
    let (att, bytes) = s.app.attachment(&a, id).await?;
    Ok(attachment_response(&att, bytes))
}

pub fn attachment_response(att: &anjian_domain::attachment::Attachment, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, att.content_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, "inline".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Serialize, ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub hazard: HazardDto,
    pub major: bool,
    pub photos: Vec<PhotoDto>,
    pub events: Vec<HazardEventDto>,
    #[schema(value_type = Option<Object>)]
    pub governance_plan: Option<PlanParts>,
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", params(("id" = i64, Path)), responses((status = 200, body = HazardDetail), (status = 404, body = ErrorBody)))]
pub async fn get_hazard(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HazardDetail>, ApiError> {
    let v = s.app.get_hazard(&a, id).await?;
    Ok(Json(HazardDetail {
        hazard: dto(v.hazard, s.app.clock.now()),
        major: v.major,
        photos: v.photos.into_iter().map(Into::into).collect(),
        events: v
            .events
            .into_iter()
            .map(|e| HazardEventDto {
                action: e.action,
                from_state: e.from_state,
                to_state: e.to_state,
                actor: e.actor,
                at: e.at,
                reason: e.reason,
            })
            .collect(),
        governance_plan: v.plan.map(|p| PlanParts {
            goals: p.goals,
            measures: p.measures,
            funds_materials: p.funds_materials,
            responsible: p.responsible,
            time_limit: p.time_limit,
            safety_emergency: p.safety_emergency,
            suspends_work: p.suspends_work,
        }),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionBody {
    /// `fix_on_spot`, `attach_plan`, `start_rectifying`, `submit_rectification`, `verify`, `reject`.
    pub action: String,
    /// With `reject`.
    #[serde(default)]
    pub reason: String,
    /// With `attach_plan`: goals, measures, funds_materials, responsible, time_limit, safety_emergency.
    #[schema(value_type = Option<Object>)]
    pub plan: Option<PlanParts>,
}

#[utoipa::path(post, path = "/api/v1/hazards/{id}/actions", params(("id" = i64, Path)), request_body = ActionBody,
    responses((status = 200, body = HazardDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "out of order, same person, plan required …")))]
pub async fn act(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ActionBody>,
) -> Result<Json<HazardDto>, ApiError> {
    let action = parse_action(&b.action, b.reason)?;
    let h = s.app.act_on_hazard(&a, id, action, b.plan).await?;
    Ok(Json(dto(h, s.app.clock.now())))
}

#[derive(Deserialize, ToSchema)]
pub struct DeadlineBody {
    /// The date by which it must be rectified.
    pub deadline: DateTime<Utc>,
    /// Required to move a deadline already set (a bureau only).
    #[serde(default)]
    pub reason: String,
}

/// 限期: sets a hazard's deadline (the rectifier, once) or moves it (a bureau, with a reason).
/// Each change is an event in the hazard's history.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/deadline", params(("id" = i64, Path)), request_body = DeadlineBody,
    responses((status = 200, body = HazardDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody, description = "in the past, a reason or a bureau needed, closed")))]
pub async fn set_deadline(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeadlineBody>,
) -> Result<Json<HazardDto>, ApiError> {
    let h = s.app.set_hazard_deadline(&a, id, b.deadline, &b.reason).await?;
    Ok(Json(dto(h, s.app.clock.now())))
}

pub fn parse_action(name: &str, reason: String) -> Result<Action, anjian_app::AppError> {
    Ok(match name {
        "fix_on_spot" => Action::FixOnSpot,
        "attach_plan" => Action::AttachPlan,
        "start_rectifying" => Action::StartRectifying,
        "submit_rectification" => Action::SubmitRectification,
        "verify" => Action::Verify,
        "reject" => Action::Reject { reason },
        _ => return Err(anjian_app::AppError::invalid("action", "invalid_action")),
    })
}
