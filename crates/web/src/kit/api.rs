//! What every API handler shares: the extractors that answer a malformed request with the one
//! error shape, typed answers, paging, codes, idempotency keys and spreadsheet imports. It knows
//! no feature.

use crate::error::{json_error, ApiError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A body, query or path the API could not read, as the one error shape.
pub struct Rejection(Response);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.0
    }
}

fn reject(status: StatusCode, text: String) -> Rejection {
    // axum's rejection texts name the problem (a missing field, a wrong type), not internals.
    Rejection(json_error(status, "bad_request", text, Vec::new()))
}

impl From<JsonRejection> for Rejection {
    fn from(r: JsonRejection) -> Self {
        // A body past the limit says so (413), rather than passing for malformed JSON.
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Rejection(json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.body_text(), Vec::new()));
        }
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}
impl From<QueryRejection> for Rejection {
    fn from(r: QueryRejection) -> Self {
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}
impl From<PathRejection> for Rejection {
    fn from(r: PathRejection) -> Self {
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}

/// A JSON body read into `T`. Text holding a NUL character (`\u0000`) is refused with 422
/// before anything is stored: PostgreSQL cannot keep it in text, and on SQLite it would cut
/// strings short wherever C reads them.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().ends_with("json")));
        if !json {
            return Err(reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
            Rejection(json_error(status, code, e.body_text(), Vec::new()))
        })?;
        if holds_nul(&bytes) {
            return Err(Rejection(json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "text may not contain the NUL character".into(),
                vec![crate::error::FieldProblem::of(&anjian_app::FieldError::new("body", "nul_character"))],
            )));
        }
        axum::Json::<T>::from_bytes(&bytes).map(|axum::Json(v)| ApiJson(v)).map_err(Rejection::from)
    }
}

/// Whether JSON text escapes a NUL character: `\u0000` behind an odd run of backslashes (an
/// even run is an escaped backslash followed by the letters `u0000`).
fn holds_nul(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && w[1..].eq_ignore_ascii_case(b"u0000")
            && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Rejection))]
pub struct ApiQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Rejection))]
pub struct ApiPath<T>(pub T);

/// An answer as its typed JSON body (its schema is in the API description).
pub fn json_of<T: serde::Serialize>(v: T) -> Result<Json<T>, crate::error::ApiError> {
    Ok(Json(v))
}

/// The `Idempotency-Key` header of a create from a phone.
pub fn idempotency_key(h: &axum::http::HeaderMap) -> Option<&str> {
    h.get("idempotency-key").and_then(|v| v.to_str().ok())
}

/// Page size: 50 unless asked, at most 200.
pub fn limit(asked: Option<u64>) -> u64 {
    asked.unwrap_or(50).clamp(1, 200)
}

/// The most rows a page may ask for.
pub const MAX_PAGE: u64 = 200;

/// A page size as the query gives it: 1 to 200, or the query is refused (400) rather than
/// quietly clamped, as the API's description says.
pub fn page_limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::Deserialize;
    // Query values arrive as text.
    let text = Option::<String>::deserialize(d)?;
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    match text.parse::<u64>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!("limit must be a whole number from 1 to {MAX_PAGE}"))),
    }
}

/// A code from a query (a state, a channel …) parsed into its domain type: empty means "any",
/// an unknown code is the caller's error (422 on the API, a message on a page), never "any".
pub fn code<T: std::str::FromStr>(field: &str, v: Option<&str>) -> Result<Option<T>, anjian_app::AppError> {
    match v.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| anjian_app::AppError::invalid(field, "invalid_kind")),
    }
}

/// The largest spreadsheet accepted for an import.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;

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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Store the rows (when the whole sheet is valid); otherwise only check them.
    #[serde(default)]
    pub apply: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub rows: usize,
    pub new: usize,
    pub existing: usize,
    pub applied: bool,
    pub errors: Vec<ImportRowError>,
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

/// The hazard a tip (or an alarm) was filed as.
#[derive(Serialize, ToSchema)]
pub struct HazardFiledDto {
    pub hazard_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportRowError {
    pub row: usize,
    pub column: String,
    pub code: String,
    /// The problem in Chinese.
    pub message: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceParams {
    /// A county inside the caller's jurisdiction.
    pub jurisdiction_id: Option<i64>,
    /// A rule id of the plan.
    pub rule: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct LiaisonReportBody {
    pub body: String,
    /// Report it to the leadership group (otherwise a draft version).
    #[serde(default)]
    pub submit: bool,
}
