//! The web layer's one error type: every failure becomes a short page (or
//! JSON for API clients) with the right status; internals are logged, never
//! shown. The page is rendered in the viewer's language by
//! [`crate::localise_errors`], which finds the [`ErrorPage`] marker.
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use inzage_service::ServiceError;

#[derive(Debug, Clone)]
pub enum WebError {
    NotFound,
    Forbidden,
    /// A form without a valid CSRF token (stale page, or forged).
    CsrfFailed,
    /// Input the service refused; the text names the field.
    BadRequest(String),
    /// Input the handler refused, with a text already in the viewer's language.
    BadInput(String),
    Conflict(String),
    /// A form or query the framework could not read into its fields, with
    /// the framework's status (400, 413, 415 or 422).
    Unreadable(StatusCode),
    Unavailable,
    /// The storage is full: nothing was saved (and no dossier is shown, as
    /// its reading could not be recorded).
    StorageFull,
    /// Something that is not the user's fault. The page shows the
    /// incident's reference; the log has the same reference beside the
    /// details, so the servicedesk can find them (ASVS 7.4.1).
    Internal(Incident),
}

/// The reference of one unexpected failure: eight random hexadecimal
/// characters, shown to the user and written to the log, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident(String);

impl Incident {
    /// A new reference, logged with what went wrong (never personal data:
    /// callers pass error kinds and the service's own error text).
    pub fn log(what: &str) -> Self {
        let mut b = [0u8; 4];
        let reference = match getrandom::getrandom(&mut b) {
            Ok(()) => b.iter().map(|x| format!("{x:02x}")).collect::<String>(),
            Err(_) => "00000000".to_owned(),
        };
        tracing::error!(incident = %reference, error = %what, "internal error");
        Incident(reference)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl WebError {
    /// An unexpected failure: logged with a new incident reference.
    pub fn internal(what: &str) -> Self {
        WebError::Internal(Incident::log(what))
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Denied(_) => WebError::Forbidden,
            ServiceError::Invalid(f) => WebError::BadRequest(f.to_string()),
            ServiceError::Conflict(m) => WebError::Conflict(m),
            ServiceError::Taken(f) => WebError::Conflict(format!("{f}: in use")),
            ServiceError::Stale => WebError::Conflict("changed by someone else".into()),
            ServiceError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                WebError::Unavailable
            }
            ServiceError::Full(m) => {
                tracing::error!(error = %m, "storage full: nothing is written until space returns");
                WebError::StorageFull
            }
            ServiceError::Config(m) | ServiceError::Internal(m) => WebError::internal(&m),
        }
    }
}

/// Marks a response as an error page, so the page can be rendered again
/// in the viewer's language.
#[derive(Clone, Debug)]
pub struct ErrorPage(pub WebError);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: Tr,
    title: String,
    text: String,
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::CsrfFailed => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) | WebError::BadInput(_) => StatusCode::BAD_REQUEST,
            WebError::Unreadable(status) => *status,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page in one language.
    pub fn page(&self, lang: Lang) -> Response {
        let t = Tr::new(lang);
        let (title, text) = match self {
            WebError::NotFound => (t.t("error-not-found-title"), t.t("error-not-found")),
            WebError::Forbidden => (t.t("error-forbidden-title"), t.t("error-forbidden")),
            WebError::CsrfFailed => (t.t("error-csrf-title"), t.t("error-csrf")),
            WebError::BadRequest(m) => (
                t.t("error-bad-input-title"),
                t.a("error-bad-request", "detail", m.as_str()),
            ),
            WebError::BadInput(m) => (t.t("error-bad-input-title"), m.clone()),
            WebError::Unreadable(_) => (t.t("error-bad-input-title"), t.t("error-unreadable")),
            WebError::Conflict(m) => (
                t.t("error-conflict-title"),
                t.a("error-conflict", "detail", m.as_str()),
            ),
            WebError::Unavailable => (t.t("error-unavailable-title"), t.t("error-unavailable")),
            WebError::StorageFull => (t.t("error-full-title"), t.t("error-full")),
            WebError::Internal(i) => (
                t.t("error-internal-title"),
                format!(
                    "{} {}",
                    t.t("error-internal"),
                    t.a("error-internal-reference", "reference", i.as_str())
                ),
            ),
        };
        let body = ErrorTemplate { t, title, text }
            .render()
            .unwrap_or_else(|_| "<!doctype html><title>Inzage</title><p>Inzage</p>".into());
        let mut r = (
            self.status(),
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response();
        r.extensions_mut().insert(ErrorPage(self.clone()));
        r
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.page(Lang::Nl)
    }
}
