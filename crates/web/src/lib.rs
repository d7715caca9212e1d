//! Inzage HTTP layer. Handlers parse requests, call a service with the
//! acting principal and render the answer; they hold no SQL and no access
//! rules. This crate only sees the public API of `inzage-service`.
#![deny(clippy::unwrap_used)]

mod account;
mod admin_pages;
mod api;
mod audit_view;
mod auth;
pub mod client_addr;
mod dev;
pub mod error;
mod headers;
pub use inzage_i18n as i18n;
mod ics;
mod markdown;
mod portal;
mod staff;

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
    /// Proxies whose `Forwarded`/`X-Forwarded-For` name the client.
    pub trusted_proxies: client_addr::TrustedProxies,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            tls: false,
            secure_cookies: true,
            dev_outbox: None,
            trusted_proxies: client_addr::TrustedProxies::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub(crate) cookies: std::sync::Arc<auth::Cookies>,
    pub(crate) proxies: std::sync::Arc<client_addr::TrustedProxies>,
}

impl AppState {
    /// The servicedesk contacts of the organisation, as one line.
    pub(crate) async fn servicedesk(&self, tr: i18n::Tr) -> String {
        let orgs = self.services.list_organisations().await.unwrap_or_default();
        let Some(o) = orgs.first() else {
            return String::new();
        };
        match (&o.settings.servicedesk_email, &o.settings.servicedesk_phone) {
            (Some(e), Some(p)) => tr.a2("servicedesk-mail-or-call", "email", e, "phone", p),
            (Some(e), None) => tr.a("servicedesk-mail", "email", e),
            (None, Some(p)) => tr.a("servicedesk-call", "phone", p),
            (None, None) => String::new(),
        }
    }
}

pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState {
        services,
        cookies: std::sync::Arc::new(auth::Cookies::new(config.secure_cookies)),
        proxies: std::sync::Arc::new(config.trusted_proxies.clone()),
    };
    let mut app = Router::new();
    if let Some(dir) = config.dev_outbox.clone() {
        app = app.route("/dev/outbox", get(move || dev::outbox(dir.clone())));
    }
    app.route("/", get(auth::start))
        .route("/taal", get(auth::choose_language))
        .route(
            "/kiezen",
            get(portal::choose_form).post(portal::choose_submit),
        )
        .route("/rondleiding", axum::routing::post(portal::tour_close))
        .route("/dossier/gegevens", get(portal::profile))
        .route("/dossier/clientplan", get(portal::plans))
        .route("/dossier/clientplan/{plan}", get(portal::plan))
        .route(
            "/dossier/clientplan/{plan}/{section}",
            get(portal::plan_section),
        )
        .route("/dossier/rapportages", get(portal::reports))
        .route("/dossier/rapportages/{id}", get(portal::report))
        .route("/dossier/afspraken", get(portal::appointments))
        .route(
            "/dossier/afspraken/{id}/agenda.ics",
            get(portal::appointment_ics),
        )
        .route("/dossier/documenten", get(portal::documents))
        .route("/dossier/documenten/{id}", get(portal::document_view))
        .route(
            "/dossier/documenten/{id}/download",
            get(portal::document_download),
        )
        .route("/dossier/netwerk", get(portal::network))
        .route("/dossier/wie-keek-mee", get(portal::who_looked))
        .route(
            "/beheer",
            get(admin_pages::admin).post(admin_pages::admin_post),
        )
        .route(
            "/beheer/medewerkers/{id}",
            get(admin_pages::staff_edit).post(admin_pages::staff_save),
        )
        .route(
            "/beheer/goedkeuringen/{id}",
            axum::routing::post(admin_pages::staff_request_decide),
        )
        .route("/audit", get(audit_view::audit_page))
        .route("/audit.csv", get(audit_view::audit_csv))
        .route("/clienten/{client}", get(staff::profile))
        .route(
            "/clienten/{client}/rapportages",
            get(staff::reports).post(staff::report_create),
        )
        .route(
            "/clienten/{client}/rapportages/nieuw",
            get(staff::report_new),
        )
        .route("/clienten/{client}/rapportages/{id}", get(staff::report))
        .route(
            "/clienten/{client}/rapportages/{id}/opslaan",
            axum::routing::post(staff::report_save),
        )
        .route(
            "/clienten/{client}/rapportages/{id}/definitief",
            axum::routing::post(staff::report_finalise),
        )
        .route(
            "/clienten/{client}/rapportages/{id}/corrigeren",
            axum::routing::post(staff::report_correct),
        )
        .route(
            "/clienten/{client}/zorgperiode",
            axum::routing::post(staff::episode),
        )
        .route(
            "/clienten/{client}/afspraken",
            get(staff::appointments).post(staff::appointment_create),
        )
        .route(
            "/clienten/{client}/afspraken/{id}",
            get(staff::appointment_edit).post(staff::appointment_save),
        )
        .route(
            "/clienten/{client}/documenten",
            get(staff::documents)
                .post(staff::document_upload)
                .layer(axum::extract::DefaultBodyLimit::max(staff::UPLOAD_BODY_MAX)),
        )
        .route(
            "/clienten/{client}/documenten/{id}",
            get(staff::document_view),
        )
        .route(
            "/clienten/{client}/documenten/{id}/verwijderen",
            axum::routing::post(staff::document_remove),
        )
        .route(
            "/clienten/{client}/clientplan",
            get(staff::plans).post(staff::plan_create),
        )
        .route(
            "/clienten/{client}/clientplan/{plan}",
            get(staff::plan).post(staff::plan_action),
        )
        .route(
            "/clienten/{client}/clientplan/{plan}/{section}",
            get(staff::plan_section).post(staff::plan_section_save),
        )
        .route("/clienten/{client}/netwerk", get(staff::network))
        .route(
            "/clienten/{client}/netwerk/uitnodigen",
            axum::routing::post(staff::network_invite),
        )
        .route(
            "/clienten/{client}/netwerk/pauze",
            axum::routing::post(staff::network_pause),
        )
        .route(
            "/clienten/{client}/netwerk/gegevens",
            axum::routing::post(staff::network_details),
        )
        .route(
            "/clienten/{client}/netwerk/portaal",
            axum::routing::post(staff::network_portal),
        )
        .route(
            "/clienten/{client}/netwerk/contactpersonen",
            axum::routing::post(staff::network_add),
        )
        .route(
            "/clienten/{client}/netwerk/toegang/{grant}/intrekken",
            axum::routing::post(staff::network_revoke),
        )
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
            get(account::account_app_form).post(account::account_app_submit),
        )
        .route("/mijn-account", get(account::account))
        .route(
            "/mijn-account/wachtwoord",
            axum::routing::post(account::change_password),
        )
        .route(
            "/mijn-account/gegevens",
            axum::routing::post(account::identifiers_start),
        )
        .route(
            "/mijn-account/gegevens/code",
            axum::routing::post(account::identifiers_confirm),
        )
        .route(
            "/mijn-account/wijziging",
            get(account::staff_change_form).post(account::staff_change_submit),
        )
        .route(
            "/mijn-account/app/verwijderen",
            axum::routing::post(account::remove_app),
        )
        .route(
            "/mijn-account/taal",
            axum::routing::post(account::set_language),
        )
        .route(
            "/uitnodigingen/{id}",
            axum::routing::post(account::link_decide),
        )
        .merge(api::routes())
        .route("/hulp", get(auth::help))
        .route("/static/{*file}", get(static_file))
        .route("/healthz", get(healthz))
        .route("/bare", get(bare))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            localise_errors,
        ))
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

/// Runs every request's handler as a task of its own, so that a client
/// that goes away (closed tab, a load tool stopping) cannot cancel a
/// service call halfway through a database transaction: with the future
/// dropped between `BEGIN` and its answer, a pooled connection could go
/// back to the pool inside an open transaction (seen on PostgreSQL as
/// "there is already a transaction in progress").
async fn run_to_completion(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(panic = e.is_panic(), "request task failed");
            error::WebError::Internal.into_response()
        }
    }
}

/// Error pages are first rendered in Dutch (the error type knows no
/// request); this renders them again in the viewer's language: the signed-in
/// account's choice, else the language cookie.
async fn localise_errors(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let session = auth::cookie(req.headers(), st.cookies.session()).map(str::to_owned);
    let cookie_lang = auth::cookie(req.headers(), auth::LANG_COOKIE).and_then(i18n::Lang::parse);
    let res = next.run(req).await;
    let Some(error::ErrorPage(err)) = res.extensions().get::<error::ErrorPage>().cloned() else {
        return res;
    };
    let account_lang = match session {
        Some(tok) => st
            .services
            .session(&tok)
            .await
            .ok()
            .flatten()
            .and_then(|i| i18n::Lang::parse(&i.language)),
        None => None,
    };
    let lang = account_lang.or(cookie_lang).unwrap_or(i18n::Lang::Nl);
    if lang == i18n::Lang::Nl {
        return res;
    }
    let mut page = err.page(lang);
    for (name, value) in res.headers() {
        if name == header::SET_COOKIE {
            page.headers_mut().append(name.clone(), value.clone());
        } else if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
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
