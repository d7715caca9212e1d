//! Sign-in pages: login, second step, password request and set, logout,
//! "Mijn sessies". Handlers parse forms, call the account services and
//! render; every state-changing request carries a CSRF token.
use crate::error::WebError;
use crate::i18n::{Lang, Msg, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use inzage_core::types::{display_date, display_datetime};
use inzage_service::accounts::{
    AccessEnd, LoginOutcome, SecondStepOutcome, SessionInfo, SmsOutcome,
};
use serde::Deserialize;

/// The client's address (for the audit trail and limits): the TCP peer,
/// or what a trusted proxy says it is (`client_addr`).
pub struct Source(pub Option<String>);

impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Source(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| st.proxies.client(c.0.ip(), &parts.headers).to_string()),
        ))
    }
}

/// Cookie names. With secure cookies (the default) they carry the
/// `__Host-` prefix: Secure, Path=/, no Domain.
pub struct Cookies {
    secure: bool,
}

impl Cookies {
    pub fn new(secure: bool) -> Self {
        Self { secure }
    }
    /// Whether cookies carry `Secure` (HTTPS).
    pub(crate) fn secure(&self) -> bool {
        self.secure
    }
    pub fn session(&self) -> &'static str {
        if self.secure {
            "__Host-inzage-session"
        } else {
            "inzage-session"
        }
    }
    fn csrf(&self) -> &'static str {
        if self.secure {
            "__Host-inzage-csrf"
        } else {
            "inzage-csrf"
        }
    }
    pub(crate) const EMAIL: &'static str = "inzage-email";
    fn attrs(&self) -> &'static str {
        if self.secure {
            "; Path=/; Secure; HttpOnly; SameSite=Lax"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }
    pub(crate) fn set(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let age = max_age
            .map(|a| format!("; Max-Age={a}"))
            .unwrap_or_default();
        HeaderValue::from_str(&format!("{name}={value}{}{age}", self.attrs()))
            .unwrap_or(HeaderValue::from_static(""))
    }
    pub(crate) fn clear(&self, name: &str) -> HeaderValue {
        self.set(name, "", Some(0))
    }
}

/// The cookie that remembers the language chosen before sign-in.
pub const LANG_COOKIE: &str = "inzage-lang";

