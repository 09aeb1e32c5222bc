//! The plan in force, as JSON.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use anjian_domain::role::Permission;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/campaign", get(campaign))
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    pub version: i32,
    /// The plan as imported: header, jurisdictions, departments, battles, phases, leaders, rules, tasks.
    #[schema(value_type = Object)]
    pub plan: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/campaign", responses((status = 200, body = CampaignDto), (status = 409, body = ErrorBody, description = "no plan imported")))]
pub async fn campaign(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<CampaignDto>, ApiError> {
    a.require(Permission::ViewCampaign)?;
    let (plan, version) = s.app.current_campaign().await?;
    let plan = serde_json::to_value(&*plan).map_err(|e| anjian_app::AppError::Internal(e.to_string()))?;
    Ok(Json(CampaignDto { version, plan }))
}
