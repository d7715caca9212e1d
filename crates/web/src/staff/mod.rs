//! The staff workspace: a client's page with the same dossier parts as the
//! portal (as tabs), plus what only staff see (drafts, hidden reports,
//! earlier episodes, version history) and writing. Handlers parse input,
//! call one service method with the acting principal and render; the
//! services decide and audit. Every form keeps what was typed when it is
//! refused, and an edit that raced someone else's shows both versions.
use crate::auth::{constant_eq, page, redirect, signed_in, Source};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{
    document_response, here, human_size, invalid, kind_key, paragraphs, parse_filter_date, private,
    relation_key, role_key, tile_of, tr_of,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::TimeZone;
use inzage_core::ids::{
    AccessGrantId, AppointmentId, ClientId, ContactPersonId, DocumentId, PlanSectionId,
    PlanVersionId, ReportId, StaffId,
};
use inzage_core::model::{AppointmentStatus, DocStatus, DossierPart, Principal, Relation};
use inzage_core::policy::CLIENT_PARTS;
use inzage_core::types::{
    display_date, display_datetime, local_date, local_midnight_utc, Email, FieldError, Label,
    MobileNumber, Text, DISPLAY_TZ,
};
use inzage_service::accounts::{InviteTarget, SessionInfo};
use inzage_service::care::NewAppointment;
use inzage_service::dossier::AppointmentView;
use inzage_service::dossier::{ReportFilter, ReportView};
use inzage_service::plans::{SectionEdit, PLAN_TEXT_MAX};
use inzage_service::portal_access::{AccessStatus, AccountState};
use inzage_service::staff::StaffClientHeader;
use inzage_service::writes::{NewContactPerson, NewGrant, NewReport, REPORT_MAX_CHARS};
use inzage_service::{Ctx, ServiceError};
use serde::Deserialize;

/// Reports per page on a client's Rapportages tab.
const REPORTS_PER_PAGE: i64 = 25;

/// Suggested report categories (a datalist: any other text is fine too).
pub const REPORT_CATEGORIES: &[&str] = &[
    "Dagrapportage",
    "Gesprek",
    "Medisch",
    "Wonen",
    "Werk en dagbesteding",
    "Contact met familie",
];

/// One tab of a client page.
pub struct Tab {
    pub key: &'static str,
    pub href: String,
    pub active: bool,
}

/// What every client page shows around its content.
pub struct StaffFrame {
    pub csrf: String,
    pub client_id: String,
    pub name: String,
    pub client_number: String,
    pub birth_date: String,
    pub tabs: Vec<Tab>,
}

/// The tab of a part: (label key, path after `/clienten/{id}`).
fn tab_of(part: DossierPart) -> Option<(&'static str, &'static str)> {
    match part {
        DossierPart::Profile => Some(("staff-tab-profile", "")),
        DossierPart::ClientPlan => Some(("tile-client-plan", "/clientplan")),
        DossierPart::Reports => Some(("tile-reports", "/rapportages")),
        DossierPart::Appointments => Some(("tile-appointments", "/afspraken")),
        DossierPart::Documents => Some(("tile-documents", "/documenten")),
        DossierPart::Network => Some(("staff-tab-network", "/netwerk")),
        DossierPart::Requests => Some(("staff-tab-requests", "/verzoeken")),
        DossierPart::Questions => Some(("staff-tab-questions", "/vragen")),
        // Episodes are shown on the profile tab.
        DossierPart::Episodes | DossierPart::AuditTrail => None,
    }
}

/// A signed-in staff member on one client's page.
pub struct StaffView {
    pub tr: Tr,
    pub ctx: Ctx,
    pub me: StaffId,
    pub header: StaffClientHeader,
    pub f: StaffFrame,
}

/// The acting staff member of a session; anyone else gets the same 404 as
/// an unknown page (a client has no business on staff URLs).
fn staff_ctx(info: &SessionInfo, src: Option<String>) -> Result<(Ctx, StaffId), WebError> {
    match &info.principal {
        Some(p @ Principal::Staff { staff_id }) => {
            let mut ctx = Ctx::new(p.clone()).with_facts(&info.facts);
            ctx.source_addr = src;
            Ok((ctx, staff_id.clone()))
        }
        _ => Err(WebError::NotFound),
    }
}

async fn open_with(
    st: &AppState,
    info: SessionInfo,
    src: Option<String>,
    client: &str,
    active: DossierPart,
) -> Result<StaffView, WebError> {
    let (ctx, me) = staff_ctx(&info, src)?;
    let client = ClientId::parse(client).ok_or(WebError::NotFound)?;
    let header = st.services.staff_client_header(&ctx, &client).await?;
    if !header.may_read(active) {
        return Err(WebError::Forbidden);
    }
    let base = format!("/clienten/{}", header.client_id);
    let tabs = header
        .readable
        .iter()
        .filter_map(|p| {
            tab_of(*p).map(|(key, path)| Tab {
                key,
                href: format!("{base}{path}"),
                active: *p == active,
            })
        })
        .collect();
    let f = StaffFrame {
        csrf: info.csrf_token.clone(),
        client_id: header.client_id.to_string(),
        name: header.name.clone(),
        client_number: header.client_number.clone(),
        birth_date: display_date(header.birth_date),
        tabs,
    };
    Ok(StaffView {
        tr: tr_of(&info),
        ctx,
        me,
        header,
        f,
    })
}

/// Extractor for every client page: the signed-in session and the
/// request's source address. Rejects with the way to sign in (or the
/// second step) before any client data is looked at.
pub struct StaffSession {
    info: SessionInfo,
    src: Option<String>,
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Ok(Source(src)) = Source::from_request_parts(parts, st).await;
        match signed_in(st, &parts.headers, &here(&parts.uri)).await {
            Ok(Ok((_, info))) => Ok(Self { info, src }),
            Ok(Err(r)) => Err(r),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl StaffSession {
    /// Opens a client page for a GET: the staff member, the header and
    /// tabs, if the member may read `active`.
    async fn open(
        self,
        st: &AppState,
        client: &str,
        active: DossierPart,
    ) -> Result<StaffView, WebError> {
        open_with(st, self.info, self.src, client, active).await
    }

    /// Opens a client page for a POST: as [`StaffSession::open`], after the
    /// CSRF check.
    async fn open_form(
        self,
        st: &AppState,
        client: &str,
        active: DossierPart,
        csrf: &str,
    ) -> Result<StaffView, WebError> {
        if !constant_eq(&self.info.csrf_token, csrf) {
            return Err(WebError::CsrfFailed);
        }
        open_with(st, self.info, self.src, client, active).await
    }
}

/// A one-line confirmation after a redirect, from a fixed list.
fn notice_key(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("staff-notice-saved"),
        "definitief" => Some("staff-notice-finalised"),
        "gecorrigeerd" => Some("staff-notice-corrected"),
        "gewijzigd" => Some("staff-notice-stale"),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
}

/// An optional e-mail address and mobile number as typed (empty: none);
/// a bad one adds its message to `errors`.
fn parse_contact(
    tr: Tr,
    email: &str,
    mobile: &str,
    errors: &mut Vec<String>,
) -> (Option<Email>, Option<MobileNumber>) {
    let email = match email.trim() {
        "" => None,
        e => Email::parse(e)
            .map_err(|_| errors.push(tr.t("staff-contact-email-error")))
            .ok(),
    };
    let mobile = match mobile.trim() {
        "" => None,
        m => MobileNumber::parse(m)
            .map_err(|_| errors.push(tr.t("staff-contact-mobile-error")))
            .ok(),
    };
    (email, mobile)
}

/// The form fields as pairs (checkboxes repeat a name).
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

// ---------- Gegevens (profile and episodes) ----------

pub struct EpisodeRow {
    pub start: String,
    pub end: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/profile.html")]
struct ProfilePage {
    t: Tr,
    f: StaffFrame,
    p: inzage_service::dossier::ClientProfile,
    birth_date: String,
    address: Option<String>,
    episodes: Vec<EpisodeRow>,
    /// May start or end an episode; whether one is open now.
    can_write_episodes: bool,
    open_episode: bool,
    /// May change the registration ("Gegevens wijzigen").
    can_edit: bool,
    /// Earlier versions of the registration, newest first.
    history: Vec<HistoryVersion>,
    today: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
    /// The client's own statements about their personal data (issue 15).
    additions: Vec<crate::portal::requests::StatementLine>,
}

/// One version of a client's registration as the Gegevens tab lists it.
pub struct HistoryVersion {
    pub version: i64,
    pub when: String,
    pub who: String,
    /// (label key, old, new); an empty value is shown as "(leeg)".
    pub changes: Vec<(&'static str, Option<String>, Option<String>)>,
}

/// The label of a registration field (`inzage_service::clients::FIELDS`).
fn client_field_key(code: &str) -> &'static str {
    match code {
        "client_number" => "client-field-client_number",
        "given_name" => "client-field-given_name",
        "name_prefix" => "client-field-name_prefix",
        "family_name" => "client-field-family_name",
        "birth_date" => "client-field-birth_date",
        "street" => "client-field-street",
        "house_number" => "client-field-house_number",
        "postal_code" => "client-field-postal_code",
        "city" => "client-field-city",
        "email" => "client-field-email",
        "mobile" => "client-field-mobile",
        "team" => "client-field-team",
        "primary_caregiver" => "client-field-primary_caregiver",
        _ => "client-field-episode_start",
    }
}

fn history_versions(
    tr: Tr,
    changes: Vec<inzage_service::clients::ClientChange>,
) -> Vec<HistoryVersion> {
    let mut out: Vec<HistoryVersion> = Vec::new();
    for c in changes {
        let who = match c.changed_by.as_str() {
            "client" => tr.t("client-changed-by-client"),
            "system" => tr.t("client-changed-by-system"),
            _ => c.changed_by.clone(),
        };
        let line = (client_field_key(&c.field), c.old_value, c.new_value);
        match out.last_mut() {
            Some(v) if v.version == c.version => v.changes.push(line),
            _ => out.push(HistoryVersion {
                version: c.version,
                when: display_datetime(c.changed_at),
                who,
                changes: vec![line],
            }),
        }
    }
    out
}

pub async fn profile(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Profile).await?;
    let p = st
        .services
        .client_profile(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let address = [
        [p.street.as_deref(), p.house_number.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        [p.postal_code.as_deref(), p.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let episodes = v
        .header
        .episodes
        .iter()
        .map(|e| EpisodeRow {
            start: display_date(e.start),
            end: e.end.map(display_date),
        })
        .collect();
    let history = st
        .services
        .client_history(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let notice = match q.melding.as_deref() {
        Some("geregistreerd") => Some("staff-notice-client-registered"),
        Some("gewijzigd-opgeslagen") => Some("staff-notice-client-saved"),
        Some("ongewijzigd") => Some("staff-notice-client-unchanged"),
        Some("bevestiging") => Some("staff-notice-details-asked"),
        Some("gestart") => Some("staff-notice-episode-started"),
        Some("beeindigd") => Some("staff-notice-episode-ended"),
        Some("gewijzigd") => Some("staff-notice-network-stale"),
        _ => None,
    };
    Ok(private(page(ProfilePage {
        can_write_episodes: v.header.may_write(DossierPart::Episodes),
        can_edit: v.header.may_write(DossierPart::Profile),
        history: history_versions(v.tr, history),
        open_episode: v.header.episodes.iter().any(|e| e.end.is_none()),
        today: display_date(local_date(st.services.now())),
        errors: vec![],
        notice,
        t: v.tr,
        f: v.f,
        birth_date: display_date(p.birth_date),
        address: (!address.is_empty()).then_some(address),
        additions: crate::portal::requests::statement_lines(&p.additions),
        p,
        episodes,
    })))
}

// ---------- Zorgperiodes (on the Gegevens tab) ----------

/// Starts (`actie=start`) or ends (`actie=einde`) a care episode on `datum`.
pub async fn episode(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Profile, field(&pairs, "csrf"))
        .await?;
    let date = match parse_filter_date(field(&pairs, "datum")) {
        Ok(Some(d)) => d,
        _ => return Err(WebError::BadInput(v.tr.t("bad-date"))),
    };
    let today = local_date(st.services.now());
    if (date - today).num_days().abs() > 3660 {
        return Err(WebError::BadInput(v.tr.t("staff-episode-date-range")));
    }
    let base = format!("/clienten/{}", v.f.client_id);
    let result = match field(&pairs, "actie") {
        "start" => st
            .services
            .start_episode(&v.ctx, &v.header.client_id, date)
            .await
            .map(|_| "gestart"),
        "einde" => st
            .services
            .end_episode(&v.ctx, &v.header.client_id, date)
            .await
            .map(|_| "beeindigd"),
        _ => return Err(WebError::BadInput(v.tr.t("staff-bad-choice"))),
    };
    match result {
        Ok(m) => Ok(redirect(&format!("{base}?melding={m}"), vec![])),
        Err(ServiceError::Invalid(_)) => {
            Err(WebError::BadInput(v.tr.t("staff-episode-date-order")))
        }
        Err(ServiceError::Conflict(_)) | Err(ServiceError::Stale) => {
            Ok(redirect(&format!("{base}?melding=gewijzigd"), vec![]))
        }
        Err(e) => Err(e.into()),
    }
}

mod appointments;
mod clients;
mod documents;
mod network;
mod plans;
pub mod questions;
mod reports;
pub mod requests;

pub use appointments::*;
pub use clients::*;
pub use documents::*;
pub use network::*;
pub use plans::*;
pub use reports::*;
