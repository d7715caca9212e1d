//! The FHIR R4 API at `/fhir` (issue 17, ADR 0027) and SMART Backend
//! Services' token endpoint. Handlers parse and render only: the services
//! (`inzage_service::fhir`) decide and audit. Authenticated with
//! `Authorization: Bearer <token from /oauth/token>` only; cookies are
//! never read, so a browser cannot be made to call it (no CSRF).
//! Every answer is `application/fhir+json`; every error an
//! OperationOutcome with the status code FHIR's RESTful API names.
// The handlers' helpers return the finished error answer (a Response,
// built once) as their Err: boxing it would only add an allocation.
#![allow(clippy::result_large_err)]
use crate::auth::Source;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use inzage_core::policy::DenyReason;
use inzage_service::fhir::mapping::{self, Problem};
use inzage_service::fhir::resources::{supported, SERVED, UPDATED_BY_ID, WRITTEN};
use inzage_service::fhir::smart::{Bearer, TokenRequest, ALGORITHMS};
use inzage_service::fhir::{Refused, Search, Stored, Written, PAGE_DEFAULT, PAGE_MAX};
use inzage_service::{Ctx, ServiceError};

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// The public address of this installation (links in bundles, the token
/// URL an assertion's `aud` must name).
fn base(st: &AppState) -> String {
    st.services
        .settings()
        .public_base_url
        .trim_end_matches('/')
        .to_owned()
}

fn fhir_json(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An OperationOutcome answer: one issue per problem.
fn outcome(status: StatusCode, code: &str, problems: &[Problem]) -> Response {
    let oo = mapping::outcome("error", code, problems);
    fhir_json(status, fhirkit::to_json(&oo))
}

fn one(status: StatusCode, code: &str, message: &str) -> Response {
    outcome(
        status,
        code,
        &[Problem {
            path: String::new(),
            message: message.to_owned(),
        }],
    )
}

fn unauthorized() -> Response {
    let mut r = one(
        StatusCode::UNAUTHORIZED,
        "login",
        "send a bearer token from /oauth/token (SMART Backend Services)",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"fhir\""),
    );
    r
}

fn service_error(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound => one(StatusCode::NOT_FOUND, "not-found", "no such resource"),
        // Another organisation's dossier does not exist for this system.
        ServiceError::Denied(DenyReason::OtherOrganisation) => {
            one(StatusCode::NOT_FOUND, "not-found", "no such resource")
        }
        ServiceError::Denied(DenyReason::ScopeLacksPermission) => one(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the token's scopes do not allow this interaction",
        ),
        ServiceError::Denied(DenyReason::IntegrationDisabled | DenyReason::NotSignedIn) => {
            unauthorized()
        }
        ServiceError::Denied(_) => one(StatusCode::FORBIDDEN, "forbidden", "not allowed"),
        ServiceError::Stale => one(
            StatusCode::PRECONDITION_FAILED,
            "conflict",
            "If-Match names a version that is not the latest: nothing was written",
        ),
        ServiceError::Taken(field) => one(
            StatusCode::CONFLICT,
            "duplicate",
            &format!("another resource has this {field}"),
        ),
        ServiceError::Conflict(m) => one(StatusCode::CONFLICT, "conflict", &m),
        ServiceError::Invalid(f) => outcome(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            &[Problem {
                path: f.field.to_owned(),
                message: f.message,
            }],
        ),
        ServiceError::Unavailable(m) => {
            tracing::error!(error = %m, "database unavailable");
            one(
                StatusCode::SERVICE_UNAVAILABLE,
                "transient",
                "try again later",
            )
        }
        ServiceError::Full(m) => {
            tracing::error!(error = %m, "storage full: nothing is written until space returns");
            one(
                StatusCode::INSUFFICIENT_STORAGE,
                "transient",
                "nothing was saved; try again later",
            )
        }
        ServiceError::Config(m) | ServiceError::Internal(m) => {
            let incident = crate::error::Incident::log(&m);
            one(
                StatusCode::INTERNAL_SERVER_ERROR,
                "exception",
                &format!("something went wrong (reference {})", incident.as_str()),
            )
        }
    }
}

