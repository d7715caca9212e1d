//! The functional admin's pages (`/beheer`): organisation settings,
//! locations and teams, staff members with their roles and teams. The
//! services decide (administration rule, own organisation only) and audit
//! every change; a refused form comes back with what was typed.
use crate::auth::{page, redirect, signed_in, signed_in_form, Source};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{here, human_size, invalid, parse_filter_date, private, role_key, tr_of};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use inzage_core::ids::{LocationId, StaffId, TeamId};
use inzage_core::model::{Principal, Role};
use inzage_core::policy::DenyReason;
use inzage_core::types::{display_date, Email, Label, MobileNumber};
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::{AdminOverview, NewStaff, OrgSettings, StaffUpdate};
use inzage_service::staff_admin::StaffUpdateOutcome;
use inzage_service::{Ctx, ServiceError};
use serde::Deserialize;

type Pairs = Vec<(String, String)>;

pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

fn all<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The settings form as typed.
pub struct SettingsForm {
    pub idle: String,
    pub threshold: String,
    pub pause: String,
    pub grace: String,
    pub min_age: String,
    pub eligibility: String,
    pub finalise: String,
    pub upload_mb: String,
    pub email: String,
    pub phone: String,
    pub help_url: String,
    pub staff_sms: bool,
    pub auto_invite: bool,
    /// `care` or `mental_health`.
    pub sector: String,
    pub display_name: String,
    pub request_days: String,
    pub emergency: String,
    pub retention_years: String,
}

