//! The audit log over the API (audit and security admins).

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{limit, ApiQuery};
use crate::AppState;
use anjian_domain::audit::AuditFilter;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditDto>,
    /// Pass as `before` for the next (older) page.
    pub next: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `login`.
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub before: Option<i64>,
    /// Rows per page, 1 to 200 (50 when absent); outside that range the request is refused.
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "crate::kit::api::page_limit")]
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/audit", params(Params), responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<AuditPage>, ApiError> {
    let n = limit(p.limit);
    let f =
        AuditFilter { actor: p.actor, action: p.action, object_type: p.object_type, since: p.since, until: p.until };
    let rows = s.app.audit_page(&a, &f, p.before, n).await?;
    let next = (rows.len() as u64 == n).then(|| rows.last().map(|r| r.record.seq)).flatten();
    Ok(Json(AuditPage {
        items: rows
            .into_iter()
            .map(|l| (l.record, l.hash))
            .map(|(r, hash)| AuditDto {
                seq: r.seq,
                at: r.at,
                actor_id: r.actor_id,
                actor: r.actor,
                action: r.action,
                object_type: r.object_type,
                object_id: r.object_id,
                result: r.result,
                before_digest: r.before_digest,
                after_digest: r.after_digest,
                detail: r.detail,
                hash,
            })
            .collect(),
        next,
    }))
}
