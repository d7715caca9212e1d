//! The service layer's one error type. The web layer maps it to pages and
//! JSON; `Internal` details are logged, never shown.
use inzage_core::policy::DenyReason;
use inzage_core::types::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The item does not exist, or the actor may not know that it does.
    #[error("not found")]
    NotFound,
    /// The actor may not do this (the denial is already audited).
    #[error("not allowed ({})", .0.code())]
    Denied(DenyReason),
    /// Bad input, naming the field.
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The request conflicts with stored data (duplicate, stale edit).
    #[error("{0}")]
    Conflict(String),
    /// The value of this field is another record's already (a client
    /// number): the field's key, for the caller to point at the input.
    #[error("{0}: another record has this value")]
    Taken(&'static str),
    /// An edit started from a version that is no longer the latest
    /// (someone else saved, finalised or corrected it meanwhile). Nothing
    /// was written; the caller shows both versions.
    #[error("the item changed since the form was opened")]
    Stale,
    /// Configuration problem (bad URL, changed migration).
    #[error("{0}")]
    Config(String),
    /// The database cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// The storage is full: nothing was written (and a read that must be
    /// audited is not answered: its event cannot be written either).
    #[error("storage full: {0}")]
    Full(String),
    /// A bug or storage failure; details for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::sql::DbError> for ServiceError {
    fn from(e: crate::sql::DbError) -> Self {
        use crate::sql::DbError;
        match e {
            DbError::RowNotFound => ServiceError::NotFound,
            DbError::Unavailable(m) => ServiceError::Unavailable(m),
            DbError::Full(m) => ServiceError::Full(m),
            DbError::Unique(_) => ServiceError::Conflict("this already exists".into()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
