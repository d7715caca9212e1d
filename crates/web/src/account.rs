//! "Mijn account": the holder's own e-mail address and mobile number,
//! password, authenticator app and language; confirming a change of
//! details that staff asked for; accepting or declining a new link to a
//! dossier. Everything that changes how the holder signs in asks for the
//! current password (and the current app code), ADR 0013.
use crate::auth::{
    enrol_page, message_page, page, password_key, redirect, signed_in, signed_in_form, urlencode,
    Source, LANG_COOKIE,
};
use crate::error::WebError;
use crate::i18n::{Lang, Msg, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::Response;
use inzage_core::types::{display_datetime, Email, MobileNumber};
use inzage_service::accounts::credentials::AppChange;
use inzage_service::accounts::identifiers::{
    ChangeDone, NewIdentifier, OwnChangeStart, Reauth, ReauthOutcome,
};
use inzage_service::accounts::SessionInfo;
use inzage_service::ServiceError;
use serde::Deserialize;

/// The holder's own change, waiting for its code.
pub struct OwnChangeLine {
    pub to: String,
    pub until: String,
}

/// One of the two login identifiers the holder can change.
pub struct ChangeKind {
    /// The form's `soort`.
    pub code: &'static str,
    pub summary_key: &'static str,
    pub label_key: &'static str,
    /// `email` or `tel` (also the autocomplete hint).
    pub input_type: &'static str,
}

const CHANGE_KINDS: [ChangeKind; 2] = [
    ChangeKind {
        code: "email",
        summary_key: "account-change-email",
        label_key: "account-change-new-email",
        input_type: "email",
    },
    ChangeKind {
        code: "mobiel",
        summary_key: "account-change-mobile",
        label_key: "account-change-new-mobile",
        input_type: "tel",
    },
];

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    change_kinds: [ChangeKind; 2],
    t: Tr,
    csrf: String,
    email: String,
    mobile: Option<String>,
    has_totp: bool,
    language: String,
    own_change: Option<OwnChangeLine>,
    /// Berichten over je dossier (ADR 0021).
    notify: inzage_service::notifications::NotificationSettings,
    notice: Option<String>,
    error: Option<String>,
    /// The holder's passkeys (ADR 0029), and where they work (empty:
    /// not at this installation's address).
    passkeys: Vec<PasskeyLine>,
    passkey_origin: String,
    passkey_name_max: usize,
}

/// A passkey in "Mijn account".
pub struct PasskeyLine {
    pub id: String,
    pub name: String,
    pub instead_of_password: bool,
    pub added: String,
    pub used: Option<String>,
}

/// "Mijn account"; `notice` and `error` are translation keys.
pub(crate) async fn account_page(
    st: &AppState,
    tok: &str,
    info: SessionInfo,
    notice: Option<Msg>,
    error: Option<Msg>,
) -> Result<Response, WebError> {
    let t = crate::portal::tr_of(&info);
    let me = st.services.my_account(tok).await?;
    let notify = st.services.notification_settings(tok).await?;
    let passkeys = st
        .services
        .my_passkeys(tok)
        .await?
        .into_iter()
        .map(|p| PasskeyLine {
            id: p.id,
            name: p.name,
            instead_of_password: p.instead_of_password,
            added: display_datetime(p.created_at),
            used: p.last_used_at.map(display_datetime),
        })
        .collect();
    Ok(page(AccountPage {
        passkeys,
        passkey_origin: crate::passkey_pages::origin(st),
        passkey_name_max: inzage_service::accounts::passkeys::MAX_NAME,
        change_kinds: CHANGE_KINDS,
        notice: notice.map(|m| t.m(&m)),
        error: error.map(|m| t.m(&m)),
        t,
        csrf: info.csrf_token,
        email: me.email,
        mobile: me.mobile,
        has_totp: me.has_totp,
        notify,
        language: info.language,
        own_change: me.own_change.map(|c| OwnChangeLine {
            to: c.new_email.or(c.new_mobile).unwrap_or_default(),
            until: display_datetime(c.expires_at),
        }),
    }))
}

/// Why a re-authentication failed, for the page.
pub(crate) fn reauth_msg(r: ReauthOutcome) -> Option<Msg> {
    match r {
        ReauthOutcome::Ok => None,
        ReauthOutcome::WrongPassword => Some(Msg::new("password-current-wrong")),
        ReauthOutcome::WrongAppCode => Some(Msg::new("reauth-app-wrong")),
        ReauthOutcome::Paused { until } => {
            Some(Msg::new("password-paused").arg("until", display_datetime(until)))
        }
    }
}

pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).take(12).collect()
}

