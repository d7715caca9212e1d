//! Organisation set-up: settings, locations, teams, staff, clients and
//! episodes. Organisation-level changes need the administration rule
//! (functional admin, or the operator CLI); every change is audited.
use crate::access::Attempt;
use crate::audit::Event;
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{b, d, i, od, os, s};
use crate::{new_id, Ctx, Services};
use chrono::NaiveDate;
use inzage_core::ids::*;
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal, Role};
use inzage_core::policy::{decide_administration, Access, Decision, DenyReason};
use inzage_core::types::{date_str, ts, BirthDate, ClientNumber, Email, Label, MobileNumber};
use serde::Serialize;

/// The longest idle timeout an organisation may set (NEN 7510: an
/// unattended session ends soon; the seeds use 15 minutes).
pub const IDLE_TIMEOUT_MAX_MINUTES: i64 = 30;

/// Organisation settings (all have the seeds' defaults).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrgSettings {
    pub idle_timeout_minutes: i64,
    pub lockout_threshold: i64,
    pub lockout_pause_minutes: i64,
    pub grace_days_after_discharge: i64,
    pub min_client_age: i64,
    pub eligibility_start_date: Option<NaiveDate>,
    pub finalise_after_hours: i64,
    pub upload_limit_bytes: i64,
    pub servicedesk_email: Option<String>,
    pub servicedesk_phone: Option<String>,
    pub help_url: Option<String>,
    /// Staff may use an SMS code as second step (else: authenticator app only).
    pub staff_sms_allowed: bool,
    /// Invite eligible clients automatically (once) when both their e-mail
    /// address and mobile number are known.
    pub auto_invite: bool,
    /// Disability care or mental health: the words of every page and
    /// message (begeleider/cliëntplan or behandelaar/behandelplan).
    #[serde(skip)]
    pub sector: inzage_i18n::Sector,
    /// The name shown on the login page, in the header and in e-mails
    /// (none: the registered name).
    pub display_name: Option<String>,
    /// Days staff have to answer a client's request (correction,
    /// addition): its due date (issue 15; WGBO/AVG: within a month).
    pub request_due_days: i64,
    /// The organisation's number for urgent matters outside office hours
    /// ("Vraag aan je team" is not for emergencies; issue 15).
    pub emergency_phone: Option<String>,
    /// Years a dossier is kept after the last care (WGBO: at least 20).
    pub retention_years: i64,
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 15,
            lockout_threshold: 3,
            lockout_pause_minutes: 10,
            grace_days_after_discharge: 30,
            min_client_age: 0,
            eligibility_start_date: None,
            finalise_after_hours: 24,
            upload_limit_bytes: 10 * 1024 * 1024,
            servicedesk_email: None,
            servicedesk_phone: None,
            help_url: None,
            staff_sms_allowed: false,
            auto_invite: false,
            sector: inzage_i18n::Sector::Care,
            display_name: None,
            request_due_days: 28,
            retention_years: 20,
            emergency_phone: None,
        }
    }
}

