//! Inzage HTTP layer. Handlers parse requests, call a service with the
//! acting principal and render the answer; they hold no SQL and no access
//! rules. This crate only sees the public API of `inzage-service`.
#![deny(clippy::unwrap_used)]

pub mod error;
mod headers;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use inzage_service::Services;
use std::time::Duration;
use tower_http::trace::TraceLayer;

/// Web settings that change responses.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a TLS proxy): adds HSTS.
    pub tls: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
}

pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState { services };
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/bare", get(bare))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            config.tls,
            headers::security_headers,
        ))
        .layer(
            // Logs method, route template, status and latency: never the
            // raw path or query (they can carry ids), never bodies.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map(|m| m.as_str().to_owned())
                        .unwrap_or_else(|| "unmatched".into());
                    tracing::info_span!("http", method = %req.method(), route = %route)
                })
                .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "response"
                    );
                }),
        )
}

/// 200 `ok` when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.services.db().ping().await {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "ok",
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "database unavailable",
        )
            .into_response()
    }
}

/// A route that touches nothing: the baseline for throughput comparisons.
async fn bare() -> &'static str {
    "bare"
}

const PAGE_HEAD: &str = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";

async fn home() -> Html<String> {
    Html(format!(
        "{PAGE_HEAD}<title>Inzage</title></head><body><main>\
         <h1>Inzage</h1><p>Hier kun je straks je eigen dossier lezen.</p>\
         <p>Inloggen kan nog niet. Dat komt in de volgende versie.</p></main></body></html>"
    ))
}

async fn not_found() -> Response {
    error::WebError::NotFound.into_response()
}
