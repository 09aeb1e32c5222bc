//! One mapping from a use case's refusal to a response: a stable JSON error on the API, a
//! translated page on the web. Internal errors are logged once with a request id; the client
//! only ever sees the id, never the error text.

use crate::i18n::Lang;
use anjian_app::{AppError, FieldError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub fn status_and_code(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
        AppError::Locked => (StatusCode::LOCKED, "locked"),
        AppError::Throttled => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
        AppError::BadCode => (StatusCode::UNAUTHORIZED, "bad_code"),
        AppError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::IdempotencyMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_mismatch"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::PlanInvalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "plan_invalid"),
        AppError::NoPlan => (StatusCode::CONFLICT, "no_plan"),
        AppError::StorageFull(_) => (StatusCode::INSUFFICIENT_STORAGE, "storage_full"),
        AppError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The body of every API error: `{"error":{"code","message","fields"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code.
    pub code: String,
    /// A human-readable message in English.
    pub message: String,
    /// Field-level problems, each with a stable code.
    pub fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    /// For `too_long`: the most characters the field takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
    /// What is wrong, in words (English): `description: Too long: at most 2000 characters.`
    pub message: String,
}

impl FieldProblem {
    pub fn of(f: &FieldError) -> FieldProblem {
        FieldProblem {
            field: f.field.clone(),
            code: f.code.clone(),
            max: f.max,
            message: format!("{}: {}", f.field, field_message(Lang::En, f)),
        }
    }
}

/// A field's problem in words, its limit filled in.
pub fn field_message(lang: Lang, f: &FieldError) -> String {
    let code = if f.code == "not_found" { "not_found_field" } else { f.code.as_str() };
    match f.max {
        Some(max) => lang.code_message(code).replace("{max}", &max.to_string()),
        None => lang.code_message(code).to_owned(),
    }
}

/// An error on the JSON API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

fn log_if_internal(e: &AppError, status: StatusCode) -> String {
    let id = crate::request_id::current();
    if status.is_server_error() {
        tracing::error!(request_id = %id, error = %e, "request failed");
    }
    id
}

pub fn json_error(status: StatusCode, code: &str, message: String, fields: Vec<FieldProblem>) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message, fields } };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        let id = log_if_internal(&self.0, status);
        let fields = match &self.0 {
            AppError::Invalid(f) => f.iter().map(FieldProblem::of).collect(),
            _ => Vec::new(),
        };
        let message = match &self.0 {
            AppError::StorageFull(_) => {
                "storage full: nothing was written, and nothing stored before is affected; try again once space is freed"
                    .to_owned()
            }
            AppError::Store(_) | AppError::Internal(_) => {
                format!("internal error (request id {id})")
            }
            AppError::PlanInvalid(findings) => findings.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "),
            // The fields in words, so a client that shows `message` tells the user what to fix.
            AppError::Invalid(f) => {
                f.iter().map(|f| FieldProblem::of(f).message).collect::<Vec<_>>().join("; ")
            }
            e => e.to_string(),
        };
        let mut r = json_error(status, code, message, fields);
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// An error on a page, shown in the user's language.
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl PageError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        PageError { error, lang }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.error);
        let id = log_if_internal(&self.error, status);
        if status == StatusCode::UNAUTHORIZED && matches!(self.error, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let mut message = self.lang.code_message(code).to_owned();
        // A refused input on a page that has no form to show it beside: say what was refused
        // (月份：该月没有典型案例，无需汇编。) rather than only that something was.
        if let AppError::Invalid(fields) = &self.error {
            if !fields.is_empty() {
                message = crate::kit::page::field_messages(self.lang, &self.error).join(" ");
            }
        }
        if status.is_server_error() && status != StatusCode::INSUFFICIENT_STORAGE {
            message = format!("{}{id}", self.lang.t("err.internal"));
        }
        crate::kit::page::error_page(self.lang, status, &message)
    }
}
