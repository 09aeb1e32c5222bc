//! Explosives warehouses over JSON: telemetry intake from gateways, warehouses and sensors,
//! alarms, patrol checkpoints and check-ins, loadings and facilities.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{idempotency_key, json_of, ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_app::warehouses::{LoadingInput, LoadingItem};
use anjian_domain::warehouse::{AlarmFilter, AlarmState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use utoipa::{IntoParams, ToSchema};

/// A telemetry batch may be larger than other bodies: 50,000 readings of NDJSON.
const TELEMETRY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/telemetry/readings", post(readings).layer(axum::extract::DefaultBodyLimit::max(TELEMETRY_LIMIT)))
        .route("/orgs/{id}/warehouses", post(add_warehouse))
        .route("/orgs/{id}/gateways", post(add_gateway))
        .route("/warehouses", get(list))
        .route("/warehouses/{id}", get(one))
        .route("/warehouses/{id}/sensors", post(add_sensor))
        .route("/warehouses/{id}/checkpoints", post(add_checkpoint))
        .route("/warehouses/{id}/patrol", get(patrol))
        .route("/warehouses/{id}/loadings", get(loadings).post(add_loading))
        .route("/warehouses/{id}/facilities", post(add_facility))
        .route("/facilities/{id}/upkeep", post(upkeep))
        .route("/patrol/checkins", post(checkin))
        .route("/alarms", get(alarms))
        .route("/alarms/{id}/acknowledge", post(acknowledge))
        .route("/alarms/{id}/resolve", post(resolve))
        .route("/alarms/{id}/hazard", post(to_hazard))
}

/// Readings from a gateway (`X-Gateway-Token`): a JSON array or NDJSON of
/// `{"sensor": "T-3-…", "at": "2022-08-15T02:00:00Z", "value": 21.5}`. Bad readings are counted
/// by reason and skipped; the good ones in the same batch are kept; a resent batch changes nothing.
#[utoipa::path(post, path = "/api/v1/telemetry/readings", security(()), params(("X-Gateway-Token" = String, Header)),
    request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, body = anjian_app::warehouses::IngestReport), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn readings(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<anjian_app::warehouses::IngestReport>, ApiError> {
    let token =
        headers.get("x-gateway-token").and_then(|v| v.to_str().ok()).ok_or(anjian_app::AppError::Unauthenticated)?;
    json_of(s.app.ingest_http(token, &body).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct NameBody {
    pub name: String,
}

/// A warehouse of an explosives enterprise.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/warehouses", params(("id" = i64, Path)), request_body = NameBody,
    responses((status = 201, body = anjian_domain::org::Site), (status = 422, body = ErrorBody)))]
pub async fn add_warehouse(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NameBody>,
) -> Result<(StatusCode, Json<anjian_domain::org::Site>), ApiError> {
    Ok((StatusCode::CREATED, json_of(s.app.add_warehouse(&a, id, &b.name).await?)?))
}

/// A gateway of an enterprise; its token is in this answer only.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/gateways", params(("id" = i64, Path)), request_body = NameBody,
    responses((status = 201, body = NewGatewayDto), (status = 422, body = ErrorBody)))]
pub async fn add_gateway(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NameBody>,
) -> Result<(StatusCode, Json<NewGatewayDto>), ApiError> {
    let (g, token) = s.app.add_gateway(&a, id, &b.name).await?;
    // Over MQTT the gateway signs in to the broker as `mqtt_username` with the same token.
    let mqtt_username = anjian_domain::telemetry::gateway_mqtt_user(g.id);
    Ok((StatusCode::CREATED, Json(NewGatewayDto { id: g.id, name: g.name, token, mqtt_username })))
}

/// Warehouses in scope.
#[utoipa::path(get, path = "/api/v1/warehouses", responses((status = 200, body = [anjian_domain::org::Site])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_domain::org::Site>>, ApiError> {
    json_of(s.app.warehouses(&a).await?)
}