/// The caller: a system with a valid token, or the 401 answer.
async fn caller(st: &AppState, headers: &HeaderMap, src: Option<String>) -> Result<Ctx, Response> {
    // The scheme's name is case-insensitive (RFC 7235).
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest)
        })
        .map(str::trim)
    else {
        return Err(unauthorized());
    };
    match st.services.fhir_bearer(token, src.as_deref()).await {
        Ok(Bearer::System(p)) => {
            let mut ctx = Ctx::new(p);
            ctx.source_addr = src;
            Ok(ctx)
        }
        Ok(Bearer::Refused) => Err(unauthorized()),
        Ok(Bearer::SlowDown) => Err(one(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "too many invalid tokens from this address: try again later",
        )),
        Err(e) => Err(service_error(e)),
    }
}

/// The query's pairs; a query that is not `application/x-www-form-urlencoded`
/// is a 400, never the framework's text.
fn pairs(q: Option<String>) -> Result<Vec<(String, String)>, Response> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q.as_deref().unwrap_or("")).map_err(|_| {
        one(
            StatusCode::BAD_REQUEST,
            "invalid",
            "the query string cannot be read",
        )
    })
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{version}\""))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

fn last_modified(t: DateTime<Utc>) -> HeaderValue {
    HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

/// One resource with its `ETag`, `Last-Modified`, and `Location` (a write)
/// or `Content-Location` (a read).
fn resource(st: &AppState, status: StatusCode, s: &Stored, write: bool) -> Response {
    let body = if s.json.is_empty() {
        // Written, but the token may not read it: id and version only.
        fhirkit::to_json(&mapping::outcome(
            "information",
            "informational",
            &[Problem {
                path: String::new(),
                message: format!("{}/{} version {}", s.resource_type, s.id, s.version),
            }],
        ))
    } else {
        s.json.clone()
    };
    let mut r = fhir_json(status, body);
    let h = r.headers_mut();
    h.insert(header::ETAG, etag(s.version));
    h.insert(header::LAST_MODIFIED, last_modified(s.last_updated));
    if let Ok(loc) = HeaderValue::from_str(&format!(
        "{}/fhir/{}/{}/_history/{}",
        base(st),
        s.resource_type,
        s.id,
        s.version
    )) {
        // A write says where the new version is; a read where this one is.
        let name = if write {
            header::LOCATION
        } else {
            header::CONTENT_LOCATION
        };
        h.insert(name, loc);
    }
    r
}

/// `If-Match: W/"3"` (or `"3"`): the version the caller last saw.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Response> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim();
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    s.parse::<i64>().map(Some).map_err(|_| {
        one(
            StatusCode::BAD_REQUEST,
            "invalid",
            "If-Match must look like W/\"3\"",
        )
    })
}

fn is_fhir_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.split(';').next().unwrap_or("").trim();
            v.eq_ignore_ascii_case("application/fhir+json")
                || v.eq_ignore_ascii_case("application/json")
        })
}

/// The largest body a system may send: a document's content inline
/// (`writes::INLINE_MAX` of base64) and the rest of the resource.
pub(crate) const BODY_MAX: usize = inzage_service::fhir::writes::INLINE_MAX + 1024 * 1024;

/// At most this many large writes are read and handled at once (each
/// holds its body, the parsed resource and the decoded content).
static LARGE_WRITES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// A body above this size (or of unknown size) waits for its turn.
const LARGE: u64 = 1024 * 1024;
/// How long a body may take to arrive.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The resource a system sent, read only now: after its token and the
/// type were checked (review of issue 17: the body used to be read
/// first), within the limit and the time, one large body at a time.
async fn body_text(
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<(String, Option<tokio::sync::SemaphorePermit<'static>>), Response> {
    if !is_fhir_json(headers) {
        return Err(one(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "send the resource as application/fhir+json",
        ));
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        one(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-long",
            "the resource is larger than this server takes (21 MB)",
        )
    };
    if length.is_some_and(|n| n > BODY_MAX as u64) {
        return Err(too_large());
    }
    let permit = if length.is_none_or(|n| n > LARGE) {
        Some(LARGE_WRITES.acquire().await.map_err(|_| {
            one(
                StatusCode::SERVICE_UNAVAILABLE,
                "transient",
                "try again later",
            )
        })?)
    } else {
        None
    };
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, BODY_MAX)).await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return Err(too_large()),
        Err(_) => {
            return Err(one(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the resource did not arrive in time",
            ))
        }
    };
    let text = String::from_utf8(Vec::from(bytes))
        .map_err(|_| one(StatusCode::BAD_REQUEST, "invalid", "the body is not UTF-8"))?;
    Ok((text, permit))
}

