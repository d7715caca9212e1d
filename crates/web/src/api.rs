//! JSON API for the sign-in flows (`/api/v1/`), for a future app. It is
//! authenticated with `Authorization: Bearer <session token>` only and never
//! reads cookies, so a browser cannot be tricked into calling it with the
//! user's credentials: cross-site requests cannot set that header (no CSRF).
//! Described by the OpenAPI document at `/api/v1/openapi.json`.
use crate::auth::Source;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use inzage_service::accounts::{LoginOutcome, SecondStepOutcome, SmsOutcome};
use inzage_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Every error answer: a stable code and a message in plain words.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// `rejected`, `paused`, `busy`, `access_ended`, `invalid`,
    /// `not_found`, `expired`, `too_soon`, `unauthorized`, `bad_request`,
    /// `unsupported_media_type`, `unavailable`, `internal`.
    pub error: &'static str,
    pub message: String,
    /// The field at fault, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// When to try again, for `paused`, `busy`, `too_soon`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// For `internal`: the incident's reference, also in the server's log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

fn err(status: StatusCode, error: &'static str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ApiError {
            error,
            message: message.into(),
            field: None,
            until: None,
            reference: None,
        }),
    )
        .into_response()
}

fn err_until(
    status: StatusCode,
    error: &'static str,
    message: &str,
    until: DateTime<Utc>,
) -> Response {
    (
        status,
        Json(ApiError {
            error,
            message: message.into(),
            field: None,
            until: Some(until),
            reference: None,
        }),
    )
        .into_response()
}

fn service_error(e: ServiceError) -> Response {
    match e {
        ServiceError::Invalid(f) => (
            StatusCode::BAD_REQUEST,
            Json(ApiError {
                error: "invalid",
                message: f.message.clone(),
                field: Some(f.field),
                until: None,
                reference: None,
            }),
        )
            .into_response(),
        ServiceError::NotFound => err(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found, used or expired",
        ),
        ServiceError::Denied(_) => err(StatusCode::FORBIDDEN, "forbidden", "not allowed"),
        ServiceError::Conflict(m) => err(StatusCode::CONFLICT, "conflict", m),
        ServiceError::Taken(f) => err(StatusCode::CONFLICT, "taken", format!("{f} is in use")),
        ServiceError::Stale => err(
            StatusCode::CONFLICT,
            "stale",
            "changed by someone else since you opened it",
        ),
        ServiceError::Unavailable(m) => {
            tracing::error!(error = %m, "database unavailable");
            err(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "try again later",
            )
        }
        ServiceError::Full(m) => {
            tracing::error!(error = %m, "storage full: nothing is written until space returns");
            err(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage_full",
                "nothing was saved; try again later",
            )
        }
        ServiceError::Config(m) | ServiceError::Internal(m) => {
            let incident = crate::error::Incident::log(&m);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(ApiError {
                    error: "internal",
                    message: "something went wrong".into(),
                    field: None,
                    until: None,
                    reference: Some(incident.as_str().to_owned()),
                }),
            )
                .into_response()
        }
    }
}

/// Malformed or oversized JSON: a clear 400, never a 500; a body that
/// does not say it is JSON: 415 (ASVS 13.2.5).
#[allow(clippy::result_large_err)] // the error is the response itself, built once
fn body<T>(r: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    r.map(|Json(v)| v).map_err(|e| {
        if let JsonRejection::MissingJsonContentType(_) = e {
            return err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            );
        }
        err(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!(
                "the request body is not valid JSON for this call: {}",
                e.body_text()
            ),
        )
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub public_computer: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SecondStep {
    /// Always `second_step`.
    pub status: &'static str,
    /// Send as `Authorization: Bearer …` to `/auth/sms` and `/auth/code`.
    pub session_token: String,
    pub sms: bool,
    pub app: bool,
    /// No second factor yet: enrol an app (pages only, for now).
    pub enrol: bool,
}

/// Step one: e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = SecondStep), (status = 400, body = ApiError, description = "bad_request"), (status = 415, body = ApiError, description = "unsupported_media_type"),
        (status = 401, body = ApiError, description = "rejected"),
        (status = 423, body = ApiError, description = "paused"), (status = 429, body = ApiError, description = "busy"),
        (status = 403, body = ApiError, description = "access_ended")))]