/// The language of a page shown before sign-in: the cookie set by
/// `/taal`, else Dutch.
pub(crate) fn pre_tr(headers: &HeaderMap) -> Tr {
    Tr::new(
        cookie(headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or(Lang::Nl),
    )
    .with_sector(crate::face::sector())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn page(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => ([(CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => WebError::internal(&format!("template: {e}")).into_response(),
    }
}

pub(crate) fn redirect(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response();
    for c in cookies {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Only local paths are accepted as a place to return to.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() < 512 =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn token() -> String {
    let mut b = [0u8; 16];
    if getrandom::getrandom(&mut b).is_err() {
        return String::new();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The pre-login CSRF token: the cookie's value, or a new one.
pub(crate) fn pre_csrf(headers: &HeaderMap, cookies: &Cookies) -> (String, Option<HeaderValue>) {
    match cookie(headers, cookies.csrf()).filter(|v| v.len() == 32) {
        Some(v) => (v.to_owned(), None),
        None => {
            let t = token();
            let h = cookies.set(cookies.csrf(), &t, None);
            (t, Some(h))
        }
    }
}

pub(crate) fn check_pre_csrf(
    headers: &HeaderMap,
    cookies: &Cookies,
    sent: &str,
) -> Result<(), WebError> {
    match cookie(headers, cookies.csrf()) {
        Some(c) if c.len() == 32 && constant_eq(c, sent) => Ok(()),
        _ => Err(WebError::CsrfFailed),
    }
}

pub use inzage_core::types::constant_eq;

pub(crate) fn with_cookie(mut r: Response, c: Option<HeaderValue>) -> Response {
    if let Some(c) = c {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    next: String,
    email: String,
    public_computer: bool,
    notice: Option<String>,
    error: Option<String>,
    /// Organisations whose staff may sign in through their own identity
    /// provider (ADR 0028): (organisation id, button text).
    providers: Vec<(String, String)>,
    /// Where passkeys work (ADR 0029); empty: nowhere here.
    passkey_origin: String,
}

/// The sign-in page's provider buttons: the organisation the host shows
/// (with `host_organisations`, one tenant's page lists no other tenant).
async fn provider_buttons(st: &AppState, tr: Tr) -> Result<Vec<(String, String)>, WebError> {
    let face = crate::face::current().and_then(|f| f.organisation_id.clone());
    Ok(st
        .services
        .oidc_buttons(face.as_deref())
        .await?
        .into_iter()
        .map(|b| {
            let label = tr.a("login-oidc-button", "organisation", b.organisation_name);
            (b.organisation_id, label)
        })
        .collect())
}

/// The sign-in page again with an error (a return from the organisation's
/// identity provider that did not sign anyone in).
pub(crate) async fn login_page_with_error(
    st: &AppState,
    headers: &HeaderMap,
    error: String,
    extra: Vec<HeaderValue>,
) -> Result<Response, WebError> {
    let (csrf, set) = pre_csrf(headers, &st.cookies);
    let tr = pre_tr(headers);
    let mut r = with_cookie(
        page(LoginPage {
            t: tr,
            csrf,
            next: "/".into(),
            email: String::new(),
            public_computer: false,
            notice: None,
            error: Some(error),
            providers: provider_buttons(st, tr).await?,
            passkey_origin: crate::passkey_pages::origin(st),
        }),
        set,
    );
    for c in extra {
        r.headers_mut().append(SET_COOKIE, c);
    }
    Ok(r)
}

/// Where a half-signed-in session goes next: enrolling an app, the app
/// code, or the SMS code (sent at once).
pub(crate) async fn to_second_step(
    st: &AppState,
    session_token: &str,
    enrol: bool,
    totp: bool,
    next: &str,
    src: Option<&str>,
    cookies: Vec<HeaderValue>,
) -> Result<Response, WebError> {
    let to = if enrol {
        "/inloggen/app-koppelen".to_owned()
    } else if totp {
        format!("/inloggen/code?met=app&next={}", urlencode(next))
    } else {
        let sent = sms_at_once(st, session_token, src).await?;
        format!("/inloggen/code?met=sms&{sent}next={}", urlencode(next))
    };
    Ok(redirect(&to, cookies))
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    verlopen: Option<String>,
    /// A form posted after the timeout was kept (`bewaard=1`).
    bewaard: Option<String>,
}

pub async fn login_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let (csrf, set) = pre_csrf(&headers, &st.cookies);
    let tr = pre_tr(&headers);
    let notice = match (q.verlopen, q.bewaard) {
        (Some(_), Some(_)) => Some(tr.t("login-timed-out-kept")),
        (Some(_), None) => Some(tr.t("login-timed-out")),
        _ => None,
    };
    let email = cookie(&headers, Cookies::EMAIL)
        .map(decode_email)
        .unwrap_or_default();
    Ok(with_cookie(
        page(LoginPage {
            t: tr,
            csrf,
            next: safe_next(q.next.as_deref()),
            email,
            public_computer: false,
            notice,
            error: None,
            providers: provider_buttons(&st, tr).await?,
            passkey_origin: crate::passkey_pages::origin(&st),
        }),
        set,
    ))
}

fn decode_email(v: &str) -> String {
    v.replace("%40", "@")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "@.-_+".contains(*c))
        .collect()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    public_computer: Option<String>,
    next: Option<String>,
}

pub async fn login_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let tr = pre_tr(&headers);
    let public = f.public_computer.is_some();
    let device = device_of(&headers);
    // Read before step one: a failure here must not follow a right password.
    let providers = provider_buttons(&st, tr).await?;
    let out = st
        .services
        .login(
            &f.email,
            &f.password,
            public,
            device.as_deref(),
            src.as_deref(),
        )
        .await?;
    let next = safe_next(f.next.as_deref());
    let again = |error: String| LoginPage {
        t: tr,
        csrf: f.csrf.clone(),
        next: next.clone(),
        email: f.email.chars().take(254).collect(),
        public_computer: public,
        notice: None,
        error: Some(error),
        providers: providers.clone(),
        passkey_origin: crate::passkey_pages::origin(&st),
    };
    Ok(match out {
        LoginOutcome::SecondStep {
            session_token,
            totp,
            enrol,
            ..
        } => {
            let mut cookies = vec![st.cookies.set(st.cookies.session(), &session_token, None)];
            if public {
                cookies.push(st.cookies.clear(Cookies::EMAIL));
            } else {
                let e = f.email.trim().to_lowercase().replace('@', "%40");
                cookies.push(st.cookies.set(Cookies::EMAIL, &e, Some(60 * 60 * 24 * 90)));
            }
            to_second_step(
                &st,
                &session_token,
                enrol,
                totp,
                &next,
                src.as_deref(),
                cookies,
            )
            .await?
        }
        LoginOutcome::Rejected => page(again(tr.t("login-rejected"))),
        LoginOutcome::Paused { until } => page(again(tr.a(
            "login-paused",
            "until",
            display_datetime(until),
        ))),
        LoginOutcome::AccessEnded(why) => page(again(access_end_message(tr, why))),
        LoginOutcome::Busy { until } => {
            let mut r = page(again(tr.a("login-busy", "until", display_datetime(until))));
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r
        }
    })
}

/// Why a right password (or passkey) does not open the portal.
pub(crate) fn access_end_message(tr: Tr, why: AccessEnd) -> String {
    let sd = crate::servicedesk_line(tr).0;
    match why {
        AccessEnd::Ended => tr.a("login-access-ended", "servicedesk", sd),
        AccessEnd::TooYoung { min_age } => tr.a2(
            "login-too-young",
            "age",
            i64::from(min_age),
            "servicedesk",
            sd,
        ),
        AccessEnd::BeforeStart { date } => tr.a2(
            "login-before-start",
            "date",
            display_date(date),
            "servicedesk",
            sd,
        ),
    }
}

/// The device a sign-in came from, in short (for "Mijn sessies").
pub(crate) fn device_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(short_device)
}

fn short_device(ua: &str) -> String {
    let os = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|o| ua.contains(o))
        .unwrap_or("onbekend apparaat");
    let browser = ["Edg", "Firefox", "Chrome", "Safari"]
        .into_iter()
        .find(|b| ua.contains(b))
        .map(|b| if b == "Edg" { "Edge" } else { b })
        .unwrap_or("browser");
    format!("{browser} op {os}")
}

/// Undoes [`urlencode`] (`%XX`); `None` for a broken escape or bytes that
/// are not UTF-8 (the caller then goes to the start page).
pub(crate) fn urldecode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A local path made fit for a `Location` header: bytes outside printable
/// ASCII (and space, quotes, angle brackets) percent-encoded, the rest
/// (`/ ? = & %` …) kept.
pub(crate) fn location_of(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                )
            {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    t: Tr,
    csrf: String,
    use_app: bool,
    can_switch: bool,
    /// A code is on its way: the button offers a new one.
    sent_at_once: bool,
    notice: Option<String>,
    error: Option<String>,
    /// The holder's passkey instead of the code (ADR 0029).
    passkey: Option<crate::passkey_pages::PasskeyForm>,
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    met: Option<String>,
    next: Option<String>,
    /// The SMS went out with the password step (`verstuurd=1`).
    verstuurd: Option<String>,
}

/// After the password step of someone whose second step is an SMS code:
/// the code is sent at once (one tap less; issue 14). Returns the query
/// part that tells the code page so (empty when nothing was sent, e.g. no
/// mobile number: the page then offers the button).
async fn sms_at_once(
    st: &AppState,
    session_token: &str,
    src: Option<&str>,
) -> Result<&'static str, WebError> {
    Ok(match st.services.send_sms_code(session_token, src).await? {
        SmsOutcome::Sent => "verstuurd=1&",
        _ => "",
    })
}

pub(crate) async fn pending(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, SessionInfo)>, WebError> {
    let Some(tok) = cookie(headers, st.cookies.session()) else {
        return Ok(None);
    };
    Ok(st
        .services
        .session(tok)
        .await?
        .filter(|s| s.second_factor_pending)
        .map(|s| (tok.to_owned(), s)))
}

pub async fn code_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let Some((tok, info)) = pending(&st, &headers).await? else {
        return Ok(redirect("/inloggen", vec![]));
    };
    let use_app = q.met.as_deref() == Some("app") && info.has_totp;
    let tr = crate::portal::tr_of(&info);
    let sent = (!use_app && q.verstuurd.as_deref() == Some("1")).then(|| tr.t("sms-sent-at-once"));
    let passkey = crate::passkey_pages::second_step_form(&st, &tok, &info, tr).await?;
    if let Some(next) = q.next {
        // Remember where to go after the second step (same-site, short-lived).
        return Ok(with_cookie(
            page(CodePage {
                t: crate::portal::tr_of(&info),
                csrf: info.csrf_token,
                use_app,
                can_switch: info.has_totp,
                sent_at_once: sent.is_some(),
                notice: sent,
                error: None,
                passkey,
            }),
            Some(st.cookies.set(
                "inzage-next",
                &urlencode(&safe_next(Some(&next))),
                Some(900),
            )),
        ));
    }
    Ok(page(CodePage {
        t: crate::portal::tr_of(&info),
        csrf: info.csrf_token,
        use_app,
        can_switch: info.has_totp,
        sent_at_once: sent.is_some(),
        notice: sent,
        error: None,
        passkey,
    }))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn send_sms(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let Some((tok, info)) = pending(&st, &headers).await? else {
        return Ok(redirect("/inloggen", vec![]));
    };
    if !constant_eq(&info.csrf_token, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let tr = crate::portal::tr_of(&info);
    let notice = match st.services.send_sms_code(&tok, src.as_deref()).await? {
        SmsOutcome::Sent => tr.t("sms-sent"),
        SmsOutcome::TooSoon { retry_after } => {
            tr.a("sms-too-soon", "time", display_datetime(retry_after))
        }
        SmsOutcome::NoMobile => tr.t("sms-not-possible"),
    };
    let passkey = crate::passkey_pages::second_step_form(&st, &tok, &info, tr).await?;
    Ok(page(CodePage {
        t: crate::portal::tr_of(&info),
        csrf: info.csrf_token,
        use_app: false,
        can_switch: info.has_totp,
        sent_at_once: true,
        notice: Some(notice),
        error: None,
        passkey,
    }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    method: String,
}

pub async fn code_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some((tok, info)) = pending(&st, &headers).await? else {
        return Ok(redirect("/inloggen", vec![]));
    };
    if !constant_eq(&info.csrf_token, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let app = f.method == "app";
    let code: String = f
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(12)
        .collect();
    let out = st
        .services
        .verify_second_step(&tok, &code, app, src.as_deref())
        .await?;
    second_step_answer(&st, &headers, &tok, &info, app, out).await
}

/// The answer to a second step (a code or a passkey): signed in, to where
/// the sign-in began; else the code page again with why.
pub(crate) async fn second_step_answer(
    st: &AppState,
    headers: &HeaderMap,
    tok: &str,
    info: &SessionInfo,
    app: bool,
    out: SecondStepOutcome,
) -> Result<Response, WebError> {
    let tr = crate::portal::tr_of(info);
    let again = |e: String, passkey| CodePage {
        t: tr,
        csrf: info.csrf_token.clone(),
        use_app: app,
        can_switch: info.has_totp,
        sent_at_once: !app,
        notice: None,
        error: Some(e),
        passkey,
    };
    Ok(match out {
        SecondStepOutcome::SignedIn { session_token } => {
            let next = cookie(headers, "inzage-next")
                .and_then(urldecode)
                .unwrap_or_else(|| "/".into());
            let max_age = if info.public_computer {
                None
            } else {
                Some(12 * 60 * 60)
            };
            redirect(
                &location_of(&safe_next(Some(&next))),
                vec![
                    st.cookies
                        .set(st.cookies.session(), &session_token, max_age),
                    st.cookies.clear("inzage-next"),
                ],
            )
        }
        SecondStepOutcome::Rejected => {
            let passkey = crate::passkey_pages::second_step_form(st, tok, info, tr).await?;
            page(again(tr.t("code-rejected"), passkey))
        }
        SecondStepOutcome::CodeExpired => {
            let passkey = crate::passkey_pages::second_step_form(st, tok, info, tr).await?;
            page(again(tr.t("code-expired"), passkey))
        }
        SecondStepOutcome::Paused { until } => with_cookie(
            page(again(
                tr.a("code-paused", "until", display_datetime(until)),
                None,
            )),
            Some(st.cookies.clear(st.cookies.session())),
        ),
    })
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    t: Tr,
    csrf: String,
    sent: bool,
    /// Too many requests from this address: try again later.
    too_many: bool,
    /// At most one e-mail per this many minutes (the setting).
    interval_minutes: i64,
    /// The window of the per-address limit, in minutes (the setting).
    window_minutes: i64,
}

pub async fn forgot_form(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = pre_csrf(&headers, &st.cookies);
    with_cookie(
        page(ForgotPage {
            t: pre_tr(&headers),
            csrf,
            sent: false,
            too_many: false,
            interval_minutes: st.services.settings().reset_mail_interval.num_minutes(),
            window_minutes: st.services.settings().address_window.num_minutes(),
        }),
        set,
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

pub async fn forgot_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<ForgotForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let email: String = f.email.chars().take(320).collect();
    let answer = st
        .services
        .request_password_reset(&email, src.as_deref())
        .await?;
    let too_many = answer == inzage_service::accounts::ResetRequest::TooMany;
    let mut r = page(ForgotPage {
        t: pre_tr(&headers),
        csrf: f.csrf,
        sent: !too_many,
        too_many,
        interval_minutes: st.services.settings().reset_mail_interval.num_minutes(),
        window_minutes: st.services.settings().address_window.num_minutes(),
    });
    if too_many {
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    Ok(r)
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    t: Tr,
    csrf: String,
    token: String,
    email: String,
    done: bool,
    invalid_link: bool,
    error: Option<String>,
}

impl SetPasswordPage {
    /// The link is unknown, used or expired.
    fn link_gone(t: Tr, csrf: String) -> Self {
        Self {
            t,
            csrf,
            token: String::new(),
            email: String::new(),
            done: false,
            invalid_link: true,
            error: None,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn set_password_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let (csrf, set) = pre_csrf(&headers, &st.cookies);
    let token = q.token.unwrap_or_default();
    let email = st.services.token_email(&token).await;
    let invalid_link = email.is_err();
    Ok(with_cookie(
        page(SetPasswordPage {
            t: pre_tr(&headers),
            csrf,
            token,
            email: email.unwrap_or_default(),
            done: false,
            invalid_link,
            error: None,
        }),
        set,
    ))
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

pub async fn set_password_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let tr = pre_tr(&headers);
    let email = match st.services.token_email(&f.token).await {
        Ok(e) => e,
        Err(_) => return Ok(page(SetPasswordPage::link_gone(tr, f.csrf))),
    };
    let again = |e: String| SetPasswordPage {
        t: tr,
        csrf: f.csrf.clone(),
        token: f.token.clone(),
        email: email.clone(),
        done: false,
        invalid_link: false,
        error: Some(e),
    };
    if f.password != f.password2 {
        return Ok(page(again(tr.t("password-mismatch"))));
    }
    match st
        .services
        .set_password_with_token(&f.token, &f.password, src.as_deref())
        .await
    {
        Ok(()) => {
            // Straight on to the second step (or app enrolment), then the portal.
            match st
                .services
                .login(&email, &f.password, false, None, src.as_deref())
                .await?
            {
                LoginOutcome::SecondStep {
                    session_token,
                    enrol,
                    totp,
                    ..
                } => {
                    let to = if enrol {
                        "/inloggen/app-koppelen".to_owned()
                    } else if totp {
                        "/inloggen/code?met=app".to_owned()
                    } else {
                        let sent = sms_at_once(&st, &session_token, src.as_deref()).await?;
                        format!("/inloggen/code?met=sms&{}", sent.trim_end_matches('&'))
                    };
                    Ok(redirect(
                        &to,
                        vec![st.cookies.set(st.cookies.session(), &session_token, None)],
                    ))
                }
                _ => Ok(page(SetPasswordPage {
                    t: tr,
                    csrf: f.csrf,
                    token: String::new(),
                    email,
                    done: true,
                    invalid_link: false,
                    error: None,
                })),
            }
        }
        Err(inzage_service::ServiceError::Invalid(fe)) => {
            Ok(page(again(password_message(tr, &fe.message))))
        }
        Err(inzage_service::ServiceError::NotFound) => {
            Ok(page(SetPasswordPage::link_gone(tr, f.csrf)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The password rule that failed, in easy words.
fn password_message(tr: Tr, m: &str) -> String {
    tr.t(password_key(m))
}

pub(crate) fn password_key(m: &str) -> &'static str {
    if m.contains("at least") {
        "password-too-short"
    } else if m.contains("longer than") {
        "password-too-long"
    } else if m.contains("common") {
        "password-common"
    } else if m.contains("e-mail") {
        "password-is-email"
    } else {
        "password-refused"
    }
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `/taal?lang=en`: the language of the pages before sign-in (signed-in
/// users choose under "Mijn account", where it is stored with the account).
pub async fn choose_language(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Result<Response, WebError> {
    let Some(lang) = q.lang.as_deref().and_then(Lang::parse) else {
        return Err(WebError::BadInput(pre_tr(&headers).t("bad-language")));
    };
    let signed_in = match cookie(&headers, st.cookies.session()) {
        Some(tok) => st.services.session(tok).await?.is_some(),
        None => false,
    };
    Ok(redirect(
        if signed_in {
            "/mijn-account#taal"
        } else {
            "/inloggen"
        },
        vec![st
            .cookies
            .set(LANG_COOKIE, lang.code(), Some(60 * 60 * 24 * 365))],
    ))
}

pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    if let Some(tok) = cookie(&headers, st.cookies.session()) {
        if let Some(info) = st.services.session(tok).await? {
            if !constant_eq(&info.csrf_token, &f.csrf) {
                return Err(WebError::CsrfFailed);
            }
        }
        st.services.logout(tok, src.as_deref()).await?;
    }
    Ok(redirect(
        "/inloggen",
        vec![st.cookies.clear(st.cookies.session())],
    ))
}

/// The signed-in session, or a redirect to the login page (with a short
/// explanation after a timeout, and the way back).
pub async fn signed_in(
    st: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<Result<(String, SessionInfo), Response>, WebError> {
    let tok = cookie(headers, st.cookies.session());
    if let Some(tok) = tok {
        let (info, timed_out) = st.services.session_lookup(tok).await?;
        match info {
            Some(i) if !i.second_factor_pending => return Ok(Ok((tok.to_owned(), i))),
            Some(_) => return Ok(Err(redirect("/inloggen/code", vec![]))),
            None if timed_out => {
                let to = format!("/inloggen?verlopen=1&next={}", urlencode(here));
                return Ok(Err(redirect(
                    &to,
                    vec![st.cookies.clear(st.cookies.session())],
                )));
            }
            None => {}
        }
    }
    Ok(Err(redirect(
        &format!("/inloggen?next={}", urlencode(here)),
        vec![],
    )))
}

/// [`signed_in`] for a form post: also checks the session's CSRF token.
pub async fn signed_in_form(
    st: &AppState,
    headers: &HeaderMap,
    here: &str,
    csrf: &str,
) -> Result<Result<(String, SessionInfo), Response>, WebError> {
    let r = signed_in(st, headers, here).await?;
    if let Ok((_, info)) = &r {
        if !constant_eq(&info.csrf_token, csrf) {
            return Err(WebError::CsrfFailed);
        }
    }
    Ok(r)
}

pub(crate) struct ClientLine {
    id: String,
    name: String,
    client_number: String,
    birth_date: String,
    team: String,
    mine: bool,
    /// Open questions to the team; none for roles that do not read them.
    open_questions: Option<i64>,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    t: Tr,
    csrf: String,
    email: String,
    search: String,
    /// `None`: this role has no client list.
    clients: Option<Vec<ClientLine>>,
    /// Links to the audit viewer and the administration, by role.
    privacy_officer: bool,
    admin: bool,
    /// May register clients (the menu link; the rule decides on saving).
    can_register: bool,
}

/// `/`: clients and contact persons get their dossier's start page with
/// the tiles; staff get "Mijn cliënten".
pub async fn start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Query(q): Query<crate::portal::StartQuery>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in(&st, &headers, "/").await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    if info.kind != inzage_service::accounts::AccountKind::Staff {
        return crate::portal::start_page(&st, info, src, q).await;
    }
    let search: String = q.zoek.unwrap_or_default().chars().take(100).collect();
    let mut roles = vec![];
    let clients = match &info.principal {
        Some(p) => {
            let mut ctx = inzage_service::Ctx::new(p.clone()).with_facts(&info.facts);
            ctx.source_addr = src;
            roles = st.services.my_roles(&ctx).await?;
            match st.services.my_clients(&ctx, &search).await {
                Ok(list) => Some(
                    list.into_inner()
                        .into_iter()
                        .map(|c| ClientLine {
                            id: c.id.to_string(),
                            name: c.name,
                            client_number: c.client_number,
                            birth_date: inzage_core::types::display_date(c.birth_date),
                            team: c.team_name,
                            mine: c.mine,
                            open_questions: c.open_questions,
                        })
                        .collect(),
                ),
                Err(inzage_service::ServiceError::Denied(_)) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    Ok(page(StartPage {
        t: crate::portal::tr_of(&info),
        csrf: info.csrf_token,
        email: info.email,
        search,
        clients,
        privacy_officer: roles.contains(&inzage_core::model::Role::PrivacyOfficer),
        admin: roles.contains(&inzage_core::model::Role::FunctionalAdmin),
        can_register: roles.iter().any(|r| {
            matches!(
                r,
                inzage_core::model::Role::Secretariat
                    | inzage_core::model::Role::PrimaryCaregiver
                    | inzage_core::model::Role::FunctionalAdmin
            )
        }),
    }))
}

struct SessionLine {
    device: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    t: Tr,
    csrf: String,
    sessions: Vec<SessionLine>,
    notice: Option<String>,
}

async fn sessions_page(
    st: &AppState,
    tok: &str,
    info: &SessionInfo,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let tr = crate::portal::tr_of(info);
    let sessions = st
        .services
        .my_sessions(tok)
        .await?
        .into_iter()
        .map(|s| SessionLine {
            device: s.device.unwrap_or_else(|| tr.t("sessions-unknown-device")),
            last_seen: display_datetime(s.last_seen_at),
            current: s.current,
        })
        .collect();
    Ok(page(SessionsPage {
        t: tr,
        csrf: info.csrf_token.clone(),
        sessions,
        notice,
    }))
}

pub async fn sessions(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in(&st, &headers, "/mijn-sessies").await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    sessions_page(&st, &tok, &info, None).await
}

pub async fn end_other_sessions(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-sessies", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let n = st.services.end_other_sessions(&tok, src.as_deref()).await?;
    let tr = crate::portal::tr_of(&info);
    sessions_page(
        &st,
        &tok,
        &info,
        Some(tr.a("sessions-ended", "count", n as i64)),
    )
    .await
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    t: Tr,
    /// (idle minutes, failures before a pause, pause minutes, days after
    /// discharge) of the viewer's organisation.
    rules: (i64, i64, i64, i64),
    /// Signed in: the menu with the way out (Uitloggen) needs the token.
    csrf: Option<String>,
    servicedesk: String,
    /// The organisation's own help pages (a setting), if any.
    help_url: Option<String>,
    signed_in: bool,
    is_staff: bool,
}

/// "Hulp nodig?": before and after sign-in, in the viewer's language.
pub async fn help(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let token = cookie(&headers, st.cookies.session());
    let session = match token {
        Some(tok) => st
            .services
            .session(tok)
            .await?
            .filter(|i| !i.second_factor_pending),
        None => None,
    };
    let tr = match &session {
        Some(info) => crate::portal::tr_of(info),
        None => pre_tr(&headers),
    };
    let (servicedesk, help_url) = crate::servicedesk_line(tr);
    // The rules as the organisation set them (never a fixed number).
    let face = crate::face::current()
        .map(|f| (*f).clone())
        .unwrap_or_default();
    Ok(page(HelpPage {
        t: tr,
        rules: (
            face.idle_timeout_minutes,
            face.lockout_threshold,
            face.lockout_pause_minutes,
            face.grace_days_after_discharge,
        ),
        servicedesk,
        help_url,
        csrf: session.as_ref().map(|i| i.csrf_token.clone()),
        signed_in: session.is_some(),
        is_staff: session
            .as_ref()
            .is_some_and(|i| i.kind == inzage_service::accounts::AccountKind::Staff),
    }))
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    t: Tr,
    csrf: String,
    qr_svg: String,
    secret_grouped: String,
    action: &'static str,
    ask_password: bool,
    ask_current_app: bool,
    error: Option<String>,
}

fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Inline in the page: drop the XML declaration.
            match svg.find("<svg") {
                Some(i) => svg[i..].replacen("<svg", "<svg role=\"img\" aria-label=\"QR-code\"", 1),
                None => String::new(),
            }
        }
        Err(_) => String::new(),
    }
}

fn group(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page that shows a new app key. From "Mijn account" (`reauth`) it
/// also asks for the current password (and the current app's code).
pub(crate) async fn enrol_page(
    st: &AppState,
    tok: &str,
    info: &SessionInfo,
    action: &'static str,
    reauth: bool,
    error: Option<String>,
) -> Result<Response, WebError> {
    // A refused form shows the key the holder scanned; opening the page
    // makes a new one.
    let (secret, url) = if error.is_some() {
        st.services.repeat_totp_enrolment(tok).await?
    } else {
        st.services.begin_totp_enrolment(tok).await?
    };
    Ok(page(EnrolPage {
        t: crate::portal::tr_of(info),
        csrf: info.csrf_token.clone(),
        qr_svg: qr_svg(&url),
        secret_grouped: group(&secret),
        action,
        ask_password: reauth,
        ask_current_app: reauth && info.has_totp,
        error,
    }))
}

/// Step two for staff who must use an app and sign in for the first time.
pub async fn enrol_form(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some((tok, info)) = pending(&st, &headers).await? else {
        return Ok(redirect("/inloggen", vec![]));
    };
    if !info.may_enrol {
        return Ok(redirect("/inloggen/code?met=app", vec![]));
    }
    enrol_page(&st, &tok, &info, "/inloggen/code", false, None).await
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: Tr,
    title: String,
    text: String,
    link: &'static str,
    link_text: String,
}

/// A short page with a title, a text and one link onward.
pub(crate) fn message_page(
    t: Tr,
    title: Msg,
    text: Msg,
    link: &'static str,
    link_text: Msg,
) -> Response {
    page(MessagePage {
        t,
        title: t.m(&title),
        text: t.m(&text),
        link,
        link_text: t.m(&link_text),
    })
}

#[cfg(test)]
mod tests {
    use super::{safe_next, urldecode, urlencode};

    #[test]
    fn a_place_to_return_to_survives_the_cookie_with_its_query() {
        for p in [
            "/dossier/rapportages?pagina=2",
            "/clienten/x/rapportages?van=01-01-2026&tot=31-01-2026",
            "/hulp#é",
        ] {
            assert_eq!(urldecode(&urlencode(p)).as_deref(), Some(p));
        }
        assert_eq!(urldecode("%zz"), None);
        assert_eq!(urldecode("%4"), None);
        assert_eq!(urldecode("%ff"), None, "not UTF-8");
        assert_eq!(urldecode("%+A"), None, "two hex digits");
        // Decoded text that a Location header cannot carry is encoded again.
        let back = super::location_of(&safe_next(urldecode("%2F%C3%A9%3Fx%3D1").as_deref()));
        assert_eq!(back, "/%C3%A9?x=1");
        assert!(axum::http::HeaderValue::from_str(&back).is_ok());
        // A decoded //host is still refused by safe_next.
        assert_eq!(safe_next(urldecode("%2F%2Fevil.example").as_deref()), "/");
    }

    #[test]
    fn only_local_paths_are_places_to_return_to() {
        for ok in ["/", "/dossier/rapportages?pagina=2", "/kiezen"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            // Browsers drop tabs and newlines from URLs: "/\t/x" is "//x".
            "/\t/evil.example",
            "/\n/evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