impl SettingsForm {
    fn of(s: &OrgSettings) -> Self {
        SettingsForm {
            idle: s.idle_timeout_minutes.to_string(),
            threshold: s.lockout_threshold.to_string(),
            pause: s.lockout_pause_minutes.to_string(),
            grace: s.grace_days_after_discharge.to_string(),
            min_age: s.min_client_age.to_string(),
            eligibility: s
                .eligibility_start_date
                .map(display_date)
                .unwrap_or_default(),
            finalise: s.finalise_after_hours.to_string(),
            upload_mb: (s.upload_limit_bytes / (1024 * 1024)).max(1).to_string(),
            email: s.servicedesk_email.clone().unwrap_or_default(),
            phone: s.servicedesk_phone.clone().unwrap_or_default(),
            help_url: s.help_url.clone().unwrap_or_default(),
            staff_sms: s.staff_sms_allowed,
            auto_invite: s.auto_invite,
            sector: s.sector.code().to_owned(),
            display_name: s.display_name.clone().unwrap_or_default(),
            request_days: s.request_due_days.to_string(),
            retention_years: s.retention_years.to_string(),
            emergency: s.emergency_phone.clone().unwrap_or_default(),
        }
    }
    fn from_pairs(p: &[(String, String)]) -> Self {
        let f = |n: &str| field(p, n).chars().take(200).collect::<String>();
        SettingsForm {
            idle: f("idle"),
            threshold: f("threshold"),
            pause: f("pause"),
            grace: f("grace"),
            min_age: f("min_age"),
            eligibility: f("eligibility"),
            finalise: f("finalise"),
            upload_mb: f("upload_mb"),
            email: f("email"),
            phone: f("phone"),
            help_url: f("help_url"),
            staff_sms: field(p, "staff_sms") == "ja",
            auto_invite: field(p, "auto_invite") == "ja",
            sector: f("sector"),
            display_name: f("display_name"),
            request_days: f("request_days"),
            retention_years: f("retention_years"),
            emergency: f("emergency"),
        }
    }
    /// The settings, or the messages.
    fn parse(&self, tr: Tr) -> Result<OrgSettings, Vec<String>> {
        let mut errors = Vec::new();
        let mut num = |s: &str, key: &'static str, lo: i64, hi: i64| -> i64 {
            match s.parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => n,
                _ => {
                    errors.push(tr.a2(key, "min", lo, "max", hi));
                    lo
                }
            }
        };
        let idle = num(
            &self.idle,
            "admin-idle-error",
            1,
            inzage_service::admin::IDLE_TIMEOUT_MAX_MINUTES,
        );
        let threshold = num(&self.threshold, "admin-threshold-error", 1, 20);
        let pause = num(&self.pause, "admin-pause-error", 1, 1440);
        let grace = num(&self.grace, "admin-grace-error", 0, 3650);
        let min_age = num(&self.min_age, "admin-min-age-error", 0, 120);
        let finalise = num(&self.finalise, "admin-finalise-error", 1, 8760);
        let upload = num(&self.upload_mb, "admin-upload-error", 1, 1024);
        let request_days = num(&self.request_days, "admin-request-days-error", 1, 31);
        let retention_years = num(
            &self.retention_years,
            "admin-retention-years-error",
            20,
            115,
        );
        let eligibility = match parse_filter_date(&self.eligibility) {
            Ok(d) => d,
            Err(()) => {
                errors.push(tr.t("bad-date"));
                None
            }
        };
        let email = match self.email.as_str() {
            "" => None,
            e => match Email::parse(e) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(_) => {
                    errors.push(tr.t("staff-contact-email-error"));
                    None
                }
            },
        };
        let phone = (!self.phone.is_empty()).then(|| self.phone.clone());
        if self
            .phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
        {
            errors.push(tr.t("admin-phone-error"));
        }
        let emergency = match self.emergency.trim() {
            "" => None,
            p if p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
                && p.chars().filter(char::is_ascii_digit).count() >= 3 =>
            {
                Some(p.to_owned())
            }
            _ => {
                errors.push(tr.t("admin-emergency-error"));
                None
            }
        };
        let help_url = (!self.help_url.is_empty()).then(|| self.help_url.clone());
        if help_url
            .as_deref()
            .is_some_and(|u| !inzage_core::types::is_help_link(u))
        {
            errors.push(tr.t("admin-help-url-error"));
        }
        let sector = crate::i18n::Sector::parse(&self.sector);
        if sector.is_none() {
            errors.push(tr.t("admin-sector-error"));
        }
        let display_name = match self.display_name.trim() {
            "" => None,
            n if n.chars().count() <= 100 && !n.chars().any(char::is_control) => Some(n.to_owned()),
            _ => {
                errors.push(tr.t("admin-display-name-error"));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OrgSettings {
            sector: sector.unwrap_or_default(),
            display_name,
            idle_timeout_minutes: idle,
            lockout_threshold: threshold,
            lockout_pause_minutes: pause,
            grace_days_after_discharge: grace,
            min_client_age: min_age,
            eligibility_start_date: eligibility,
            finalise_after_hours: finalise,
            upload_limit_bytes: upload * 1024 * 1024,
            servicedesk_email: email,
            servicedesk_phone: phone,
            help_url,
            staff_sms_allowed: self.staff_sms,
            auto_invite: self.auto_invite,
            request_due_days: request_days,
            retention_years,
            emergency_phone: emergency,
        })
    }
}

pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

pub struct LocationRow {
    pub id: String,
    pub name: String,
    pub teams: Vec<String>,
}

pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_keys: Vec<&'static str>,
    pub teams: Vec<String>,
    pub active: bool,
}

pub struct RoleChoice {
    pub code: &'static str,
    pub key: &'static str,
    pub checked: bool,
}

/// A change of a staff member that waits for a second functional admin.
pub struct PendingRow {
    pub id: String,
    pub staff_name: String,
    pub staff_email: String,
    pub role_keys: Vec<&'static str>,
    pub teams: Vec<String>,
    pub active: bool,
    pub requested_by: String,
    pub requested_at: String,
    /// The viewer may approve it: not the one who asked, not the one it is about.
    pub can_decide: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    t: Tr,
    csrf: String,
    pending: Vec<PendingRow>,
    org_name: String,
    org_id: String,
    has_logo: bool,
    apps: Vec<inzage_service::admin::OrgApp>,
    upload_now: String,
    settings: SettingsForm,
    locations: Vec<LocationRow>,
    teams: Vec<TeamRow>,
    staff: Vec<StaffRow>,
    roles: Vec<RoleChoice>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn role_choices(checked: &[Role]) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .map(|r| RoleChoice {
            code: r.code(),
            key: role_key(r.code()),
            checked: checked.contains(r),
        })
        .collect()
}