impl OrgSettings {
    /// Range checks, naming the setting.
    pub fn check(&self) -> Result<()> {
        let bad = |f: &'static str, m: &str| {
            Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                f, m,
            )))
        };
        if !(1..=IDLE_TIMEOUT_MAX_MINUTES).contains(&self.idle_timeout_minutes) {
            return bad("idle_timeout_minutes", "must be 1-30");
        }
        if !(1..=20).contains(&self.lockout_threshold) {
            return bad("lockout_threshold", "must be 1-20");
        }
        if !(1..=1440).contains(&self.lockout_pause_minutes) {
            return bad("lockout_pause_minutes", "must be 1-1440");
        }
        if !(0..=3650).contains(&self.grace_days_after_discharge) {
            return bad("grace_days_after_discharge", "must be 0-3650");
        }
        if !(0..=120).contains(&self.min_client_age) {
            return bad("min_client_age", "must be 0-120");
        }
        if !(1..=8760).contains(&self.finalise_after_hours) {
            return bad("finalise_after_hours", "must be 1-8760");
        }
        if self.emergency_phone.as_deref().is_some_and(|p| {
            p.chars().filter(char::is_ascii_digit).count() < 3
                || p.trim().is_empty()
                || p.chars().count() > 30
                || p.chars()
                    .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
        }) {
            return bad("emergency_phone", "digits, spaces and + - ( ) only");
        }
        // AVG art. 12(3): within a month.
        if !(1..=31).contains(&self.request_due_days) {
            return bad("request_due_days", "must be 1-31");
        }
        // WGBO art. 7:454: at least twenty years.
        if !(20..=115).contains(&self.retention_years) {
            return bad("retention_years", "must be 20-115");
        }
        if !(1024..=1024 * 1024 * 1024).contains(&self.upload_limit_bytes) {
            return bad("upload_limit_bytes", "must be 1 KiB - 1 GiB");
        }
        // Shown as a link on the help page: a web address or a path of
        // this site, nothing else (no `javascript:`, no `//other.site`).
        if self.display_name.as_deref().is_some_and(|n| {
            n.trim().is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control)
        }) {
            return bad("display_name", "must be 1-100 characters");
        }
        if self
            .help_url
            .as_deref()
            .is_some_and(|u| !inzage_core::types::is_help_link(u))
        {
            return bad(
                "help_url",
                "must be an https:// address or a path of this site",
            );
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub settings: OrgSettings,
    /// A logo is set.
    pub has_logo: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Location {
    pub id: LocationId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub location_id: LocationId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct StaffMember {
    pub id: StaffId,
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub email: String,
    pub mobile: Option<String>,
    pub active: bool,
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
}

#[derive(Clone, Debug)]
pub struct NewStaff {
    pub given_name: Label,
    pub name_prefix: Option<Label>,
    pub family_name: Label,
    pub email: Email,
    pub mobile: Option<MobileNumber>,
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
}

#[derive(Clone, Debug)]
pub struct NewClient {
    pub client_number: ClientNumber,
    pub given_name: Label,
    pub name_prefix: Option<Label>,
    pub family_name: Label,
    pub birth_date: BirthDate,
    pub street: Option<Label>,
    pub house_number: Option<Label>,
    pub postal_code: Option<Label>,
    pub city: Option<Label>,
    pub email: Option<Email>,
    pub mobile: Option<MobileNumber>,
    pub team_id: Option<TeamId>,
    pub primary_caregiver_id: Option<StaffId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClientSummary {
    pub id: ClientId,
    pub client_number: String,
    pub display_name: String,
    pub birth_date: NaiveDate,
    pub team_id: Option<TeamId>,
}

/// "Achternaam, Voornaam" with the prefix after the given name, as Dutch
/// lists sort and show names ("Vries, Anna de").
pub fn sort_name(given: &str, prefix: Option<&str>, family: &str) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{family}, {given} {p}"),
        _ => format!("{family}, {given}"),
    }
}

/// "Voornaam tussenvoegsel Achternaam".
pub fn full_name(given: &str, prefix: Option<&str>, family: &str) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{given} {p} {family}"),
        _ => format!("{given} {family}"),
    }
}

/// Every team must belong to `org`.
pub(crate) async fn check_teams(tx: &mut Tx, org: &str, teams: &[TeamId]) -> Result<()> {
    for t in teams {
        let ok =
            crate::sql::query("SELECT 1 AS x FROM team WHERE id = $1 AND organisation_id = $2")
                .bind(t.as_str())
                .bind(org)
                .fetch_optional(&mut **tx)
                .await?
                .is_some();
        if !ok {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "team_ids",
                "a team of another organisation, or none",
            )));
        }
    }
    Ok(())
}

/// A staff member's roles, teams and whether they may sign in.
#[derive(Clone, Debug)]
pub struct StaffUpdate {
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
    pub active: bool,
}

pub(crate) fn opt(l: &Option<Label>) -> Option<&str> {
    l.as_ref().map(Label::as_str)
}

