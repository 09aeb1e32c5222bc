use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (a duplicate code, username …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The disk (or the database's quota) is full: nothing was written, and nothing stored was
    /// harmed. Writing works again once space returns.
    #[error("storage full: {0}")]
    Full(String),
    #[error("database: {0}")]
    Db(DbErr),
    /// A stored value the code does not know (a state no release ever wrote): the record is
    /// refused rather than read as something it is not.
    #[error("{table}.{column} holds an unknown value `{value}`")]
    Corrupt { table: &'static str, column: &'static str, value: String },
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        if is_full(&e) {
            return StoreError::Full(e.to_string());
        }
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            _ => StoreError::Db(e),
        }
    }
}

/// SQLITE_FULL (13), or PostgreSQL's `disk_full` (53100).
fn is_full(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(se))
    | DbErr::Query(RuntimeErr::SqlxError(se))
    | DbErr::Conn(RuntimeErr::SqlxError(se))) = e
    else {
        return false;
    };
    se.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "13" || code == "53100")
}

impl From<std::io::Error> for StoreError {
    /// A file the store keeps beside the database (a photo, an attachment) could not be written.
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => StoreError::Full(e.to_string()),
            _ => StoreError::Db(DbErr::Custom(format!("file: {e}"))),
        }
    }
}

impl StoreError {
    /// The same failure once more, for each of several requests that one transaction carried
    /// (a full disk stays a full disk).
    pub fn repeated(&self) -> StoreError {
        match self {
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
            StoreError::Full(m) => StoreError::Full(m.clone()),
            StoreError::Db(e) => StoreError::Db(DbErr::Custom(e.to_string())),
            StoreError::Corrupt { table, column, value } => StoreError::Corrupt { table, column, value: value.clone() },
        }
    }
}
