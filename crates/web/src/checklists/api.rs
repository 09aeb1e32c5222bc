//! Checklist templates over the API: list, create, revise, import from and export to Excel.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_app::checklists::{items_from_sheet, ChecklistItem};
use anjian_app::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checklists", get(list).post(create))
        .route("/checklists/{id}", get(get_one))
        .route("/checklists/{id}/versions", post(revise))
        .route("/checklists/{id}/export.xlsx", get(export))
        .route(
            "/orgs/{id}/checklists/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistDto {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    /// Version numbers, oldest first.
    pub versions: Vec<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistVersionDto {
    pub checklist_id: i64,
    /// Give this as `checklist_version_id` when recording an inspection.
    pub version_id: i64,
    pub version: i32,
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistItem>,
}

#[utoipa::path(get, path = "/api/v1/checklists", responses((status = 200, body = Vec<ChecklistDto>)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<Vec<ChecklistDto>>, ApiError> {
    let rows = s.app.list_checklists(&a).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(c, v)| ChecklistDto {
                id: c.id,
                org_id: c.org_id,
                name: c.name,
                versions: v.into_iter().map(|v| v.version).collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewChecklist {
    pub org_id: i64,
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistItem>,
}

#[utoipa::path(post, path = "/api/v1/checklists", request_body = NewChecklist, responses((status = 201, body = ChecklistVersionDto), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewChecklist>,
) -> Result<(StatusCode, Json<ChecklistVersionDto>), ApiError> {
    let items = b.items.clone();
    let (c, v) = s.app.create_checklist(&a, b.org_id, &b.name, b.items).await?;
    Ok((
        StatusCode::CREATED,
        Json(ChecklistVersionDto { checklist_id: c.id, version_id: v.id, version: v.version, name: c.name, items }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// A version number; the latest when absent.
    pub version: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/checklists/{id}", params(("id" = i64, Path), VersionParam), responses((status = 200, body = ChecklistVersionDto), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VersionParam>,
) -> Result<Json<ChecklistVersionDto>, ApiError> {
    let (c, v, items) = s.app.checklist_version(&a, id, q.version).await?;
    Ok(Json(ChecklistVersionDto { checklist_id: c.id, version_id: v.id, version: v.version, name: c.name, items }))
}

#[derive(Deserialize, ToSchema)]
pub struct Revision {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistItem>,
}

#[utoipa::path(post, path = "/api/v1/checklists/{id}/versions", params(("id" = i64, Path)), request_body = Revision, responses((status = 201, body = ChecklistVersionDto), (status = 404, body = ErrorBody)))]
pub async fn revise(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Revision>,
) -> Result<(StatusCode, Json<ChecklistVersionDto>), ApiError> {
    let items = b.items.clone();
    let v = s.app.revise_checklist(&a, id, b.items).await?;
    let (c, _, _) = s.app.checklist_version(&a, id, Some(v.version)).await?;
    Ok((
        StatusCode::CREATED,
        Json(ChecklistVersionDto { checklist_id: c.id, version_id: v.id, version: v.version, name: c.name, items }),
    ))
}

#[utoipa::path(get, path = "/api/v1/checklists/{id}/export.xlsx", params(("id" = i64, Path), VersionParam),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VersionParam>,
) -> Result<axum::response::Response, ApiError> {
    let (c, v, items) = s.app.checklist_version(&a, id, q.version).await?;
    Ok(sheet_response(&c.name, v.version, &items)?)
}

pub fn sheet_response(name: &str, version: i32, items: &[ChecklistItem]) -> Result<axum::response::Response, AppError> {
    let rows: Vec<_> =
        items.iter().map(|i| (i.item.clone(), i.requirement.clone(), i.reference.clone(), i.score)).collect();
    let bytes =
        anjian_reports::ledger_sheet::write_checklist(name, &rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::sheets::xlsx_response(bytes, &format!("{name}-v{version}.xlsx")))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// A new checklist with this name …
    pub name: Option<String>,
    /// … or a new version of this one.
    pub checklist_id: Option<i64>,
}

/// A checklist from an .xlsx with the columns 检查项目, 检查要求, 依据, 分值 (body: the file).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/checklists/import", params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 201, body = ChecklistVersionDto), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(org_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ChecklistVersionDto>), ApiError> {
    let version = import_sheet(&s, &a, org_id, q.name.as_deref(), q.checklist_id, &body).await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// Reads a checklist sheet and makes it a new checklist or a new version.
pub async fn import_sheet(
    s: &AppState,
    a: &anjian_app::Actor,
    org_id: i64,
    name: Option<&str>,
    checklist_id: Option<i64>,
    body: &[u8],
) -> Result<ChecklistVersionDto, AppError> {
    let sheet = crate::kit::api::read_sheet(body).await?;
    let items = items_from_sheet(sheet).map_err(|errs| {
        AppError::Invalid(
            errs.iter()
                .map(|e| anjian_app::FieldError::new(&format!("rows[{}].{}", e.row, e.column), &e.code))
                .collect(),
        )
    })?;
    let (c, v) = match checklist_id {
        Some(id) => {
            let v = s.app.revise_checklist(a, id, items.clone()).await?;
            let (c, _, _) = s.app.checklist_version(a, id, Some(v.version)).await?;
            (c, v)
        }
        None => s.app.create_checklist(a, org_id, name.unwrap_or(""), items.clone()).await?,
    };
    Ok(ChecklistVersionDto { checklist_id: c.id, version_id: v.id, version: v.version, name: c.name, items })
}
