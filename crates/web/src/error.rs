//! The web layer's one error type: every failure becomes a short page (or
//! JSON for API clients) with the right status; internals are logged, never
//! shown.
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use inzage_service::ServiceError;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    Forbidden,
    /// A form without a valid CSRF token (stale page, or forged).
    CsrfFailed,
    BadRequest(String),
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

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Deze pagina bestaat niet.".to_owned(),
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Dit mag je niet bekijken.".to_owned(),
            ),
            WebError::CsrfFailed => (
                StatusCode::FORBIDDEN,
                "Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog een keer."
                    .to_owned(),
            ),
            WebError::BadRequest(m) => {
                (StatusCode::BAD_REQUEST, format!("Er klopt iets niet: {m}"))
            }
            WebError::Conflict(m) => (StatusCode::CONFLICT, format!("Dit lukt niet: {m}")),
            WebError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Inzage is even niet bereikbaar. Probeer het later opnieuw.".to_owned(),
            ),
            WebError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Er ging iets mis. Probeer het later opnieuw.".to_owned(),
            ),
        };
        let body = format!(
            "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Inzage</title></head>\
             <body><main><h1>Inzage</h1><p>{}</p><p><a href=\"/\">Naar de startpagina</a></p></main></body></html>",
            escape(&text)
        );
        (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }
}

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