fn admin_page(
    tr: Tr,
    csrf: String,
    o: AdminOverview,
    settings: Option<SettingsForm>,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> AdminPage {
    let team_name = |id: &TeamId| {
        o.teams
            .iter()
            .find(|t| &t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    AdminPage {
        t: tr,
        csrf,
        pending: o
            .pending
            .iter()
            .map(|p| PendingRow {
                id: p.id.clone(),
                staff_name: p.staff_name.clone(),
                staff_email: p.staff_email.clone(),
                role_keys: p.roles.iter().map(|r| role_key(r.code())).collect(),
                teams: p.team_ids.iter().map(team_name).collect(),
                active: p.active,
                requested_by: p.requested_by_name.clone(),
                requested_at: inzage_core::types::display_datetime(p.requested_at),
                can_decide: p.can_decide,
            })
            .collect(),
        org_name: o.organisation.name.clone(),
        org_id: o.organisation.id.to_string(),
        has_logo: o.organisation.has_logo,
        apps: o.apps.clone(),
        upload_now: human_size(o.organisation.settings.upload_limit_bytes),
        settings: settings.unwrap_or_else(|| SettingsForm::of(&o.organisation.settings)),
        locations: o
            .locations
            .iter()
            .map(|l| LocationRow {
                id: l.id.to_string(),
                name: l.name.clone(),
                teams: o
                    .teams
                    .iter()
                    .filter(|t| t.location_id == l.id)
                    .map(|t| t.name.clone())
                    .collect(),
            })
            .collect(),
        teams: o
            .teams
            .iter()
            .map(|t| TeamRow {
                id: t.id.to_string(),
                name: t.name.clone(),
                checked: false,
            })
            .collect(),
        staff: o
            .staff
            .iter()
            .map(|m| StaffRow {
                id: m.id.to_string(),
                name: inzage_service::admin::full_name(
                    &m.given_name,
                    m.name_prefix.as_deref(),
                    &m.family_name,
                ),
                email: m.email.clone(),
                role_keys: m.roles.iter().map(|r| role_key(r.code())).collect(),
                teams: m.team_ids.iter().map(team_name).collect(),
                active: m.active,
            })
            .collect(),
        roles: role_choices(&[]),
        errors,
        notice,
    }
}

/// The acting staff member of an admin page.
/// The notice after a staff change: saved, or waiting for a second admin.
fn outcome_notice(outcome: StaffUpdateOutcome) -> &'static str {
    match outcome {
        StaffUpdateOutcome::Applied => "opgeslagen",
        StaffUpdateOutcome::AwaitingApproval => "goedkeuring",
    }
}

pub(crate) fn admin_ctx(
    info: &inzage_service::accounts::SessionInfo,
    src: Option<String>,
) -> Result<(Ctx, StaffId), WebError> {
    match &info.principal {
        Some(p @ Principal::Staff { staff_id }) => {
            let mut ctx = Ctx::new(p.clone()).with_facts(&info.facts);
            ctx.source_addr = src;
            Ok((ctx, staff_id.clone()))
        }
        _ => Err(WebError::NotFound),
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    pub(crate) melding: Option<String>,
}

fn notice_key(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("staff-notice-saved"),
        "uitgenodigd" => Some("admin-notice-invited"),
        "goedkeuring" => Some("admin-notice-awaiting"),
        "goedgekeurd" => Some("admin-notice-approved"),
        "afgewezen" => Some("admin-notice-rejected"),
        "logo" => Some("admin-notice-logo"),
        _ => None,
    }
}

pub async fn admin(
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
    let o = st.services.admin_overview(&ctx).await?.into_inner();
    Ok(private(page(admin_page(
        tr_of(&info),
        info.csrf_token.clone(),
        o,
        None,
        vec![],
        notice_key(q.melding.as_deref()),
    ))))
}

/// Every admin form posts here: `actie` = instellingen | locatie | team |
/// medewerker.
pub async fn admin_post(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in_form(&st, &headers, &here(&uri), field(&pairs, "csrf")).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let tr = tr_of(&info);
    let o = st.services.admin_overview(&ctx).await?.into_inner();
    let org = o.organisation.id.clone();
    let refuse = |o: AdminOverview, settings: Option<SettingsForm>, errors: Vec<String>| {
        invalid(page(admin_page(
            tr,
            info.csrf_token.clone(),
            o,
            settings,
            errors,
            None,
        )))
    };
    let label = |name: &str, key: &'static str| {
        Label::parse("name", field(&pairs, name)).map_err(|_| vec![tr.t(key)])
    };
    let result: Result<Result<&str, Vec<String>>, ServiceError> = match field(&pairs, "actie") {
        "instellingen" => {
            let form = SettingsForm::from_pairs(&pairs);
            match form.parse(tr) {
                Ok(s) => st
                    .services
                    .update_organisation_settings(&ctx, &org, s)
                    .await
                    .map(|()| Ok("opgeslagen")),
                Err(e) => return Ok(refuse(o, Some(form), e)),
            }
        }
        "locatie" => match label("naam", "admin-location-error") {
            Ok(name) => st
                .services
                .create_location(&ctx, &org, name)
                .await
                .map(|_| Ok("opgeslagen")),
            Err(e) => Ok(Err(e)),
        },
        "team" => match (
            label("naam", "admin-team-error"),
            LocationId::parse(field(&pairs, "locatie")),
        ) {
            (Ok(name), Some(loc)) if o.locations.iter().any(|l| l.id == loc) => st
                .services
                .create_team(&ctx, &loc, name)
                .await
                .map(|_| Ok("opgeslagen")),
            _ => Ok(Err(vec![tr.t("admin-team-error")])),
        },
        "app" => match (
            label("naam", "admin-app-error"),
            label("uitleg", "admin-app-error"),
        ) {
            (Ok(name), Ok(description)) => st
                .services
                .add_org_app(&ctx, &org, name, field(&pairs, "adres"), description)
                .await
                .map(|()| Ok("opgeslagen")),
            _ => Ok(Err(vec![tr.t("admin-app-error")])),
        },
        "app-verwijderen" => st
            .services
            .remove_org_app(&ctx, &org, field(&pairs, "app"))
            .await
            .map(|()| Ok("opgeslagen")),
        "medewerker" => match parse_new_staff(tr, &pairs) {
            Ok(new) => st
                .services
                .add_staff_member(&ctx, &org, new)
                .await
                .map(|(_, outcome)| Ok(outcome_notice(outcome))),
            Err(e) => Ok(Err(e)),
        },
        _ => return Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    };
    match result {
        Ok(Ok(notice)) => Ok(redirect(&format!("/beheer?melding={notice}"), vec![])),
        Ok(Err(errors)) => Ok(refuse(o, None, errors)),
        Err(ServiceError::Conflict(_)) => Ok(refuse(o, None, vec![tr.t("admin-exists-error")])),
        Err(ServiceError::Invalid(_)) => Ok(refuse(o, None, vec![tr.t("admin-invalid-error")])),
        Err(e) => Err(e.into()),
    }
}

fn roles_and_teams(pairs: &[(String, String)]) -> (Vec<Role>, Vec<TeamId>) {
    (
        all(pairs, "rol").filter_map(Role::from_code).collect(),
        all(pairs, "team").filter_map(TeamId::parse).collect(),
    )
}

fn parse_new_staff(tr: Tr, pairs: &[(String, String)]) -> Result<NewStaff, Vec<String>> {
    let mut errors = Vec::new();
    let given = Label::parse("given", field(pairs, "voornaam"))
        .map_err(|_| errors.push(tr.t("staff-contact-given-error")))
        .ok();
    let family = Label::parse("family", field(pairs, "achternaam"))
        .map_err(|_| errors.push(tr.t("staff-contact-family-error")))
        .ok();
    let prefix = Label::parse_opt("prefix", Some(field(pairs, "tussenvoegsel")))
        .map_err(|_| errors.push(tr.t("staff-contact-prefix-error")))
        .ok()
        .flatten();
    let email = Email::parse(field(pairs, "email"))
        .map_err(|_| errors.push(tr.t("staff-contact-email-error")))
        .ok();
    let mobile = match field(pairs, "mobiel") {
        "" => None,
        m => MobileNumber::parse(m)
            .map_err(|_| errors.push(tr.t("staff-contact-mobile-error")))
            .ok(),
    };
    let (roles, team_ids) = roles_and_teams(pairs);
    if roles.is_empty() {
        errors.push(tr.t("admin-roles-error"));
    }
    match (given, family, email) {
        (Some(given_name), Some(family_name), Some(email)) if errors.is_empty() => Ok(NewStaff {
            given_name,
            name_prefix: prefix,
            family_name,
            email,
            mobile,
            roles,
            team_ids,
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    t: Tr,
    csrf: String,
    id: String,
    name: String,
    email: String,
    active: bool,
    roles: Vec<RoleChoice>,
    teams: Vec<TeamRow>,
    /// The viewer's own record: roles and teams are read-only.
    is_self: bool,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn staff_page(
    tr: Tr,
    csrf: String,
    me: &StaffId,
    o: &AdminOverview,
    id: &StaffId,
    errors: Vec<String>,
) -> Result<StaffPage, WebError> {
    let m = o
        .staff
        .iter()
        .find(|m| &m.id == id)
        .ok_or(WebError::NotFound)?;
    Ok(StaffPage {
        t: tr,
        csrf,
        id: m.id.to_string(),
        name: inzage_service::admin::full_name(
            &m.given_name,
            m.name_prefix.as_deref(),
            &m.family_name,
        ),
        email: m.email.clone(),
        active: m.active,
        roles: role_choices(&m.roles),
        teams: o
            .teams
            .iter()
            .map(|t| TeamRow {
                id: t.id.to_string(),
                name: t.name.clone(),
                checked: m.team_ids.contains(&t.id),
            })
            .collect(),
        is_self: m.id == *me,
        errors,
        notice: None,
    })
}

pub async fn staff_edit(
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
    let (ctx, me) = admin_ctx(&info, src)?;
    let id = StaffId::parse(&id).ok_or(WebError::NotFound)?;
    let o = st.services.admin_overview(&ctx).await?.into_inner();
    let p = staff_page(tr_of(&info), info.csrf_token.clone(), &me, &o, &id, vec![])?;
    Ok(private(page(p)))
}

/// Saves roles, teams and active (`actie=opslaan`) or invites (`actie=uitnodigen`).
pub async fn staff_save(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in_form(&st, &headers, &here(&uri), field(&pairs, "csrf")).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, me) = admin_ctx(&info, src)?;
    let tr = tr_of(&info);
    let id = StaffId::parse(&id).ok_or(WebError::NotFound)?;
    let o = st.services.admin_overview(&ctx).await?.into_inner();
    if !o.staff.iter().any(|m| m.id == id) {
        return Err(WebError::NotFound);
    }
    let refused = |key: &'static str| -> Result<Response, WebError> {
        let p = staff_page(tr, info.csrf_token.clone(), &me, &o, &id, vec![tr.t(key)])?;
        Ok(invalid(page(p)))
    };
    let result = match field(&pairs, "actie") {
        "opslaan" => {
            let (roles, team_ids) = roles_and_teams(&pairs);
            if roles.is_empty() {
                return refused("admin-roles-error");
            }
            st.services
                .update_staff(
                    &ctx,
                    &id,
                    StaffUpdate {
                        roles,
                        team_ids,
                        active: field(&pairs, "actief") == "ja",
                    },
                )
                .await
                .map(outcome_notice)
        }
        "uitnodigen" => st
            .services
            .invite(&ctx, InviteTarget::Staff(id.clone()))
            .await
            .map(|_| "uitgenodigd"),
        _ => return Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    };
    match result {
        Ok(m) => Ok(redirect(&format!("/beheer?melding={m}"), vec![])),
        Err(ServiceError::Denied(DenyReason::OwnRolesOrTeams)) => refused("admin-own-roles"),
        Err(ServiceError::Conflict(_)) | Err(ServiceError::Invalid(_)) => {
            refused("admin-staff-refused")
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    /// `goedkeuren` or `afwijzen`.
    #[serde(default)]
    actie: String,
}

/// A second functional admin approves or rejects a recorded change.
pub async fn staff_request_decide(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in_form(&st, &headers, &here(&uri), &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let (ctx, _) = admin_ctx(&info, src)?;
    let tr = tr_of(&info);
    let approve = match f.actie.as_str() {
        "goedkeuren" => true,
        "afwijzen" => false,
        _ => return Err(WebError::BadInput(tr.t("staff-bad-choice"))),
    };
    let id: String = id.chars().take(64).collect();
    match st.services.decide_staff_request(&ctx, &id, approve).await {
        Ok(()) => Ok(redirect(
            if approve {
                "/beheer?melding=goedgekeurd"
            } else {
                "/beheer?melding=afgewezen"
            },
            vec![],
        )),
        Err(ServiceError::Stale) => Ok(redirect("/beheer", vec![])),
        Err(e) => Err(e.into()),
    }
}

/// The most a logo upload may send (the logo itself: 512 KiB).
pub const LOGO_BODY_MAX: usize = 640 * 1024;

/// `POST /beheer/logo`: the organisation's logo (multipart: the CSRF token
/// first, then the file). Checked by content (PNG or JPEG) in the service.
pub async fn logo_upload(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    mut form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let (_, info) = match signed_in(&st, &headers, &here(&uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let bad = || WebError::BadInput(tr_of(&info).t("admin-logo-error"));
    // The token comes first; nothing else is read before it matches.
    let first = form.next_field().await.map_err(|_| WebError::CsrfFailed)?;
    let csrf = match first {
        Some(f) if f.name() == Some("csrf") => f.text().await.map_err(|_| WebError::CsrfFailed)?,
        _ => return Err(WebError::CsrfFailed),
    };
    if !crate::auth::constant_eq(&info.csrf_token, &csrf) {
        return Err(WebError::CsrfFailed);
    }
    let (ctx, _) = admin_ctx(&info, src)?;
    let Some(org) = st.services.my_organisation(&ctx).await? else {
        return Err(WebError::Forbidden);
    };
    let mut bytes = None;
    while let Some(f) = form.next_field().await.map_err(|_| bad())? {
        if f.name() == Some("bestand") {
            bytes = Some(f.bytes().await.map_err(|_| bad())?.to_vec());
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(bad)?;
    match st
        .services
        .set_organisation_logo(&ctx, &org.id, bytes)
        .await
    {
        Ok(()) => Ok(crate::auth::redirect("/beheer?melding=logo", vec![])),
        Err(ServiceError::Invalid(_)) => Err(bad()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /organisatie/{id}/logo`: an organisation's logo (public: it shows
/// on the sign-in page). 404 when there is none.
pub async fn logo(
    State(st): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let id = inzage_core::ids::OrganisationId::parse(&id).ok_or(WebError::NotFound)?;
    match st.services.organisation_logo(id.as_str()).await? {
        Some((ct, bytes)) => Ok(axum::response::IntoResponse::into_response((
            [
                (axum::http::header::CONTENT_TYPE, ct),
                (
                    axum::http::header::CACHE_CONTROL,
                    "public, max-age=300".to_owned(),
                ),
            ],
            bytes,
        ))),
        None => Err(WebError::NotFound),
    }
}
