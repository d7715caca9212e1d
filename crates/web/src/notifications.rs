//! Notifications without content (ADR 0021): the holder's choice in Mijn
//! account, and the unsubscribe page an e-mail links to. The page asks
//! for one click; a mail program's own unsubscribe button (RFC 8058,
//! `List-Unsubscribe=One-Click`) needs none.
use crate::auth::{
    check_pre_csrf, message_page, page, pre_csrf, pre_tr, signed_in_form, with_cookie, Source,
};
use crate::error::WebError;
use crate::i18n::{Msg, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use inzage_service::notifications::NotificationChoice;
use inzage_service::ServiceError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    csrf: String,
    /// Checkboxes: present (`ja`) when ticked.
    nieuws: Option<String>,
    herinnering: Option<String>,
    email: Option<String>,
    sms: Option<String>,
}

/// "Berichten over je dossier" in Mijn account.
pub async fn save_choice(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<ChoiceForm>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in_form(&st, &headers, "/mijn-account", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let ticked = |v: &Option<String>| v.as_deref() == Some("ja");
    let choice = NotificationChoice {
        news: ticked(&f.nieuws),
        reminders: ticked(&f.herinnering),
        by_email: ticked(&f.email),
        by_sms: ticked(&f.sms),
    };
    match st
        .services
        .set_notifications(&tok, choice, src.as_deref())
        .await
    {
        Ok(()) => {
            crate::account::account_page(&st, &tok, info, Some(Msg::new("notify-saved")), None)
                .await
        }
        Err(ServiceError::Invalid(e)) => {
            let key = if e.field == "notify_sms" {
                "notify-no-mobile"
            } else {
                "notify-no-channel"
            };
            let mut r =
                crate::account::account_page(&st, &tok, info, None, Some(Msg::new(key))).await?;
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    t: Tr,
    csrf: String,
    code: String,
}

fn link_gone(t: Tr) -> Response {
    let mut r = message_page(
        t,
        Msg::new("unsubscribe-title"),
        Msg::new("unsubscribe-gone"),
        "/mijn-account",
        Msg::new("unsubscribe-to-account"),
    );
    *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
    r
}

/// The page an e-mail's "Klik dan hier" opens: one button.
pub async fn unsubscribe_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let t = pre_tr(&headers);
    if !st.services.unsubscribe_code_works(&q.code).await? {
        return Ok(link_gone(t));
    }
    let (csrf, set) = pre_csrf(&headers, &st.cookies);
    Ok(with_cookie(
        page(UnsubscribePage {
            t,
            csrf,
            code: q.code,
        }),
        set,
    ))
}

#[derive(Deserialize)]
pub struct UnsubscribeForm {
    #[serde(default)]
    csrf: String,
}

/// A mail program's one-click POST (RFC 8058): `List-Unsubscribe=One-Click`,
/// URL-encoded or (as the RFC advises) `multipart/form-data`, no cookie.
fn is_one_click(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .any(|pair| pair.trim() == "List-Unsubscribe=One-Click")
        || (text.contains("name=\"List-Unsubscribe\"") && text.contains("One-Click"))
}

pub async fn unsubscribe(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Query(q): Query<CodeQuery>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // The code itself is the secret that allows this; the page's button
    // also carries the form token, a mail program's POST cannot.
    if !is_one_click(&body) {
        let f: UnsubscribeForm =
            serde_urlencoded::from_bytes(&body).map_err(|_| WebError::CsrfFailed)?;
        check_pre_csrf(&headers, &st.cookies, &f.csrf)?;
    }
    let t = pre_tr(&headers);
    if !st.services.unsubscribe(&q.code, src.as_deref()).await? {
        return Ok(link_gone(t));
    }
    Ok(message_page(
        t,
        Msg::new("unsubscribe-title"),
        Msg::new("unsubscribe-done"),
        "/mijn-account",
        Msg::new("unsubscribe-to-account"),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_one_click_post_is_known_in_both_encodings() {
        assert!(super::is_one_click(b"List-Unsubscribe=One-Click"));
        assert!(super::is_one_click(
            b"--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"
        ));
        assert!(!super::is_one_click(b"csrf=abc"));
        assert!(!super::is_one_click(b"x=List-Unsubscribe=One-Click"));
    }
}
