//! Staff sign-in through the organisation's OpenID Connect provider
//! (ADR 0028): the button's start, the provider's return, and the
//! functional admin's settings page. The service does the protocol and
//! the checks; these handlers move the browser and keep the `state`
//! cookie.
use crate::admin_pages::{admin_ctx, field, NoticeQuery};
use crate::auth::{
    check_pre_csrf, cookie, login_page_with_error, page, pre_tr, redirect, signed_in,
    signed_in_form, to_second_step, Source,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{here, invalid, private, tr_of};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Response;
use inzage_core::types::{display_datetime, Email};
use inzage_service::accounts::oidc::{
    IdentityProviderInput, IdentityProviderView, OidcOutcome, OidcReturn,
};
use inzage_service::accounts::AccessEnd;
use inzage_service::ServiceError;
use serde::Deserialize;

/// The cookie that binds a sign-in under way to this browser: its
/// `state`. `__Host-` over HTTPS, so a neighbouring subdomain cannot set
/// it (review); SameSite=Lax, so it comes back with the provider's
/// top-level redirect.
fn state_cookie_name(st: &AppState) -> &'static str {
    if st.cookies.secure() {
        "__Host-inzage-oidc"
    } else {
        "inzage-oidc"
    }
}

fn state_cookie(st: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if st.cookies.secure() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        state_cookie_name(st)
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organisatie: String,
    public_computer: Option<String>,
}

