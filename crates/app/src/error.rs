use anjian_domain::plan::Finding;
use anjian_store::StoreError;
use serde::Serialize;

/// A field that failed validation, with a stable code the UI translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    /// For `too_long`: the most characters the field takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> Self {
        FieldError { field: field.to_owned(), code: code.to_owned(), max: None }
    }

    /// Longer than `max` characters: refused as too long, saying how long it may be.
    pub fn too_long(field: &str, max: usize) -> Self {
        FieldError { max: Some(max), ..FieldError::new(field, "too_long") }
    }

    /// A required text of at most `max` characters: what is wrong with `value`, if anything.
    pub fn text(field: &str, value: &str, max: usize) -> Option<Self> {
        if value.trim().is_empty() {
            Some(FieldError::new(field, "required"))
        } else if value.chars().count() > max {
            Some(FieldError::too_long(field, max))
        } else {
            None
        }
    }
}

/// Why a use case refused. The web layer maps each to a status and a translated message.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not in the caller's scope: the two look the same from outside.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("account locked")]
    Locked,
    #[error("too many attempts")]
    Throttled,
    #[error("wrong or reused code")]
    BadCode,
    /// The account must choose a new password (after a reset, or once it expired) before any
    /// token of it is honoured.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The same idempotency key was sent with a different body.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("the plan has errors")]
    PlanInvalid(Vec<Finding>),
    #[error("no plan has been imported")]
    NoPlan,
    /// The disk is full: nothing was written and nothing stored was harmed.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, code: &str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Full(m) => AppError::StorageFull(m),
            // A value no release wrote: the record cannot be shown as anything, so the request
            // fails (500, logged) rather than showing a guess.
            e @ StoreError::Corrupt { .. } => AppError::Internal(e.to_string()),
            e => AppError::Store(e),
        }
    }
}