fn written(st: &AppState, w: Result<Result<Written, Refused>, ServiceError>) -> Response {
    match w {
        Ok(Ok(Written::Created(s))) => resource(st, StatusCode::CREATED, &s, true),
        Ok(Ok(Written::Updated(s) | Written::Unchanged(s))) => {
            resource(st, StatusCode::OK, &s, true)
        }
        Ok(Err(Refused::Invalid(problems))) => {
            outcome(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &problems)
        }
        Err(e) => service_error(e),
    }
}

// ---------------------------------------------------------------- any served type

/// The type in the path, if this server serves it; else the answer.
fn served(ty: &str) -> Result<&'static str, Response> {
    SERVED.iter().copied().find(|t| *t == ty).ok_or_else(|| {
        one(
            StatusCode::NOT_FOUND,
            "not-supported",
            "this resource type is not served (see /fhir/metadata)",
        )
    })
}

/// A served type and its caller, or the answer (404 for a type not
/// served, 401 without a valid token).
async fn served_to(
    st: &AppState,
    headers: &HeaderMap,
    src: Option<String>,
    ty: &str,
) -> Result<(&'static str, Ctx), Response> {
    let ty = served(ty)?;
    Ok((ty, caller(st, headers, src).await?))
}

async fn read(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
) -> Response {
    let (ty, ctx) = match served_to(&st, &headers, src, &ty).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st.services.fhir_read(&ctx, ty, &id, false).await {
        Ok(v) => match v.into_inner().into_iter().next() {
            Some(s) => resource(&st, StatusCode::OK, &s, false),
            None => service_error(ServiceError::NotFound),
        },
        Err(e) => service_error(e),
    }
}

async fn vread(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path((ty, id, vid)): Path<(String, String, String)>,
) -> Response {
    let (ty, ctx) = match served_to(&st, &headers, src, &ty).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(vid) = vid.parse::<i64>() else {
        return service_error(ServiceError::NotFound);
    };
    match st.services.fhir_read(&ctx, ty, &id, true).await {
        Ok(v) => match v.into_inner().into_iter().find(|s| s.version == vid) {
            Some(s) => resource(&st, StatusCode::OK, &s, false),
            None => service_error(ServiceError::NotFound),
        },
        Err(e) => service_error(e),
    }
}

async fn history(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
) -> Response {
    let (ty, ctx) = match served_to(&st, &headers, src, &ty).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st.services.fhir_read(&ctx, ty, &id, true).await {
        Ok(v) => {
            let v = v.into_inner();
            let url = format!("{}/fhir/{ty}/{id}/_history", base(&st));
            fhir_json(
                StatusCode::OK,
                bundle("history", &url, v.len() as i64, &v, None, &base(&st)),
            )
        }
        Err(e) => service_error(e),
    }
}