/// `POST /inloggen/organisatie`: the sign-in page's provider button (the
/// sign-in form's own CSRF token and "public computer" box come along).
pub async fn start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<StartForm>,
) -> Result<Response, WebError> {
    check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    let tr = pre_tr(&headers);
    let org = f.organisatie.chars().take(64).collect::<String>();
    match st
        .services
        .oidc_start(&org, f.public_computer.is_some(), src.as_deref())
        .await
    {
        Ok(Some(s)) => Ok(redirect(
            &s.authorize_url,
            vec![state_cookie(&st, &s.state, 600)],
        )),
        Ok(None) | Err(ServiceError::Unavailable(_)) => {
            login_page_with_error(&st, &headers, tr.t("login-oidc-unavailable"), vec![]).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReturnQuery {
    state: Option<String>,
    code: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

/// `GET /inloggen/oidc`: the provider sends the browser back here.
pub async fn finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Query(q): Query<ReturnQuery>,
) -> Result<Response, WebError> {
    let tr = pre_tr(&headers);
    let clear = vec![state_cookie(&st, "", 0)];
    if q.error.is_some() {
        // Cancelled or refused at the provider: nothing happened here.
        return login_page_with_error(&st, &headers, tr.t("login-oidc-cancelled"), clear).await;
    }
    let device = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(120).collect::<String>());
    let out = st
        .services
        .oidc_finish(OidcReturn {
            state: q.state.as_deref().unwrap_or(""),
            cookie_state: cookie(&headers, state_cookie_name(&st)),
            code: q.code.as_deref().unwrap_or(""),
            iss: q.iss.as_deref(),
            device: device.as_deref(),
            source: src.as_deref(),
        })
        .await;
    let error = |key: &str| tr.t(key);
    let message = match out {
        Ok(OidcOutcome::SecondStep {
            session_token,
            enrol,
            totp,
            ..
        }) => {
            let mut cookies = clear;
            cookies.push(st.cookies.set(st.cookies.session(), &session_token, None));
            return to_second_step(
                &st,
                &session_token,
                enrol,
                totp,
                "/",
                src.as_deref(),
                cookies,
            )
            .await;
        }
        Ok(OidcOutcome::SignedIn { session_token }) => {
            let mut cookies = clear;
            cookies.push(st.cookies.set(st.cookies.session(), &session_token, None));
            return Ok(redirect("/", cookies));
        }
        Ok(OidcOutcome::NoAccount) => error("login-oidc-no-account"),
        Ok(OidcOutcome::NeedsPassword) => error("login-oidc-needs-password"),
        Ok(OidcOutcome::Failed) => error("login-oidc-failed"),
        Ok(OidcOutcome::Unavailable) | Err(ServiceError::Unavailable(_)) => {
            error("login-oidc-unavailable")
        }
        Ok(OidcOutcome::Paused { until }) => tr.a("login-paused", "until", display_datetime(until)),
        Ok(OidcOutcome::AccessEnded(AccessEnd::Ended)) => tr.a(
            "login-access-ended",
            "servicedesk",
            crate::servicedesk_line(tr).0,
        ),
        Ok(OidcOutcome::AccessEnded(_)) => error("login-oidc-no-account"),
        Err(e) => return Err(e.into()),
    };
    login_page_with_error(&st, &headers, message, clear).await
}

#[derive(Template)]
#[template(path = "admin_oidc.html")]
struct ProviderPage {
    t: Tr,
    csrf: String,
    v: IdentityProviderView,
    issuer: String,
    client_id: String,
    acr: String,
    links: Vec<(String, String, String, String)>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn provider_page(
    tr: Tr,
    csrf: String,
    v: IdentityProviderView,
    form: Option<(String, String, String)>,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> ProviderPage {
    let (issuer, client_id, acr) = form.unwrap_or_else(|| {
        (
            v.issuer.clone(),
            v.client_id.clone(),
            v.mfa_acr_values.clone(),
        )
    });
    let links = v
        .links
        .iter()
        .map(|l| {
            (
                l.email.clone(),
                l.subject.clone(),
                format!(
                    "{}; {}",
                    tr.t(if l.how == "admin" {
                        "oidc-linked-by-admin"
                    } else {
                        "oidc-linked-by-email"
                    }),
                    tr.t(if l.confirmed {
                        "oidc-link-confirmed"
                    } else {
                        "oidc-link-unconfirmed"
                    })
                ),
                display_datetime(l.linked_at),
            )
        })
        .collect();
    ProviderPage {
        t: tr,
        csrf,
        v,
        issuer,
        client_id,
        acr,
        links,
        errors,
        notice,
    }
}

/// `GET /beheer/inloggen-via-organisatie`
pub async fn settings(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in(&st, &headers, &here(&uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let org = st
        .services
        .my_organisation(&ctx)
        .await?
        .ok_or(WebError::NotFound)?
        .id;
    let v = st.services.identity_provider(&ctx, &org).await?;
    let notice = (q.melding.as_deref() == Some("opgeslagen")).then_some("staff-notice-saved");
    Ok(private(page(provider_page(
        tr_of(&info),
        info.csrf_token.clone(),
        v,
        None,
        vec![],
        notice,
    ))))
}

type Pairs = Vec<(String, String)>;

/// `POST /beheer/inloggen-via-organisatie`: `actie` = instellingen |
/// koppelen | ontkoppelen.
pub async fn save(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in_form(&st, &headers, &here(&uri), field(&pairs, "csrf")).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let tr = tr_of(&info);
    let org = st
        .services
        .my_organisation(&ctx)
        .await?
        .ok_or(WebError::NotFound)?
        .id;
    let form = (
        field(&pairs, "issuer")
            .chars()
            .take(300)
            .collect::<String>(),
        field(&pairs, "client_id")
            .chars()
            .take(255)
            .collect::<String>(),
        field(&pairs, "acr").chars().take(1000).collect::<String>(),
    );
    let result = match field(&pairs, "actie") {
        "instellingen" => {
            st.services
                .save_identity_provider(
                    &ctx,
                    &org,
                    IdentityProviderInput {
                        issuer: form.0.clone(),
                        client_id: form.1.clone(),
                        client_secret: Some(field(&pairs, "client_secret").to_owned())
                            .filter(|s| !s.trim().is_empty()),
                        trust_provider_mfa: field(&pairs, "trust_mfa") == "1",
                        mfa_acr_values: form.2.clone(),
                        enabled: field(&pairs, "enabled") == "1",
                    },
                )
                .await
        }
        "koppelen" => match Email::parse(field(&pairs, "email")) {
            Ok(email) => {
                st.services
                    .link_oidc_subject(&ctx, &org, &email, field(&pairs, "subject"))
                    .await
            }
            Err(_) => Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "email", "e-mail",
            ))),
        },
        "ontkoppelen" => {
            st.services
                .unlink_oidc_subject(&ctx, &org, field(&pairs, "subject"))
                .await
        }
        _ => return Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    };
    let message = match result {
        Ok(()) => {
            return Ok(redirect(
                "/beheer/inloggen-via-organisatie?melding=opgeslagen",
                vec![],
            ))
        }
        Err(ServiceError::Invalid(f)) => tr.t(match f.field {
            "issuer" if f.message == "no provider" => "oidc-error-no-provider",
            "issuer" if f.message == "not set" => "oidc-error-not-set",
            "issuer" => "oidc-error-issuer",
            "client_id" => "oidc-error-client-id",
            "client_secret" if f.message == "settings_key" => "oidc-error-no-key",
            "client_secret" => "oidc-error-secret",
            "email" => "oidc-error-email",
            "subject" => "oidc-error-subject",
            _ => "admin-invalid-error",
        }),
        Err(ServiceError::Conflict(_)) => tr.t("oidc-error-linked"),
        Err(ServiceError::NotFound) => tr.t("oidc-error-no-link"),
        Err(e) => return Err(e.into()),
    };
    let v = st.services.identity_provider(&ctx, &org).await?;
    Ok(invalid(page(provider_page(
        tr,
        info.csrf_token.clone(),
        v,
        Some(form),
        vec![message],
        None,
    ))))
}
