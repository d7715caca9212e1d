//! Inzage HTTP layer. Handlers parse requests, call a service with the
//! acting principal and render the answer; they hold no SQL and no access
//! rules. This crate only sees the public API of `inzage-service`.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]

mod account;
mod admin_pages;
mod api;
pub mod assets;
mod audit_view;
mod auth;
pub mod client_addr;
mod dev;
pub mod error;
pub mod face;
mod fhir;
mod gated_body;
mod headers;
pub use inzage_i18n as i18n;
mod ics;
mod kept;
mod markdown;
pub mod metrics;
mod notifications;
mod oidc_pages;
mod params;
mod passkey_pages;
mod portal;
mod retention_pages;
mod staff;

use axum::extract::State;
use axum::http::Method;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
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
    /// Which organisation a host name shows before sign-in.
    pub host_organisations: face::HostOrganisations,
    /// The bearer token that may read `/metrics` from elsewhere than this
    /// machine (none: loopback only).
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            tls: false,
            secure_cookies: true,
            dev_outbox: None,
            trusted_proxies: client_addr::TrustedProxies::default(),
            host_organisations: face::HostOrganisations::default(),
            metrics_token: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub(crate) cookies: std::sync::Arc<auth::Cookies>,
    pub(crate) proxies: std::sync::Arc<client_addr::TrustedProxies>,
    pub(crate) hosts: std::sync::Arc<face::HostOrganisations>,
    pub(crate) metrics_token: Option<std::sync::Arc<str>>,
    pub(crate) http_metrics: std::sync::Arc<metrics::HttpMetrics>,
}

/// The servicedesk of whoever looks (the request's face: the viewer's
/// organisation; before sign-in the host's or the default), as one line,
/// and its help link.
pub(crate) fn servicedesk_line(tr: i18n::Tr) -> (String, Option<String>) {
    let sd = face::current().map(|f| (*f).clone()).unwrap_or_default();
    let line = match (&sd.email, &sd.phone) {
        (Some(e), Some(p)) => tr.a2("servicedesk-mail-or-call", "email", e, "phone", p),
        (Some(e), None) => tr.a("servicedesk-mail", "email", e),
        (None, Some(p)) => tr.a("servicedesk-call", "phone", p),
        (None, None) => String::new(),
    };
    (line, sd.help_url)
}