pub async fn login(
    State(st): State<AppState>,
    Source(src): Source,
    req: Result<Json<LoginRequest>, JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match st
        .services
        .login(
            &req.email,
            &req.password,
            req.public_computer,
            Some("app"),
            src.as_deref(),
        )
        .await
    {
        Ok(LoginOutcome::SecondStep {
            session_token,
            sms,
            totp,
            enrol,
        }) => Json(SecondStep {
            status: "second_step",
            session_token,
            sms,
            app: totp,
            enrol,
        })
        .into_response(),
        Ok(LoginOutcome::Rejected) => err(
            StatusCode::UNAUTHORIZED,
            "rejected",
            "wrong e-mail address or password",
        ),
        Ok(LoginOutcome::Paused { until }) => {
            err_until(StatusCode::LOCKED, "paused", "login is paused", until)
        }
        Ok(LoginOutcome::AccessEnded(_)) => err(
            StatusCode::FORBIDDEN,
            "access_ended",
            "portal access has ended",
        ),
        Ok(LoginOutcome::Busy { until }) => err_until(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "too many attempts from this network; not tried",
            until,
        ),
        Err(e) => service_error(e),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

/// Sends the SMS code for a pending login (again after 60 s).
#[utoipa::path(post, path = "/api/v1/auth/sms", security(("bearer" = [])),
    responses((status = 200, body = Status), (status = 429, body = ApiError, description = "too_soon"),
        (status = 409, body = ApiError, description = "no SMS for this account"), (status = 401, body = ApiError)))]
pub async fn sms(State(st): State<AppState>, headers: HeaderMap, Source(src): Source) -> Response {
    let Some(tok) = bearer(&headers) else {
        return err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "bearer token needed",
        );
    };
    match st.services.send_sms_code(tok, src.as_deref()).await {
        Ok(SmsOutcome::Sent) => Json(Status { status: "sent" }).into_response(),
        Ok(SmsOutcome::TooSoon { retry_after }) => err_until(
            StatusCode::TOO_MANY_REQUESTS,
            "too_soon",
            "a code was sent less than a minute ago",
            retry_after,
        ),
        Ok(SmsOutcome::NoMobile) => err(
            StatusCode::CONFLICT,
            "conflict",
            "no SMS code for this account",
        ),
        Err(ServiceError::NotFound) => err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "no pending login for this token",
        ),
        Err(e) => service_error(e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    pub code: String,
    /// `sms` (default) or `app`.
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    pub status: &'static str,
    /// The new session token (the one from step one no longer works).
    pub session_token: String,
}

/// Step two: the SMS code or the app code.
#[utoipa::path(post, path = "/api/v1/auth/code", request_body = CodeRequest, security(("bearer" = [])),
    responses((status = 200, body = SignedIn), (status = 400, body = ApiError, description = "bad_request"), (status = 415, body = ApiError, description = "unsupported_media_type"),
        (status = 401, body = ApiError, description = "rejected"),
        (status = 410, body = ApiError, description = "expired"), (status = 423, body = ApiError, description = "paused")))]
pub async fn code(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    req: Result<Json<CodeRequest>, JsonRejection>,
) -> Response {
    let Some(tok) = bearer(&headers).map(str::to_owned) else {
        return err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "bearer token needed",
        );
    };
    let req = match body(req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let app = req.method.as_deref() == Some("app");
    let code: String = req.code.chars().take(12).collect();
    match st
        .services
        .verify_second_step(&tok, &code, app, src.as_deref())
        .await
    {
        Ok(SecondStepOutcome::SignedIn { session_token }) => Json(SignedIn {
            status: "signed_in",
            session_token,
        })
        .into_response(),
        Ok(SecondStepOutcome::Rejected) => err(StatusCode::UNAUTHORIZED, "rejected", "wrong code"),
        Ok(SecondStepOutcome::CodeExpired) => err(
            StatusCode::GONE,
            "expired",
            "no valid code: request a new one, or log in again",
        ),
        Ok(SecondStepOutcome::Paused { until }) => {
            err_until(StatusCode::LOCKED, "paused", "login is paused", until)
        }
        Err(e) => service_error(e),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub email: String,
    /// `client`, `contact_person` or `staff`.
    pub kind: String,
    pub language: String,
    pub app_linked: bool,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn me(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some(tok) = bearer(&headers) else {
        return err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "bearer token needed",
        );
    };
    match st.services.session(tok).await {
        Ok(Some(info)) if !info.second_factor_pending => Json(Me {
            email: info.email,
            kind: serde_json::to_value(info.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            language: info.language,
            app_linked: info.has_totp,
        })
        .into_response(),
        Ok(_) => err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "not signed in, or the session ended",
        ),
        Err(e) => service_error(e),
    }
}

/// Ends the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", security(("bearer" = [])), responses((status = 204), (status = 401, body = ApiError)))]
pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
) -> Response {
    let Some(tok) = bearer(&headers) else {
        return err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "bearer token needed",
        );
    };
    match st.services.logout(tok, src.as_deref()).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        // An unknown or ended token is said so, not answered as a success.
        Ok(false) => err(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "not signed in, or the session ended",
        ),
        Err(e) => service_error(e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    pub email: String,
}

