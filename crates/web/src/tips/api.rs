//! The tip channel over JSON. The first four endpoints are public (no token, nothing about the
//! caller kept); the rest are the bureau's and need a token with the right role.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{json_of, ApiJson, ApiPath, ApiQuery, HazardFiledDto};
use crate::AppState;
use anjian_app::tips::{AssignInput, RewardInput, TipInput};
use anjian_domain::tip::TipFilter;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use std::net::SocketAddr;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tips/challenge", get(challenge))
        .route("/tips/submit", post(submit))
        .route("/tips/follow", post(follow))
        .route("/tips/follow/messages", post(reporter_message))
        .route("/tips", get(list))
        .route("/tips/stats", get(stats))
        .route("/tips/{id}", get(one))
        .route("/tips/{id}/assign", post(assign))
        .route("/tips/{id}/conclude", post(conclude))
        .route("/tips/{id}/hazard", post(hazard))
        .route("/tips/{id}/reward", post(reward))
        .route("/tips/{id}/decision", post(decision))
        .route("/tips/{id}/payment", post(payment))
        .route("/tips/{id}/close", post(close))
        .route("/tips/{id}/messages", post(message))
        .route("/tips/{id}/reveal", post(reveal))
}

/// A proof-of-work challenge for a submission: find `nonce` so that SHA-256(`challenge:nonce`)
/// starts with `bits` zero bits.
#[utoipa::path(get, path = "/api/v1/tips/challenge", security(()), responses((status = 200, body = ChallengeDto)))]
pub async fn challenge(State(s): State<AppState>) -> Json<ChallengeDto> {
    let c = s.app.tip_challenge();
    Json(ChallengeDto { challenge: c.challenge, bits: c.bits })
}

#[derive(Deserialize, ToSchema)]
pub struct SubmitBody {
    /// `public` (default) or `internal`.
    #[serde(default)]
    pub channel: String,
    pub category: String,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub work_team: String,
    pub body: String,
    #[serde(default)]
    pub contact: String,
    pub challenge: String,
    pub nonce: String,
}

/// Submits a tip without an account. The answer holds the receipt code, shown this once.
#[utoipa::path(post, path = "/api/v1/tips/submit", security(()), request_body = SubmitBody,
    responses((status = 201, body = ReceiptDto), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<SubmitBody>,
) -> Result<(StatusCode, Json<ReceiptDto>), ApiError> {
    let input = TipInput {
        channel: b.channel,
        category: b.category,
        county: b.county,
        subject: b.subject,
        place: b.place,
        happened_on: b.happened_on,
        work_team: b.work_team,
        body: b.body,
        contact: b.contact,
        challenge: b.challenge,
        nonce: b.nonce,
    };
    let code = s.app.submit_tip(Some(crate::kit::page::client_ip(peer, &headers)), input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(ReceiptDto { receipt: code.to_string() })))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptBody {
    pub receipt: String,
    #[serde(default)]
    pub body: String,
}

/// The state, outcome, reward and messages of the tip behind a receipt code.
#[utoipa::path(post, path = "/api/v1/tips/follow", security(()), request_body = ReceiptBody,
    responses((status = 200, body = anjian_app::tips::ReporterView), (status = 404, body = ErrorBody)))]
pub async fn follow(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<ReceiptBody>,
) -> Result<Json<anjian_app::tips::ReporterView>, ApiError> {
    json_of(s.app.follow_tip(Some(crate::kit::page::client_ip(peer, &headers)), &b.receipt).await?)
}

