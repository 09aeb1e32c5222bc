//! The cockpit's figures over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiQuery, PlaceParams};
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/cockpit", get(cockpit))
}

/// The cockpit's figures for the caller's jurisdiction (or one county in it).
#[utoipa::path(get, path = "/api/v1/cockpit", params(PlaceParams), responses((status = 200, body = anjian_app::cockpit::Cockpit), (status = 403, body = ErrorBody)))]
pub async fn cockpit(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<anjian_app::cockpit::Cockpit>, ApiError> {
    crate::kit::api::json_of(s.app.cockpit(&a, p.jurisdiction_id).await?)
}
