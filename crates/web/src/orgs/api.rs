//! Organisations over the API. Outside the caller's scope an organisation is a 404.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{limit, ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_app::orgs::CreateOrg;
use anjian_domain::org::{Org, OrgFilter};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list).post(create))
        .route("/orgs/count", get(count))
        .route("/orgs/{id}", get(get_one).patch(rename))
        .route("/orgs/{id}/sites", get(sites))
}

#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    /// Permanent unique id (the idempotency key of the request that created it, if any).
    pub uid: String,
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: i64,
    pub parent_id: Option<i64>,
    pub park_id: Option<i64>,
    pub supervision_level: String,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Org> for OrgDto {
    fn from(o: Org) -> Self {
        OrgDto {
            id: o.id,
            uid: o.uid,
            name: o.name,
            kind: o.kind,
            jurisdiction_id: o.jurisdiction_id,
            parent_id: o.parent_id,
            park_id: o.park_id,
            supervision_level: o.supervision_level,
            industry: o.industry,
            address: o.address,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Organisation kind, e.g. `enterprise`, `explosives_enterprise`, `park`.
    pub kind: Option<String>,
    pub jurisdiction_id: Option<i64>,
    /// Substring of the name.
    pub q: Option<String>,
    /// Subsidiaries of, or members of the park with, this id.
    pub under: Option<i64>,
    /// Cursor: the last id of the previous page.
    pub after: Option<i64>,
    /// Rows per page, 1 to 200 (50 when absent); outside that range the request is refused.
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "crate::kit::api::page_limit")]
    pub limit: Option<u64>,
}

impl ListParams {
    fn filter(&self) -> OrgFilter {
        OrgFilter {
            kind: self.kind.clone(),
            jurisdiction_id: self.jurisdiction_id,
            q: self.q.clone(),
            under: self.under,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/orgs", params(ListParams), responses((status = 200, body = OrgPage), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<OrgPage>, ApiError> {
    let n = limit(p.limit);
    let rows = s.app.list_orgs(&a, &p.filter(), p.after, n).await?;
    let next = (rows.len() as u64 == n).then(|| rows.last().map(|o| o.id)).flatten();
    Ok(Json(OrgPage { items: rows.into_iter().map(OrgDto::from).collect(), next }))
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    pub count: u64,
}

#[utoipa::path(get, path = "/api/v1/orgs/count", params(ListParams), responses((status = 200, body = Count)))]
pub async fn count(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Count>, ApiError> {
    Ok(Json(Count { count: s.app.count_orgs(&a, &p.filter()).await? }))
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}", params(("id" = i64, Path)), responses((status = 200, body = OrgDto), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrgDto>, ApiError> {
    Ok(Json(s.app.get_org(&a, id).await?.0.into()))
}

#[derive(Serialize, ToSchema)]
pub struct SiteDto {
    pub id: i64,
    /// `warehouse` or `railway_crossing`.
    pub kind: String,
    pub name: String,
    pub org_id: i64,
    /// Where the site lies (a crossing of a city-level operator lies in a county).
    pub jurisdiction_id: i64,
}

/// The organisation's sites (warehouses, crossings) inside the caller's scope: what an inspection
/// can be of (`site_id`).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/sites", params(("id" = i64, Path)), responses((status = 200, body = Vec<SiteDto>)))]
pub async fn sites(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<SiteDto>>, ApiError> {
    let list = s.app.inspectable_sites(&a, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| SiteDto {
                id: x.id,
                kind: x.kind,
                name: x.name,
                org_id: x.org_id,
                jurisdiction_id: x.jurisdiction_id,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateOrgBody {
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: i64,
    pub parent_id: Option<i64>,
    pub park_id: Option<i64>,
    pub industry: Option<String>,
    pub address: Option<String>,
}

/// Creates an organisation. Send `Idempotency-Key: <uuid>`: a retry with the same key and body
/// returns the same record (200), the same key with another body is refused (422).
#[utoipa::path(post, path = "/api/v1/orgs", request_body = CreateOrgBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID; becomes the record's uid")),
    responses((status = 201, body = OrgDto), (status = 200, body = OrgDto, description = "replay"), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<CreateOrgBody>,
) -> Result<(StatusCode, Json<OrgDto>), ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let input = CreateOrg {
        name: b.name,
        kind: b.kind,
        jurisdiction_id: b.jurisdiction_id,
        parent_id: b.parent_id,
        park_id: b.park_id,
        industry: b.industry,
        address: b.address,
    };
    let created = s.app.create_org(&a, input, key).await?;
    let status = if created.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(created.value.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct RenameBody {
    pub name: String,
}

#[utoipa::path(patch, path = "/api/v1/orgs/{id}", params(("id" = i64, Path)), request_body = RenameBody,
    responses((status = 200, body = OrgDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RenameBody>,
) -> Result<Json<OrgDto>, ApiError> {
    Ok(Json(s.app.rename_org(&a, id, &b.name).await?.into()))
}