/// A message from the reporter to the bureau.
#[utoipa::path(post, path = "/api/v1/tips/follow/messages", security(()), request_body = ReceiptBody,
    responses((status = 201, body = SentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reporter_message(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<ReceiptBody>,
) -> Result<(StatusCode, Json<SentDto>), ApiError> {
    s.app.reporter_message(Some(crate::kit::page::client_ip(peer, &headers)), &b.receipt, &b.body).await?;
    Ok((StatusCode::CREATED, Json(SentDto { sent: true })))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ListParams {
    pub state: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// Only tips past their step's deadline.
    pub overdue: Option<bool>,
}

impl ListParams {
    fn filter(&self, s: &AppState) -> Result<TipFilter, anjian_app::AppError> {
        Ok(TipFilter {
            state: crate::kit::api::code("state", self.state.as_deref())?,
            category: self.category.clone(),
            channel: self.channel.clone(),
            overdue_at: self.overdue.filter(|o| *o).map(|_| s.app.clock.now()),
            ..Default::default()
        })
    }
}

/// Tips in the caller's area, newest first (bureau roles only).
#[utoipa::path(get, path = "/api/v1/tips", params(("state" = Option<String>, Query), ("category" = Option<String>, Query), ("channel" = Option<String>, Query), ("overdue" = Option<bool>, Query)),
    responses((status = 200, body = [anjian_domain::tip::Tip]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<anjian_domain::tip::Tip>>, ApiError> {
    json_of(s.app.tips(&a, &q.filter(&s)?, 500).await?)
}

/// Counts by month, county, category and outcome.
#[utoipa::path(get, path = "/api/v1/tips/stats", params(("state" = Option<String>, Query), ("category" = Option<String>, Query), ("channel" = Option<String>, Query), ("overdue" = Option<bool>, Query)),
    responses((status = 200, body = [anjian_app::tips::TipStatRow]), (status = 403, body = ErrorBody)))]
pub async fn stats(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<anjian_app::tips::TipStatRow>>, ApiError> {
    json_of(s.app.tip_stats(&a, &q.filter(&s)?).await?)
}

/// A tip with its steps, messages and files (never the reporter's identity).
#[utoipa::path(get, path = "/api/v1/tips/{id}", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::tips::TipDetail), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::tips::TipDetail>, ApiError> {
    json_of(s.app.tip_detail(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    pub category: String,
    #[serde(default)]
    pub county: String,
    pub org_id: Option<i64>,
    pub assignee_org_id: i64,
    #[serde(default)]
    pub note: String,
}

/// Triage and assignment to a department or county bureau.
#[utoipa::path(post, path = "/api/v1/tips/{id}/assign", params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 200, body = anjian_domain::tip::Tip), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<Json<anjian_domain::tip::Tip>, ApiError> {
    let input = AssignInput {
        category: b.category,
        county: b.county,
        org_id: b.org_id,
        assignee_org_id: b.assignee_org_id,
        note: b.note,
    };
    s.app.assign_tip(&a, id, input).await?;
    json_of(s.app.tip_detail(&a, id).await?.tip)
}

#[derive(Deserialize, ToSchema)]
pub struct ConcludeBody {
    /// `true`, `partly_true` or `untrue`.
    pub outcome: String,
    pub findings: String,
}

/// The verification's findings and outcome (evidence photos through the page form).
#[utoipa::path(post, path = "/api/v1/tips/{id}/conclude", params(("id" = i64, Path)), request_body = ConcludeBody,
    responses((status = 200, body = anjian_domain::tip::Tip), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn conclude(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ConcludeBody>,
) -> Result<Json<anjian_domain::tip::Tip>, ApiError> {
    s.app.conclude_tip(&a, id, &b.outcome, &b.findings, Vec::new()).await?;
    json_of(s.app.tip_detail(&a, id).await?.tip)
}

#[derive(Deserialize, ToSchema)]
pub struct HazardBody {
    /// A hazard grade of the plan (`general`, `major`).
    pub grade: String,
    /// What was found, in the bureau's words: the enterprise reads it in its ledger, so it must
    /// not repeat the tip's text.
    pub description: String,
}

/// Files a founded tip as a hazard in the ledger of the organisation concerned.
#[utoipa::path(post, path = "/api/v1/tips/{id}/hazard", params(("id" = i64, Path)), request_body = HazardBody,
    responses((status = 201, body = HazardFiledDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hazard(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<HazardBody>,
) -> Result<(StatusCode, Json<HazardFiledDto>), ApiError> {
    let h = s.app.tip_to_hazard(&a, id, &b.grade, &b.description).await?;
    Ok((StatusCode::CREATED, Json(HazardFiledDto { hazard_id: h })))
}

#[derive(Deserialize, ToSchema)]
pub struct RewardBody {
    pub finding: String,
    #[serde(default)]
    pub penalty_yuan: i64,
}

/// Proposes the reward the plan's rules give; the amount is computed, not typed.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward", params(("id" = i64, Path)), request_body = RewardBody,
    responses((status = 200, body = RewardDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reward(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RewardBody>,
) -> Result<Json<RewardDto>, ApiError> {
    let y = s.app.propose_reward(&a, id, RewardInput { finding: b.finding, penalty_yuan: b.penalty_yuan }).await?;
    Ok(Json(RewardDto { reward_yuan: y }))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// A second person approves or rejects (with a note) the proposed reward.
#[utoipa::path(post, path = "/api/v1/tips/{id}/decision", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = anjian_domain::tip::Tip), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decision(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<anjian_domain::tip::Tip>, ApiError> {
    s.app.decide_reward(&a, id, b.approve, &b.note).await?;
    json_of(s.app.tip_detail(&a, id).await?.tip)
}

#[derive(Deserialize, ToSchema)]
pub struct TextBody {
    pub text: String,
}

/// The reward paid (with the payment's reference).
#[utoipa::path(post, path = "/api/v1/tips/{id}/payment", params(("id" = i64, Path)), request_body = TextBody,
    responses((status = 200, body = anjian_domain::tip::Tip), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn payment(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<anjian_domain::tip::Tip>, ApiError> {
    s.app.record_reward_payment(&a, id, &b.text).await?;
    json_of(s.app.tip_detail(&a, id).await?.tip)
}

/// Closes a tip without (further) reward, with a reason.
#[utoipa::path(post, path = "/api/v1/tips/{id}/close", params(("id" = i64, Path)), request_body = TextBody,
    responses((status = 200, body = anjian_domain::tip::Tip), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<anjian_domain::tip::Tip>, ApiError> {
    s.app.close_tip(&a, id, &b.text).await?;
    json_of(s.app.tip_detail(&a, id).await?.tip)
}

/// A message from the bureau to the reporter.
#[utoipa::path(post, path = "/api/v1/tips/{id}/messages", params(("id" = i64, Path)), request_body = TextBody,
    responses((status = 201, body = SentDto), (status = 422, body = ErrorBody)))]
pub async fn message(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<(StatusCode, Json<SentDto>), ApiError> {
    s.app.bureau_tip_message(&a, id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(SentDto { sent: true })))
}

/// Opens the sealed contact details: the custodian only, with a reason (`text`), audited.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reveal", params(("id" = i64, Path)), request_body = TextBody,
    responses((status = 200, body = ContactDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reveal(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<ContactDto>, ApiError> {
    let contact = s.app.reveal_tip_contact(&a, id, &b.text).await?;
    Ok(Json(ContactDto { contact }))
}

/// The proof-of-work puzzle a public tip must solve.
#[derive(Serialize, ToSchema)]
pub struct ChallengeDto {
    pub challenge: String,
    /// Leading zero bits the answer's hash must have.
    pub bits: u32,
}

/// The receipt code: the reporter's only way back to the tip.
#[derive(Serialize, ToSchema)]
pub struct ReceiptDto {
    pub receipt: String,
}

#[derive(Serialize, ToSchema)]
pub struct SentDto {
    pub sent: bool,
}

/// The reward the plan's rules come to, in yuan.
#[derive(Serialize, ToSchema)]
pub struct RewardDto {
    pub reward_yuan: i64,
}

/// The reporter's contact, unsealed for this request (and audited).
#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub contact: String,
}