/// "Wachtwoord opvragen": always 202, known address or not.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", request_body = ResetRequest,
    responses((status = 202, body = Status), (status = 400, body = ApiError, description = "bad_request"), (status = 415, body = ApiError, description = "unsupported_media_type"),
        (status = 429, body = ApiError, description = "too_many: too many requests from this address")))]
pub async fn password_reset(
    State(st): State<AppState>,
    Source(src): Source,
    req: Result<Json<ResetRequest>, JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let email: String = req.email.chars().take(320).collect();
    match st
        .services
        .request_password_reset(&email, src.as_deref())
        .await
    {
        Ok(inzage_service::accounts::ResetRequest::Queued) => {
            (StatusCode::ACCEPTED, Json(Status { status: "accepted" })).into_response()
        }
        Ok(inzage_service::accounts::ResetRequest::TooMany) => err(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many",
            "too many requests from this address; try again later",
        ),
        Err(e) => service_error(e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    /// The token from the link in the invitation or reset e-mail.
    pub token: String,
    pub password: String,
}

/// "Wachtwoord instellen" with a link's token.
#[utoipa::path(post, path = "/api/v1/auth/password", request_body = SetPasswordRequest,
    responses((status = 204), (status = 400, body = ApiError, description = "invalid (field password)"), (status = 415, body = ApiError, description = "unsupported_media_type"),
        (status = 404, body = ApiError, description = "unknown, used or expired token")))]
pub async fn set_password(
    State(st): State<AppState>,
    Source(src): Source,
    req: Result<Json<SetPasswordRequest>, JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match st
        .services
        .set_password_with_token(&req.token, &req.password, src.as_deref())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => service_error(e),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Inzage API", version = "1", description = "Sign-in flows of the Inzage client portal. Authenticate with `Authorization: Bearer <session_token>`; cookies are never read."),
    paths(login, sms, code, me, logout, password_reset, set_password),
    components(schemas(ApiError, LoginRequest, SecondStep, Status, CodeRequest, SignedIn, Me, ResetRequest, SetPasswordRequest)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// Every answer of the JSON API carries `Cache-Control: no-store` (it
/// holds session tokens and personal data; nothing may keep it) and
/// `Content-Disposition: attachment` (a browser that is led to an API
/// address saves the answer instead of showing it; ASVS 14.4.2).
async fn no_store(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    h.insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"api.json\""),
    );
    res
}

/// The API's routes, for the router's table; each answer is `no-store`.
pub(crate) fn routes() -> Vec<(
    axum::http::Method,
    &'static str,
    axum::routing::MethodRouter<AppState>,
)> {
    use axum::http::Method as M;
    use axum::routing::{get, post};
    let ns = || axum::middleware::from_fn(no_store);
    vec![
        (M::POST, "/api/v1/auth/login", post(login).layer(ns())),
        (M::POST, "/api/v1/auth/sms", post(sms).layer(ns())),
        (M::POST, "/api/v1/auth/code", post(code).layer(ns())),
        (M::POST, "/api/v1/auth/logout", post(logout).layer(ns())),
        (
            M::POST,
            "/api/v1/auth/password-reset",
            post(password_reset).layer(ns()),
        ),
        (
            M::POST,
            "/api/v1/auth/password",
            post(set_password).layer(ns()),
        ),
        (M::GET, "/api/v1/me", get(me).layer(ns())),
        (M::GET, "/api/v1/openapi.json", get(openapi).layer(ns())),
    ]
}
