//! The staff workspace: a client's page with the same dossier parts as the
//! portal (as tabs), plus what only staff see (drafts, hidden reports,
//! earlier episodes, version history) and writing. Handlers parse input,
//! call one service method with the acting principal and render; the
//! services decide and audit. Every form keeps what was typed when it is
//! refused, and an edit that raced someone else's shows both versions.
use crate::auth::{page, redirect, signed_in, signed_in_form, Source};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{
    document_response, here, human_size, invalid, kind_key, paragraphs, parse_filter_date, private,
    relation_key, role_key, tile_of, tr_of,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
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
            let mut ctx = Ctx::new(p.clone());
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

/// Opens a client page for a GET: the session (or the way to sign in), the
/// staff member, the header and tabs.
async fn open(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    src: Option<String>,
    client: &str,
    active: DossierPart,
) -> Result<Result<StaffView, Response>, WebError> {
    let (_, info) = match signed_in(st, headers, &here(uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    open_with(st, info, src, client, active).await.map(Ok)
}

/// Opens a client page for a POST: as [`open`], after the CSRF check.
async fn open_form(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    src: Option<String>,
    client: &str,
    active: DossierPart,
    csrf: &str,
) -> Result<Result<StaffView, Response>, WebError> {
    let (_, info) = match signed_in_form(st, headers, &here(uri), csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    open_with(st, info, src, client, active).await.map(Ok)
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
    today: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

pub async fn profile(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Profile).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let p = st
        .services
        .client_profile(&v.ctx, &v.header.client_id)
        .await?;
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
    let notice = match q.melding.as_deref() {
        Some("gestart") => Some("staff-notice-episode-started"),
        Some("beeindigd") => Some("staff-notice-episode-ended"),
        Some("gewijzigd") => Some("staff-notice-network-stale"),
        _ => None,
    };
    Ok(private(page(ProfilePage {
        can_write_episodes: v.header.may_write(DossierPart::Episodes),
        open_episode: v.header.episodes.iter().any(|e| e.end.is_none()),
        today: display_date(local_date(st.services.now())),
        errors: vec![],
        notice,
        t: v.tr,
        f: v.f,
        birth_date: display_date(p.birth_date),
        address: (!address.is_empty()).then_some(address),
        p,
        episodes,
    })))
}

// ---------- Rapportages ----------

pub struct StaffReportLine {
    pub id: String,
    pub when: String,
    pub author: String,
    pub role_key: &'static str,
    pub category: String,
    pub excerpt: String,
    pub draft: bool,
    pub hidden: bool,
    pub corrected: bool,
}

fn line(r: &ReportView) -> StaffReportLine {
    let mut excerpt: String = r.body.chars().take(160).collect();
    if r.body.chars().count() > 160 {
        excerpt.push_str(" …");
    }
    StaffReportLine {
        id: r.id.to_string(),
        when: display_datetime(r.created_at),
        author: r.author_name.clone(),
        role_key: role_key(&r.author_role),
        category: r.category.clone(),
        excerpt,
        draft: r.status == DocStatus::Draft,
        hidden: !r.visible_to_client,
        corrected: r.corrected,
    }
}

#[derive(Template)]
#[template(path = "staff/reports.html")]
struct ReportsPage {
    t: Tr,
    f: StaffFrame,
    reports: Vec<StaffReportLine>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    can_write: bool,
}

#[derive(Deserialize)]
pub struct PageQuery {
    pagina: Option<String>,
}

pub async fn reports(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Reports).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let page_no = match q.pagina.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => return Err(WebError::BadInput(v.tr.t("bad-page-number"))),
        },
    };
    let list = st
        .services
        .list_reports(
            &v.ctx,
            &v.header.client_id,
            ReportFilter {
                page: page_no,
                per_page: REPORTS_PER_PAGE,
                ..Default::default()
            },
        )
        .await?;
    let pages = ((list.total + REPORTS_PER_PAGE - 1) / REPORTS_PER_PAGE).max(1);
    let base = format!("/clienten/{}/rapportages", v.f.client_id);
    Ok(private(page(ReportsPage {
        reports: list.items.iter().map(line).collect(),
        total: list.total,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| format!("{base}?pagina={}", page_no - 1)),
        next: (page_no < pages).then(|| format!("{base}?pagina={}", page_no + 1)),
        can_write: v.header.may_write(DossierPart::Reports),
        t: v.tr,
        f: v.f,
    })))
}

/// A report form as typed (kept when it is refused).
#[derive(Clone, Default)]
pub struct ReportForm {
    pub category: String,
    pub body: String,
    /// `None`: not chosen yet.
    pub visible: Option<bool>,
    pub revision: i64,
}

#[derive(Deserialize)]
pub struct ReportInput {
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    body: String,
    /// "ja" or "nee".
    zichtbaar: Option<String>,
    revision: Option<String>,
}

