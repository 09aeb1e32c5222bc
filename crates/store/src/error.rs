use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (a duplicate code, username …).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            _ => StoreError::Db(e),
        }
    }
}

impl StoreError {
    /// The same failure once more, for each of several requests that one transaction carried
    /// (the database's message is kept, so a full disk still reads as one).
    pub fn repeated(&self) -> StoreError {
        match self {
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
            StoreError::Db(e) => StoreError::Db(DbErr::Custom(e.to_string())),
        }
    }
}