/// A Bundle (searchset or history) of stored resources, as JSON text
/// (the entries are already FHIR JSON: they are placed, not re-encoded).
fn bundle(
    kind: &str,
    self_url: &str,
    total: i64,
    entries: &[Stored],
    next: Option<String>,
    base: &str,
) -> String {
    let mut links = vec![serde_json::json!({"relation": "self", "url": self_url})];
    if let Some(n) = next {
        links.push(serde_json::json!({"relation": "next", "url": n}));
    }
    let mut out = format!(
        "{{\"resourceType\":\"Bundle\",\"type\":\"{kind}\",\"total\":{total},\"link\":{},\"entry\":[",
        serde_json::Value::Array(links)
    );
    for (n, s) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let full = serde_json::Value::String(format!("{base}/fhir/{}/{}", s.resource_type, s.id));
        if kind == "searchset" {
            out.push_str(&format!(
                "{{\"fullUrl\":{full},\"resource\":{},\"search\":{{\"mode\":\"match\"}}}}",
                s.json
            ));
        } else {
            out.push_str(&format!(
                "{{\"fullUrl\":{full},\"resource\":{},\"request\":{{\"method\":\"{}\",\"url\":\"{}/{}\"}},\"response\":{{\"status\":\"{}\",\"etag\":\"W/\\\"{}\\\"\",\"lastModified\":\"{}\"}}}}",
                s.json,
                if s.version == 1 { "POST" } else { "PUT" },
                s.resource_type,
                s.id,
                if s.version == 1 { "201" } else { "200" },
                s.version,
                mapping::instant(s.last_updated)
            ));
        }
    }
    out.push_str("]}");
    out
}

fn bad_param(name: &str, why: &str) -> Response {
    outcome(
        StatusCode::BAD_REQUEST,
        "invalid",
        &[Problem {
            path: name.to_owned(),
            message: why.to_owned(),
        }],
    )
}

/// A date search value (`ge2026-01-01`, `lt2026-02-01T10:00:00Z`, `2026-01-05`)
/// as (from, until).
type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn date_span(name: &str, v: &str) -> Result<Span, Response> {
    let (op, rest) = match v.get(..2) {
        Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p, &v[2..]),
        _ => ("eq", v),
    };
    let day = NaiveDate::parse_from_str(rest, "%Y-%m-%d").ok();
    let at = match day {
        Some(d) => Some(inzage_core::types::local_midnight_utc(d)),
        None => DateTime::parse_from_rfc3339(rest)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
    }
    .filter(|t| (1900..=2999).contains(&t.year()))
    .ok_or_else(|| {
        bad_param(
            name,
            "use a date (2026-01-31) or an instant, years 1900 to 2999",
        )
    })?;
    let span = if day.is_some() {
        chrono::Duration::days(1)
    } else {
        chrono::Duration::seconds(1)
    };
    // Years 1900-2999: adding a day cannot overflow.
    let after = at + span;
    Ok(match op {
        "ge" => (Some(at), None),
        "gt" => (Some(after), None),
        "lt" => (None, Some(at)),
        "le" => (None, Some(after)),
        _ => (Some(at), Some(after)),
    })
}

/// Both ends of two spans (`date=ge…&date=lt…`).
fn narrow(a: Span, b: Span) -> Span {
    (b.0.or(a.0), b.1.or(a.1))
}