impl ReportInput {
    fn form(&self) -> ReportForm {
        ReportForm {
            category: self.category.chars().take(200).collect(),
            body: self.body.chars().take(REPORT_MAX_CHARS + 1000).collect(),
            visible: match self.zichtbaar.as_deref() {
                Some("ja") => Some(true),
                Some("nee") => Some(false),
                _ => None,
            },
            revision: self.revision(),
        }
    }
    fn revision(&self) -> i64 {
        self.revision
            .as_deref()
            .and_then(|r| r.trim().parse().ok())
            .unwrap_or(0)
    }
    /// The report, or the messages (in the viewer's language) per field.
    fn parse(&self, tr: Tr) -> Result<NewReport, Vec<String>> {
        let mut errors = Vec::new();
        let category = Label::parse("category", &self.category)
            .map_err(|_| errors.push(tr.t("staff-report-category-error")))
            .ok();
        let body = Text::parse("body", &self.body, REPORT_MAX_CHARS)
            .map_err(|e: FieldError| {
                errors.push(if self.body.trim().is_empty() {
                    tr.t("staff-report-body-empty")
                } else if e.message.contains("longer") {
                    tr.a("staff-report-body-too-long", "max", REPORT_MAX_CHARS)
                } else {
                    tr.t("staff-report-body-control")
                })
            })
            .ok();
        let visible = self.form().visible;
        if visible.is_none() {
            errors.push(tr.t("staff-report-visible-error"));
        }
        match (category, body, visible) {
            (Some(category), Some(body), Some(visible_to_client)) if errors.is_empty() => {
                Ok(NewReport {
                    category,
                    body,
                    visible_to_client,
                })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/report_new.html")]
struct NewReportPage {
    t: Tr,
    f: StaffFrame,
    form: ReportForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
    categories: &'static [&'static str],
}

pub async fn report_new(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Reports).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !v.header.may_write(DossierPart::Reports) {
        return Err(WebError::Forbidden);
    }
    Ok(private(page(NewReportPage {
        t: v.tr,
        f: v.f,
        form: ReportForm::default(),
        errors: vec![],
        notice: None,
        categories: REPORT_CATEGORIES,
    })))
}

pub async fn report_create(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Reports,
        &input.csrf,
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let refuse = |v: StaffView, errors: Vec<String>| {
        invalid(page(NewReportPage {
            t: v.tr,
            f: v.f,
            form: input.form(),
            errors,
            notice: None,
            categories: REPORT_CATEGORIES,
        }))
    };
    let new = match input.parse(v.tr) {
        Ok(n) => n,
        Err(errors) => return Ok(refuse(v, errors)),
    };
    match st
        .services
        .create_report(&v.ctx, &v.header.client_id, new)
        .await
    {
        Ok(id) => Ok(redirect(
            &format!(
                "/clienten/{}/rapportages/{id}?melding=opgeslagen",
                v.f.client_id
            ),
            vec![],
        )),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![v.tr.t("staff-report-body-control")];
            Ok(refuse(v, e))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct VersionLine {
    pub id: String,
    pub version: i64,
    pub when: String,
    pub author: String,
    pub status_key: &'static str,
    pub shown: bool,
}

/// The report as staff see it.
pub struct ReportDetail {
    pub id: String,
    pub category: String,
    pub when: String,
    pub updated: String,
    pub author: String,
    pub role_key: &'static str,
    pub paragraphs: Vec<String>,
    pub draft: bool,
    pub hidden: bool,
    pub corrected: bool,
    pub current: bool,
    pub revision: i64,
    pub finalised_by_job: bool,
}

#[derive(Template)]
#[template(path = "staff/report.html")]
struct ReportPage {
    t: Tr,
    f: StaffFrame,
    r: ReportDetail,
    history: Vec<VersionLine>,
    /// The author's own draft: the edit form.
    edit: Option<ReportForm>,
    /// A current final report the viewer may correct: the correction form.
    correct: Option<ReportForm>,
    /// What the viewer typed when someone else's change came first.
    conflict: Option<ReportForm>,
    errors: Vec<String>,
    notice: Option<&'static str>,
    categories: &'static [&'static str],
}

/// Loads a report of this client (another client's id answers 404) and its
/// history, and builds the page with the forms the viewer may use.
async fn report_page(
    st: &AppState,
    v: StaffView,
    id: &ReportId,
    mine: Option<ReportForm>,
    conflict: bool,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<ReportPage, WebError> {
    let r = st.services.report(&v.ctx, id).await?;
    if r.client_id != v.header.client_id {
        return Err(WebError::NotFound);
    }
    let history = st.services.report_history(&v.ctx, &r.series_id).await?;
    let can_write = v.header.may_write(DossierPart::Reports);
    let current_form = ReportForm {
        category: r.category.clone(),
        body: r.body.clone(),
        visible: Some(r.visible_to_client),
        revision: r.revision,
    };
    // The form shows what the viewer typed (refused or raced), else the
    // stored text; it always carries the stored revision.
    let form = match &mine {
        Some(m) => ReportForm {
            revision: r.revision,
            ..m.clone()
        },
        None => current_form,
    };
    let draft = r.status == DocStatus::Draft;
    let edit = (draft && can_write && r.author_id == v.me).then(|| form.clone());
    let correct = (!draft && r.is_current && can_write).then(|| form.clone());
    Ok(ReportPage {
        r: ReportDetail {
            id: r.id.to_string(),
            category: r.category.clone(),
            when: display_datetime(r.created_at),
            updated: display_datetime(r.updated_at),
            author: r.author_name.clone(),
            role_key: role_key(&r.author_role),
            paragraphs: paragraphs(&r.body),
            draft,
            hidden: !r.visible_to_client,
            corrected: r.corrected,
            current: r.is_current,
            revision: r.revision,
            finalised_by_job: r.finalised_by.as_deref() == Some("system:job:finalise_reports"),
        },
        history: history
            .iter()
            .map(|h| VersionLine {
                id: h.id.to_string(),
                version: h.version,
                when: display_datetime(h.finalised_at.unwrap_or(h.updated_at)),
                author: h.author_name.clone(),
                status_key: if h.status == DocStatus::Draft {
                    "staff-status-draft"
                } else {
                    "staff-status-final"
                },
                shown: h.id == r.id,
            })
            .collect(),
        edit,
        correct,
        conflict: if conflict { mine } else { None },
        errors,
        notice,
        categories: REPORT_CATEGORIES,
        t: v.tr,
        f: v.f,
    })
}

pub async fn report(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Reports).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let id = ReportId::parse(&id).ok_or(WebError::NotFound)?;
    let p = report_page(
        &st,
        v,
        &id,
        None,
        false,
        vec![],
        notice_key(q.melding.as_deref()),
    )
    .await?;
    Ok(private(page(p)))
}

/// Saves the author's draft (`opslaan`), or corrects a final report
/// (`corrigeren`): refused input and raced edits come back on the page
/// with the typed text kept.
async fn save(
    st: AppState,
    src: Option<String>,
    headers: HeaderMap,
    uri: Uri,
    (client, id): (String, String),
    input: ReportInput,
    correcting: bool,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Reports,
        &input.csrf,
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let id = ReportId::parse(&id).ok_or(WebError::NotFound)?;
    let new = match input.parse(v.tr) {
        Ok(n) => n,
        Err(errors) => {
            let p = report_page(&st, v, &id, Some(input.form()), false, errors, None).await?;
            return Ok(invalid(page(p)));
        }
    };
    let base = format!("/clienten/{}/rapportages", v.f.client_id);
    let result = if correcting {
        st.services
            .correct_report(&v.ctx, &id, new)
            .await
            .map(|new_id| format!("{base}/{new_id}?melding=gecorrigeerd"))
    } else {
        st.services
            .update_draft(&v.ctx, &id, input.revision(), new)
            .await
            .map(|()| format!("{base}/{id}?melding=opgeslagen"))
    };
    match result {
        Ok(to) => Ok(redirect(&to, vec![])),
        Err(ServiceError::Stale) => {
            // Show the newest version next to what was typed.
            let latest = latest_version(&st, &v.ctx, &id).await?;
            let p = report_page(&st, v, &latest, Some(input.form()), true, vec![], None).await?;
            let mut r = private(page(p));
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The newest version of the series `id` belongs to.
async fn latest_version(st: &AppState, ctx: &Ctx, id: &ReportId) -> Result<ReportId, WebError> {
    let r = st.services.report(ctx, id).await?;
    let history = st.services.report_history(ctx, &r.series_id).await?;
    Ok(history.last().map(|h| h.id.clone()).unwrap_or(r.id))
}

pub async fn report_save(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    save(st, src, headers, uri, (client, id), input, false).await
}

pub async fn report_correct(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    save(st, src, headers, uri, (client, id), input, true).await
}

#[derive(Deserialize)]
pub struct FinaliseInput {
    csrf: String,
    revision: Option<String>,
}

/// "Definitief maken".
pub async fn report_finalise(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<FinaliseInput>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Reports,
        &input.csrf,
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let id = ReportId::parse(&id).ok_or(WebError::NotFound)?;
    let revision = input
        .revision
        .as_deref()
        .and_then(|r| r.trim().parse().ok())
        .unwrap_or(0);
    let base = format!("/clienten/{}/rapportages/{id}", v.f.client_id);
    match st.services.finalise_report(&v.ctx, &id, revision).await {
        Ok(()) => Ok(redirect(&format!("{base}?melding=definitief"), vec![])),
        Err(ServiceError::Stale) => Ok(redirect(&format!("{base}?melding=gewijzigd"), vec![])),
        Err(e) => Err(e.into()),
    }
}

// ---------- Netwerk en portaal ----------

pub struct StatusView {
    pub key: &'static str,
    pub when: Option<String>,
    pub paused_until: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// An invitation can be sent (again): no password set yet.
    pub can_invite: bool,
}

fn status_view(s: &AccessStatus) -> StatusView {
    let (key, when) = match &s.state {
        AccountState::NotInvited => ("staff-access-not-invited", None),
        AccountState::Invited { at } => ("staff-access-invited", at.map(display_datetime)),
        AccountState::Active { last_login } => (
            if last_login.is_some() {
                "staff-access-active"
            } else {
                "staff-access-active-never"
            },
            last_login.map(display_datetime),
        ),
    };
    StatusView {
        key,
        when,
        paused_until: s.paused_until.map(display_datetime),
        email: s.email.clone(),
        mobile: s.mobile.clone(),
        can_invite: !matches!(s.state, AccountState::Active { .. }),
    }
}

pub struct GrantRow {
    pub id: String,
    pub part_keys: Vec<&'static str>,
    pub from: String,
    pub until: Option<String>,
    pub revoked: Option<String>,
    pub consent: String,
    pub consent_at: String,
    pub active: bool,
}

pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub relation_key: &'static str,
    pub status: StatusView,
    pub grants: Vec<GrantRow>,
}

/// The add-contact-person form as typed.
#[derive(Default)]
pub struct ContactForm {
    pub given: String,
    pub prefix: String,
    pub family: String,
    pub relation: String,
    pub email: String,
    pub mobile: String,
    pub parts: Vec<&'static str>,
    pub until: String,
    pub consent: bool,
}

pub struct PartChoice {
    pub code: &'static str,
    pub key: &'static str,
}

pub struct RelationChoice {
    pub code: &'static str,
    pub key: &'static str,
}

#[derive(Template)]
#[template(path = "staff/network.html")]
struct NetworkPage {
    t: Tr,
    f: StaffFrame,
    client: StatusView,
    portal_stopped: bool,
    contacts: Vec<ContactRow>,
    can_write: bool,
    form: ContactForm,
    part_choices: Vec<PartChoice>,
    relations: Vec<RelationChoice>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn network_notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "uitgenodigd" => Some("staff-notice-invited"),
        "toegevoegd" => Some("staff-notice-contact-added"),
        "ingetrokken" => Some("staff-notice-revoked"),
        "gestopt" => Some("staff-notice-portal-stopped"),
        "aangezet" => Some("staff-notice-portal-restarted"),
        "gewijzigd" => Some("staff-notice-network-stale"),
        "pauze-voorbij" => Some("staff-notice-pause-ended"),
        "gegevens" => Some("staff-notice-details-changed"),
        _ => None,
    }
}

async fn network_page(
    st: &AppState,
    v: StaffView,
    form: ContactForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<NetworkPage, WebError> {
    let access = st
        .services
        .portal_access(&v.ctx, &v.header.client_id)
        .await?;
    let contacts = access
        .contacts
        .iter()
        .map(|c| ContactRow {
            id: c.id.to_string(),
            name: c.full_name.clone(),
            relation_key: relation_key(c.relation),
            status: status_view(&c.access),
            grants: c
                .grants
                .iter()
                .map(|g| GrantRow {
                    id: g.id.to_string(),
                    part_keys: g.parts.iter().map(|p| tile_of(*p).0).collect(),
                    from: display_date(local_date(g.valid_from)),
                    until: g
                        .valid_until
                        .map(|u| display_date(local_date(u - chrono::Duration::seconds(1)))),
                    revoked: g.revoked_at.map(display_datetime),
                    consent: g.consent_by.clone(),
                    consent_at: display_datetime(g.consent_at),
                    active: g.active,
                })
                .collect(),
        })
        .collect();
    Ok(NetworkPage {
        client: status_view(&access.client),
        portal_stopped: access.portal_stopped,
        contacts,
        can_write: v.header.may_write(DossierPart::Network),
        form,
        part_choices: CLIENT_PARTS
            .iter()
            .map(|p| PartChoice {
                code: p.code(),
                key: tile_of(*p).0,
            })
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| RelationChoice {
                code: r.code(),
                key: relation_key(*r),
            })
            .collect(),
        errors,
        notice,
        t: v.tr,
        f: v.f,
    })
}

pub async fn network(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Network).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let notice = network_notice(q.melding.as_deref());
    let p = network_page(&st, v, ContactForm::default(), vec![], notice).await?;
    Ok(private(page(p)))
}

/// The form fields as pairs (checkboxes repeat a name).
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn open_network_form(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    src: Option<String>,
    client: &str,
    pairs: &[(String, String)],
) -> Result<Result<StaffView, Response>, WebError> {
    open_form(
        st,
        headers,
        uri,
        src,
        client,
        DossierPart::Network,
        field(pairs, "csrf"),
    )
    .await
}

fn to_network(v: &StaffView, melding: &str) -> Response {
    redirect(
        &format!("/clienten/{}/netwerk?melding={melding}", v.f.client_id),
        vec![],
    )
}

/// Invites the client, or one contact person (`contactpersoon`).
pub async fn network_invite(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let target = match field(&pairs, "contactpersoon") {
        "" => InviteTarget::Client(v.header.client_id.clone()),
        cp => InviteTarget::ContactPerson(ContactPersonId::parse(cp).ok_or(WebError::NotFound)?),
    };
    if let InviteTarget::ContactPerson(cp) = &target {
        // Only this client's contact persons, from this client's page.
        if !st
            .services
            .portal_access(&v.ctx, &v.header.client_id)
            .await?
            .contacts
            .iter()
            .any(|c| &c.id == cp)
        {
            return Err(WebError::NotFound);
        }
    }
    match st.services.invite(&v.ctx, target).await {
        Ok(_) => Ok(to_network(&v, "uitgenodigd")),
        Err(ServiceError::Conflict(_)) | Err(ServiceError::Invalid(_)) => {
            let e = vec![v.tr.t("staff-invite-impossible")];
            let p = network_page(&st, v, ContactForm::default(), e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops (`stop=ja`) or restarts (`stop=nee`) the client's own access.
pub async fn network_portal(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let stop = match field(&pairs, "stop") {
        "ja" => true,
        "nee" => false,
        _ => return Err(WebError::BadInput(v.tr.t("staff-bad-choice"))),
    };
    match st
        .services
        .set_portal_stopped(&v.ctx, &v.header.client_id, stop)
        .await
    {
        Ok(()) => Ok(to_network(&v, if stop { "gestopt" } else { "aangezet" })),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// Revokes one grant of a contact person.
pub async fn network_revoke(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, grant)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let grant = AccessGrantId::parse(&grant).ok_or(WebError::NotFound)?;
    match st.services.revoke_grant(&v.ctx, &grant).await {
        Ok(()) => Ok(to_network(&v, "ingetrokken")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// Adds a contact person with the client's consent and the tiles chosen.
pub async fn network_add(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let cut = |s: &str| s.chars().take(200).collect::<String>();
    let form = ContactForm {
        given: cut(field(&pairs, "voornaam")),
        prefix: cut(field(&pairs, "tussenvoegsel")),
        family: cut(field(&pairs, "achternaam")),
        relation: cut(field(&pairs, "relatie")),
        email: cut(field(&pairs, "email")),
        mobile: cut(field(&pairs, "mobiel")),
        parts: CLIENT_PARTS
            .iter()
            .filter(|p| pairs.iter().any(|(k, val)| k == "deel" && val == p.code()))
            .map(|p| p.code())
            .collect(),
        until: cut(field(&pairs, "tot")),
        consent: field(&pairs, "toestemming") == "ja",
    };
    let tr = v.tr;
    let mut errors = Vec::new();
    let mut need = |r: Result<Label, FieldError>, key: &'static str| {
        r.map_err(|_| errors.push(tr.t(key))).ok()
    };
    let given = need(
        Label::parse("given_name", &form.given),
        "staff-contact-given-error",
    );
    let family = need(
        Label::parse("family_name", &form.family),
        "staff-contact-family-error",
    );
    let prefix = Label::parse_opt("name_prefix", Some(&form.prefix))
        .map_err(|_| errors.push(tr.t("staff-contact-prefix-error")))
        .ok()
        .flatten();
    let relation = Relation::from_code(&form.relation);
    if relation.is_none() {
        errors.push(tr.t("staff-contact-relation-error"));
    }
    let email = match form.email.trim() {
        "" => None,
        e => Email::parse(e)
            .map_err(|_| errors.push(tr.t("staff-contact-email-error")))
            .ok(),
    };
    let mobile = match form.mobile.trim() {
        "" => None,
        m => MobileNumber::parse(m)
            .map_err(|_| errors.push(tr.t("staff-contact-mobile-error")))
            .ok(),
    };
    let parts: Vec<DossierPart> = CLIENT_PARTS
        .iter()
        .copied()
        .filter(|p| form.parts.contains(&p.code()))
        .collect();
    if parts.is_empty() {
        errors.push(tr.t("staff-contact-parts-error"));
    }
    let now = st.services.now();
    let until = match parse_filter_date(&form.until) {
        Ok(None) => None,
        Ok(Some(d))
            if d >= local_date(now) && d <= local_date(now) + chrono::Duration::days(3660) =>
        {
            Some(local_midnight_utc(d + chrono::Duration::days(1)))
        }
        Ok(Some(_)) => {
            errors.push(tr.t("staff-contact-until-range"));
            None
        }
        Err(()) => {
            errors.push(tr.t("bad-date"));
            None
        }
    };
    if !form.consent {
        errors.push(tr.t("staff-contact-consent-error"));
    }
    let (Some(given_name), Some(family_name), Some(relation), true) =
        (given, family, relation, errors.is_empty())
    else {
        let p = network_page(&st, v, form, errors, None).await?;
        return Ok(invalid(page(p)));
    };
    let person = NewContactPerson {
        given_name,
        name_prefix: prefix,
        family_name,
        relation,
        email,
        mobile,
    };
    let grant = NewGrant {
        parts,
        valid_from: now,
        valid_until: until,
        consent_recorded_by: v.me.clone(),
    };
    match st
        .services
        .add_contact_person(&v.ctx, &v.header.client_id, person, grant)
        .await
    {
        Ok(_) => Ok(to_network(&v, "toegevoegd")),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-contact-parts-error")];
            let p = network_page(&st, v, form, e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- Zorgperiodes (on the Gegevens tab) ----------

/// Starts (`actie=start`) or ends (`actie=einde`) a care episode on `datum`.
pub async fn episode(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Profile,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
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

// ---------- Afspraken ----------

pub struct StaffAppointmentLine {
    pub id: String,
    pub date: String,
    pub time: String,
    pub minutes: i64,
    pub practitioner: String,
    pub place: String,
    pub description: String,
    pub cancelled: bool,
    pub upcoming: bool,
}

/// The appointment form as typed.
#[derive(Clone, Default)]
pub struct AppointmentForm {
    pub date: String,
    pub time: String,
    pub minutes: String,
    pub practitioner: String,
    pub place: String,
    pub description: String,
    pub revision: i64,
}

pub struct MemberChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "staff/appointments.html")]
struct AppointmentsPage {
    t: Tr,
    f: StaffFrame,
    sections: Vec<(&'static str, Vec<StaffAppointmentLine>)>,
    can_write: bool,
    form: AppointmentForm,
    members: Vec<MemberChoice>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn appointment_notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("staff-notice-saved"),
        "geannuleerd" => Some("staff-notice-appointment-cancelled"),
        "gewijzigd" => Some("staff-notice-appointment-stale"),
        _ => None,
    }
}

fn local_parts(t: chrono::DateTime<chrono::Utc>) -> (String, String) {
    let l = t.with_timezone(&DISPLAY_TZ);
    (
        l.format("%d-%m-%Y").to_string(),
        l.format("%H:%M").to_string(),
    )
}

async fn members(st: &AppState, v: &StaffView) -> Result<Vec<MemberChoice>, WebError> {
    Ok(st
        .services
        .client_team_members(&v.ctx, &v.header.client_id)
        .await?
        .into_iter()
        .map(|m| MemberChoice {
            id: m.id.to_string(),
            name: m.name,
        })
        .collect())
}

async fn appointments_page(
    st: &AppState,
    v: StaffView,
    form: AppointmentForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<AppointmentsPage, WebError> {
    let list = st
        .services
        .list_appointments(&v.ctx, &v.header.client_id)
        .await?;
    let now = st.services.now();
    let can_write = v.header.may_write(DossierPart::Appointments);
    let members = if can_write {
        members(st, &v).await?
    } else {
        vec![]
    };
    let line = |a: &AppointmentView| {
        let (date, time) = local_parts(a.starts_at);
        StaffAppointmentLine {
            id: a.id.to_string(),
            date,
            time,
            minutes: (a.ends_at - a.starts_at).num_minutes(),
            practitioner: a.practitioner_name.clone(),
            place: a.place.clone(),
            description: a.description.clone(),
            cancelled: a.status == AppointmentStatus::Cancelled,
            upcoming: a.ends_at > now,
        }
    };
    let all: Vec<StaffAppointmentLine> = list.iter().map(line).collect();
    let (upcoming, mut earlier): (Vec<_>, Vec<_>) = all.into_iter().partition(|a| a.upcoming);
    earlier.reverse();
    let form = AppointmentForm {
        practitioner: if form.practitioner.is_empty() {
            v.me.to_string()
        } else {
            form.practitioner
        },
        minutes: if form.minutes.is_empty() {
            "45".into()
        } else {
            form.minutes
        },
        ..form
    };
    Ok(AppointmentsPage {
        sections: vec![
            ("appointments-upcoming", upcoming),
            ("appointments-past", earlier),
        ],
        can_write,
        form,
        members,
        errors,
        notice,
        t: v.tr,
        f: v.f,
    })
}

pub async fn appointments(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Appointments).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let notice = appointment_notice(q.melding.as_deref());
    let p = appointments_page(&st, v, AppointmentForm::default(), vec![], notice).await?;
    Ok(private(page(p)))
}

fn appointment_form(pairs: &[(String, String)]) -> AppointmentForm {
    let cut = |n: &str, max: usize| field(pairs, n).chars().take(max).collect::<String>();
    AppointmentForm {
        date: cut("datum", 20),
        time: cut("tijd", 10),
        minutes: cut("minuten", 10),
        practitioner: cut("behandelaar", 40),
        place: cut("plaats", 200),
        description: cut("omschrijving", 2100),
        revision: field(pairs, "revision").trim().parse().unwrap_or(0),
    }
}

/// The appointment, or the messages per field.
fn parse_appointment(tr: Tr, f: &AppointmentForm) -> Result<NewAppointment, Vec<String>> {
    let mut errors = Vec::new();
    let date = match parse_filter_date(&f.date) {
        Ok(Some(d)) => Some(d),
        _ => {
            errors.push(tr.t("bad-date"));
            None
        }
    };
    let time = chrono::NaiveTime::parse_from_str(f.time.trim(), "%H:%M")
        .map_err(|_| errors.push(tr.t("staff-appointment-time-error")))
        .ok();
    let minutes = match f.minutes.trim().parse::<i64>() {
        Ok(m) if (5..=24 * 60).contains(&m) => Some(m),
        _ => {
            errors.push(tr.t("staff-appointment-minutes-error"));
            None
        }
    };
    let practitioner = StaffId::parse(&f.practitioner);
    if practitioner.is_none() {
        errors.push(tr.t("staff-appointment-practitioner-error"));
    }
    let place = Label::parse("place", &f.place)
        .map_err(|_| errors.push(tr.t("staff-appointment-place-error")))
        .ok();
    let description = Text::parse("description", &f.description, 2000)
        .map_err(|_| errors.push(tr.t("staff-appointment-description-error")))
        .ok();
    let starts_at = match (date, time) {
        (Some(d), Some(t)) => match DISPLAY_TZ.from_local_datetime(&d.and_time(t)).single() {
            Some(l) => Some(l.with_timezone(&chrono::Utc)),
            None => {
                errors.push(tr.t("staff-appointment-time-error"));
                None
            }
        },
        _ => None,
    };
    match (starts_at, minutes, practitioner, place, description) {
        (Some(s), Some(m), Some(p), Some(place), Some(description)) if errors.is_empty() => {
            Ok(NewAppointment {
                starts_at: s,
                ends_at: s + chrono::Duration::minutes(m),
                practitioner: p,
                place,
                description,
            })
        }
        _ => Err(errors),
    }
}

pub async fn appointment_create(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Appointments,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let form = appointment_form(&pairs);
    let tr = v.tr;
    let new = match parse_appointment(tr, &form) {
        Ok(n) => n,
        Err(e) => {
            return Ok(invalid(page(
                appointments_page(&st, v, form, e, None).await?,
            )))
        }
    };
    match st
        .services
        .create_appointment(&v.ctx, &v.header.client_id, new)
        .await
    {
        Ok(_) => Ok(redirect(
            &format!("/clienten/{}/afspraken?melding=opgeslagen", v.f.client_id),
            vec![],
        )),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-appointment-practitioner-error")];
            Ok(invalid(page(
                appointments_page(&st, v, form, e, None).await?,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/appointment.html")]
struct AppointmentPage {
    t: Tr,
    f: StaffFrame,
    id: String,
    cancelled: bool,
    form: AppointmentForm,
    current: AppointmentForm,
    conflict: bool,
    members: Vec<MemberChoice>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn appointment_page(
    st: &AppState,
    v: StaffView,
    id: &AppointmentId,
    typed: Option<AppointmentForm>,
    conflict: bool,
    errors: Vec<String>,
) -> Result<AppointmentPage, WebError> {
    let a = st.services.appointment(&v.ctx, id).await?;
    let own = st
        .services
        .list_appointments(&v.ctx, &v.header.client_id)
        .await?
        .iter()
        .any(|x| x.id == a.id);
    if !own {
        return Err(WebError::NotFound);
    }
    let (date, time) = local_parts(a.starts_at);
    let current = AppointmentForm {
        date,
        time,
        minutes: (a.ends_at - a.starts_at).num_minutes().to_string(),
        practitioner: a.practitioner_id.to_string(),
        place: a.place.clone(),
        description: a.description.clone(),
        revision: a.revision,
    };
    let form = match typed {
        Some(t) => AppointmentForm {
            revision: a.revision,
            ..t
        },
        None => current.clone(),
    };
    let members = members(st, &v).await?;
    Ok(AppointmentPage {
        id: a.id.to_string(),
        cancelled: a.status == AppointmentStatus::Cancelled,
        form,
        current,
        conflict,
        members,
        errors,
        notice: None,
        t: v.tr,
        f: v.f,
    })
}

pub async fn appointment_edit(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Appointments).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !v.header.may_write(DossierPart::Appointments) {
        return Err(WebError::Forbidden);
    }
    let id = AppointmentId::parse(&id).ok_or(WebError::NotFound)?;
    Ok(private(page(
        appointment_page(&st, v, &id, None, false, vec![]).await?,
    )))
}

/// Saves a change (`actie=opslaan`) or cancels (`actie=annuleren`).
pub async fn appointment_save(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Appointments,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let id = AppointmentId::parse(&id).ok_or(WebError::NotFound)?;
    let form = appointment_form(&pairs);
    let list = format!("/clienten/{}/afspraken", v.f.client_id);
    let tr = v.tr;
    let result = match field(&pairs, "actie") {
        "annuleren" => st
            .services
            .cancel_appointment(&v.ctx, &id, form.revision)
            .await
            .map(|()| "geannuleerd"),
        "opslaan" => {
            let new = match parse_appointment(tr, &form) {
                Ok(n) => n,
                Err(e) => {
                    let p = appointment_page(&st, v, &id, Some(form), false, e).await?;
                    return Ok(invalid(page(p)));
                }
            };
            st.services
                .update_appointment(&v.ctx, &id, form.revision, new)
                .await
                .map(|()| "opgeslagen")
        }
        _ => return Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    };
    match result {
        Ok(m) => Ok(redirect(&format!("{list}?melding={m}"), vec![])),
        Err(ServiceError::Stale) => {
            let p = appointment_page(&st, v, &id, Some(form), true, vec![]).await?;
            let mut r = private(page(p));
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-appointment-practitioner-error")];
            let p = appointment_page(&st, v, &id, Some(form), false, e).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- Documenten ----------

pub struct StaffDocumentLine {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub date: String,
    pub kind_key: &'static str,
    pub size: String,
    pub hidden: bool,
}

/// The upload form as typed (the file itself is never kept).
#[derive(Default)]
pub struct UploadForm {
    pub title: String,
    pub doc_type: String,
    pub date: String,
    pub visible: Option<bool>,
}

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct DocumentsPage {
    t: Tr,
    f: StaffFrame,
    documents: Vec<StaffDocumentLine>,
    can_write: bool,
    limit: String,
    form: UploadForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn documents_page(
    st: &AppState,
    v: StaffView,
    form: UploadForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<DocumentsPage, WebError> {
    let list = st
        .services
        .list_documents(&v.ctx, &v.header.client_id)
        .await?;
    let limit = st.services.upload_limit(&v.header.client_id).await?;
    Ok(DocumentsPage {
        documents: list
            .iter()
            .map(|d| StaffDocumentLine {
                id: d.id.to_string(),
                title: d.title.clone(),
                doc_type: d.doc_type.clone(),
                date: display_date(d.doc_date),
                kind_key: kind_key(&d.content_type),
                size: human_size(d.size_bytes),
                hidden: !d.visible_to_client,
            })
            .collect(),
        can_write: v.header.may_write(DossierPart::Documents),
        limit: human_size(limit),
        form,
        errors,
        notice,
        t: v.tr,
        f: v.f,
    })
}

pub async fn documents(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Documents).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let notice = match q.melding.as_deref() {
        Some("opgeslagen") => Some("staff-notice-document-uploaded"),
        Some("verwijderd") => Some("staff-notice-document-removed"),
        Some("gewijzigd") => Some("staff-notice-network-stale"),
        _ => None,
    };
    let p = documents_page(&st, v, UploadForm::default(), vec![], notice).await?;
    Ok(private(page(p)))
}

/// The most the upload route reads, whatever the organisation's limit (the
/// settings allow at most 1 GiB); the real limit is checked while reading.
pub const UPLOAD_BODY_MAX: usize = 1024 * 1024 * 1024 + 1024 * 1024;

/// Reads the multipart upload: the text fields, and the file up to
/// `limit + 1` bytes (more is not read: "too large").
async fn read_upload(
    mut mp: axum::extract::Multipart,
    limit: usize,
) -> Result<(Vec<(String, String)>, Option<Vec<u8>>, bool), ()> {
    let mut fields = Vec::new();
    let mut file = None;
    let mut too_large = false;
    while let Some(mut field) = mp.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "bestand" {
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if buf.len() + chunk.len() > limit {
                    too_large = true;
                    break;
                }
                buf.extend_from_slice(&chunk);
            }
            if too_large {
                // Stop reading: the rest of the body is not needed.
                break;
            }
            file = Some(buf);
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if text.len() + chunk.len() > 10_000 {
                    return Err(());
                }
                text.extend_from_slice(&chunk);
            }
            fields.push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    Ok((fields, file, too_large))
}

pub async fn document_upload(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, WebError> {
    // The session first: nobody streams a file without one.
    let (_, info) = match signed_in(&st, &headers, &here(&uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let client_id = ClientId::parse(&client).ok_or(WebError::NotFound)?;
    let limit = usize::try_from(st.services.upload_limit(&client_id).await?).unwrap_or(0);
    let tr = tr_of(&info);
    let (pairs, file, too_large) = read_upload(mp, limit)
        .await
        .map_err(|()| WebError::BadInput(tr.t("staff-upload-unreadable")))?;
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Documents,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let cut = |n: &str| field(&pairs, n).chars().take(200).collect::<String>();
    let form = UploadForm {
        title: cut("titel"),
        doc_type: cut("soort"),
        date: cut("datum"),
        visible: match field(&pairs, "zichtbaar") {
            "ja" => Some(true),
            "nee" => Some(false),
            _ => None,
        },
    };
    let mut errors = Vec::new();
    let title = Label::parse("title", &form.title)
        .map_err(|_| errors.push(tr.t("staff-upload-title-error")))
        .ok();
    let doc_type = Label::parse("doc_type", &form.doc_type)
        .map_err(|_| errors.push(tr.t("staff-upload-type-error")))
        .ok();
    let date = match parse_filter_date(&form.date) {
        Ok(Some(d)) => Some(d),
        _ => {
            errors.push(tr.t("bad-date"));
            None
        }
    };
    if form.visible.is_none() {
        errors.push(tr.t("staff-upload-visible-error"));
    }
    let bytes = if too_large {
        errors.push(tr.a("staff-upload-too-large", "limit", human_size(limit as i64)));
        None
    } else {
        match file {
            Some(b) if !b.is_empty() => {
                if inzage_service::care::sniff_content_type(&b).is_none() {
                    errors.push(tr.t("staff-upload-type-refused"));
                    None
                } else {
                    Some(b)
                }
            }
            _ => {
                errors.push(tr.t("staff-upload-no-file"));
                None
            }
        }
    };
    let (Some(title), Some(doc_type), Some(doc_date), Some(visible_to_client), Some(bytes), true) = (
        title,
        doc_type,
        date,
        form.visible,
        bytes,
        errors.is_empty(),
    ) else {
        return Ok(invalid(page(
            documents_page(&st, v, form, errors, None).await?,
        )));
    };
    match st
        .services
        .upload_document(
            &v.ctx,
            &v.header.client_id,
            inzage_service::care::NewDocument {
                title,
                doc_type,
                doc_date,
                visible_to_client,
                bytes,
            },
        )
        .await
    {
        Ok(_) => Ok(redirect(
            &format!("/clienten/{}/documenten?melding=opgeslagen", v.f.client_id),
            vec![],
        )),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-upload-type-refused")];
            Ok(invalid(page(documents_page(&st, v, form, e, None).await?)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn document_view(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::Documents).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    document_response(&st, &v.ctx, &v.header.client_id, &id, false).await
}

/// Removes a document (soft delete) with a reason.
pub async fn document_remove(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::Documents,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let id = DocumentId::parse(&id).ok_or(WebError::NotFound)?;
    let Ok(reason) = Text::parse("reason", field(&pairs, "reden"), 500) else {
        return Err(WebError::BadInput(v.tr.t("staff-remove-reason-error")));
    };
    let list = format!("/clienten/{}/documenten", v.f.client_id);
    // Only this client's documents, from this client's page.
    let mine = st
        .services
        .list_documents(&v.ctx, &v.header.client_id)
        .await?
        .iter()
        .any(|d| d.id == id);
    if !mine {
        return Err(WebError::NotFound);
    }
    match st.services.remove_document(&v.ctx, &id, reason).await {
        Ok(()) => Ok(redirect(&format!("{list}?melding=verwijderd"), vec![])),
        Err(ServiceError::Stale) => Ok(redirect(&format!("{list}?melding=gewijzigd"), vec![])),
        Err(e) => Err(e.into()),
    }
}

// ---------- Cliëntplan ----------

pub struct PlanRow {
    pub id: String,
    pub title: String,
    pub draft: bool,
}

#[derive(Template)]
#[template(path = "staff/plans.html")]
struct PlansPage {
    t: Tr,
    f: StaffFrame,
    plans: Vec<PlanRow>,
    can_write: bool,
    has_draft: bool,
    today: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn plan_notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("staff-notice-saved"),
        "definitief" => Some("staff-notice-plan-finalised"),
        "gewijzigd" => Some("staff-notice-network-stale"),
        _ => None,
    }
}

pub async fn plans(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::ClientPlan).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let list = st.services.list_plans(&v.ctx, &v.header.client_id).await?;
    let errors = match q.melding.as_deref() {
        Some("concept-bestaat") => vec![v.tr.t("staff-plan-draft-exists")],
        _ => vec![],
    };
    Ok(private(page(PlansPage {
        has_draft: list.iter().any(|p| p.status == DocStatus::Draft),
        plans: list
            .into_iter()
            .map(|p| PlanRow {
                id: p.id.to_string(),
                draft: p.status == DocStatus::Draft,
                title: p.title,
            })
            .collect(),
        can_write: v.header.may_write(DossierPart::ClientPlan),
        today: display_date(local_date(st.services.now())),
        errors,
        notice: plan_notice(q.melding.as_deref()),
        t: v.tr,
        f: v.f,
    })))
}

/// A new draft version from the latest one.
pub async fn plan_create(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::ClientPlan,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let date = match parse_filter_date(field(&pairs, "datum")) {
        Ok(Some(d)) if (d - local_date(st.services.now())).num_days().abs() <= 3660 => d,
        _ => return Err(WebError::BadInput(v.tr.t("bad-date"))),
    };
    let base = format!("/clienten/{}/clientplan", v.f.client_id);
    match st
        .services
        .new_plan_version(&v.ctx, &v.header.client_id, date)
        .await
    {
        Ok(id) => Ok(redirect(&format!("{base}/{id}?melding=opgeslagen"), vec![])),
        Err(ServiceError::Conflict(_)) => {
            Ok(redirect(&format!("{base}?melding=concept-bestaat"), vec![]))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct StaffSection {
    pub id: String,
    pub domain: String,
    pub goals: String,
    pub agreements: String,
}

#[derive(Template)]
#[template(path = "staff/plan.html")]
struct PlanPage {
    t: Tr,
    f: StaffFrame,
    id: String,
    title: String,
    draft: bool,
    can_write: bool,
    sections: Vec<StaffSection>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn load_plan(
    st: &AppState,
    v: &StaffView,
    id: &str,
) -> Result<inzage_service::dossier::PlanDetail, WebError> {
    let id = PlanVersionId::parse(id).ok_or(WebError::NotFound)?;
    let detail = st.services.plan(&v.ctx, &id).await?;
    let mine = st
        .services
        .list_plans(&v.ctx, &v.header.client_id)
        .await?
        .iter()
        .any(|p| p.id == id);
    if !mine {
        return Err(WebError::NotFound);
    }
    Ok(detail)
}

pub async fn plan(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::ClientPlan).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let detail = load_plan(&st, &v, &id).await?;
    let errors = match q.melding.as_deref() {
        Some("onvolledig") => vec![v.tr.t("staff-plan-incomplete")],
        _ => vec![],
    };
    Ok(private(page(PlanPage {
        id: detail.plan.id.to_string(),
        title: detail.plan.title.clone(),
        draft: detail.plan.status == DocStatus::Draft,
        can_write: v.header.may_write(DossierPart::ClientPlan),
        sections: detail
            .sections
            .iter()
            .map(|s| StaffSection {
                id: s.id.to_string(),
                domain: s.domain.clone(),
                goals: crate::markdown::render(&s.goals),
                agreements: crate::markdown::render(&s.agreements),
            })
            .collect(),
        errors,
        notice: plan_notice(q.melding.as_deref()),
        t: v.tr,
        f: v.f,
    })))
}

/// Adds a section (`actie=domein`) or finalises the plan (`actie=definitief`).
pub async fn plan_action(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::ClientPlan,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let detail = load_plan(&st, &v, &id).await?;
    let base = format!("/clienten/{}/clientplan/{}", v.f.client_id, detail.plan.id);
    let result = match field(&pairs, "actie") {
        "domein" => {
            let Ok(domain) = Label::parse("domain", field(&pairs, "domein")) else {
                return Err(WebError::BadInput(v.tr.t("staff-plan-domain-error")));
            };
            st.services
                .add_plan_section(&v.ctx, &detail.plan.id, domain)
                .await
                .map(|s| format!("{base}/{s}"))
        }
        "definitief" => st
            .services
            .finalise_plan(&v.ctx, &detail.plan.id)
            .await
            .map(|()| format!("{base}?melding=definitief")),
        _ => return Err(WebError::BadInput(v.tr.t("staff-bad-choice"))),
    };
    match result {
        Ok(to) => Ok(redirect(&to, vec![])),
        Err(ServiceError::Invalid(_)) => {
            Ok(redirect(&format!("{base}?melding=onvolledig"), vec![]))
        }
        Err(ServiceError::Stale) => Ok(redirect(&format!("{base}?melding=gewijzigd"), vec![])),
        Err(e) => Err(e.into()),
    }
}

/// The section form as typed.
#[derive(Clone, Default)]
pub struct SectionForm {
    pub domain: String,
    pub goals: String,
    pub agreements: String,
    pub revision: i64,
}

#[derive(Template)]
#[template(path = "staff/plan_section.html")]
struct SectionPage {
    t: Tr,
    f: StaffFrame,
    plan_id: String,
    plan_title: String,
    section_id: String,
    form: SectionForm,
    current: SectionForm,
    conflict: bool,
    editable: bool,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn section_page(
    st: &AppState,
    v: StaffView,
    plan: &str,
    section: &str,
    typed: Option<SectionForm>,
    conflict: bool,
    errors: Vec<String>,
) -> Result<SectionPage, WebError> {
    let detail = load_plan(st, &v, plan).await?;
    let s = detail
        .sections
        .iter()
        .find(|s| s.id.as_str() == section)
        .ok_or(WebError::NotFound)?;
    let current = SectionForm {
        domain: s.domain.clone(),
        goals: s.goals.clone(),
        agreements: s.agreements.clone(),
        revision: s.revision,
    };
    let form = match typed {
        Some(t) => SectionForm {
            revision: s.revision,
            ..t
        },
        None => current.clone(),
    };
    Ok(SectionPage {
        plan_id: detail.plan.id.to_string(),
        plan_title: detail.plan.title.clone(),
        section_id: s.id.to_string(),
        editable: detail.plan.status == DocStatus::Draft
            && v.header.may_write(DossierPart::ClientPlan),
        form,
        current,
        conflict,
        errors,
        notice: None,
        t: v.tr,
        f: v.f,
    })
}

pub async fn plan_section(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, plan, section)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let v = match open(&st, &headers, &uri, src, &client, DossierPart::ClientPlan).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let p = section_page(&st, v, &plan, &section, None, false, vec![]).await?;
    Ok(private(page(p)))
}

pub async fn plan_section_save(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path((client, plan, section)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_form(
        &st,
        &headers,
        &uri,
        src,
        &client,
        DossierPart::ClientPlan,
        field(&pairs, "csrf"),
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let max = PLAN_TEXT_MAX + 1000;
    let form = SectionForm {
        domain: field(&pairs, "domein").chars().take(200).collect(),
        goals: field(&pairs, "doelen").chars().take(max).collect(),
        agreements: field(&pairs, "afspraken").chars().take(max).collect(),
        revision: field(&pairs, "revision").trim().parse().unwrap_or(0),
    };
    let tr = v.tr;
    let mut errors = Vec::new();
    let domain = Label::parse("domain", &form.domain)
        .map_err(|_| errors.push(tr.t("staff-plan-domain-error")))
        .ok();
    let goals = Text::parse("goals", &form.goals, PLAN_TEXT_MAX)
        .map_err(|_| errors.push(tr.a("staff-plan-goals-error", "max", PLAN_TEXT_MAX)))
        .ok();
    let agreements = Text::parse("agreements", &form.agreements, PLAN_TEXT_MAX)
        .map_err(|_| errors.push(tr.a("staff-plan-agreements-error", "max", PLAN_TEXT_MAX)))
        .ok();
    let (Some(domain), Some(goals), Some(agreements), true) =
        (domain, goals, agreements, errors.is_empty())
    else {
        let p = section_page(&st, v, &plan, &section, Some(form), false, errors).await?;
        return Ok(invalid(page(p)));
    };
    let section_id = PlanSectionId::parse(&section).ok_or(WebError::NotFound)?;
    // The section must belong to this plan of this client.
    if !load_plan(&st, &v, &plan)
        .await?
        .sections
        .iter()
        .any(|s| s.id == section_id)
    {
        return Err(WebError::NotFound);
    }
    match st
        .services
        .update_plan_section(
            &v.ctx,
            &section_id,
            form.revision,
            SectionEdit {
                domain,
                goals,
                agreements,
            },
        )
        .await
    {
        Ok(()) => Ok(redirect(
            &format!(
                "/clienten/{}/clientplan/{plan}?melding=opgeslagen",
                v.f.client_id
            ),
            vec![],
        )),
        Err(ServiceError::Stale) => {
            let p = section_page(&st, v, &plan, &section, Some(form), true, vec![]).await?;
            let mut r = private(page(p));
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The contact person a network form is about (`contactpersoon`), if any.
fn who_of(pairs: &[(String, String)]) -> Result<Option<ContactPersonId>, WebError> {
    match field(pairs, "contactpersoon") {
        "" => Ok(None),
        cp => ContactPersonId::parse(cp)
            .map(Some)
            .ok_or(WebError::NotFound),
    }
}

/// Ends a sign-in pause early.
pub async fn network_pause(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let who = who_of(&pairs)?;
    match st
        .services
        .end_pause(&v.ctx, &v.header.client_id, who.as_ref())
        .await
    {
        Ok(()) => Ok(to_network(&v, "pauze-voorbij")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// Changes an e-mail address and mobile number (a notice goes to the old
/// address).
pub async fn network_details(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = match open_network_form(&st, &headers, &uri, src, &client, &pairs).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let who = who_of(&pairs)?;
    let tr = v.tr;
    let mut errors = Vec::new();
    let email = match field(&pairs, "email").trim() {
        "" => None,
        e => Email::parse(e)
            .map_err(|_| errors.push(tr.t("staff-contact-email-error")))
            .ok(),
    };
    let mobile = match field(&pairs, "mobiel").trim() {
        "" => None,
        m => MobileNumber::parse(m)
            .map_err(|_| errors.push(tr.t("staff-contact-mobile-error")))
            .ok(),
    };
    if !errors.is_empty() {
        let p = network_page(&st, v, ContactForm::default(), errors, None).await?;
        return Ok(invalid(page(p)));
    }
    match st
        .services
        .change_contact_details(&v.ctx, &v.header.client_id, who.as_ref(), email, mobile)
        .await
    {
        Ok(()) => Ok(to_network(&v, "gegevens")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(ServiceError::Invalid(_)) | Err(ServiceError::Conflict(_)) => {
            let e = vec![tr.t("staff-details-refused")];
            let p = network_page(&st, v, ContactForm::default(), e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}
