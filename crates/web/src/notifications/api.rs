//! The inbox over the API.

use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::kit::api::ApiJson;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications", get(notifications)).route("/notifications/read", post(read))
}

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    pub unread: u64,
}

/// The caller's inbox, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Inbox)))]
pub async fn notifications(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<Inbox>, ApiError> {
    let (list, unread) = s.app.inbox(&a).await?;
    let items = list.iter().map(|n| serde_json::to_value(n).unwrap_or(Value::Null)).collect();
    Ok(Json(Inbox { items, unread }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    /// One notification; all of the caller's when absent.
    pub id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadResult {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", request_body = ReadBody, responses((status = 200, body = ReadResult)))]
pub async fn read(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ReadBody>,
) -> Result<Json<ReadResult>, ApiError> {
    Ok(Json(ReadResult { marked: s.app.mark_read(&a, b.id).await? }))
}