/// The search's parameters, read into [`Search`]; a parameter this server
/// does not know, or one given badly, is refused (400), never ignored.
fn search_params(params: &[(String, String)]) -> Result<Search, Response> {
    let mut q = Search {
        count: PAGE_DEFAULT,
        ..Default::default()
    };
    let mut dates: Span = (None, None);
    let mut updated: Span = (None, None);
    for (n, (k, _)) in params.iter().enumerate() {
        // Twice means AND in FHIR; only the date ranges do that here.
        let repeats = params[..n].iter().any(|(p, _)| p == k);
        if repeats && !matches!(k.as_str(), "date" | "_lastUpdated") {
            return Err(bad_param(k, "given twice: give it once"));
        }
    }
    for (k, v) in params {
        if v.contains(',') && matches!(k.as_str(), "_id" | "identifier" | "patient" | "status") {
            return Err(bad_param(k, "lists (a,b) are not supported: one value"));
        }
        match k.as_str() {
            "_count" => match v.parse::<usize>() {
                Ok(n) => q.count = n.clamp(1, PAGE_MAX),
                Err(_) => return Err(bad_param("_count", "a number from 1 to 100")),
            },
            "_offset" => match v.parse::<usize>() {
                Ok(n) if n <= 1_000_000 => q.offset = n,
                _ => return Err(bad_param("_offset", "a number from 0")),
            },
            "_format" => {}
            name => {
                q.given.push(name.to_owned());
                match name {
                    "identifier" => {
                        q.identifier = Some(match v.split_once('|') {
                            Some((sys, val)) => (
                                Some(sys.to_owned()).filter(|s| !s.is_empty()),
                                val.to_owned(),
                            ),
                            None => (None, v.clone()),
                        })
                    }
                    "name" => q.name = Some(v.clone()),
                    "birthdate" => {
                        match NaiveDate::parse_from_str(v.trim_start_matches("eq"), "%Y-%m-%d") {
                            Ok(d) => q.birthdate = Some(d),
                            Err(_) => return Err(bad_param("birthdate", "use a date: 1990-12-31")),
                        }
                    }
                    "_id" => q.id = Some(v.clone()),
                    "patient" => q.patient = Some(v.clone()),
                    "practitioner" => q.practitioner = Some(v.clone()),
                    "status" => q.status = Some(v.clone()),
                    "category" => {
                        // A token: system|code or code.
                        q.category = Some(v.rsplit('|').next().unwrap_or(v).to_owned())
                    }
                    "date" => dates = narrow(dates, date_span("date", v)?),
                    "_lastUpdated" => updated = narrow(updated, date_span("_lastUpdated", v)?),
                    other => {
                        return Err(bad_param(
                            other,
                            "not a supported search parameter (see /fhir/metadata)",
                        ))
                    }
                }
            }
        }
    }
    (q.date_from, q.date_until) = dates;
    (q.updated_from, q.updated_until) = updated;
    Ok(q)
}

async fn search(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path(ty): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let ty = match served(&ty) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if ty == "Binary" {
        return one(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            "Binary is read through its DocumentReference",
        );
    }
    let ctx = match caller(&st, &headers, src).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let params = match pairs(raw) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match search_params(&params) {
        Ok(q) => q,
        Err(r) => return r,
    };
    match st.services.fhir_search(&ctx, ty, &q).await {
        Ok(page) => {
            let b = base(&st);
            let keep: Vec<(String, String)> = params
                .iter()
                .filter(|(k, _)| k != "_offset" && k != "_count")
                .cloned()
                .collect();
            let url = |offset: usize| {
                let mut p = keep.clone();
                p.push(("_count".into(), q.count.to_string()));
                p.push(("_offset".into(), offset.to_string()));
                format!(
                    "{b}/fhir/{ty}?{}",
                    serde_urlencoded::to_string(&p).unwrap_or_default()
                )
            };
            let next =
                ((q.offset + q.count) < page.total as usize).then(|| url(q.offset + q.count));
            fhir_json(
                StatusCode::OK,
                bundle(
                    "searchset",
                    &url(q.offset),
                    page.total,
                    &page.entries,
                    next,
                    &b,
                ),
            )
        }
        Err(ServiceError::Invalid(f)) => bad_param(f.field, &f.message),
        Err(e) => service_error(e),
    }
}

fn not_writable(ty: &str) -> Response {
    one(
        StatusCode::METHOD_NOT_ALLOWED,
        "not-supported",
        &format!("{ty} is not written through this API (see /fhir/metadata)"),
    )
}

async fn create(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path(ty): Path<String>,
    body: axum::body::Body,
) -> Response {
    let ty = match served(&ty) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !WRITTEN.contains(&ty) {
        return not_writable(ty);
    }
    let ctx = match caller(&st, &headers, src).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (json, _turn) = match body_text(&headers, body).await {
        Ok(j) => j,
        Err(r) => return r,
    };
    written(&st, st.services.fhir_create(&ctx, ty, &json).await)
}

