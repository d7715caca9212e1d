//! Retention (ADR 0024), for the functional admin under `/beheer`: the
//! dossiers past their term, a confirmation page that says how much goes,
//! and the destruction itself (the client's number typed, a reason). The
//! service decides (`policy::decide_destruction`) and audits.
use crate::admin_pages::{admin_ctx, NoticeQuery};
use crate::auth::{page, redirect, signed_in, signed_in_form, Source};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{here, invalid, private, tr_of};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use inzage_core::ids::ClientId;
use inzage_core::types::{display_date, display_datetime, Text};
use inzage_service::retention::{DestructionPreview, RetentionOverview};
use inzage_service::{Ctx, ServiceError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin_retention.html")]
struct RetentionPage {
    t: Tr,
    csrf: String,
    years: i64,
    due: Vec<DueRow>,
    destroyed: Vec<DestroyedRow>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

struct DueRow {
    id: String,
    number: String,
    name: String,
    last_care: String,
    term_ended_on: String,
}

struct DestroyedRow {
    at: String,
    by: String,
    reason: String,
    last_care: String,
    rows: i64,
    files: i64,
    events: i64,
}

#[derive(Template)]
#[template(path = "admin_destroy.html")]
struct DestroyPage {
    t: Tr,
    csrf: String,
    id: String,
    number: String,
    name: String,
    years: i64,
    last_care: String,
    term_ended_on: String,
    reports: i64,
    documents: i64,
    contact_persons: i64,
    audit_events: i64,
    confirm: String,
    reason: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn overview_page(
    tr: Tr,
    csrf: String,
    o: RetentionOverview,
    notice: Option<&'static str>,
) -> RetentionPage {
    RetentionPage {
        t: tr,
        csrf,
        years: o.retention_years,
        due: o
            .due
            .into_iter()
            .map(|d| DueRow {
                id: d.client_id.to_string(),
                number: d.number,
                name: d.name,
                last_care: display_date(d.last_care),
                term_ended_on: display_date(d.term_ended_on),
            })
            .collect(),
        destroyed: o
            .destroyed
            .into_iter()
            .map(|d| DestroyedRow {
                at: display_datetime(d.destroyed_at),
                by: d.destroyed_by,
                reason: d.reason,
                last_care: display_date(d.last_care),
                rows: d.removed_rows,
                files: d.removed_files,
                events: d.removed_events,
            })
            .collect(),
        errors: vec![],
        notice,
    }
}

/// `GET /beheer/bewaartermijn`
pub async fn overview(
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
    let o = st.services.retention_overview(&ctx).await?.into_inner();
    let notice =
        (q.melding.as_deref() == Some("vernietigd")).then_some("retention-notice-destroyed");
    Ok(private(page(overview_page(
        tr_of(&info),
        info.csrf_token.clone(),
        o,
        notice,
    ))))
}

fn destroy_page(
    tr: Tr,
    csrf: String,
    p: DestructionPreview,
    years: i64,
    confirm: String,
    reason: String,
    errors: Vec<String>,
) -> DestroyPage {
    DestroyPage {
        t: tr,
        csrf,
        id: p.dossier.client_id.to_string(),
        number: p.dossier.number,
        name: p.dossier.name,
        years,
        last_care: display_date(p.dossier.last_care),
        term_ended_on: display_date(p.dossier.term_ended_on),
        reports: p.reports,
        documents: p.documents,
        contact_persons: p.contact_persons,
        audit_events: p.audit_events,
        confirm,
        reason,
        errors,
        notice: None,
    }
}

/// `GET /beheer/bewaartermijn/{client}`: what destroying it removes.
pub async fn confirm(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in(&st, &headers, &here(&uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let id = ClientId::parse(&id).ok_or(WebError::NotFound)?;
    let p = st
        .services
        .destruction_preview(&ctx, &id)
        .await?
        .into_inner();
    let years = years_of(&st, &ctx).await?;
    Ok(private(page(destroy_page(
        tr_of(&info),
        info.csrf_token.clone(),
        p,
        years,
        String::new(),
        String::new(),
        vec![],
    ))))
}

async fn years_of(st: &AppState, ctx: &Ctx) -> Result<i64, WebError> {
    Ok(st
        .services
        .my_organisation(ctx)
        .await?
        .map_or(20, |o| o.settings.retention_years))
}

#[derive(Deserialize)]
pub struct DestroyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nummer: String,
    #[serde(default)]
    reden: String,
}

/// `POST /beheer/bewaartermijn/{client}`: destroys the dossier.
pub async fn destroy(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Form(f): Form<DestroyForm>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in_form(&st, &headers, &here(&uri), &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let tr = tr_of(&info);
    let id = ClientId::parse(&id).ok_or(WebError::NotFound)?;
    let refused = |errors: Vec<String>, p: DestructionPreview, years: i64| {
        Ok(invalid(page(destroy_page(
            tr,
            info.csrf_token.clone(),
            p,
            years,
            f.nummer.chars().take(100).collect(),
            f.reden.chars().take(1000).collect(),
            errors,
        ))))
    };
    let reason = Text::parse("reason", &f.reden, 1000);
    let outcome = match reason {
        Ok(reason) => {
            st.services
                .destroy_dossier(&ctx, &id, &f.nummer, reason)
                .await
        }
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    match outcome {
        Ok(_) => Ok(redirect("/beheer/bewaartermijn?melding=vernietigd", vec![])),
        Err(ServiceError::Invalid(e)) => {
            let key = if e.field == "confirm" {
                "retention-confirm-error"
            } else {
                "retention-reason-error"
            };
            let p = st
                .services
                .destruction_preview(&ctx, &id)
                .await?
                .into_inner();
            let years = years_of(&st, &ctx).await?;
            refused(vec![tr.t(key)], p, years)
        }
        Err(e) => Err(e.into()),
    }
}
