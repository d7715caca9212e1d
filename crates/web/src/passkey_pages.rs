//! Passkeys on the pages (ADR 0029): adding and removing one in "Mijn
//! account", the passkey as the second step, and signing in with a
//! passkey alone. Every step is an ordinary form post that renders a
//! page; the script (`inzage.js`) only hands the options to the browser's
//! `navigator.credentials` and puts its answer in the form. Without the
//! script the passkey forms stay hidden and the other ways remain.
use crate::account::{account_page, digits, ReauthForm};
use crate::auth::{
    check_pre_csrf, login_page_with_error, page, pre_csrf, pre_tr, redirect, second_step_answer,
    signed_in_form, with_cookie, Cookies, Source,
};
use crate::error::WebError;
use crate::i18n::{Msg, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::Response;
use inzage_core::types::display_datetime;
use inzage_service::accounts::identifiers::Reauth;
use inzage_service::accounts::passkeys::{
    Ceremony, PasskeyAdd, PasskeyAdded, PasskeyRemoval, PasskeySignIn, MAX_NAME, MAX_PASSKEYS,
};
use inzage_service::accounts::SessionInfo;
use inzage_service::ServiceError;
use serde::Deserialize;

/// A form that runs a passkey ceremony in the browser (the template
/// `passkey_form.html`).
pub(crate) struct PasskeyForm {
    pub action: &'static str,
    /// `create` (a new passkey) or `get` (using one).
    pub kind: &'static str,
    pub options: String,
    pub token: String,
    pub csrf: String,
    pub button: String,
    pub origin: String,
    /// Further hidden fields (name, value).
    pub extra: Vec<(&'static str, String)>,
    /// Ask "public computer?" (signing in without the password).
    pub ask_public: bool,
}

/// Where passkeys work (the relying party's origin, without a trailing
/// slash); empty when they cannot here.
pub(crate) fn origin(st: &AppState) -> String {
    st.services
        .passkey_origin()
        .map(|o| o.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

fn form(
    st: &AppState,
    action: &'static str,
    kind: &'static str,
    c: Ceremony,
    csrf: String,
    button: String,
) -> PasskeyForm {
    PasskeyForm {
        action,
        kind,
        options: c.options,
        token: c.token,
        csrf,
        button,
        origin: origin(st),
        extra: Vec::new(),
        ask_public: false,
    }
}

/// The second step's passkey form, when the account has a passkey.
pub(crate) async fn second_step_form(
    st: &AppState,
    tok: &str,
    info: &SessionInfo,
    tr: Tr,
) -> Result<Option<PasskeyForm>, WebError> {
    Ok(st.services.begin_passkey_second_step(tok).await?.map(|c| {
        form(
            st,
            "/inloggen/passkey",
            "get",
            c,
            info.csrf_token.clone(),
            tr.t("code-use-passkey"),
        )
    }))
}

/// A page that runs one ceremony: adding a passkey, or signing in.
#[derive(Template)]
#[template(path = "passkey.html")]
struct PasskeyPage {
    t: Tr,
    title: String,
    intro: String,
    error: Option<String>,
    passkey: Option<PasskeyForm>,
    back: &'static str,
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    naam: String,
    #[serde(default, rename = "zonder-wachtwoord")]
    zonder_wachtwoord: Option<String>,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    appcode: String,
}

/// "Mijn account": re-authentication and a name, then the page that
/// makes the passkey.
pub async fn add_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<AddForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let tr = crate::portal::tr_of(&info);
    let reauth = Reauth {
        password: &f.wachtwoord,
        app_code: &digits(&f.appcode),
    };
    let out = st
        .services
        .begin_passkey_registration(
            &tok,
            &f.naam,
            f.zonder_wachtwoord.is_some(),
            reauth,
            src.as_deref(),
        )
        .await;
    let error = match out {
        Ok(PasskeyAdd::Started(c)) => {
            let csrf = info.csrf_token.clone();
            return Ok(page(PasskeyPage {
                t: tr,
                title: tr.t("passkey-create-title"),
                intro: tr.t("passkey-create-intro"),
                error: None,
                passkey: Some(form(
                    &st,
                    "/mijn-account/passkey/klaar",
                    "create",
                    c,
                    csrf,
                    tr.t("passkey-create-button"),
                )),
                back: "/mijn-account#passkeys",
            }));
        }
        Ok(PasskeyAdd::Refused(r)) => crate::account::reauth_msg(r),
        Ok(PasskeyAdd::TooMany) => {
            Some(Msg::new("passkey-too-many").arg("max", MAX_PASSKEYS as i64))
        }
        Ok(PasskeyAdd::NotHere) => Some(Msg::new("passkey-not-here")),
        Err(ServiceError::Invalid(_)) => {
            Some(Msg::new("passkey-name-invalid").arg("max", MAX_NAME as i64))
        }
        Err(e) => return Err(e.into()),
    };
    account_page(&st, &tok, info, None, error).await
}

#[derive(Deserialize)]
pub struct CeremonyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ceremonie: String,
    #[serde(default)]
    antwoord: String,
    #[serde(default)]
    openbaar: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// The browser's new passkey, to keep.
pub async fn add_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CeremonyForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let out = st
        .services
        .finish_passkey_registration(&tok, &f.ceremonie, &f.antwoord, src.as_deref())
        .await?;
    let (notice, error) = match out {
        PasskeyAdded::Added => (Some(Msg::new("passkey-added")), None),
        PasskeyAdded::Failed => (None, Some(Msg::new("passkey-not-added"))),
        PasskeyAdded::Known => (None, Some(Msg::new("passkey-known"))),
        PasskeyAdded::TooMany => (
            None,
            Some(Msg::new("passkey-too-many").arg("max", MAX_PASSKEYS as i64)),
        ),
        PasskeyAdded::Expired => (None, Some(Msg::new("passkey-expired"))),
    };
    account_page(&st, &tok, info, notice, error).await
}

/// Removes one of the holder's passkeys (re-authentication first).
pub async fn remove(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Path(id): Path<String>,
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
        .remove_passkey(&tok, &id, reauth, src.as_deref())
        .await?
    {
        PasskeyRemoval::Removed => (Some(Msg::new("passkey-removed")), None),
        PasskeyRemoval::NotFound => return Err(WebError::NotFound),
        PasskeyRemoval::Refused(r) => (None, crate::account::reauth_msg(r)),
    };
    account_page(&st, &tok, info, notice, error).await
}

/// The second step with a passkey.
pub async fn second_step(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CeremonyForm>,
) -> Result<Response, WebError> {
    let Some((tok, info)) = crate::auth::pending(&st, &headers).await? else {
        return Ok(redirect("/inloggen", vec![]));
    };
    if !crate::auth::constant_eq(&info.csrf_token, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let out = st
        .services
        .finish_passkey_second_step(&tok, &f.ceremonie, &f.antwoord, src.as_deref())
        .await?;
    second_step_answer(&st, &headers, &tok, &info, false, out).await
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

/// "Inloggen met een passkey" (from the sign-in page's form): the page
/// whose button asks the browser for a passkey.
pub async fn sign_in_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<StartForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let tr = pre_tr(&headers);
    let Some(c) = st.services.begin_passkey_sign_in(src.as_deref()).await? else {
        return login_page_with_error(&st, &headers, tr.t("passkey-start-failed"), vec![]).await;
    };
    let (csrf, set) = pre_csrf(&headers, &st.cookies);
    let mut p = form(
        &st,
        "/inloggen/met-passkey/klaar",
        "get",
        c,
        csrf,
        tr.t("passkey-sign-in-button"),
    );
    p.ask_public = true;
    p.extra
        .push(("next", crate::auth::safe_next(f.next.as_deref())));
    Ok(with_cookie(
        page(PasskeyPage {
            t: tr,
            title: tr.t("passkey-sign-in-title"),
            intro: tr.t("passkey-sign-in-intro"),
            error: None,
            passkey: Some(p),
            back: "/inloggen",
        }),
        set,
    ))
}

/// The browser's passkey: signed in, or the sign-in page with why not.
pub async fn sign_in_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<CeremonyForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let tr = pre_tr(&headers);
    let public = f.openbaar.is_some();
    let device = crate::auth::device_of(&headers);
    let out = st
        .services
        .finish_passkey_sign_in(
            &f.ceremonie,
            &f.antwoord,
            public,
            device.as_deref(),
            src.as_deref(),
        )
        .await?;
    let error = match out {
        PasskeySignIn::SignedIn { session_token } => {
            let max_age = if public { None } else { Some(12 * 60 * 60) };
            let next = crate::auth::safe_next(f.next.as_deref());
            let mut r = redirect(
                &crate::auth::location_of(&next),
                vec![st
                    .cookies
                    .set(st.cookies.session(), &session_token, max_age)],
            );
            if public {
                r.headers_mut()
                    .append(SET_COOKIE, st.cookies.clear(Cookies::EMAIL));
            }
            return Ok(r);
        }
        PasskeySignIn::Rejected => tr.t("passkey-rejected"),
        PasskeySignIn::Expired => tr.t("passkey-expired"),
        PasskeySignIn::OnlySecondStep => tr.t("passkey-only-second-step"),
        PasskeySignIn::Paused { until } => tr.a("login-paused", "until", display_datetime(until)),
        PasskeySignIn::AccessEnded(why) => crate::auth::access_end_message(tr, why),
    };
    login_page_with_error(&st, &headers, error, vec![]).await
}