async fn update(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
    body: axum::body::Body,
) -> Response {
    let ty = match served(&ty) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !UPDATED_BY_ID.contains(&ty) {
        return not_writable(ty);
    }
    let ctx = match caller(&st, &headers, src).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let version = match if_match(&headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (json, _turn) = match body_text(&headers, body).await {
        Ok(j) => j,
        Err(r) => return r,
    };
    written(
        &st,
        st.services
            .fhir_update_by_id(&ctx, ty, &id, &json, version)
            .await,
    )
}

/// `PUT /fhir/Patient?identifier=system|value`: conditional update (or
/// create) by the organisation's client number.
async fn conditional_update(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    Path(ty): Path<String>,
    RawQuery(raw): RawQuery,
    body: axum::body::Body,
) -> Response {
    let ty = match served(&ty) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !WRITTEN.contains(&ty) {
        return not_writable(ty);
    }
    let ctx = match caller(&st, &headers, src).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let params = match pairs(raw) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ident = match params.as_slice() {
        [(k, v)] if k == "identifier" => v.clone(),
        _ => {
            return bad_param(
                "identifier",
                "a conditional update names exactly one identifier=system|value",
            )
        }
    };
    let Some((system, value)) = ident.split_once('|') else {
        return bad_param("identifier", "give the system too: system|value");
    };
    let version = match if_match(&headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (json, _turn) = match body_text(&headers, body).await {
        Ok(j) => j,
        Err(r) => return r,
    };
    written(
        &st,
        st.services
            .fhir_conditional_update(&ctx, ty, system, value, &json, version)
            .await,
    )
}

// ---------------------------------------------------------------- metadata, SMART

/// What each search parameter means, for the capability statement.
fn param_doc(name: &str) -> (&'static str, &'static str) {
    match name {
        "_id" => ("token", "the resource id"),
        "identifier" => ("token", "the client number: system|value"),
        "name" => (
            "string",
            "a part of any name; case and accents do not matter",
        ),
        "birthdate" => ("date", "the birth date (eq only)"),
        "_lastUpdated" => ("date", "ge, gt, le, lt or eq a date or instant"),
        "patient" => ("reference", "Patient/{id}: required, one dossier at a time"),
        "status" => ("token", "the resource's status code"),
        "date" => (
            "date",
            "ge, gt, le, lt or eq a date or instant (Amsterdam days)",
        ),
        "category" => ("token", "clinical-note (reports) or document (uploads)"),
        "practitioner" => ("reference", "Practitioner/{id}"),
        _ => ("string", ""),
    }
}

/// The CapabilityStatement: what this server really does, no more.
async fn metadata(State(st): State<AppState>) -> Response {
    let b = base(&st);
    let resources: Vec<serde_json::Value> = SERVED
        .iter()
        .map(|ty| {
            let writes = WRITTEN.contains(ty);
            let mut interaction = vec![serde_json::json!({"code": "read"})];
            if *ty == "Patient" {
                interaction.push(serde_json::json!({"code": "vread"}));
                interaction.push(serde_json::json!({"code": "history-instance"}));
            }
            if *ty != "Binary" {
                interaction.push(serde_json::json!({"code": "search-type"}));
            }
            if writes {
                interaction.push(serde_json::json!({"code": "create"}));
            }
            if UPDATED_BY_ID.contains(ty) {
                interaction.push(serde_json::json!({"code": "update"}));
            }
            let mut params: Vec<serde_json::Value> = supported(ty)
                .iter()
                .map(|n| {
                    let (t, doc) = param_doc(n);
                    serde_json::json!({"name": n, "type": t, "documentation": doc})
                })
                .collect();
            if *ty != "Binary" {
                params.push(serde_json::json!({"name": "_count", "type": "number", "documentation": "entries per page, 1 to 100 (default 20)"}));
                params.push(serde_json::json!({"name": "_offset", "type": "number", "documentation": "where the page starts (the next link carries it)"}));
            }
            serde_json::json!({
                "type": ty,
                "versioning": if *ty == "Patient" { "versioned" } else { "no-version" },
                "readHistory": *ty == "Patient",
                "updateCreate": false,
                "conditionalCreate": false,
                "conditionalUpdate": writes,
                "conditionalDelete": "not-supported",
                "interaction": interaction,
                "searchParam": params
            })
        })
        .collect();
    let cs = serde_json::json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-02",
        "kind": "instance",
        "software": {"name": "Inzage", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "Inzage: client portal and light ECD", "url": format!("{b}/fhir")},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "documentation": "Systems only (SMART Backend Services). Every call is decided by the organisation's rules and recorded in the audit trail; clients see it under 'Wie keek mee'.",
            "security": {
                "cors": false,
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}]}],
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [{"url": "token", "valueUri": format!("{b}/oauth/token")}]
                }]
            },
            "resource": resources
        }]
    });
    fhir_json(StatusCode::OK, cs.to_string())
}

