//! Inspection points, inspections, hazards and signed ledgers over the API.

use super::{limit, ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use anjian_app::hazards::HazardInput;
use anjian_app::inspections::RecordInspection;
use anjian_domain::hazard::Action;
use anjian_domain::hazard::{Hazard, HazardFilter, PlanParts};
use anjian_domain::inspection::InspectionFilter;
use anjian_domain::ledger::LedgerItem;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/points", get(list_points).post(add_point))
        .route("/orgs/{id}/self-inspection-coverage", get(coverage))
        .route(
            "/orgs/{id}/points/import",
            post(import_points).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/inspections", get(list_inspections).post(record_inspection))
        .route("/inspections/{id}", get(get_inspection))
        .route("/hazards", get(list_hazards).post(report_hazard))
        .route("/hazards/export.xlsx", get(export_hazards))
        .route(
            "/orgs/{id}/hazards/import",
            post(import_hazards).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/hazards/{id}", get(get_hazard))
        .route("/hazards/{id}/actions", post(act))
        .route("/hazards/{id}/photos", post(add_photo).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)))
        .route("/attachments/{id}", get(get_attachment))
        .route("/hazards/{id}/typical-case", post(mark_typical_case))
        .route("/typical-cases", get(list_typical_cases))
        .route("/orgs/{id}/ledgers/{period}", get(draft_ledger))
        .route("/orgs/{id}/ledgers/{period}/sign", post(sign_ledger))
        .route("/ledgers", get(list_ledgers))
        .route("/ledgers/{id}", get(get_ledger))
}

