//! No text lost to the idle timeout (issue 14). A staff form posted after
//! the session timed out is not thrown away: this middleware keeps it for
//! the account (`Services::keep_form`, checked by the ended session's own
//! CSRF token) and sends the author to sign in again, back to the page the
//! form belongs to, where the handler puts the text back
//! ([`take`]). Kept: a new report, a plan section and a new appointment;
//! every page whose form is kept takes it back (see `return_to`).
use crate::auth::{cookie, redirect, urlencode};
use crate::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;

/// The page a kept form returns to, for the form posts that hold text.
pub(crate) fn return_to(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["clienten", c, "rapportages"] => Some(format!("/clienten/{c}/rapportages/nieuw")),
        ["clienten", _, "clientplan", _, _] | ["clienten", _, "afspraken"] => Some(path.to_owned()),
        _ => None,
    }
}

/// Middleware: a keepable form posted with a session that timed out is
/// kept, and the author goes to sign in (and back to the form) with a
/// notice that their text is safe.
pub(crate) async fn keep_on_timeout(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(to) = return_to(req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(tok) = cookie(req.headers(), st.cookies.session()).map(str::to_owned) else {
        return next.run(req).await;
    };
    if !matches!(st.services.session_lookup(&tok).await, Ok((None, true))) {
        return next.run(req).await;
    }
    let body = axum::body::to_bytes(req.into_body(), inzage_service::kept_forms::KEPT_MAX_BYTES)
        .await
        .unwrap_or_default();
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let text = String::from_utf8_lossy(&body);
    let kept = st
        .services
        .keep_form(&tok, csrf, &to, &text)
        .await
        .unwrap_or(false);
    let notice = if kept {
        "verlopen=1&bewaard=1"
    } else {
        "verlopen=1"
    };
    redirect(
        &format!("/inloggen?{notice}&next={}", urlencode(&to)),
        vec![st.cookies.clear(st.cookies.session())],
    )
}

/// The form kept for this page, as the handler's own form type, taken
/// once. `None` when there is none (or it no longer parses).
pub(crate) async fn take<T: serde::de::DeserializeOwned>(
    st: &AppState,
    headers: &axum::http::HeaderMap,
    page: &str,
) -> Option<T> {
    let tok = cookie(headers, st.cookies.session())?;
    let body = st.services.take_kept_form(tok, page).await.ok()??;
    serde_urlencoded::from_str(&body).ok()
}

#[cfg(test)]
mod tests {
    use super::return_to;

    #[test]
    fn forms_with_text_return_to_their_page_and_others_are_not_kept() {
        assert_eq!(
            return_to("/clienten/c1/rapportages").as_deref(),
            Some("/clienten/c1/rapportages/nieuw")
        );
        assert_eq!(
            return_to("/clienten/c1/clientplan/p1/s1").as_deref(),
            Some("/clienten/c1/clientplan/p1/s1")
        );
        assert_eq!(
            return_to("/clienten/c1/afspraken").as_deref(),
            Some("/clienten/c1/afspraken")
        );
        for no in [
            "/clienten/c1/clientplan/p1",
            "/clienten/c1/rapportages/r1/definitief",
            "/clienten/c1/netwerk/uitnodigen",
            "/mijn-account/wachtwoord",
            "/inloggen",
        ] {
            assert_eq!(return_to(no), None, "{no}");
        }
    }
}