/// `/.well-known/smart-configuration` (SMART App Launch 2.x, for Backend
/// Services).
async fn smart_configuration(State(st): State<AppState>) -> Response {
    let b = base(&st);
    let scopes: Vec<String> = SERVED
        .iter()
        .map(|t| format!("system/{t}.rs"))
        .chain(WRITTEN.iter().map(|t| format!("system/{t}.cu")))
        .collect();
    let doc = serde_json::json!({
        "issuer": b,
        "token_endpoint": format!("{b}/oauth/token"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": scopes,
        "capabilities": ["client-confidential-asymmetric"],
        "code_challenge_methods_supported": []
    });
    let mut r = (StatusCode::OK, doc.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `POST /oauth/token`: SMART Backend Services' client-credentials grant.
async fn token(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let oauth_error = |status: StatusCode, code: &str, description: &str| {
        let mut r = (
            status,
            serde_json::json!({"error": code, "error_description": description}).to_string(),
        )
            .into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    };
    if !form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the form as application/x-www-form-urlencoded",
        );
    }
    let Ok(req) = serde_urlencoded::from_bytes::<TokenRequest>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the form cannot be read (a field twice?)",
        );
    };
    let url = format!("{}/oauth/token", base(&st));
    match st.services.fhir_token(req, &url, src).await {
        Ok(Ok(issued)) => {
            let mut r = (
                StatusCode::OK,
                serde_json::to_string(&issued).unwrap_or_default(),
            )
                .into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r.headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            r
        }
        Ok(Err(refusal)) => {
            let status = match refusal.code() {
                "invalid_client" => StatusCode::UNAUTHORIZED,
                "temporarily_unavailable" => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut r = oauth_error(status, refusal.code(), refusal.description());
            if status == StatusCode::UNAUTHORIZED {
                // RFC 6749 5.2: a 401 names the scheme the client may use.
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"oauth\""),
                );
            }
            r
        }
        Err(e) => service_error(e),
    }
}

/// A FHIR path that is not served: an OperationOutcome, not a page (the
/// router's fallback asks for it).
pub(crate) fn unknown() -> Response {
    one(
        StatusCode::NOT_FOUND,
        "not-supported",
        "this resource type or interaction is not served (see /fhir/metadata)",
    )
}

pub(crate) fn routes() -> Vec<(Method, &'static str, axum::routing::MethodRouter<AppState>)> {
    use axum::routing::{get, post, put};
    use Method as M;
    vec![
        (
            M::GET,
            "/.well-known/smart-configuration",
            get(smart_configuration),
        ),
        (M::POST, "/oauth/token", post(token)),
        (M::GET, "/fhir/metadata", get(metadata)),
        (M::GET, "/fhir/{type}", get(search)),
        (M::POST, "/fhir/{type}", post(create)),
        (M::PUT, "/fhir/{type}", put(conditional_update)),
        (M::GET, "/fhir/{type}/{id}", get(read)),
        (M::PUT, "/fhir/{type}/{id}", put(update)),
        (M::GET, "/fhir/{type}/{id}/_history", get(history)),
        (M::GET, "/fhir/{type}/{id}/_history/{vid}", get(vread)),
    ]
}

/// Whether a path belongs to the bearer-only interfaces (FHIR, its token
/// endpoint): they answer in their own formats, never with a page.
pub(crate) fn is_bearer_only(path: &str) -> bool {
    path.starts_with("/fhir/") || path == "/fhir" || path.starts_with("/oauth/")
}