pub async fn account(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    match signed_in(&st, &headers, "/mijn-account").await? {
        Ok((tok, info)) => account_page(&st, &tok, info, None, None).await,
        Err(r) => Ok(r),
    }
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

pub async fn change_password(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<ChangePasswordForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    if f.password != f.password2 {
        return account_page(&st, &tok, info, None, Some(Msg::new("password-mismatch"))).await;
    }
    use inzage_service::accounts::ChangePassword;
    let result = st
        .services
        .change_password(&tok, &f.current, &f.password, src.as_deref())
        .await;
    let (notice, error) = match result {
        Ok(ChangePassword::Changed) => (Some(Msg::new("password-changed")), None),
        Ok(ChangePassword::WrongCurrent) => (None, Some(Msg::new("password-current-wrong"))),
        Ok(ChangePassword::Paused { until }) => (
            None,
            Some(Msg::new("password-paused").arg("until", display_datetime(until))),
        ),
        Err(ServiceError::Invalid(fe)) => (None, Some(Msg::new(password_key(&fe.message)))),
        Err(e) => return Err(e.into()),
    };
    account_page(&st, &tok, info, notice, error).await
}

#[derive(Deserialize)]
pub struct IdentifierForm {
    #[serde(default)]
    csrf: String,
    /// `email` or `mobiel`.
    #[serde(default)]
    soort: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    appcode: String,
}

/// Starts a change of the holder's own e-mail address or mobile number:
/// a code goes to the new one.
pub async fn identifiers_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<IdentifierForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let new = match f.soort.as_str() {
        "email" => Email::parse(&f.nieuw).map(NewIdentifier::Email).ok(),
        "mobiel" => MobileNumber::parse(&f.nieuw)
            .map(NewIdentifier::Mobile)
            .ok(),
        _ => None,
    };
    let Some(new) = new else {
        let key = if f.soort == "mobiel" {
            "staff-contact-mobile-error"
        } else {
            "staff-contact-email-error"
        };
        return account_page(&st, &tok, info, None, Some(Msg::new(key))).await;
    };
    let reauth = Reauth {
        password: &f.wachtwoord,
        app_code: &digits(&f.appcode),
    };
    let (notice, error) = match st
        .services
        .start_own_change(&tok, new, reauth, src.as_deref())
        .await?
    {
        OwnChangeStart::CodeSent => (Some(Msg::new("account-change-code-sent")), None),
        OwnChangeStart::Unchanged => (None, Some(Msg::new("account-change-unchanged"))),
        OwnChangeStart::ManagedByOrganisation => {
            (None, Some(Msg::new("account-change-staff-email")))
        }
        OwnChangeStart::Refused(r) => (None, reauth_msg(r)),
    };
    account_page(&st, &tok, info, notice, error).await
}

