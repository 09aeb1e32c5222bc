//! Inspections and their findings over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{limit, ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_app::inspections::RecordInspection;
use anjian_domain::inspection::InspectionFilter;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list_inspections).post(record_inspection))
        .route("/inspections/{id}", get(get_inspection))
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
    /// When it was entered (the server's clock).
    pub recorded_at: DateTime<Utc>,
    /// Entered after a window it counts in had closed, grace included (补录).
    pub late: bool,
}

impl InspectionDto {
    fn new(i: anjian_domain::inspection::Inspection, late: bool) -> Self {
        InspectionDto {
            late,
            recorded_at: i.created_at,
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
    let c = s.app.record_inspection(&a, b, crate::kit::api::idempotency_key(&headers)).await?;
    let late = s.app.inspections_entered_late(std::slice::from_ref(&c.value)).await?[0];
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(InspectionDto::new(c.value, late))))
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
    #[serde(default, deserialize_with = "crate::kit::api::page_limit")]
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
    let late = s.app.inspections_entered_late(&rows).await?;
    Ok(Json(InspectionPage {
        items: rows.into_iter().zip(late).map(|(i, l)| InspectionDto::new(i, l)).collect(),
        next,
    }))
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", params(("id" = i64, Path)), responses((status = 200, body = InspectionDetail), (status = 404, body = ErrorBody)))]
pub async fn get_inspection(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InspectionDetail>, ApiError> {
    let (i, findings, covered) = s.app.get_inspection(&a, id).await?;
    let late = s.app.inspections_entered_late(std::slice::from_ref(&i)).await?[0];
    Ok(Json(InspectionDetail {
        inspection: InspectionDto::new(i, late),
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
