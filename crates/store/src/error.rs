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