/// Every route of the application: (method, path, handler). The router is
/// built from this list alone, and the security tests read it through
/// [`route_list`]: every route that takes an id must have its row in the
/// authorization matrix, and every state-changing route is sent without
/// and with a wrong CSRF token (`crates/web/tests/matrix.rs`). A new route
/// therefore cannot escape either.
fn route_table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use axum::routing::post;
    use Method as M;
    let mut t = vec![
        (M::GET, "/", get(auth::start)),
        (M::GET, "/taal", get(auth::choose_language)),
        (M::GET, "/kiezen", get(portal::choose_form)),
        (M::POST, "/kiezen", post(portal::choose_submit)),
        (M::POST, "/rondleiding", post(portal::tour_close)),
        (M::GET, "/dossier/gegevens", get(portal::profile)),
        (M::GET, "/dossier/clientplan", get(portal::plans)),
        (M::GET, "/dossier/clientplan/{plan}", get(portal::plan)),
        (
            M::GET,
            "/dossier/clientplan/{plan}/{section}",
            get(portal::plan_section),
        ),
        (M::GET, "/dossier/rapportages", get(portal::reports)),
        (M::GET, "/dossier/rapportages/{id}", get(portal::report)),
        (M::GET, "/dossier/afspraken", get(portal::appointments)),
        (
            M::GET,
            "/dossier/afspraken/{id}/agenda.ics",
            get(portal::appointment_ics),
        ),
        (M::GET, "/dossier/documenten", get(portal::documents)),
        (
            M::GET,
            "/dossier/documenten/{id}",
            get(portal::document_view),
        ),
        (
            M::GET,
            "/dossier/documenten/{id}/download",
            get(portal::document_download),
        ),
        (M::GET, "/dossier/netwerk", get(portal::network)),
        (M::GET, "/dossier/wie-keek-mee", get(portal::who_looked)),
        (M::GET, "/beheer", get(admin_pages::admin)),
        (M::POST, "/beheer", post(admin_pages::admin_post)),
        (
            M::GET,
            "/beheer/medewerkers/{id}",
            get(admin_pages::staff_edit),
        ),
        (
            M::POST,
            "/beheer/medewerkers/{id}",
            post(admin_pages::staff_save),
        ),
        (
            M::POST,
            "/beheer/goedkeuringen/{id}",
            post(admin_pages::staff_request_decide),
        ),
        (
            M::POST,
            "/beheer/logo",
            post(admin_pages::logo_upload).layer(axum::extract::DefaultBodyLimit::max(
                admin_pages::LOGO_BODY_MAX,
            )),
        ),
        (
            M::GET,
            "/beheer/bewaartermijn",
            get(retention_pages::overview),
        ),
        (
            M::GET,
            "/beheer/inloggen-via-organisatie",
            get(oidc_pages::settings),
        ),
        (
            M::POST,
            "/beheer/inloggen-via-organisatie",
            post(oidc_pages::save),
        ),
        (
            M::GET,
            "/beheer/bewaartermijn/{id}",
            get(retention_pages::confirm),
        ),
        (
            M::POST,
            "/beheer/bewaartermijn/{id}",
            post(retention_pages::destroy),
        ),
        (M::GET, "/organisatie/{id}/logo", get(admin_pages::logo)),
        (M::GET, "/audit", get(audit_view::audit_page)),
        (M::GET, "/audit.csv", get(audit_view::audit_csv)),
        (M::GET, "/clienten/nieuw", get(staff::client_new)),
        (M::POST, "/clienten/nieuw", post(staff::client_register)),
        (M::GET, "/clienten/{client}", get(staff::profile)),
        (
            M::GET,
            "/clienten/{client}/gegevens",
            get(staff::client_edit),
        ),
        (
            M::POST,
            "/clienten/{client}/gegevens",
            post(staff::client_save),
        ),
        (
            M::GET,
            "/clienten/{client}/rapportages",
            get(staff::reports),
        ),
        (
            M::POST,
            "/clienten/{client}/rapportages",
            post(staff::report_create),
        ),
        (
            M::GET,
            "/clienten/{client}/rapportages/nieuw",
            get(staff::report_new),
        ),
        (
            M::GET,
            "/clienten/{client}/rapportages/{id}",
            get(staff::report),
        ),
        (
            M::POST,
            "/clienten/{client}/rapportages/{id}/opslaan",
            post(staff::report_save),
        ),
        (
            M::POST,
            "/clienten/{client}/rapportages/{id}/definitief",
            post(staff::report_finalise),
        ),
        (
            M::POST,
            "/clienten/{client}/rapportages/{id}/corrigeren",
            post(staff::report_correct),
        ),
        (
            M::POST,
            "/clienten/{client}/zorgperiode",
            post(staff::episode),
        ),
        (
            M::GET,
            "/clienten/{client}/afspraken",
            get(staff::appointments),
        ),
        (
            M::POST,
            "/clienten/{client}/afspraken",
            post(staff::appointment_create),
        ),
        (
            M::GET,
            "/clienten/{client}/afspraken/{id}",
            get(staff::appointment_edit),
        ),
        (
            M::POST,
            "/clienten/{client}/afspraken/{id}",
            post(staff::appointment_save),
        ),
        (
            M::GET,
            "/clienten/{client}/documenten",
            get(staff::documents),
        ),
        (
            M::POST,
            "/clienten/{client}/documenten",
            post(staff::document_upload)
                .layer(axum::extract::DefaultBodyLimit::max(staff::UPLOAD_BODY_MAX)),
        ),
        (
            M::GET,
            "/clienten/{client}/documenten/{id}",
            get(staff::document_view),
        ),
        (
            M::POST,
            "/clienten/{client}/documenten/{id}/verwijderen",
            post(staff::document_remove),
        ),
        (M::GET, "/clienten/{client}/clientplan", get(staff::plans)),
        (
            M::POST,
            "/clienten/{client}/clientplan",
            post(staff::plan_create),
        ),
        (
            M::GET,
            "/clienten/{client}/clientplan/{plan}",
            get(staff::plan),
        ),
        (
            M::POST,
            "/clienten/{client}/clientplan/{plan}",
            post(staff::plan_action),
        ),
        (
            M::GET,
            "/clienten/{client}/clientplan/{plan}/{section}",
            get(staff::plan_section),
        ),
        (
            M::POST,
            "/clienten/{client}/clientplan/{plan}/{section}",
            post(staff::plan_section_save),
        ),
        (M::GET, "/clienten/{client}/netwerk", get(staff::network)),
        (
            M::POST,
            "/clienten/{client}/netwerk/uitnodigen",
            post(staff::network_invite),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/pauze",
            post(staff::network_pause),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/gegevens",
            post(staff::network_details),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/vertegenwoordiger",
            post(staff::network_representative),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/portaal",
            post(staff::network_portal),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/contactpersonen",
            post(staff::network_add),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/toegang/{grant}/intrekken",
            post(staff::network_revoke),
        ),
        (
            M::POST,
            "/clienten/{client}/netwerk/toegang/{grant}/wijzigen",
            post(staff::network_grant_change),
        ),
        (M::GET, "/inloggen", get(auth::login_form)),
        (M::POST, "/inloggen", post(auth::login_submit)),
        (M::POST, "/inloggen/organisatie", post(oidc_pages::start)),
        (M::GET, "/inloggen/oidc", get(oidc_pages::finish)),
        (M::GET, "/inloggen/code", get(auth::code_form)),
        (M::POST, "/inloggen/code", post(auth::code_submit)),
        (M::POST, "/inloggen/sms", post(auth::send_sms)),
        (M::GET, "/wachtwoord-opvragen", get(auth::forgot_form)),
        (M::POST, "/wachtwoord-opvragen", post(auth::forgot_submit)),
        (
            M::GET,
            "/wachtwoord-instellen",
            get(auth::set_password_form),
        ),
        (
            M::POST,
            "/wachtwoord-instellen",
            post(auth::set_password_submit),
        ),
        (M::POST, "/uitloggen", post(auth::logout)),
        (M::GET, "/mijn-sessies", get(auth::sessions)),
        (
            M::POST,
            "/mijn-sessies/andere-beeindigen",
            post(auth::end_other_sessions),
        ),
        (M::GET, "/inloggen/app-koppelen", get(auth::enrol_form)),
        (M::GET, "/mijn-account/app", get(account::account_app_form)),
        (
            M::POST,
            "/mijn-account/app",
            post(account::account_app_submit),
        ),
        (M::GET, "/mijn-account", get(account::account)),
        (
            M::POST,
            "/mijn-account/wachtwoord",
            post(account::change_password),
        ),
        (
            M::POST,
            "/mijn-account/gegevens",
            post(account::identifiers_start),
        ),
        (
            M::POST,
            "/mijn-account/gegevens/code",
            post(account::identifiers_confirm),
        ),
        (
            M::GET,
            "/mijn-account/wijziging",
            get(account::staff_change_form),
        ),
        (
            M::POST,
            "/mijn-account/wijziging",
            post(account::staff_change_submit),
        ),
        (
            M::POST,
            "/mijn-account/app/verwijderen",
            post(account::remove_app),
        ),
        (M::POST, "/mijn-account/taal", post(account::set_language)),
        (
            M::POST,
            "/mijn-account/passkey",
            post(passkey_pages::add_start),
        ),
        (
            M::POST,
            "/mijn-account/passkey/klaar",
            post(passkey_pages::add_finish),
        ),
        (
            M::POST,
            "/mijn-account/passkey/{id}/verwijderen",
            post(passkey_pages::remove),
        ),
        (
            M::POST,
            "/inloggen/passkey",
            post(passkey_pages::second_step),
        ),
        (
            M::POST,
            "/inloggen/met-passkey",
            post(passkey_pages::sign_in_start),
        ),
        (
            M::POST,
            "/inloggen/met-passkey/klaar",
            post(passkey_pages::sign_in_finish),
        ),
        (
            M::POST,
            "/mijn-account/berichten",
            post(notifications::save_choice),
        ),
        (M::GET, "/afmelden", get(notifications::unsubscribe_form)),
        (M::POST, "/afmelden", post(notifications::unsubscribe)),
        (M::POST, "/uitnodigingen/{id}", post(account::link_decide)),
        (M::GET, "/hulp", get(auth::help)),
        (M::GET, "/andere-apps", get(portal::other_apps)),
        (M::GET, "/dossier/verzoeken", get(portal::requests::list)),
        (M::POST, "/dossier/verzoeken", post(portal::requests::ask)),
        (
            M::GET,
            "/dossier/verzoeken/nieuw",
            get(portal::requests::new_form),
        ),
        (
            M::GET,
            "/dossier/netwerk/{id}/stoppen",
            get(portal::network::stop_form),
        ),
        (
            M::POST,
            "/dossier/netwerk/{id}/stoppen",
            post(portal::network::stop),
        ),
        (
            M::GET,
            "/dossier/afschrift",
            get(portal::afschrift::overview),
        ),
        (M::POST, "/dossier/afschrift", post(portal::afschrift::ask)),
        (
            M::GET,
            "/dossier/afschrift/{id}",
            get(portal::afschrift::download),
        ),
        (
            M::GET,
            "/dossier/afschrift/{id}/fhir",
            get(portal::afschrift::download_fhir),
        ),
        (M::GET, "/dossier/vragen", get(portal::questions::list)),
        (M::POST, "/dossier/vragen", post(portal::questions::ask)),
        (
            M::GET,
            "/dossier/vragen/{id}",
            get(portal::questions::question),
        ),
        (
            M::POST,
            "/dossier/vragen/{id}",
            post(portal::questions::reply),
        ),
        (
            M::GET,
            "/clienten/{client}/vragen",
            get(staff::questions::questions),
        ),
        (
            M::GET,
            "/clienten/{client}/vragen/{id}",
            get(staff::questions::question),
        ),
        (
            M::POST,
            "/clienten/{client}/vragen/{id}",
            post(staff::questions::answer),
        ),
        (M::GET, "/verzoeken", get(staff::requests::queue)),
        (
            M::GET,
            "/clienten/{client}/verzoeken",
            get(staff::requests::client_requests),
        ),
        (
            M::GET,
            "/clienten/{client}/verzoeken/{id}",
            get(staff::requests::request_page),
        ),
        (
            M::POST,
            "/clienten/{client}/verzoeken/{id}",
            post(staff::requests::answer),
        ),
        (M::GET, "/static/{*file}", get(static_file)),
        (M::GET, "/healthz", get(healthz)),
        (M::GET, "/metrics", get(metrics::metrics)),
        (M::GET, "/bare", get(bare)),
    ];
    t.extend(api::routes());
    t.extend(fhir::routes());
    t
}