#[derive(Deserialize)]
pub struct CodeOnlyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// Finishes the holder's own change with the code.
pub async fn identifiers_confirm(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CodeOnlyForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (notice, error) = match st
        .services
        .confirm_own_change(&tok, &digits(&f.code), src.as_deref())
        .await?
    {
        ChangeDone::Changed => (Some(Msg::new("account-change-done")), None),
        ChangeDone::WrongCode => (None, Some(Msg::new("code-rejected"))),
        ChangeDone::NothingWaiting => (None, Some(Msg::new("account-change-gone"))),
        ChangeDone::AddressInUse => (None, Some(Msg::new("account-change-in-use"))),
    };
    account_page(&st, &tok, info, notice, error).await
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm_change.html")]
struct ConfirmChangePage {
    t: Tr,
    csrf: String,
    token: String,
    organisation: String,
    new_email: Option<String>,
    new_mobile: Option<String>,
    until: String,
}

/// The holder looks at the change staff asked for (the link in the mail
/// to the old address). Signing in first is the point: the second step
/// goes to the old number.
pub async fn staff_change_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let token: String = q.token.unwrap_or_default().chars().take(64).collect();
    let here = format!("/mijn-account/wijziging?token={}", urlencode(&token));
    let (tok, info) = match signed_in(&st, &headers, &here).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let t = crate::portal::tr_of(&info);
    match st.services.staff_change_for_holder(&tok, &token).await {
        Ok(c) => Ok(page(ConfirmChangePage {
            t,
            csrf: info.csrf_token,
            token,
            organisation: c.organisation_name,
            new_email: c.new_email,
            new_mobile: c.new_mobile,
            until: display_datetime(c.expires_at),
        })),
        Err(ServiceError::NotFound) => Ok(message_page(
            t,
            Msg::new("account-change-gone-title"),
            Msg::new("account-change-gone"),
            "/mijn-account",
            Msg::new("menu-account"),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    /// `ja` or `nee`.
    #[serde(default)]
    actie: String,
}

fn yes_no(tr: Tr, actie: &str) -> Result<bool, WebError> {
    match actie {
        "ja" => Ok(true),
        "nee" => Ok(false),
        _ => Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    }
}

pub async fn staff_change_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<DecideForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let accept = yes_no(crate::portal::tr_of(&info), &f.actie)?;
    let (notice, error) = match st
        .services
        .decide_staff_change(&tok, &f.token, accept, src.as_deref())
        .await?
    {
        ChangeDone::Changed => (Some(Msg::new("account-change-done")), None),
        ChangeDone::NothingWaiting if !accept => (Some(Msg::new("account-change-declined")), None),
        ChangeDone::AddressInUse => (None, Some(Msg::new("account-change-in-use"))),
        ChangeDone::NothingWaiting | ChangeDone::WrongCode => {
            (None, Some(Msg::new("account-change-gone")))
        }
    };
    account_page(&st, &tok, info, notice, error).await
}

/// "Mijn account": link an authenticator app (a first one, or another).
pub async fn account_app_form(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in(&st, &headers, "/mijn-account/app").await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    enrol_page(&st, &tok, &info, "/mijn-account/app", true, None).await
}

#[derive(Deserialize)]
pub struct AppForm {
    #[serde(default)]
    csrf: String,
    /// The code from the new app.
    #[serde(default)]
    code: String,
    #[serde(default)]
    wachtwoord: String,
    /// The code from the app linked now, if any.
    #[serde(default)]
    appcode: String,
}

pub async fn account_app_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<AppForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account/app", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let reauth = Reauth {
        password: &f.wachtwoord,
        app_code: &digits(&f.appcode),
    };
    let tr = crate::portal::tr_of(&info);
    let error = match st
        .services
        .confirm_totp_enrolment(&tok, &digits(&f.code), reauth, src.as_deref())
        .await?
    {
        AppChange::Linked => {
            return Ok(message_page(
                tr,
                Msg::new("app-linked-title"),
                Msg::new("app-linked-text"),
                "/",
                Msg::new("back-to-start"),
            ))
        }
        AppChange::Refused(r) => reauth_msg(r).map(|m| tr.m(&m)),
        AppChange::WrongNewCode | AppChange::Removed | AppChange::AppRequired => {
            Some(tr.t("app-code-rejected"))
        }
    };
    enrol_page(&st, &tok, &info, "/mijn-account/app", true, error).await
}

#[derive(Deserialize)]
pub struct ReauthForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) wachtwoord: String,
    #[serde(default)]
    pub(crate) appcode: String,
}

pub async fn remove_app(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<ReauthForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let reauth = Reauth {
        password: &f.wachtwoord,
        app_code: &digits(&f.appcode),
    };
    let (notice, error) = match st
        .services
        .remove_totp(&tok, reauth, src.as_deref())
        .await?
    {
        AppChange::Removed => (Some(Msg::new("app-removed")), None),
        AppChange::AppRequired => (None, Some(Msg::new("app-required"))),
        AppChange::Refused(r) => (None, reauth_msg(r)),
        AppChange::Linked | AppChange::WrongNewCode => (None, None),
    };
    account_page(&st, &tok, info, notice, error).await
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
}

pub async fn set_language(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let Some(lang) = Lang::parse(&f.language) else {
        return Err(WebError::BadInput(
            crate::portal::tr_of(&info).t("bad-language"),
        ));
    };
    st.services.set_language(&tok, lang.code()).await?;
    let mut info = info;
    info.language = lang.code().to_owned();
    let mut r = account_page(&st, &tok, info, Some(Msg::new("language-saved")), None).await?;
    // Pages before the next sign-in (and error pages) follow the choice.
    r.headers_mut().append(
        SET_COOKIE,
        st.cookies
            .set(LANG_COOKIE, lang.code(), Some(60 * 60 * 24 * 365)),
    );
    Ok(r)
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    /// `ja` or `nee`.
    #[serde(default)]
    actie: String,
}

/// The holder accepts or declines a new link to a dossier (ADR 0013).
pub async fn link_decide(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Path(id): Path<String>,
    Form(f): Form<LinkForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/kiezen", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let accept = yes_no(crate::portal::tr_of(&info), &f.actie)?;
    let id: String = id.chars().take(64).collect();
    match st
        .services
        .decide_link(&tok, &id, accept, src.as_deref())
        .await
    {
        Ok(_) | Err(ServiceError::Stale) => Ok(redirect(
            if accept {
                "/kiezen?melding=aangenomen"
            } else {
                "/kiezen?melding=geweigerd"
            },
            vec![],
        )),
        Err(e) => Err(e.into()),
    }
}