/// A warehouse: sensors with their last reading and condition, live alarms, checkpoints, facilities.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::warehouses::WarehouseView), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::warehouses::WarehouseView>, ApiError> {
    json_of(s.app.warehouse_view(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct SensorBody {
    /// `temperature` or `humidity`.
    pub kind: String,
    /// The allowed range; the plan's for the kind when absent.
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A sensor in a warehouse; the answer holds the code its gateway reports under.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/sensors", params(("id" = i64, Path)), request_body = SensorBody,
    responses((status = 201, body = anjian_domain::warehouse::Sensor), (status = 422, body = ErrorBody)))]
pub async fn add_sensor(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SensorBody>,
) -> Result<(StatusCode, Json<anjian_domain::warehouse::Sensor>), ApiError> {
    let range = b.low.zip(b.high);
    Ok((StatusCode::CREATED, json_of(s.app.add_sensor(&a, id, &b.kind, range).await?)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlarmParams {
    pub site_id: Option<i64>,
    /// Only alarms not yet resolved.
    pub live: Option<bool>,
    /// `high`, `low`, `offline`, `patrol_missed`.
    pub kind: Option<String>,
}

/// Alarms in scope, newest first.
#[utoipa::path(get, path = "/api/v1/alarms", params(AlarmParams), responses((status = 200, body = [anjian_domain::warehouse::Alarm])))]
pub async fn alarms(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AlarmParams>,
) -> Result<Json<Vec<anjian_domain::warehouse::Alarm>>, ApiError> {
    let f = AlarmFilter { site_id: q.site_id, live: q.live.unwrap_or(false), kind: q.kind };
    json_of(s.app.alarms(&a, &f).await?)
}

/// Someone is on it.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/acknowledge", params(("id" = i64, Path)), responses((status = 200, body = AlarmStateDto), (status = 409, body = ErrorBody)))]
pub async fn acknowledge(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AlarmStateDto>, ApiError> {
    s.app.acknowledge_alarm(&a, id).await?;
    Ok(Json(AlarmStateDto { state: AlarmState::Acknowledged }))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    pub note: String,
}

/// Resolved, with what was done.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/resolve", params(("id" = i64, Path)), request_body = NoteBody,
    responses((status = 200, body = AlarmStateDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> Result<Json<AlarmStateDto>, ApiError> {
    s.app.resolve_alarm(&a, id, &b.note).await?;
    Ok(Json(AlarmStateDto { state: AlarmState::Resolved }))
}

/// The alarm becomes a hazard in the enterprise's ledger.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/hazard", params(("id" = i64, Path)), responses((status = 201, body = crate::kit::api::HazardFiledDto), (status = 409, body = ErrorBody)))]
pub async fn to_hazard(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<crate::kit::api::HazardFiledDto>), ApiError> {
    let h = s.app.alarm_to_hazard(&a, id).await?;
    Ok((StatusCode::CREATED, Json(crate::kit::api::HazardFiledDto { hazard_id: h })))
}

/// A patrol checkpoint; its `code` is what the printed QR code carries.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/checkpoints", params(("id" = i64, Path)), request_body = NameBody,
    responses((status = 201, body = anjian_domain::warehouse::Checkpoint), (status = 422, body = ErrorBody)))]
pub async fn add_checkpoint(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NameBody>,
) -> Result<(StatusCode, Json<anjian_domain::warehouse::Checkpoint>), ApiError> {
    Ok((StatusCode::CREATED, json_of(s.app.add_checkpoint(&a, id, &b.name).await?)?))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckinBody {
    pub code: String,
    #[serde(default)]
    pub note: String,
}

/// A guard at a checkpoint (the time is the server's).
#[utoipa::path(post, path = "/api/v1/patrol/checkins", request_body = CheckinBody,
    responses((status = 201, body = CheckinDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn checkin(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<CheckinBody>,
) -> Result<(StatusCode, Json<CheckinDto>), ApiError> {
    let (c, complete) = s.app.check_in(&a, &b.code, &b.note, None).await?;
    Ok((StatusCode::CREATED, Json(CheckinDto { checkin: c, round_complete: complete })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// `YYYY-MM-DD` (local); today when absent.
    pub date: Option<chrono::NaiveDate>,
}

/// A day's patrol hour by hour: complete, missed, or to come, with who checked in.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/patrol", params(("id" = i64, Path), DayParams), responses((status = 200, body = [anjian_app::warehouses::PatrolHour])))]
pub async fn patrol(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DayParams>,
) -> Result<Json<Vec<anjian_app::warehouses::PatrolHour>>, ApiError> {
    let day = q.date.unwrap_or_else(|| anjian_domain::period::local_date(s.app.clock.now()));
    json_of(s.app.patrol_day(&a, id, day).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct LoadingBody {
    /// `load` or `unload`.
    pub direction: String,
    pub vehicle: String,
    pub driver: String,
    /// Each item of the procedure and the vehicle check: `{"item", "ok", "note"}`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LoadingItem>,
}

/// A loading or unloading with its checklist; a failed item files a hazard.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/loadings", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = LoadingBody,
    responses((status = 201, body = anjian_domain::warehouse::Loading), (status = 422, body = ErrorBody)))]
pub async fn add_loading(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<LoadingBody>,
) -> Result<(StatusCode, Json<anjian_domain::warehouse::Loading>), ApiError> {
    let input = LoadingInput { direction: b.direction, vehicle: b.vehicle, driver: b.driver, items: b.items };
    Ok((StatusCode::CREATED, json_of(s.app.record_loading(&a, id, input, idempotency_key(&headers)).await?)?))
}

/// The warehouse's latest loadings.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/loadings", params(("id" = i64, Path)), responses((status = 200, body = [anjian_domain::warehouse::Loading])))]
pub async fn loadings(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<anjian_domain::warehouse::Loading>>, ApiError> {
    json_of(s.app.loadings(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct FacilityBody {
    /// `fire` or `drainage`.
    pub kind: String,
    pub name: String,
    pub interval_days: i32,
}

/// A fire or drainage facility with its upkeep interval.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/facilities", params(("id" = i64, Path)), request_body = FacilityBody,
    responses((status = 201, body = anjian_domain::warehouse::Facility), (status = 422, body = ErrorBody)))]
pub async fn add_facility(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FacilityBody>,
) -> Result<(StatusCode, Json<anjian_domain::warehouse::Facility>), ApiError> {
    Ok((StatusCode::CREATED, json_of(s.app.add_facility(&a, id, &b.kind, &b.name, b.interval_days).await?)?))
}

/// One upkeep of a facility.
#[utoipa::path(post, path = "/api/v1/facilities/{id}/upkeep", params(("id" = i64, Path)), request_body = NoteBody,
    responses((status = 201, body = anjian_domain::warehouse::Upkeep), (status = 422, body = ErrorBody)))]
pub async fn upkeep(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<anjian_domain::warehouse::Upkeep>), ApiError> {
    Ok((StatusCode::CREATED, json_of(s.app.record_upkeep(&a, id, &b.note).await?)?))
}

/// A new gateway and its token, shown once.
#[derive(Serialize, ToSchema)]
pub struct NewGatewayDto {
    pub id: i64,
    pub name: String,
    pub token: String,
    /// The broker account the gateway signs in with over MQTT (the password is the token).
    pub mqtt_username: String,
}

/// An alarm's state after an action.
#[derive(Serialize, ToSchema)]
pub struct AlarmStateDto {
    pub state: AlarmState,
}

/// A patrol check-in, and whether it completed the round.
#[derive(Serialize, ToSchema)]
pub struct CheckinDto {
    pub checkin: anjian_domain::warehouse::Checkin,
    pub round_complete: bool,
}