/// Every (method, path) the application answers (the development outbox
/// aside, which exists only on a loopback address when asked for).
pub fn route_list() -> Vec<(Method, &'static str)> {
    route_table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState {
        services,
        cookies: std::sync::Arc::new(auth::Cookies::new(config.secure_cookies)),
        proxies: std::sync::Arc::new(config.trusted_proxies.clone()),
        hosts: std::sync::Arc::new(config.host_organisations.clone()),
        metrics_token: config
            .metrics_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(std::sync::Arc::from),
        http_metrics: std::sync::Arc::new(metrics::HttpMetrics::new(
            route_list().into_iter().map(|(_, p)| p),
        )),
    };
    let http_metrics = state.http_metrics.clone();
    assets::prepare();
    let mut app = Router::new();
    if let Some(dir) = config.dev_outbox.clone() {
        app = app.route("/dev/outbox", get(move || dev::outbox(dir.clone())));
    }
    for (_, path, handler) in route_table() {
        // Two methods on one path merge into one method router.
        app = app.route(path, handler);
    }
    app.fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kept::keep_on_timeout,
        ))
        // Inside the spawned task, so the pages it renders see the face.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            face::layer,
        ))
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
        .layer(axum::middleware::from_fn_with_state(
            http_metrics,
            metrics::layer,
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
        Err(e) => error::WebError::internal(if e.is_panic() {
            "request task panicked"
        } else {
            "request task cancelled"
        })
        .into_response(),
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
    let api = req.uri().path().starts_with("/api/") || fhir::is_bearer_only(req.uri().path());
    let mut res = next.run(req).await;
    if !api && is_rejection(&res) {
        // A form or query the extractor could not read (a field twice, a
        // number that is not one, a wrong content type): our page, not
        // the framework's English text.
        res = error::WebError::Unreadable(res.status()).into_response();
    }
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

/// An answer of the framework's own extractors: a 4xx in plain text that
/// is not one of our pages.
fn is_rejection(res: &Response) -> bool {
    res.status().is_client_error()
        && res.extensions().get::<error::ErrorPage>().is_none()
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"))
}

/// 200 `ok` when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    // A stopped server refuses connections, and the pool would retry for
    // its whole acquire time-out: a health check answers within 2 s.
    let up = tokio::time::timeout(Duration::from_secs(2), state.services.db().ping())
        .await
        .unwrap_or(false);
    if up {
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

/// The stylesheets and our one script (a progressive enhancement: every
/// page works without it): hashed names, compressed (`assets`).
async fn static_file(
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    assets::serve(&file, &headers).unwrap_or_else(|| error::WebError::NotFound.into_response())
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if fhir::is_bearer_only(uri.path()) {
        return fhir::unknown();
    }
    error::WebError::NotFound.into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    /// ASVS 7.4.3: a handler that panics still answers, with the generic
    /// page and an incident reference; the server goes on.
    #[tokio::test]
    async fn a_panicking_handler_answers_the_generic_page() {
        async fn boom() -> &'static str {
            let v: Vec<&str> = Vec::new();
            v[1]
        }
        let app = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .route("/fine", axum::routing::get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(super::run_to_completion));
        let res = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).expect("req"))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("Er ging iets mis"), "{text}");
        assert!(text.contains("Noem dan dit nummer: "), "{text}");
        assert!(!text.contains("index out of bounds"), "{text}");
        let res = app
            .oneshot(Request::get("/fine").body(Body::empty()).expect("req"))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::OK);
    }
}
