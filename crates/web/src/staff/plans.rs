//! Cliëntplan: versions, sections (markdown subset), finalise.
use super::*;
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
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::ClientPlan).await?;
    let list = st
        .services
        .list_plans(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
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
                title: crate::portal::plan_title(v.tr, &p),
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
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::ClientPlan, field(&pairs, "csrf"))
        .await?;
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
    /// The client's own statements beside this section (issue 15).
    pub additions: Vec<crate::portal::requests::StatementLine>,
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
    let detail = st.services.plan(&v.ctx, &id).await?.into_inner();
    let mine = st
        .services
        .list_plans(&v.ctx, &v.header.client_id)
        .await?
        .into_inner()
        .iter()
        .any(|p| p.id == id);
    if !mine {
        return Err(WebError::NotFound);
    }
    Ok(detail)
}

pub async fn plan(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::ClientPlan).await?;
    let detail = load_plan(&st, &v, &id).await?;
    let errors = match q.melding.as_deref() {
        Some("onvolledig") => vec![v.tr.t("staff-plan-incomplete")],
        _ => vec![],
    };
    Ok(private(page(PlanPage {
        id: detail.plan.id.to_string(),
        title: crate::portal::plan_title(v.tr, &detail.plan),
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
                additions: crate::portal::requests::statement_lines(&s.additions),
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
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::ClientPlan, field(&pairs, "csrf"))
        .await?;
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
        plan_title: crate::portal::plan_title(v.tr, &detail.plan),
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
    headers: axum::http::HeaderMap,
    who: StaffSession,
    Path((client, plan, section)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::ClientPlan).await?;
    // A section posted after the idle timeout comes back here, unsaved.
    let here = format!("/clienten/{}/clientplan/{plan}/{section}", v.f.client_id);
    let kept: Option<Vec<(String, String)>> = crate::kept::take(&st, &headers, &here).await;
    let (form, errors) = match kept {
        Some(pairs) => {
            let max = PLAN_TEXT_MAX + 1000;
            let form = SectionForm {
                domain: field(&pairs, "domein").chars().take(200).collect(),
                goals: field(&pairs, "doelen").chars().take(max).collect(),
                agreements: field(&pairs, "afspraken").chars().take(max).collect(),
                revision: field(&pairs, "revision").trim().parse().unwrap_or(0),
            };
            (Some(form), vec![v.tr.t("staff-kept-restored")])
        }
        None => (None, vec![]),
    };
    let p = section_page(&st, v, &plan, &section, form, false, errors).await?;
    Ok(private(page(p)))
}

pub async fn plan_section_save(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, plan, section)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::ClientPlan, field(&pairs, "csrf"))
        .await?;
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