/// The largest spreadsheet accepted for an import.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct PointDto {
    pub id: i64,
    pub uid: String,
    /// `unit` (单元), `process` (环节), `post` (岗位) or `location` (部位).
    pub kind: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPoint {
    pub kind: String,
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/points", params(("id" = i64, Path)), responses((status = 200, body = Vec<PointDto>), (status = 404, body = ErrorBody)))]
pub async fn list_points(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PointDto>>, ApiError> {
    let p = s.app.points_of(&a, id).await?;
    Ok(Json(p.into_iter().map(|p| PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name }).collect()))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/points", params(("id" = i64, Path)), request_body = NewPoint, responses((status = 201, body = PointDto), (status = 422, body = ErrorBody)))]
pub async fn add_point(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewPoint>,
) -> Result<(StatusCode, Json<PointDto>), ApiError> {
    let p = s.app.add_point(&a, id, &b.kind, &b.name).await?;
    Ok((StatusCode::CREATED, Json(PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name })))
}

#[derive(Serialize, ToSchema)]
pub struct CoverageDto {
    pub total: usize,
    pub covered: Vec<i64>,
    pub left: Vec<PointDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtParam {
    /// The month containing this instant (default: now).
    pub at: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/self-inspection-coverage", params(("id" = i64, Path), AtParam), responses((status = 200, body = CoverageDto)))]
pub async fn coverage(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AtParam>,
) -> Result<Json<CoverageDto>, ApiError> {
    let c = s.app.self_inspection_coverage(&a, id, q.at.unwrap_or_else(|| s.app.clock.now())).await?;
    Ok(Json(CoverageDto {
        total: c.total,
        covered: c.covered,
        left: c.left.into_iter().map(|p| PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name }).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct InspectionDto {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub inspector_id: i64,
    pub inspector: String,
    pub summary: String,
    /// The checklist version followed.
    pub checklist_version_id: Option<i64>,
    /// The site inspected (a crossing, a warehouse).
    pub site_id: Option<i64>,
}

impl From<anjian_domain::inspection::Inspection> for InspectionDto {
    fn from(i: anjian_domain::inspection::Inspection) -> Self {
        InspectionDto {
            id: i.id,
            uid: i.uid,
            org_id: i.org_id,
            kind: i.kind,
            at: i.at,
            inspector_id: i.inspector_id,
            inspector: i.inspector,
            summary: i.summary,
            checklist_version_id: i.checklist_version_id,
            site_id: i.site_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    pub point_id: Option<i64>,
    pub item: String,
    pub passed: bool,
    pub note: String,
    pub hazard_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: InspectionDto,
    pub covered_point_ids: Vec<i64>,
    pub findings: Vec<FindingDto>,
}

/// Records an inspection of any kind of the seed. Failed items that carry a `hazard` file it in
/// the same action. Send `Idempotency-Key: <uuid>` from phones: a retried submit makes no second record.
#[utoipa::path(post, path = "/api/v1/inspections", request_body = anjian_app::inspections::RecordInspection,
    responses((status = 201, body = InspectionDto), (status = 200, body = InspectionDto, description = "replay"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_inspection(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RecordInspection>,
) -> Result<(StatusCode, Json<InspectionDto>), ApiError> {
    let c = s.app.record_inspection(&a, b, super::idempotency_key(&headers)).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(c.value.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionParams {
    pub org_id: Option<i64>,
    pub kind: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Cursor: the last id of the previous page (newest first).
    pub before: Option<i64>,
    /// Rows per page, 1 to 200 (50 when absent); outside that range the request is refused.
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "super::page_limit")]
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct InspectionPage {
    pub items: Vec<InspectionDto>,
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/inspections", params(InspectionParams), responses((status = 200, body = InspectionPage)))]
pub async fn list_inspections(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<InspectionParams>,
) -> Result<Json<InspectionPage>, ApiError> {
    let n = limit(p.limit);
    let f = InspectionFilter { org_id: p.org_id, kind: p.kind, since: p.since, until: p.until, ..Default::default() };
    let rows = s.app.list_inspections(&a, &f, p.before, n).await?;
    let next = (rows.len() as u64 == n).then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Json(InspectionPage { items: rows.into_iter().map(Into::into).collect(), next }))
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", params(("id" = i64, Path)), responses((status = 200, body = InspectionDetail), (status = 404, body = ErrorBody)))]
pub async fn get_inspection(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InspectionDetail>, ApiError> {
    let (i, findings, covered) = s.app.get_inspection(&a, id).await?;
    Ok(Json(InspectionDetail {
        inspection: i.into(),
        covered_point_ids: covered,
        findings: findings
            .into_iter()
            .map(|f| FindingDto {
                point_id: f.point_id,
                item: f.item,
                passed: f.passed,
                note: f.note,
                hazard_id: f.hazard_id,
            })
            .collect(),
    }))
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
    pub funds_fen: i64,
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
    let c = s.app.report_hazard(&a, b.org_id, &b.source, input, super::idempotency_key(&headers)).await?;
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
    #[serde(default, deserialize_with = "super::page_limit")]
    pub limit: Option<u64>,
}

impl HazardParams {
    async fn filter(&self, s: &AppState, now: DateTime<Utc>) -> Result<HazardFilter, ApiError> {
        let jurisdiction_path = s.app.jurisdiction_filter(self.jurisdiction_id).await?;
        Ok(HazardFilter {
            jurisdiction_path,
            industry: self.industry.clone().filter(|i| !i.is_empty()),
            org_id: self.org_id,
            state: super::code("state", self.state.as_deref())?,
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
    let grades = plan.hazard_grades.iter().map(|g| (g.code.get_ref().clone(), g.name.clone())).collect();
    let bytes = anjian_reports::ledger_sheet::write("隐患台账", &crate::sheets::ledger_rows(rows, &grades))
        .map_err(|e| anjian_app::AppError::Internal(e.to_string()))?;
    Ok(crate::sheets::xlsx_response(bytes, "隐患台账.xlsx"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Store the rows (when the whole sheet is valid); otherwise only check them.
    #[serde(default)]
    pub apply: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ImportRowError {
    pub row: usize,
    pub column: String,
    pub code: String,
    /// The problem in Chinese.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub rows: usize,
    pub new: usize,
    pub existing: usize,
    pub applied: bool,
    pub errors: Vec<ImportRowError>,
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

/// Imports inspection points from an .xlsx with the columns 类型 and 名称 (body: the file).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/points/import", params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportResult), (status = 422, body = ErrorBody)))]
pub async fn import_points(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let sheet = read_sheet(&body).await?;
    let out = s.app.import_points(&a, id, sheet, &crate::pages::point_kind_labels(), q.apply).await?;
    import_result(out, q.apply)
}

/// The import outcome as the API answers it: 422 when asked to apply a sheet with errors.
pub fn import_result(
    out: anjian_app::hazard_import::ImportOutcome,
    apply: bool,
) -> Result<Json<ImportResult>, ApiError> {
    if apply && !out.errors.is_empty() {
        return Err(ApiError(anjian_app::AppError::Invalid(
            out.errors
                .iter()
                .map(|e| anjian_app::FieldError::new(&format!("rows[{}].{}", e.row, e.column), &e.code))
                .collect(),
        )));
    }
    Ok(Json(ImportResult {
        rows: out.rows,
        new: out.new,
        existing: out.existing,
        applied: out.applied,
        errors: out
            .errors
            .iter()
            .map(|e| ImportRowError {
                row: e.row,
                column: e.column.clone(),
                code: e.code.clone(),
                message: crate::sheets::row_message(crate::i18n::Lang::Zh, e),
            })
            .collect(),
    }))
}

/// An uploaded workbook's rows, or an `invalid file` error with the reason's code.
pub async fn read_sheet(bytes: &[u8]) -> Result<anjian_reports::ledger_sheet::SheetRows, anjian_app::AppError> {
    crate::sheets::read_upload(bytes.to_vec()).await.map_err(|e| anjian_app::AppError::invalid("file", sheet_code(&e)))
}

pub fn sheet_code(e: &anjian_reports::ledger_sheet::SheetError) -> &'static str {
    use anjian_reports::ledger_sheet::SheetError::*;
    match e {
        NotXlsx | NoSheet => "not_xlsx",
        TooLarge(_) => "too_large",
        TooManyRows(_) => "too_many_rows",
        TooWide(_) => "too_wide",
    }
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

#[derive(Serialize, ToSchema)]
pub struct DraftLedger {
    pub org_id: i64,
    pub period: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LedgerItem>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/ledgers/{period}", params(("id" = i64, Path), ("period" = String, Path, description = "YYYY-MM")), responses((status = 200, body = DraftLedger)))]
pub async fn draft_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, period)): ApiPath<(i64, String)>,
) -> Result<Json<DraftLedger>, ApiError> {
    let items = s.app.draft_ledger(&a, id, &period).await?;
    Ok(Json(DraftLedger { org_id: id, period, items }))
}

#[derive(Deserialize, ToSchema)]
pub struct SignBody {
    /// The principal's password, asked again for the signature.
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDto {
    pub id: i64,
    pub org_id: i64,
    pub period: String,
    pub version: i32,
    pub item_count: i32,
    pub content_hash: String,
    pub signature: String,
    pub signer: String,
    pub signed_at: DateTime<Utc>,
    /// The content still matches what was signed.
    pub intact: Option<bool>,
}

fn ledger_dto(l: anjian_domain::ledger::Ledger, intact: Option<bool>) -> LedgerDto {
    LedgerDto {
        id: l.id,
        org_id: l.org_id,
        period: l.period,
        version: l.version,
        item_count: l.item_count,
        content_hash: l.content_hash,
        signature: l.signature,
        signer: l.signer,
        signed_at: l.signed_at,
        intact,
    }
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/ledgers/{period}/sign", params(("id" = i64, Path), ("period" = String, Path)), request_body = SignBody,
    responses((status = 201, body = LedgerDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, period)): ApiPath<(i64, String)>,
    ApiJson(b): ApiJson<SignBody>,
) -> Result<(StatusCode, Json<LedgerDto>), ApiError> {
    let l = s.app.sign_ledger(&a, id, &period, &b.password).await?;
    Ok((StatusCode::CREATED, Json(ledger_dto(l, Some(true)))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    pub period: Option<String>,
    pub org_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/ledgers", params(LedgerParams), responses((status = 200, body = Vec<LedgerDto>)))]
pub async fn list_ledgers(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> Result<Json<Vec<LedgerDto>>, ApiError> {
    let rows = s.app.list_ledgers(&a, p.period.as_deref(), p.org_id).await?;
    Ok(Json(rows.into_iter().map(|l| ledger_dto(l, None)).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDetail {
    #[serde(flatten)]
    pub ledger: LedgerDto,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LedgerItem>,
}

#[utoipa::path(get, path = "/api/v1/ledgers/{id}", params(("id" = i64, Path)), responses((status = 200, body = LedgerDetail), (status = 404, body = ErrorBody)))]
pub async fn get_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LedgerDetail>, ApiError> {
    let c = s.app.get_ledger(&a, id).await?;
    Ok(Json(LedgerDetail { ledger: ledger_dto(c.ledger, Some(c.intact)), items: c.items }))
}

#[derive(Deserialize, ToSchema)]
pub struct TypicalCaseBody {
    pub title: String,
    pub narrative: String,
}

#[derive(Serialize, ToSchema)]
pub struct TypicalCaseDto {
    pub id: i64,
    pub hazard_id: i64,
    pub org_id: i64,
    pub title: String,
    pub narrative: String,
    pub marked_at: DateTime<Utc>,
}

impl From<anjian_domain::attachment::TypicalCase> for TypicalCaseDto {
    fn from(c: anjian_domain::attachment::TypicalCase) -> Self {
        TypicalCaseDto {
            id: c.id,
            hazard_id: c.hazard_id,
            org_id: c.org_id,
            title: c.title,
            narrative: c.narrative,
            marked_at: c.marked_at,
        }
    }
}

/// A bureau marks a closed major hazard as a typical case (典型案例).
#[utoipa::path(post, path = "/api/v1/hazards/{id}/typical-case", params(("id" = i64, Path)), request_body = TypicalCaseBody,
    responses((status = 201, body = TypicalCaseDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_typical_case(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TypicalCaseBody>,
) -> Result<(StatusCode, Json<TypicalCaseDto>), ApiError> {
    let c = s.app.mark_typical_case(&a, id, &b.title, &b.narrative).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParam {
    /// `YYYY-MM`.
    pub period: String,
}

#[utoipa::path(get, path = "/api/v1/typical-cases", params(PeriodParam), responses((status = 200, body = Vec<TypicalCaseDto>)))]
pub async fn list_typical_cases(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<PeriodParam>,
) -> Result<Json<Vec<TypicalCaseDto>>, ApiError> {
    Ok(Json(s.app.typical_cases(&a, &q.period).await?.into_iter().map(Into::into).collect()))
}
