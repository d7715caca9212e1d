//! "Download je dossier" (issue 15, ADR 0022): ask for an afschrift, see
//! how far it is, download it. The rules, the audit and the making are the
//! service's (`inzage_service::afschrift`).
use super::{private, Frame, Opened};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use inzage_core::types::{constant_eq, display_datetime};
use inzage_service::afschrift::{AfschriftStatus, KEEP};
use inzage_service::ServiceError;
use serde::Deserialize;

pub struct Line {
    pub id: String,
    pub status: String,
    pub asked: String,
    pub until: String,
    pub size: String,
    pub ready: bool,
    pub working: bool,
}

#[derive(Template)]
#[template(path = "portal/afschrift.html")]
struct AfschriftPage {
    t: Tr,
    f: Frame,
    may_ask: bool,
    busy: bool,
    asked: bool,
    /// Asked again within a day.
    today: bool,
    lines: Vec<Line>,
    days: i64,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    melding: Option<String>,
}

fn size(bytes: i64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} kB", (bytes / 1000).max(1))
    }
}

/// `GET /dossier/afschrift`.
pub async fn overview(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let o = st
        .services
        .afschrift_overview(&v.ctx, &v.account_id, &v.header.client_id)
        .await?;
    let t = v.tr;
    let lines: Vec<Line> = o
        .items
        .iter()
        .map(|a| Line {
            id: a.id.clone(),
            status: match a.status {
                AfschriftStatus::Building => {
                    t.a("afschrift-status-building", "percent", a.progress)
                }
                s => t.t(&format!("afschrift-status-{}", s.code())),
            },
            asked: t.a("afschrift-asked-at", "date", display_datetime(a.asked_at)),
            until: t.a("afschrift-until", "date", display_datetime(a.expires_at)),
            size: size(a.pdf_size.unwrap_or(0)),
            ready: a.status == AfschriftStatus::Ready,
            working: matches!(
                a.status,
                AfschriftStatus::Queued | AfschriftStatus::Building
            ),
        })
        .collect();
    let busy = lines.iter().any(|l| l.working);
    Ok(private(page(AfschriftPage {
        t,
        f: v.frame.clone(),
        may_ask: o.refused.is_none(),
        busy,
        asked: q.melding.as_deref() == Some("gevraagd"),
        today: q.melding.as_deref() == Some("vandaag"),
        lines,
        days: KEEP.num_days(),
    })))
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /dossier/afschrift`: ask for one.
pub async fn ask(
    State(st): State<AppState>,
    Opened(v): Opened,
    Form(f): Form<AskForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&v.frame.csrf, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    match st
        .services
        .ask_afschrift(&v.ctx, &v.account_id, &v.header.client_id)
        .await
    {
        Ok(_) => Ok(redirect("/dossier/afschrift?melding=gevraagd", vec![])),
        Err(ServiceError::Conflict(_)) => {
            Ok(redirect("/dossier/afschrift?melding=vandaag", vec![]))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /dossier/afschrift/{id}`: the PDF, for the account that asked.
pub async fn download(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    send(&st, &v, &id, false).await
}

/// `GET /dossier/afschrift/{id}/fhir`: the same as a FHIR R4 Bundle.
pub async fn download_fhir(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    send(&st, &v, &id, true).await
}

async fn send(
    st: &AppState,
    v: &super::Viewer,
    id: &str,
    fhir: bool,
) -> Result<Response, WebError> {
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(WebError::NotFound);
    }
    let file = if fhir {
        st.services
            .afschrift_fhir(&v.ctx, &v.account_id, &v.header.client_id, id)
            .await?
    } else {
        st.services
            .afschrift_pdf(&v.ctx, &v.account_id, &v.header.client_id, id)
            .await?
    }
    .into_inner();
    Ok((
        [
            (
                CONTENT_TYPE,
                if fhir {
                    "application/fhir+json; charset=utf-8"
                } else {
                    "application/pdf"
                }
                .to_owned(),
            ),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}
