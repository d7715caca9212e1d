//! Rapportages: list, write, a report with its versions, edit own draft,
//! Definitief maken, correct.
use super::*;
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
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Reports).await?;
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
        .await?
        .into_inner();
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
    #[serde(default)]
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
    headers: axum::http::HeaderMap,
    who: StaffSession,
    Path(client): Path<String>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Reports).await?;
    if !v.header.may_write(DossierPart::Reports) {
        return Err(WebError::Forbidden);
    }
    // A report posted after the idle timeout comes back here, unsaved.
    let here = format!("/clienten/{}/rapportages/nieuw", v.f.client_id);
    let kept: Option<ReportInput> = crate::kept::take(&st, &headers, &here).await;
    Ok(private(page(NewReportPage {
        t: v.tr,
        f: v.f,
        notice: kept.as_ref().map(|_| "staff-kept-restored"),
        form: kept.map(|k| k.form()).unwrap_or_default(),
        errors: vec![],
        categories: REPORT_CATEGORIES,
    })))
}

pub async fn report_create(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Reports, &input.csrf)
        .await?;
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
    /// The client's own statements beside this report (issue 15).
    additions: Vec<crate::portal::requests::StatementLine>,
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
    let r = st.services.report(&v.ctx, id).await?.into_inner();
    if r.client_id != v.header.client_id {
        return Err(WebError::NotFound);
    }
    let history = st
        .services
        .report_history(&v.ctx, &r.series_id)
        .await?
        .into_inner();
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
        additions: crate::portal::requests::statement_lines(&r.additions),
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
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Reports).await?;
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
    who: StaffSession,
    (client, id): (String, String),
    input: ReportInput,
    correcting: bool,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Reports, &input.csrf)
        .await?;
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
    let r = st.services.report(ctx, id).await?.into_inner();
    let history = st
        .services
        .report_history(ctx, &r.series_id)
        .await?
        .into_inner();
    Ok(history.last().map(|h| h.id.clone()).unwrap_or(r.id))
}

pub async fn report_save(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    save(st, who, (client, id), input, false).await
}

pub async fn report_correct(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<ReportInput>,
) -> Result<Response, WebError> {
    save(st, who, (client, id), input, true).await
}

#[derive(Deserialize)]
pub struct FinaliseInput {
    #[serde(default)]
    csrf: String,
    revision: Option<String>,
}

/// "Definitief maken".
pub async fn report_finalise(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(input): Form<FinaliseInput>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Reports, &input.csrf)
        .await?;
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
