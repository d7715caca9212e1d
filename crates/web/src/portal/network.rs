//! "Mijn netwerk", by the client (issue 15): stop a contact person's
//! access after a confirmation. Asking to add someone is a request
//! ([`super::requests`], kind `netwerk`). The rule is the service's
//! (`inzage_service::client_network`).
use super::{private, Frame, Opened};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use inzage_core::ids::ContactPersonId;
use inzage_core::types::constant_eq;
use inzage_service::ServiceError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/network_stop.html")]
struct StopPage {
    t: Tr,
    f: Frame,
    id: String,
    name: String,
}

/// `GET /dossier/netwerk/{id}/stoppen`: "are you sure?".
pub async fn stop_form(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cp = ContactPersonId::parse(&id).ok_or(WebError::NotFound)?;
    if !v.frame.viewer_is_client
        || !st
            .services
            .client_manages_network(&v.ctx, &v.header.client_id)
            .await?
    {
        return Err(WebError::Forbidden);
    }
    let people = st
        .services
        .network(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let person = people
        .into_iter()
        .find(|p| p.id == cp)
        .ok_or(WebError::NotFound)?;
    Ok(private(page(StopPage {
        t: v.tr,
        f: v.frame,
        id: cp.to_string(),
        name: person.full_name,
    })))
}

#[derive(Deserialize)]
pub struct StopForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /dossier/netwerk/{id}/stoppen`: ends the access now.
pub async fn stop(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
    Form(f): Form<StopForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&v.frame.csrf, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let cp = ContactPersonId::parse(&id).ok_or(WebError::NotFound)?;
    match st
        .services
        .client_ends_access(&v.ctx, &v.header.client_id, &cp)
        .await
    {
        Ok(()) => Ok(redirect("/dossier/netwerk?melding=gestopt", vec![])),
        // Changed meanwhile (or ended already): the page shows what holds now.
        Err(ServiceError::Stale) => Ok(redirect("/dossier/netwerk", vec![])),
        Err(e) => Err(e.into()),
    }
}
