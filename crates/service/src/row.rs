//! Small helpers to read typed values out of `AnyRow`s.
use crate::error::ServiceError;
use crate::sql::Row;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::types::{parse_stored_date, parse_ts};

pub(crate) fn s(row: &Row, col: &str) -> Result<String, ServiceError> {
    Ok(row.try_get::<String, _>(col)?)
}
pub(crate) fn os(row: &Row, col: &str) -> Result<Option<String>, ServiceError> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}
pub(crate) fn i(row: &Row, col: &str) -> Result<i64, ServiceError> {
    Ok(row.try_get::<i64, _>(col)?)
}
pub(crate) fn b(row: &Row, col: &str) -> Result<bool, ServiceError> {
    Ok(i(row, col)? != 0)
}
pub(crate) fn t(row: &Row, col: &str) -> Result<DateTime<Utc>, ServiceError> {
    let raw = s(row, col)?;
    parse_ts(&raw).ok_or_else(|| ServiceError::Internal(format!("bad timestamp in {col}")))
}
pub(crate) fn ot(row: &Row, col: &str) -> Result<Option<DateTime<Utc>>, ServiceError> {
    match os(row, col)? {
        None => Ok(None),
        Some(raw) => parse_ts(&raw)
            .map(Some)
            .ok_or_else(|| ServiceError::Internal(format!("bad timestamp in {col}"))),
    }
}
pub(crate) fn d(row: &Row, col: &str) -> Result<NaiveDate, ServiceError> {
    let raw = s(row, col)?;
    parse_stored_date(&raw).ok_or_else(|| ServiceError::Internal(format!("bad date in {col}")))
}
pub(crate) fn od(row: &Row, col: &str) -> Result<Option<NaiveDate>, ServiceError> {
    match os(row, col)? {
        None => Ok(None),
        Some(raw) => parse_stored_date(&raw)
            .map(Some)
            .ok_or_else(|| ServiceError::Internal(format!("bad date in {col}"))),
    }
}
pub(crate) fn flag(v: bool) -> i64 {
    i64::from(v)
}

/// [`s`] moving the text out of the row instead of copying it.
pub(crate) fn take_s(row: &mut Row, col: &str) -> Result<String, ServiceError> {
    row.take_text(col)?
        .ok_or_else(|| ServiceError::Internal(format!("unexpected NULL in {col}")))
}
/// [`os`] moving the text out of the row.
pub(crate) fn take_os(row: &mut Row, col: &str) -> Result<Option<String>, ServiceError> {
    Ok(row.take_text(col)?)
}
