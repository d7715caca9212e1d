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
    Unavailable,
    Internal,
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
            ServiceError::Config(m) | ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                WebError::Internal
            }
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
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
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
            WebError::Conflict(m) => (
                t.t("error-conflict-title"),
                t.a("error-conflict", "detail", m.as_str()),
            ),
            WebError::Unavailable => (t.t("error-unavailable-title"), t.t("error-unavailable")),
            WebError::Internal => (t.t("error-internal-title"), t.t("error-internal")),
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
