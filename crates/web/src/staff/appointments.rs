//! Afspraken: plan, change, cancel.
use super::*;
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
        .into_inner()
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
        .await?
        .into_inner();
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
    headers: axum::http::HeaderMap,
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Appointments).await?;
    // A new appointment posted after the idle timeout comes back here.
    let here = format!("/clienten/{}/afspraken", v.f.client_id);
    let kept: Option<Vec<(String, String)>> = crate::kept::take(&st, &headers, &here).await;
    let (form, errors) = match kept {
        Some(pairs) => (
            appointment_form(&pairs),
            vec![v.tr.t("staff-kept-restored")],
        ),
        None => (AppointmentForm::default(), vec![]),
    };
    let notice = appointment_notice(q.melding.as_deref());
    let p = appointments_page(&st, v, form, errors, notice).await?;
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
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(
            &st,
            &client,
            DossierPart::Appointments,
            field(&pairs, "csrf"),
        )
        .await?;
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
    let a = st.services.appointment(&v.ctx, id).await?.into_inner();
    let own = st
        .services
        .list_appointments(&v.ctx, &v.header.client_id)
        .await?
        .into_inner()
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
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Appointments).await?;
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
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(
            &st,
            &client,
            DossierPart::Appointments,
            field(&pairs, "csrf"),
        )
        .await?;
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