impl Services {
    /// Runs `f` after the administration rule allowed `ctx`; audits it.
    /// `org` is the organisation the change is in: a functional admin may
    /// only change their own (`None`, a new organisation, is for operators).
    pub(crate) async fn administer<T, F>(
        &self,
        ctx: &Ctx,
        org: Option<&str>,
        kind: &str,
        action: AuditAction,
        f: F,
    ) -> Result<crate::Audited<T>>
    where
        F: for<'t> FnOnce(&'t mut Tx, String) -> crate::BoxFut<'t, Result<(T, Option<String>)>>,
    {
        let mut tx = self.db().begin().await?;
        let actor = crate::access::actor_facts(&mut tx, &ctx.principal).await?;
        let now = self.now();
        let org = org.map(|o| OrganisationId::from_raw(o.to_owned()));
        match decide_administration(&actor, org.as_ref()) {
            Decision::Deny(reason) => {
                crate::audit::deny_and_commit(tx, ctx, now, None, kind, action, reason).await
            }
            Decision::Allow(scope) => {
                let (out, data_id) = f(&mut tx, ts(now)).await?;
                crate::audited::committed(
                    tx,
                    ctx,
                    now,
                    Event {
                        role: &scope.as_role,
                        client_id: None,
                        data_kind: kind,
                        data_id: data_id.as_deref(),
                        action,
                        outcome: AuditOutcome::Allowed,
                        reason: None,
                    },
                    out,
                )
                .await
            }
        }
    }

    /// The administration rule for a read of `org`'s administration
    /// (audited as a list of `kind`).
    pub(crate) async fn administer_read(
        &self,
        ctx: &Ctx,
        org: &str,
        kind: &str,
    ) -> Result<crate::Audited<()>> {
        self.administer(ctx, Some(org), kind, AuditAction::List, |_tx, _now| {
            Box::pin(async move { Ok(((), None)) })
        })
        .await
    }

    pub async fn create_organisation(
        &self,
        ctx: &Ctx,
        name: Label,
        settings: OrgSettings,
    ) -> Result<OrganisationId> {
        settings.check()?;
        self.administer(ctx, None, "organisation", AuditAction::Create, move |tx, now| {
            Box::pin(async move {
                let id = new_id();
                crate::sql::query(
                    "INSERT INTO organisation (id, name, idle_timeout_minutes, lockout_threshold, \
                     lockout_pause_minutes, grace_days_after_discharge, min_client_age, \
                     eligibility_start_date, finalise_after_hours, upload_limit_bytes, servicedesk_email, \
                     servicedesk_phone, help_url, created_at, staff_sms_allowed, auto_invite, sector, display_name, \
                     request_due_days, emergency_phone, retention_years) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
                )
                .bind(&id)
                .bind(name.as_str())
                .bind(settings.idle_timeout_minutes)
                .bind(settings.lockout_threshold)
                .bind(settings.lockout_pause_minutes)
                .bind(settings.grace_days_after_discharge)
                .bind(settings.min_client_age)
                .bind(settings.eligibility_start_date.map(date_str))
                .bind(settings.finalise_after_hours)
                .bind(settings.upload_limit_bytes)
                .bind(&settings.servicedesk_email)
                .bind(&settings.servicedesk_phone)
                .bind(&settings.help_url)
                .bind(&now)
                .bind(i64::from(settings.staff_sms_allowed))
                .bind(i64::from(settings.auto_invite))
                .bind(settings.sector.code())
                .bind(&settings.display_name)
                .bind(settings.request_due_days)
                .bind(&settings.emergency_phone)
                .bind(settings.retention_years)
                .execute(&mut **tx)
                .await?;
                Ok((OrganisationId::from_raw(id.clone()), Some(id)))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    pub async fn update_organisation_settings(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        settings: OrgSettings,
    ) -> Result<()> {
        settings.check()?;
        let org = org.clone();
        let target = org.to_string();
        self.administer(ctx, Some(&target), "organisation_settings", AuditAction::Update, move |tx, _now| {
            Box::pin(async move {
                let r = crate::sql::query(
                    "UPDATE organisation SET idle_timeout_minutes = $2, lockout_threshold = $3, \
                     lockout_pause_minutes = $4, grace_days_after_discharge = $5, min_client_age = $6, \
                     eligibility_start_date = $7, finalise_after_hours = $8, upload_limit_bytes = $9, \
                     servicedesk_email = $10, servicedesk_phone = $11, help_url = $12, staff_sms_allowed = $13, \
                     auto_invite = $14, sector = $15, display_name = $16, request_due_days = $17, \
                     emergency_phone = $18, retention_years = $19 WHERE id = $1",
                )
                .bind(org.as_str())
                .bind(settings.idle_timeout_minutes)
                .bind(settings.lockout_threshold)
                .bind(settings.lockout_pause_minutes)
                .bind(settings.grace_days_after_discharge)
                .bind(settings.min_client_age)
                .bind(settings.eligibility_start_date.map(date_str))
                .bind(settings.finalise_after_hours)
                .bind(settings.upload_limit_bytes)
                .bind(&settings.servicedesk_email)
                .bind(&settings.servicedesk_phone)
                .bind(&settings.help_url)
                .bind(i64::from(settings.staff_sms_allowed))
                .bind(i64::from(settings.auto_invite))
                .bind(settings.sector.code())
                .bind(&settings.display_name)
                .bind(settings.request_due_days)
                .bind(&settings.emergency_phone)
                .bind(settings.retention_years)
                .execute(&mut **tx)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(ServiceError::NotFound);
                }
                Ok(((), Some(org.to_string())))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    /// Organisations with settings. Settings are not client data; listing
    /// them is not audited.
    pub async fn list_organisations(&self) -> Result<Vec<Organisation>> {
        let rows = crate::sql::query(
            "SELECT id, name, idle_timeout_minutes, lockout_threshold, lockout_pause_minutes, \
             grace_days_after_discharge, min_client_age, eligibility_start_date, finalise_after_hours, \
             upload_limit_bytes, servicedesk_email, servicedesk_phone, help_url, staff_sms_allowed, \
             auto_invite, sector, display_name, logo_sha256, request_due_days, \
             emergency_phone, retention_years FROM organisation ORDER BY name",
        )
            .fetch_all(self.db())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: OrganisationId::from_raw(s(r, "id")?),
                    name: s(r, "name")?,
                    has_logo: os(r, "logo_sha256")?.is_some(),
                    settings: OrgSettings {
                        idle_timeout_minutes: i(r, "idle_timeout_minutes")?,
                        lockout_threshold: i(r, "lockout_threshold")?,
                        lockout_pause_minutes: i(r, "lockout_pause_minutes")?,
                        grace_days_after_discharge: i(r, "grace_days_after_discharge")?,
                        min_client_age: i(r, "min_client_age")?,
                        eligibility_start_date: od(r, "eligibility_start_date")?,
                        finalise_after_hours: i(r, "finalise_after_hours")?,
                        upload_limit_bytes: i(r, "upload_limit_bytes")?,
                        servicedesk_email: os(r, "servicedesk_email")?,
                        servicedesk_phone: os(r, "servicedesk_phone")?,
                        help_url: os(r, "help_url")?,
                        staff_sms_allowed: b(r, "staff_sms_allowed")?,
                        auto_invite: b(r, "auto_invite")?,
                        sector: inzage_i18n::Sector::parse(&s(r, "sector")?).unwrap_or_default(),
                        display_name: os(r, "display_name")?,
                        request_due_days: i(r, "request_due_days")?,
                        emergency_phone: os(r, "emergency_phone")?,
                        retention_years: i(r, "retention_years")?,
                    },
                })
            })
            .collect()
    }

    pub async fn find_organisation_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        Ok(self
            .list_organisations()
            .await?
            .into_iter()
            .find(|o| o.name == name))
    }

    pub async fn create_location(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        name: Label,
    ) -> Result<LocationId> {
        let org = org.clone();
        let target = org.to_string();
        self.administer(ctx, Some(&target), "location", AuditAction::Create, move |tx, now| {
            Box::pin(async move {
                let id = new_id();
                crate::sql::query("INSERT INTO location (id, organisation_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&id)
                    .bind(org.as_str())
                    .bind(name.as_str())
                    .bind(&now)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| fk_or(e, "organisation does not exist", "a location with this name exists"))?;
                Ok((LocationId::from_raw(id.clone()), Some(id)))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    pub async fn create_team(
        &self,
        ctx: &Ctx,
        location: &LocationId,
        name: Label,
    ) -> Result<TeamId> {
        let location = location.clone();
        let target = crate::sql::query("SELECT organisation_id FROM location WHERE id = $1")
            .bind(location.as_str())
            .fetch_optional(self.db())
            .await?
            .map(|r| s(&r, "organisation_id"))
            .transpose()?;
        self.administer(ctx, target.as_deref(), "team", AuditAction::Create, move |tx, now| {
            Box::pin(async move {
                let org = crate::sql::query("SELECT organisation_id FROM location WHERE id = $1")
                    .bind(location.as_str())
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| ServiceError::Conflict("location does not exist".into()))?;
                let org = s(&org, "organisation_id")?;
                let id = new_id();
                crate::sql::query(
                    "INSERT INTO team (id, organisation_id, location_id, name, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(&org)
                .bind(location.as_str())
                .bind(name.as_str())
                .bind(&now)
                .execute(&mut **tx)
                .await
                .map_err(|e| fk_or(e, "location does not exist", "a team with this name exists"))?;
                Ok((TeamId::from_raw(id.clone()), Some(id)))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    pub async fn list_locations(&self, org: &OrganisationId) -> Result<Vec<Location>> {
        let rows = crate::sql::query(
            "SELECT id, name FROM location WHERE organisation_id = $1 ORDER BY name",
        )
        .bind(org.as_str())
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Location {
                    id: LocationId::from_raw(s(r, "id")?),
                    name: s(r, "name")?,
                })
            })
            .collect()
    }

    pub async fn list_teams(&self, org: &OrganisationId) -> Result<Vec<Team>> {
        let rows = crate::sql::query(
            "SELECT id, location_id, name FROM team WHERE organisation_id = $1 ORDER BY name",
        )
        .bind(org.as_str())
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: TeamId::from_raw(s(r, "id")?),
                    location_id: LocationId::from_raw(s(r, "location_id")?),
                    name: s(r, "name")?,
                })
            })
            .collect()
    }

    /// The organisation of the acting staff member (for the admin pages).
    pub async fn my_organisation(&self, ctx: &Ctx) -> Result<Option<Organisation>> {
        let Principal::Staff { staff_id } = &ctx.principal else {
            return Ok(None);
        };
        let r = crate::sql::query("SELECT organisation_id FROM staff_member WHERE id = $1")
            .bind(staff_id.as_str())
            .fetch_optional(self.db())
            .await?;
        let Some(r) = r else { return Ok(None) };
        let org = s(&r, "organisation_id")?;
        Ok(self
            .list_organisations()
            .await?
            .into_iter()
            .find(|o| o.id.as_str() == org))
    }

    /// Clients of an organisation, for operators (`inzage admin client list`).
    /// Name and number are dossier data, so the listing is audited.
    pub async fn list_clients(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
    ) -> Result<crate::Audited<Vec<ClientSummary>>> {
        let mut tx = self.db().begin().await?;
        let now = self.now();
        let scope = match inzage_core::policy::decide_operator(
            &ctx.principal,
            inzage_core::policy::OperatorAction::ListAllClients,
        ) {
            Decision::Allow(scope) => scope,
            Decision::Deny(reason) => {
                return crate::audit::deny_and_commit(
                    tx,
                    ctx,
                    now,
                    None,
                    "client_list",
                    AuditAction::List,
                    reason,
                )
                .await;
            }
        };
        let rows = crate::sql::query(
            "SELECT id, client_number, given_name, name_prefix, family_name, birth_date, team_id FROM client \
             WHERE organisation_id = $1 ORDER BY family_name, given_name",
        )
        .bind(org.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(ClientSummary {
                    id: ClientId::from_raw(s(r, "id")?),
                    client_number: s(r, "client_number")?,
                    display_name: sort_name(
                        &s(r, "given_name")?,
                        os(r, "name_prefix")?.as_deref(),
                        &s(r, "family_name")?,
                    ),
                    birth_date: d(r, "birth_date")?,
                    team_id: os(r, "team_id")?.map(TeamId::from_raw),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        crate::audited::committed(
            tx,
            ctx,
            now,
            Event {
                role: &scope.as_role,
                client_id: None,
                data_kind: "client_list",
                data_id: None,
                action: AuditAction::List,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
            out,
        )
        .await
    }

    /// Ends the client's current episode (discharge) on `end`.
    pub async fn end_episode(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        end: NaiveDate,
    ) -> Result<EpisodeId> {
        let a = Attempt {
            part: DossierPart::Episodes,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: DossierPart::Episodes.code(),
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let ep = crate::sql::query(
            "SELECT id, start_date FROM episode WHERE client_id = $1 AND end_date IS NULL \
             ORDER BY start_date DESC LIMIT 1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServiceError::Conflict("the client has no open episode".into()))?;
        let ep_id = s(&ep, "id")?;
        if end < d(&ep, "start_date")? {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "end_date",
                "discharge date is before the start of the episode",
            )));
        }
        crate::sql::query("UPDATE episode SET end_date = $1 WHERE id = $2")
            .bind(date_str(end))
            .bind(&ep_id)
            .execute(&mut *tx)
            .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&ep_id))
            .await?;
        tx.commit().await?;
        Ok(EpisodeId::from_raw(ep_id))
    }

    /// Starts a new episode (re-admission); refused while one is open.
    pub async fn start_episode(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        start: NaiveDate,
    ) -> Result<EpisodeId> {
        let a = Attempt {
            part: DossierPart::Episodes,
            access: Access::Write,
            action: AuditAction::Create,
            data_kind: DossierPart::Episodes.code(),
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let open =
            crate::sql::query("SELECT id FROM episode WHERE client_id = $1 AND end_date IS NULL")
                .bind(client.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if open.is_some() {
            return Err(ServiceError::Conflict(
                "the client already has an open episode".into(),
            ));
        }
        let last_end =
            crate::sql::query("SELECT MAX(end_date) AS e FROM episode WHERE client_id = $1")
                .bind(client.as_str())
                .fetch_one(&mut *tx)
                .await?;
        if os(&last_end, "e")?.is_some_and(|e| date_str(start) <= e) {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "start_date",
                "starts before the previous episode ended",
            )));
        }
        let id = new_id();
        crate::sql::query("INSERT INTO episode (id, client_id, start_date, end_date, created_at) VALUES ($1, $2, $3, NULL, $4)")
            .bind(&id)
            .bind(client.as_str())
            .bind(date_str(start))
            .bind(ts(self.now()))
            .execute(&mut *tx)
            .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(EpisodeId::from_raw(id))
    }
}

/// Maps foreign-key and unique violations to clear conflicts.
pub(crate) fn fk_or(e: crate::sql::DbError, fk_msg: &str, unique_msg: &str) -> ServiceError {
    if e.is_foreign_key_violation() {
        return ServiceError::Conflict(fk_msg.into());
    }
    if e.is_unique_violation() {
        return ServiceError::Conflict(unique_msg.into());
    }
    ServiceError::from(e)
}

/// What the functional admin's page shows of their organisation.
#[derive(Clone, Debug, Serialize)]
pub struct AdminOverview {
    pub organisation: Organisation,
    pub locations: Vec<Location>,
    pub teams: Vec<Team>,
    pub staff: Vec<StaffMember>,
    /// Changes of staff that wait for a second functional admin.
    pub pending: Vec<crate::staff_admin::PendingStaffChange>,
    /// The organisation's other e-health apps.
    pub apps: Vec<OrgApp>,
}

impl Services {
    /// The acting functional admin's organisation with its locations,
    /// teams and staff. Only for administration (the rule), audited: the
    /// staff list holds staff members' contact details.
    pub async fn admin_overview(&self, ctx: &Ctx) -> Result<crate::Audited<AdminOverview>> {
        let Some(organisation) = self.my_organisation(ctx).await? else {
            return Err(ServiceError::Denied(DenyReason::RoleLacksPermission));
        };
        let target = organisation.id.to_string();
        let read = self.administer_read(ctx, &target, "administration").await?;
        let locations = self.list_locations(&organisation.id).await?;
        let teams = self.list_teams(&organisation.id).await?;
        let staff = self.staff_of(&organisation.id).await?;
        let pending = self.pending_staff_changes(ctx, &organisation.id).await?;
        let apps = self.org_apps(organisation.id.as_str()).await?;
        Ok(read.map(|()| AdminOverview {
            apps,
            organisation,
            locations,
            teams,
            staff,
            pending,
        }))
    }
}

/// What a page shows of the organisation of whoever looks (issue 14): its
/// name and logo, its servicedesk and help link, its words (sector), and
/// the settings that help texts state (never a fixed number). Settings,
/// not personal data: not audited.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Servicedesk {
    pub organisation_id: Option<String>,
    /// The display name, else the registered name.
    pub organisation_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub help_url: Option<String>,
    #[serde(skip)]
    pub sector: inzage_i18n::Sector,
    /// A logo is set (served at `/organisatie/{id}/logo`).
    pub has_logo: bool,
    pub idle_timeout_minutes: i64,
    pub lockout_threshold: i64,
    pub lockout_pause_minutes: i64,
    pub grace_days_after_discharge: i64,
    /// Days to answer a client's request (issue 15).
    pub request_due_days: i64,
    /// The organisation's number for urgent matters (issue 15).
    pub emergency_phone: Option<String>,
}

const FACE_COLS: &str = "o.id, o.name, o.display_name, o.servicedesk_email, o.servicedesk_phone, o.help_url, \
     o.sector, o.logo_sha256, o.idle_timeout_minutes, o.lockout_threshold, o.lockout_pause_minutes, \
     o.grace_days_after_discharge, o.request_due_days, o.emergency_phone";

fn face_of(r: &crate::sql::Row) -> Result<Servicedesk> {
    Ok(Servicedesk {
        organisation_id: Some(s(r, "id")?),
        organisation_name: os(r, "display_name")?.unwrap_or(s(r, "name")?),
        email: os(r, "servicedesk_email")?,
        phone: os(r, "servicedesk_phone")?,
        help_url: os(r, "help_url")?,
        sector: inzage_i18n::Sector::parse(&s(r, "sector")?).unwrap_or_default(),
        has_logo: os(r, "logo_sha256")?.is_some(),
        idle_timeout_minutes: i(r, "idle_timeout_minutes")?,
        lockout_threshold: i(r, "lockout_threshold")?,
        lockout_pause_minutes: i(r, "lockout_pause_minutes")?,
        grace_days_after_discharge: i(r, "grace_days_after_discharge")?,
        request_due_days: i(r, "request_due_days")?,
        emergency_phone: os(r, "emergency_phone")?,
    })
}

impl Services {
    /// The organisation of whoever looks, in one statement: for a session,
    /// the dossier's organisation when a contact person has one open, else
    /// the account's; before sign-in `preferred` (an organisation's id or
    /// registered name, from the host-name mapping), else the
    /// installation's default (oldest) organisation.
    pub async fn servicedesk(
        &self,
        session_token: Option<&str>,
        preferred: Option<&str>,
    ) -> Result<Servicedesk> {
        if let Some(t) = session_token {
            let r = crate::sql::query(&format!(
                "SELECT {FACE_COLS} FROM auth_session ss JOIN account a ON a.id = ss.account_id \
                 LEFT JOIN contact_person p ON p.id = ss.active_contact_person_id \
                 LEFT JOIN client c ON c.id = p.client_id \
                 JOIN organisation o ON o.id = COALESCE(c.organisation_id, a.organisation_id) \
                 WHERE ss.id_hash = $1 AND ss.ended_at IS NULL"
            ))
            .bind(crate::accounts::sha(t))
            .fetch_optional(self.db())
            .await?;
            if let Some(r) = r {
                return face_of(&r);
            }
        }
        if let Some(p) = preferred {
            let r = crate::sql::query(&format!(
                "SELECT {FACE_COLS} FROM organisation o WHERE o.id = $1 OR o.name = $1 \
                 ORDER BY o.created_at, o.id LIMIT 1"
            ))
            .bind(p)
            .fetch_optional(self.db())
            .await?;
            if let Some(r) = r {
                return face_of(&r);
            }
        }
        let r = crate::sql::query(&format!(
            "SELECT {FACE_COLS} FROM organisation o ORDER BY o.created_at, o.id LIMIT 1"
        ))
        .fetch_optional(self.db())
        .await?;
        r.as_ref()
            .map(face_of)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// An organisation's logo: (content type, bytes), if one is set. The
    /// logo is public (it shows on the login page).
    pub async fn organisation_logo(&self, org: &str) -> Result<Option<(String, Vec<u8>)>> {
        let r = crate::sql::query(
            "SELECT logo_sha256, logo_content_type FROM organisation WHERE id = $1",
        )
        .bind(org)
        .fetch_optional(self.db())
        .await?;
        let Some(r) = r else { return Ok(None) };
        match (os(&r, "logo_sha256")?, os(&r, "logo_content_type")?) {
            (Some(hash), Some(ct)) => Ok(Some((ct, self.blobs().get(&hash)?))),
            _ => Ok(None),
        }
    }

    /// A functional admin sets their organisation's logo: a PNG or JPEG
    /// (by its content, not its name) of at most [`LOGO_MAX_BYTES`].
    pub async fn set_organisation_logo(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        bytes: Vec<u8>,
    ) -> Result<()> {
        let ct = match crate::care::sniff_content_type(&bytes) {
            Some(ct @ ("image/png" | "image/jpeg")) if bytes.len() <= LOGO_MAX_BYTES => ct,
            _ => {
                return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                    "logo",
                    "a PNG or JPEG of at most 512 KiB",
                )))
            }
        };
        let blobs = self.blobs().clone();
        let target = org.to_string();
        let org = org.clone();
        self.administer(ctx, Some(&target), "organisation_logo", AuditAction::Update, move |tx, _now| {
            Box::pin(async move {
                // Stored only once the rule allowed it (content-addressed:
                // the same logo twice is one file).
                let hash = blobs.put(&bytes)?;
                crate::sql::query(
                    "UPDATE organisation SET logo_sha256 = $2, logo_content_type = $3 WHERE id = $1",
                )
                .bind(org.as_str())
                .bind(&hash)
                .bind(ct)
                .execute(&mut **tx)
                .await?;
                Ok(((), Some(org.to_string())))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }
}

/// The largest logo accepted.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;

/// One of the organisation's other e-health applications (issue 14).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OrgApp {
    pub id: String,
    pub name: String,
    /// Always `https://…`.
    pub url: String,
    pub description: String,
}

/// The most apps an organisation lists.
pub const ORG_APPS_MAX: i64 = 20;

impl Services {
    /// The organisation's other apps, by name (settings, not personal data).
    pub async fn org_apps(&self, org: &str) -> Result<Vec<OrgApp>> {
        crate::sql::query(
            "SELECT id, name, url, description FROM org_app WHERE organisation_id = $1 ORDER BY name, id",
        )
        .bind(org)
        .fetch_all(self.db())
        .await?
        .iter()
        .map(|r| {
            Ok(OrgApp {
                id: s(r, "id")?,
                name: s(r, "name")?,
                url: s(r, "url")?,
                description: s(r, "description")?,
            })
        })
        .collect()
    }

    /// A functional admin adds an app: a name, an `https://` address and
    /// one line of explanation.
    pub async fn add_org_app(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        name: Label,
        url: &str,
        description: Label,
    ) -> Result<()> {
        let url = url.trim();
        if !(url.starts_with("https://") && inzage_core::types::is_help_link(url)) || url.len() < 12
        {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "url",
                "must be an https:// address",
            )));
        }
        let url = url.to_owned();
        let target = org.to_string();
        let org = org.clone();
        self.administer(
            ctx,
            Some(&target),
            "organisation_app",
            AuditAction::Create,
            move |tx, now| {
                Box::pin(async move {
                    let n = i(
                        &crate::sql::query(
                            "SELECT COUNT(*) AS n FROM org_app WHERE organisation_id = $1",
                        )
                        .bind(org.as_str())
                        .fetch_one(&mut **tx)
                        .await?,
                        "n",
                    )?;
                    if n >= ORG_APPS_MAX {
                        return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                            "apps",
                            "at most 20",
                        )));
                    }
                    let id = new_id();
                    crate::sql::query(
                    "INSERT INTO org_app (id, organisation_id, name, url, description, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(org.as_str())
                .bind(name.as_str())
                .bind(&url)
                .bind(description.as_str())
                .bind(&now)
                .execute(&mut **tx)
                .await?;
                    Ok(((), Some(id)))
                })
            },
        )
        .await
        .map(crate::Audited::into_inner)
    }

    /// A functional admin removes one of their organisation's apps.
    pub async fn remove_org_app(&self, ctx: &Ctx, org: &OrganisationId, app: &str) -> Result<()> {
        let target = org.to_string();
        let org = org.clone();
        let app = app.to_owned();
        self.administer(
            ctx,
            Some(&target),
            "organisation_app",
            AuditAction::Delete,
            move |tx, _now| {
                Box::pin(async move {
                    let r = crate::sql::query(
                        "DELETE FROM org_app WHERE id = $1 AND organisation_id = $2",
                    )
                    .bind(&app)
                    .bind(org.as_str())
                    .execute(&mut **tx)
                    .await?;
                    if r.rows_affected() == 0 {
                        return Err(ServiceError::NotFound);
                    }
                    Ok(((), Some(app)))
                })
            },
        )
        .await
        .map(crate::Audited::into_inner)
    }
}
