//! Inzage HTTP layer. Handlers parse requests, call a service with the
//! acting principal and render the answer; they hold no SQL and no access
//! rules. This crate only sees the public API of `inzage-service`.
#![deny(clippy::unwrap_used)]

mod api;
mod auth;
mod dev;
pub mod error;
mod headers;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use inzage_service::Services;
use std::time::Duration;
use tower_http::trace::TraceLayer;

/// Web settings that change responses.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a TLS proxy): adds HSTS.
    pub tls: bool,
    /// `Secure` cookies with the `__Host-` prefix (default). Browsers accept
    /// them on http://localhost and http://127.0.0.1; only other plain-http
    /// development hosts need this off.
    pub secure_cookies: bool,
    /// Development aid: `/dev/outbox` shows the outbox folder (invitation
    /// links, SMS codes). `Some(dir)` only when the operator asked for it
    /// AND both e-mail and SMS go to the outbox; otherwise the page does
    /// not exist.
    pub dev_outbox: Option<std::path::PathBuf>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            tls: false,
            secure_cookies: true,
            dev_outbox: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub(crate) cookies: std::sync::Arc<auth::Cookies>,
}

impl AppState {
    /// The servicedesk contacts of the organisation, as one line.
    pub(crate) async fn servicedesk(&self) -> String {
        let orgs = self.services.list_organisations().await.unwrap_or_default();
        let Some(o) = orgs.first() else {
            return String::new();
        };
        match (&o.settings.servicedesk_email, &o.settings.servicedesk_phone) {
            (Some(e), Some(p)) => format!("Mail naar {e} of bel {p}."),
            (Some(e), None) => format!("Mail naar {e}."),
            (None, Some(p)) => format!("Bel {p}."),
            (None, None) => String::new(),
        }
    }
}

pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState {
        services,
        cookies: std::sync::Arc::new(auth::Cookies::new(config.secure_cookies)),
    };
    let mut app = Router::new();
    if let Some(dir) = config.dev_outbox.clone() {
        app = app.route("/dev/outbox", get(move || dev::outbox(dir.clone())));
    }
    app.route("/", get(auth::start))
        .route("/inloggen", get(auth::login_form).post(auth::login_submit))
        .route(
            "/inloggen/code",
            get(auth::code_form).post(auth::code_submit),
        )
        .route("/inloggen/sms", axum::routing::post(auth::send_sms))
        .route(
            "/wachtwoord-opvragen",
            get(auth::forgot_form).post(auth::forgot_submit),
        )
        .route(
            "/wachtwoord-instellen",
            get(auth::set_password_form).post(auth::set_password_submit),
        )
        .route("/uitloggen", axum::routing::post(auth::logout))
        .route("/mijn-sessies", get(auth::sessions))
        .route(
            "/mijn-sessies/andere-beeindigen",
            axum::routing::post(auth::end_other_sessions),
        )
        .route("/inloggen/app-koppelen", get(auth::enrol_form))
        .route(
            "/mijn-account/app",
            get(auth::account_app_form).post(auth::account_app_submit),
        )
        .route("/mijn-account", get(auth::account))
        .route(
            "/mijn-account/wachtwoord",
            axum::routing::post(auth::change_password),
        )
        .route(
            "/mijn-account/app/verwijderen",
            axum::routing::post(auth::remove_app),
        )
        .route(
            "/mijn-account/taal",
            axum::routing::post(auth::set_language),
        )
        .merge(api::routes())
        .route("/hulp", get(auth::help))
        .route("/static/{*file}", get(static_file))
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

/// The stylesheets and script, compiled into the binary (no CDN).
async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, ctype): (&'static [u8], &str) = match file.as_str() {
        "inzage.css" => (
            include_bytes!("../static/inzage.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/utrecht-component-library.css" => (
            include_bytes!("../static/vendor/utrecht-component-library.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/htmx.min.js" => (
            include_bytes!("../static/vendor/htmx.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return error::WebError::NotFound.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    error::WebError::NotFound.into_response()
}
