//! Everything about a client's registration (issue 14): the secretariat
//! registers a client in the web and edits every field later; each change
//! is a new version (who, when, old and new value; nothing overwritten),
//! audited; a likely duplicate is shown before saving; and the folded
//! search keys that let "ozturk" find "Öztürk" on both engines. The staff
//! list that searches them is "Mijn cliënten" (`staff.rs`).
use crate::access::{actor_facts, subject_facts, Attempt};
use crate::accounts::identifiers::{AppliedDetails, DetailsChange};
use crate::admin::{fk_or, full_name, opt, sort_name, NewClient};
use crate::audit::{append, Event};
use crate::audited::ReadTicket;
use crate::db::{Db, Tx};
use crate::error::{Result, ServiceError};
use crate::row::{b, d, i, od, os, s, t};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::ids::{ClientId, OrganisationId, StaffId, TeamId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal, Role};
use inzage_core::policy::{
    decide_client_registration, decide_registration_history, Access, ActorFacts, Decision,
    DenyReason,
};
use inzage_core::types::{date_str, display_date, fold, sort_key, ts, Email, FieldError};
use serde::Serialize;

/// The fields of a registration, in the order forms and the history show
/// them. The codes are stored in `client_change.field`.
pub const FIELDS: &[&str] = &[
    "client_number",
    "given_name",
    "name_prefix",
    "family_name",
    "birth_date",
    "street",
    "house_number",
    "postal_code",
    "city",
    "email",
    "mobile",
    "team",
    "primary_caregiver",
    "episode_start",
];

/// The folded text a search matches: names, client number and the birth
/// date in both the Dutch and the ISO form.
pub fn search_text(
    given: &str,
    prefix: Option<&str>,
    family: &str,
    number: &str,
    birth: NaiveDate,
) -> String {
    fold(&format!(
        "{} {} {} {}",
        full_name(given, prefix, family),
        number,
        display_date(birth),
        date_str(birth)
    ))
}

/// The key "Mijn cliënten" orders by: family name, given name, prefix.
pub fn name_sort_key(given: &str, prefix: Option<&str>, family: &str) -> String {
    sort_key(&[family, given, prefix.unwrap_or("")])
}

/// Fills the search text and sort key of rows written before they existed
/// (migration 0007). Run after the migrations; cheap when none are left.
pub(crate) async fn fill_search_keys(db: &Db) -> Result<u64> {
    let rows = crate::sql::query(
        "SELECT id, client_number, given_name, name_prefix, family_name, birth_date FROM client \
         WHERE search_text IS NULL OR sort_key IS NULL",
    )
    .fetch_all(db)
    .await?;
    let mut n = 0;
    for r in &rows {
        let (given, prefix, family) = (
            s(r, "given_name")?,
            os(r, "name_prefix")?,
            s(r, "family_name")?,
        );
        crate::sql::query("UPDATE client SET search_text = $2, sort_key = $3 WHERE id = $1")
            .bind(s(r, "id")?)
            .bind(search_text(
                &given,
                prefix.as_deref(),
                &family,
                &s(r, "client_number")?,
                d(r, "birth_date")?,
            ))
            .bind(name_sort_key(&given, prefix.as_deref(), &family))
            .execute(db)
            .await?;
        n += 1;
    }
    Ok(n)
}

/// Who made a change, as stored in `client_change`.
fn changed_by(ctx: &Ctx) -> (&'static str, String) {
    match &ctx.principal {
        Principal::Staff { staff_id } => ("staff", staff_id.to_string()),
        Principal::Client { client_id } => ("client", client_id.to_string()),
        Principal::ContactPerson { contact_person_id } => {
            ("contact_person", contact_person_id.to_string())
        }
        Principal::System { component } => ("system", component.clone()),
        Principal::Account { account_id } => ("account", account_id.clone()),
        Principal::Anonymous => ("anonymous", String::new()),
        Principal::Integration { fhir_client_id, .. } => ("integration", fhir_client_id.clone()),
    }
}

type Change = (&'static str, Option<String>, Option<String>);

/// Inserts the changed fields of `changes` as version `version`.
async fn insert_changes(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    client: &str,
    version: i64,
    changes: &[Change],
) -> Result<()> {
    let (kind, by) = changed_by(ctx);
    for (field, old, new) in changes.iter().filter(|(_, o, n)| o != n) {
        crate::sql::query(
            "INSERT INTO client_change (id, client_id, version, field, old_value, new_value, \
             changed_by_kind, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(client)
        .bind(version)
        .bind(*field)
        .bind(old)
        .bind(new)
        .bind(kind)
        .bind(&by)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Records `changes` (those whose value differs) as the client's next
/// version. Nothing happens when nothing differs.
pub(crate) async fn record_changes(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    client: &str,
    changes: &[Change],
) -> Result<()> {
    if changes.iter().all(|(_, o, n)| o == n) {
        return Ok(());
    }
    let r = crate::sql::query(
        "UPDATE client SET version = version + 1 WHERE id = $1 RETURNING version",
    )
    .bind(client)
    .fetch_one(&mut **tx)
    .await?;
    insert_changes(tx, ctx, now, client, i(&r, "version")?, changes).await
}

/// The client's own e-mail address or mobile number changed at once.
pub(crate) async fn record_contact_change(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    client: &ClientId,
    a: &AppliedDetails,
) -> Result<()> {
    record_changes(
        tx,
        ctx,
        now,
        client.as_str(),
        &[
            ("email", a.old_email.clone(), a.new_email.clone()),
            ("mobile", a.old_mobile.clone(), a.new_mobile.clone()),
        ],
    )
    .await
}

/// In an organisation that invites automatically: queues the client's
/// invitation once, as soon as both an e-mail address and a mobile number
/// are known and nobody invited them yet (at registration or later).
/// Whether they are eligible is the invitation's own rule, decided when
/// the job runs.
pub(crate) async fn auto_invite_if_due(
    tx: &mut Tx,
    now: DateTime<Utc>,
    client: &ClientId,
) -> Result<()> {
    let r = crate::sql::query(
        "SELECT c.email, c.mobile, c.invited_at, o.auto_invite FROM client c \
         JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1",
    )
    .bind(client.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = r else { return Ok(()) };
    if b(&r, "auto_invite")?
        && os(&r, "email")?.is_some()
        && os(&r, "mobile")?.is_some()
        && os(&r, "invited_at")?.is_none()
    {
        // The dedupe key makes a second enqueue a no-op: once per client.
        crate::jobs::enqueue_once(tx, crate::jobs::AUTO_INVITE, client.as_str(), now).await?;
    }
    Ok(())
}

/// A client that looks like the one being registered or edited.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Duplicate {
    pub id: ClientId,
    /// "Achternaam, Voornaam", the number and the birth date: only for a
    /// client in one of the member's own teams. Of anyone else's client
    /// the member learns only that a likely duplicate exists, and in which
    /// team (ask that team), not who it is.
    pub name: Option<String>,
    pub client_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub team_name: Option<String>,
    /// The client number is the same (which cannot be saved at all).
    pub same_number: bool,
    /// In one of the acting member's teams (their page can be opened).
    pub in_my_teams: bool,
}

/// What a registration came to.
#[derive(Debug)]
pub enum Registration {
    Created(ClientId),
    /// Not saved: these clients look like the new one. Saving anyway needs
    /// the caller's confirmation (unless a number is the same).
    LikelyDuplicates(Audited<Vec<Duplicate>>),
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TeamOption {
    pub id: TeamId,
    pub name: String,
    pub location_name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CaregiverOption {
    pub id: StaffId,
    pub name: String,
    pub team_ids: Vec<TeamId>,
}

/// The choices of the registration form: the teams this member may
/// register clients in (the location follows the team) and the persoonlijk
/// begeleiders of those teams.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RegistrationOptions {
    pub teams: Vec<TeamOption>,
    pub caregivers: Vec<CaregiverOption>,
}

/// A client's registration as the edit form shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClientRecord {
    pub id: ClientId,
    pub version: i64,
    pub client_number: String,
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub team_id: Option<TeamId>,
    pub primary_caregiver_id: Option<StaffId>,
    /// The start of the latest episode.
    pub episode_start: Option<NaiveDate>,
}

/// One changed field of one version.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClientChange {
    pub version: i64,
    /// One of [`FIELDS`].
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// The staff member's name, or the kind of actor ("client", "system").
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// What an edit changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientUpdate {
    /// The fields that changed now (codes of [`FIELDS`]).
    pub changed: Vec<&'static str>,
    /// The contact details: changed now, or waiting for the holder of the
    /// client's account to confirm (ADR 0013); `None` when not touched.
    pub contact: Option<DetailsChange>,
}

fn field_err(field: &'static str, m: &str) -> ServiceError {
    ServiceError::Invalid(FieldError::new(field, m))
}

/// Levenshtein distance, for "a similar name" (short strings only).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Two names are alike when the folded family names differ in at most two
/// letters (Jansen / Janssen, Öztürk / Ozturk), or the given names are the
/// same. Only asked of clients with the same birth date.
pub fn names_alike(given_a: &str, family_a: &str, given_b: &str, family_b: &str) -> bool {
    let fam = |f: &str| sort_key(&[f]);
    fam(family_a) == fam(family_b)
        || distance(&fam(family_a), &fam(family_b)) <= 2
        || sort_key(&[given_a]) == sort_key(&[given_b])
}

impl Services {
    /// The teams `ctx` may register a client in, and their persoonlijk
    /// begeleiders. Refused for anyone who may register in no team.
    pub async fn registration_options(&self, ctx: &Ctx) -> Result<RegistrationOptions> {
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let ActorFacts::Staff(me) = &actor else {
            return Err(ServiceError::Denied(DenyReason::RoleLacksPermission));
        };
        let org = me.organisation_id.clone();
        let rows = crate::sql::query(
            "SELECT t.id, t.name, l.name AS location_name FROM team t JOIN location l ON l.id = t.location_id \
             WHERE t.organisation_id = $1 ORDER BY t.name",
        )
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let mut teams = Vec::new();
        for r in &rows {
            let id = TeamId::from_raw(s(r, "id")?);
            if decide_client_registration(&actor, &org, Some(&id)).is_allowed() {
                teams.push(TeamOption {
                    id,
                    name: s(r, "name")?,
                    location_name: s(r, "location_name")?,
                });
            }
        }
        if teams.is_empty() {
            return Err(ServiceError::Denied(DenyReason::RoleLacksPermission));
        }
        let rows = crate::sql::query(
            "SELECT m.id, m.given_name, m.name_prefix, m.family_name, tm.team_id FROM staff_member m \
             JOIN staff_role r ON r.staff_id = m.id AND r.role = 'primary_caregiver' \
             JOIN team_membership tm ON tm.staff_id = m.id \
             WHERE m.organisation_id = $1 AND m.active = 1 ORDER BY m.family_name, m.given_name, m.id",
        )
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let mut caregivers: Vec<CaregiverOption> = Vec::new();
        for r in &rows {
            let id = StaffId::from_raw(s(r, "id")?);
            let team = TeamId::from_raw(s(r, "team_id")?);
            if !teams.iter().any(|t| t.id == team) {
                continue;
            }
            match caregivers.iter_mut().find(|c| c.id == id) {
                Some(c) => c.team_ids.push(team),
                None => caregivers.push(CaregiverOption {
                    id,
                    name: sort_name(
                        &s(r, "given_name")?,
                        os(r, "name_prefix")?.as_deref(),
                        &s(r, "family_name")?,
                    ),
                    team_ids: vec![team],
                }),
            }
        }
        Ok(RegistrationOptions { teams, caregivers })
    }

    /// Registers a client in the acting staff member's organisation with a
    /// first episode from `episode_start`. Unless `confirmed`, clients that
    /// look the same (same birth date and a similar name, or the same
    /// client number) are shown instead, and that showing is audited on
    /// each of them. The same client number is refused even when confirmed.
    pub async fn register_client(
        &self,
        ctx: &Ctx,
        new: NewClient,
        episode_start: NaiveDate,
        confirmed: bool,
    ) -> Result<Registration> {
        let org = {
            let mut conn = self.db().acquire().await?;
            match actor_facts(&mut conn, &ctx.principal).await? {
                ActorFacts::Staff(me) => me.organisation_id,
                _ => return Err(ServiceError::Denied(DenyReason::RoleLacksPermission)),
            }
        };
        self.register_in(ctx, &org, new, Some(episode_start), !confirmed)
            .await
    }

    /// Creates a client with a first episode starting `episode_start`
    /// (today when `None`). For operators and imports (`inzage admin client
    /// create`, the demo): no duplicate check beyond the client number.
    pub async fn create_client(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        new: NewClient,
        episode_start: Option<NaiveDate>,
    ) -> Result<ClientId> {
        let start = episode_start.unwrap_or_else(|| inzage_core::types::local_date(self.now()));
        match self.register_in(ctx, org, new, Some(start), false).await? {
            Registration::Created(id) => Ok(id),
            Registration::LikelyDuplicates(_) => Err(ServiceError::Internal(
                "duplicates reported without a check".into(),
            )),
        }
    }

    /// Registers a client for a connected system (FHIR Patient create):
    /// without an episode (the system sends its EpisodeOfCare), and never
    /// invited automatically (a system's contact details are not enough to
    /// open the portal: staff invite; review of issue 17).
    pub(crate) async fn register_from_system(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        new: NewClient,
    ) -> Result<ClientId> {
        match self.register_in(ctx, org, new, None, false).await? {
            Registration::Created(id) => Ok(id),
            Registration::LikelyDuplicates(_) => Err(ServiceError::Internal(
                "duplicates reported without a check".into(),
            )),
        }
    }

    async fn register_in(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        new: NewClient,
        episode_start: Option<NaiveDate>,
        check_duplicates: bool,
    ) -> Result<Registration> {
        let mut tx = self.db().begin().await?;
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        let now = self.now();
        let role = match decide_client_registration(&actor, org, new.team_id.as_ref()) {
            Decision::Allow(scope) => scope.as_role,
            Decision::Deny(reason) => {
                return crate::audit::deny_and_commit(
                    tx,
                    ctx,
                    now,
                    None,
                    DossierPart::Profile.code(),
                    AuditAction::Create,
                    reason,
                )
                .await;
            }
        };
        if let Some(team) = &new.team_id {
            crate::admin::check_teams(&mut tx, org.as_str(), std::slice::from_ref(team)).await?;
        }
        check_caregiver(
            &mut tx,
            org,
            new.team_id.as_ref(),
            new.primary_caregiver_id.as_ref(),
        )
        .await?;
        if episode_start.is_some_and(|s| !episode_start_plausible(s, now)) {
            return Err(field_err("episode_start", "more than ten years away"));
        }
        let dups = duplicates(&mut tx, &actor, org, &new, None).await?;
        if dups.iter().any(|d| d.same_number) && !check_duplicates {
            return Err(ServiceError::Taken("client_number"));
        }
        if check_duplicates && !dups.is_empty() {
            let (last, rest) = dups.split_last().ok_or(ServiceError::NotFound)?;
            for dup in rest {
                append(&mut tx, ctx, now, dup_event(&role, dup)).await?;
            }
            let ev = dup_event(&role, last);
            let out = crate::audited::committed(tx, ctx, now, ev, dups.clone()).await?;
            return Ok(Registration::LikelyDuplicates(out));
        }
        let id = new_id();
        insert_client(&mut tx, ctx, now, &id, org, &new, episode_start).await?;
        let client = ClientId::from_raw(id);
        if !matches!(ctx.principal, Principal::Integration { .. }) {
            auto_invite_if_due(&mut tx, now, &client).await?;
        }
        append(
            &mut tx,
            ctx,
            now,
            Event {
                role: &role,
                client_id: Some(client.as_str()),
                data_kind: DossierPart::Profile.code(),
                data_id: Some(client.as_str()),
                action: AuditAction::Create,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(Registration::Created(client))
    }

    /// A client's registration for the edit form (a read of the personal
    /// data, audited).
    pub async fn client_record(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<ClientRecord>> {
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: DossierPart::Profile.code(),
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let r = crate::sql::query(&format!("SELECT {RECORD_COLS} FROM client WHERE id = $1"))
            .bind(client.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let episode_start = latest_episode(&mut tx, client.as_str())
            .await?
            .map(|(_, start, _)| start);
        let record = record_of(&r, client, episode_start)?;
        ticket.of(client.as_str()).finish(tx, record).await
    }

    /// Every change of a client's registration, newest first, for staff
    /// who may read the client's personal data (audited).
    pub async fn client_history(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<ClientChange>>> {
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: "profile_history",
            data_id: None,
            hide_denial: false,
        };
        let mut tx = self.db().begin_read().await?;
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        let Some(subject) = subject_facts(&mut tx, client.as_str()).await? else {
            tx.rollback().await?;
            return self.no_such_item(ctx, &a).await;
        };
        let scope =
            match decide_registration_history(&actor, &subject.facts, &subject.rules, self.now()) {
                Decision::Allow(scope) => scope,
                Decision::Deny(reason) => {
                    tx.rollback().await?;
                    self.record_read(
                        ctx,
                        &a,
                        Some(client.as_str()),
                        AuditOutcome::Denied,
                        "-",
                        Some(reason.code()),
                    )
                    .await?;
                    return Err(ServiceError::Denied(reason));
                }
            };
        let ticket = ReadTicket::new(self, ctx, &scope.as_role, client.as_str(), &a);
        let rows = crate::sql::query(
            "SELECT h.version, h.field, h.old_value, h.new_value, h.changed_by_kind, h.changed_by, h.changed_at, \
             m.given_name, m.name_prefix, m.family_name FROM client_change h \
             LEFT JOIN staff_member m ON h.changed_by_kind = 'staff' AND m.id = h.changed_by \
             WHERE h.client_id = $1 ORDER BY h.version DESC, h.changed_at DESC, h.id",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        // Teams and caregivers are stored by id; shown by name.
        let mut names: Vec<(String, String)> = Vec::new();
        for r in crate::sql::query(
            "SELECT t.id, t.name FROM team t JOIN client c ON c.organisation_id = t.organisation_id WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        {
            names.push((s(r, "id")?, s(r, "name")?));
        }
        for r in crate::sql::query(
            "SELECT m.id, m.given_name, m.name_prefix, m.family_name FROM staff_member m \
             JOIN client c ON c.organisation_id = m.organisation_id WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        {
            names.push((
                s(r, "id")?,
                full_name(
                    &s(r, "given_name")?,
                    os(r, "name_prefix")?.as_deref(),
                    &s(r, "family_name")?,
                ),
            ));
        }
        let shown = |field: &str, v: Option<String>| -> Option<String> {
            let v = v?;
            Some(match field {
                "team" | "primary_caregiver" => names
                    .iter()
                    .find(|(id, _)| *id == v)
                    .map(|(_, n)| n.clone())
                    .unwrap_or(v),
                "birth_date" | "episode_start" => inzage_core::types::parse_stored_date(&v)
                    .map(display_date)
                    .unwrap_or(v),
                _ => v,
            })
        };
        let mut out = Vec::new();
        for r in &rows {
            let field = s(r, "field")?;
            let by = match os(r, "given_name")? {
                Some(g) => full_name(&g, os(r, "name_prefix")?.as_deref(), &s(r, "family_name")?),
                None => s(r, "changed_by_kind")?,
            };
            out.push(ClientChange {
                version: i(r, "version")?,
                old_value: shown(&field, os(r, "old_value")?),
                new_value: shown(&field, os(r, "new_value")?),
                field,
                changed_by: by,
                changed_at: t(r, "changed_at")?,
            });
        }
        ticket.finish(tx, out).await
    }

    /// Saves an edit of a client's registration made from `version`: every
    /// field that differs becomes part of the next version. Needs Profile
    /// write; a new team needs the registration rule for that team; new
    /// contact details need Network write and change as ADR 0013 says (an
    /// account in use: only when its holder confirms); a new start of the
    /// latest episode needs Episodes write. A stale `version` writes
    /// nothing ([`ServiceError::Stale`]).
    pub async fn update_client(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        edit: NewClient,
        episode_start: Option<NaiveDate>,
        version: i64,
    ) -> Result<ClientUpdate> {
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: DossierPart::Profile.code(),
            data_id: Some(client.as_str()),
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let now = self.now();
        let r = crate::sql::query(&format!(
            "SELECT {RECORD_COLS}, organisation_id FROM client WHERE id = $1"
        ))
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let org = OrganisationId::from_raw(s(&r, "organisation_id")?);
        let latest = latest_episode(&mut tx, client.as_str()).await?;
        let old = record_of(&r, client, latest.as_ref().map(|(_, s, _)| *s))?;
        if old.version != version {
            return Err(ServiceError::Stale);
        }
        let before = values_of_record(&old);
        let after = values_of(&edit);
        let mut changes: Vec<Change> = before
            .iter()
            .zip(after.iter())
            .filter(|((f, _), _)| !matches!(*f, "email" | "mobile"))
            .map(|((f, o), (_, n))| (*f, o.clone(), n.clone()))
            .filter(|(_, o, n)| o != n)
            .collect();
        let differs = |f: &str| changes.iter().any(|(c, _, _)| *c == f);
        // A second check inside the transaction, for the parts beyond the
        // profile that this edit touches; a denial is recorded and committed.
        let mut extra = Vec::new();
        if differs("team") {
            let actor = actor_facts(&mut tx, &ctx.principal).await?;
            if let Decision::Deny(reason) =
                decide_client_registration(&actor, &org, edit.team_id.as_ref())
            {
                return self.refuse(tx, ctx, client, &a, reason).await;
            }
        }
        if let (true, Some(team)) = (differs("team"), &edit.team_id) {
            crate::admin::check_teams(&mut tx, org.as_str(), std::slice::from_ref(team)).await?;
        }
        if differs("team") || differs("primary_caregiver") {
            check_caregiver(
                &mut tx,
                &org,
                edit.team_id.as_ref(),
                edit.primary_caregiver_id.as_ref(),
            )
            .await?;
        }
        if differs("client_number") {
            let taken = crate::sql::query(
                "SELECT 1 AS x FROM client WHERE organisation_id = $1 AND client_number = $2 AND id <> $3",
            )
            .bind(org.as_str())
            .bind(edit.client_number.as_str())
            .bind(client.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(ServiceError::Taken("client_number"));
            }
        }
        // The same new details as the change waiting for the holder's
        // consent are no new change: sent again (an ECD's sync, a second
        // save), they must not void the link the holder was sent, nor make
        // a new version (review of issue 17).
        let pending = crate::sql::query(
            "SELECT new_email, new_mobile FROM identifier_change WHERE client_id = $1 AND origin = 'staff' \
             AND decided_at IS NULL AND expires_at > $2 ORDER BY requested_at DESC LIMIT 1",
        )
        .bind(client.as_str())
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let waiting = match &pending {
            Some(p) => {
                os(p, "new_email")?.as_deref() == edit.email.as_ref().map(Email::as_str)
                    && os(p, "new_mobile")? == edit.mobile.as_ref().map(|m| m.as_str().to_owned())
            }
            None => false,
        };
        let contact_changes = !waiting
            && (old.email.as_deref() != edit.email.as_ref().map(Email::as_str)
                || old.mobile != edit.mobile.as_ref().map(|m| m.as_str().to_owned()));
        if contact_changes {
            let n = Attempt {
                part: DossierPart::Network,
                access: Access::Write,
                action: AuditAction::Update,
                data_kind: "contact_details",
                data_id: None,
                hide_denial: false,
            };
            match self.decide_in(&mut tx, ctx, client.as_str(), &n).await? {
                Ok(scope) => extra.push((n, scope)),
                Err(e) => {
                    tx.commit().await?;
                    return Err(e);
                }
            }
        }
        let new_start = match (episode_start, &latest) {
            (Some(start), Some((ep, old_start, end))) if start != *old_start => {
                let e = Attempt {
                    part: DossierPart::Episodes,
                    access: Access::Write,
                    action: AuditAction::Update,
                    data_kind: DossierPart::Episodes.code(),
                    data_id: None,
                    hide_denial: false,
                };
                match self.decide_in(&mut tx, ctx, client.as_str(), &e).await? {
                    Ok(scope) => extra.push((e, scope)),
                    Err(err) => {
                        tx.commit().await?;
                        return Err(err);
                    }
                }
                if end.is_some_and(|end| end < start) || !episode_start_plausible(start, now) {
                    return Err(field_err("episode_start", "after the end of the episode"));
                }
                let prev_end = crate::sql::query(
                    "SELECT MAX(end_date) AS e FROM episode WHERE client_id = $1 AND id <> $2",
                )
                .bind(client.as_str())
                .bind(ep.as_str())
                .fetch_one(&mut *tx)
                .await?;
                if os(&prev_end, "e")?.is_some_and(|e| date_str(start) <= e) {
                    return Err(field_err(
                        "episode_start",
                        "before the previous episode ended",
                    ));
                }
                changes.push((
                    "episode_start",
                    Some(date_str(*old_start)),
                    Some(date_str(start)),
                ));
                Some((ep.clone(), start))
            }
            _ => None,
        };
        if changes.is_empty() && !contact_changes {
            return Ok(ClientUpdate {
                changed: vec![],
                contact: None,
            });
        }
        let bumped = crate::sql::query(
            "UPDATE client SET client_number = $3, given_name = $4, name_prefix = $5, family_name = $6, \
             birth_date = $7, street = $8, house_number = $9, postal_code = $10, city = $11, team_id = $12, \
             primary_caregiver_id = $13, search_text = $14, sort_key = $15, version = version + 1 \
             WHERE id = $1 AND version = $2",
        )
        .bind(client.as_str())
        .bind(version)
        .bind(edit.client_number.as_str())
        .bind(edit.given_name.as_str())
        .bind(opt(&edit.name_prefix))
        .bind(edit.family_name.as_str())
        .bind(date_str(edit.birth_date.date()))
        .bind(opt(&edit.street))
        .bind(opt(&edit.house_number))
        .bind(opt(&edit.postal_code))
        .bind(opt(&edit.city))
        .bind(edit.team_id.as_ref().map(TeamId::as_str))
        .bind(edit.primary_caregiver_id.as_ref().map(StaffId::as_str))
        .bind(search_text(
            edit.given_name.as_str(),
            opt(&edit.name_prefix),
            edit.family_name.as_str(),
            edit.client_number.as_str(),
            edit.birth_date.date(),
        ))
        .bind(name_sort_key(
            edit.given_name.as_str(),
            opt(&edit.name_prefix),
            edit.family_name.as_str(),
        ))
        .execute(&mut *tx)
        .await
        .map_err(|e| match fk_or(e, "team or caregiver does not exist", "") {
            ServiceError::Conflict(m) if m.is_empty() => ServiceError::Taken("client_number"),
            other => other,
        })?;
        if bumped.rows_affected() == 0 {
            return Err(ServiceError::Stale);
        }
        if let Some((ep, start)) = &new_start {
            crate::sql::query("UPDATE episode SET start_date = $2 WHERE id = $1")
                .bind(ep.as_str())
                .bind(date_str(*start))
                .execute(&mut *tx)
                .await?;
        }
        let contact = if contact_changes {
            let applied = self
                .apply_contact_details(
                    &mut tx,
                    ctx,
                    client,
                    None,
                    edit.email.clone(),
                    edit.mobile.clone(),
                )
                .await?;
            if let Some(ap) = &applied {
                if ap.outcome == DetailsChange::Changed {
                    changes.push(("email", ap.old_email.clone(), ap.new_email.clone()));
                    changes.push(("mobile", ap.old_mobile.clone(), ap.new_mobile.clone()));
                }
            }
            applied.map(|ap| ap.outcome)
        } else {
            None
        };
        changes.retain(|(_, o, n)| o != n);
        insert_changes(&mut tx, ctx, now, client.as_str(), version + 1, &changes).await?;
        if !matches!(ctx.principal, Principal::Integration { .. }) {
            auto_invite_if_due(&mut tx, now, client).await?;
        }
        self.allowed(
            &mut tx,
            ctx,
            &scope,
            client.as_str(),
            &a,
            Some(client.as_str()),
        )
        .await?;
        for (attempt, sc) in &extra {
            self.allowed(&mut tx, ctx, sc, client.as_str(), attempt, None)
                .await?;
        }
        tx.commit().await?;
        self.wake_jobs();
        Ok(ClientUpdate {
            changed: changes.iter().map(|(f, _, _)| *f).collect(),
            contact,
        })
    }

    /// Records a denial found inside a write's transaction and answers it.
    async fn refuse<T>(
        &self,
        mut tx: Tx,
        ctx: &Ctx,
        client: &ClientId,
        a: &Attempt<'_>,
        reason: DenyReason,
    ) -> Result<T> {
        self.denied(&mut tx, ctx, Some(client.as_str()), a, reason.code())
            .await?;
        tx.commit().await?;
        Err(ServiceError::Denied(reason))
    }
}

/// Writes a new client: the row with its search keys, the first episode,
/// and version 1 of the history (every field, from nothing). The one way a
/// client comes to exist (registration, the operator CLI, imports).
pub(crate) async fn insert_client(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    id: &str,
    org: &OrganisationId,
    new: &NewClient,
    episode_start: Option<NaiveDate>,
) -> Result<()> {
    let (given, prefix, family) = (
        new.given_name.as_str(),
        opt(&new.name_prefix),
        new.family_name.as_str(),
    );
    crate::sql::query(
        "INSERT INTO client (id, organisation_id, client_number, given_name, name_prefix, family_name, birth_date, \
         street, house_number, postal_code, city, email, mobile, team_id, primary_caregiver_id, portal_stopped, created_at, \
         search_text, sort_key, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $18, 1)",
    )
    .bind(id)
    .bind(org.as_str())
    .bind(new.client_number.as_str())
    .bind(given)
    .bind(prefix)
    .bind(family)
    .bind(date_str(new.birth_date.date()))
    .bind(opt(&new.street))
    .bind(opt(&new.house_number))
    .bind(opt(&new.postal_code))
    .bind(opt(&new.city))
    .bind(new.email.as_ref().map(Email::as_str))
    .bind(new.mobile.as_ref().map(inzage_core::types::MobileNumber::as_str))
    .bind(new.team_id.as_ref().map(TeamId::as_str))
    .bind(new.primary_caregiver_id.as_ref().map(StaffId::as_str))
    .bind(ts(now))
    .bind(search_text(
        given,
        prefix,
        family,
        new.client_number.as_str(),
        new.birth_date.date(),
    ))
    .bind(name_sort_key(given, prefix, family))
    .execute(&mut **tx)
    .await
    .map_err(|e| match fk_or(e, "organisation, team or caregiver does not exist", "") {
        ServiceError::Conflict(m) if m.is_empty() => ServiceError::Taken("client_number"),
        other => other,
    })?;
    if let Some(start) = episode_start {
        crate::sql::query("INSERT INTO episode (id, client_id, start_date, end_date, created_at) VALUES ($1, $2, $3, NULL, $4)")
            .bind(new_id())
            .bind(id)
            .bind(date_str(start))
            .bind(ts(now))
            .execute(&mut **tx)
            .await?;
    }
    let mut first: Vec<Change> = values_of(new)
        .into_iter()
        .map(|(f, v)| (f, None, v))
        .collect();
    if let Some(start) = episode_start {
        first.push(("episode_start", None, Some(date_str(start))));
    }
    insert_changes(tx, ctx, now, id, 1, &first).await
}

pub(crate) const RECORD_COLS: &str =
    "client_number, given_name, name_prefix, family_name, birth_date, street, \
     house_number, postal_code, city, email, mobile, team_id, primary_caregiver_id, version";

pub(crate) fn record_of(
    r: &crate::sql::Row,
    client: &ClientId,
    episode_start: Option<NaiveDate>,
) -> Result<ClientRecord> {
    Ok(ClientRecord {
        id: client.clone(),
        version: i(r, "version")?,
        client_number: s(r, "client_number")?,
        given_name: s(r, "given_name")?,
        name_prefix: os(r, "name_prefix")?,
        family_name: s(r, "family_name")?,
        birth_date: d(r, "birth_date")?,
        street: os(r, "street")?,
        house_number: os(r, "house_number")?,
        postal_code: os(r, "postal_code")?,
        city: os(r, "city")?,
        email: os(r, "email")?,
        mobile: os(r, "mobile")?,
        team_id: os(r, "team_id")?.map(TeamId::from_raw),
        primary_caregiver_id: os(r, "primary_caregiver_id")?.map(StaffId::from_raw),
        episode_start,
    })
}

/// The stored values of a registration's fields, in [`FIELDS`] order
/// (without the episode start).
fn values_of(c: &NewClient) -> Vec<(&'static str, Option<String>)> {
    let l = |v: &Option<inzage_core::types::Label>| v.as_ref().map(|x| x.as_str().to_owned());
    vec![
        ("client_number", Some(c.client_number.as_str().to_owned())),
        ("given_name", Some(c.given_name.as_str().to_owned())),
        ("name_prefix", l(&c.name_prefix)),
        ("family_name", Some(c.family_name.as_str().to_owned())),
        ("birth_date", Some(date_str(c.birth_date.date()))),
        ("street", l(&c.street)),
        ("house_number", l(&c.house_number)),
        ("postal_code", l(&c.postal_code)),
        ("city", l(&c.city)),
        ("email", c.email.as_ref().map(|e| e.as_str().to_owned())),
        ("mobile", c.mobile.as_ref().map(|m| m.as_str().to_owned())),
        ("team", c.team_id.as_ref().map(|t| t.as_str().to_owned())),
        (
            "primary_caregiver",
            c.primary_caregiver_id
                .as_ref()
                .map(|t| t.as_str().to_owned()),
        ),
    ]
}

fn values_of_record(c: &ClientRecord) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("client_number", Some(c.client_number.clone())),
        ("given_name", Some(c.given_name.clone())),
        ("name_prefix", c.name_prefix.clone()),
        ("family_name", Some(c.family_name.clone())),
        ("birth_date", Some(date_str(c.birth_date))),
        ("street", c.street.clone()),
        ("house_number", c.house_number.clone()),
        ("postal_code", c.postal_code.clone()),
        ("city", c.city.clone()),
        ("email", c.email.clone()),
        ("mobile", c.mobile.clone()),
        ("team", c.team_id.as_ref().map(|t| t.as_str().to_owned())),
        (
            "primary_caregiver",
            c.primary_caregiver_id
                .as_ref()
                .map(|t| t.as_str().to_owned()),
        ),
    ]
}

/// The latest episode: (id, start, end).
async fn latest_episode(
    tx: &mut Tx,
    client: &str,
) -> Result<Option<(String, NaiveDate, Option<NaiveDate>)>> {
    crate::sql::query(
        "SELECT id, start_date, end_date FROM episode WHERE client_id = $1 \
         ORDER BY start_date DESC, created_at DESC LIMIT 1",
    )
    .bind(client)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| Ok((s(&r, "id")?, d(&r, "start_date")?, od(&r, "end_date")?)))
    .transpose()
}

/// An episode starts within ten years of today.
fn episode_start_plausible(start: NaiveDate, now: DateTime<Utc>) -> bool {
    (start - inzage_core::types::local_date(now))
        .num_days()
        .abs()
        <= 3660
}

/// The persoonlijk begeleider must be an active member of the client's
/// team with that role (no team: no begeleider).
async fn check_caregiver(
    tx: &mut Tx,
    org: &OrganisationId,
    team: Option<&TeamId>,
    caregiver: Option<&StaffId>,
) -> Result<()> {
    let Some(cg) = caregiver else { return Ok(()) };
    let Some(team) = team else {
        return Err(field_err("primary_caregiver", "not in the client's team"));
    };
    let ok = crate::sql::query(
        "SELECT 1 AS x FROM staff_member m JOIN staff_role r ON r.staff_id = m.id AND r.role = $4 \
         JOIN team_membership tm ON tm.staff_id = m.id AND tm.team_id = $3 \
         WHERE m.id = $1 AND m.organisation_id = $2 AND m.active = 1",
    )
    .bind(cg.as_str())
    .bind(org.as_str())
    .bind(team.as_str())
    .bind(Role::PrimaryCaregiver.code())
    .fetch_optional(&mut **tx)
    .await?
    .is_some();
    if ok {
        Ok(())
    } else {
        Err(field_err("primary_caregiver", "not in the client's team"))
    }
}

/// Clients of `org` that look like `new`: the same client number, or the
/// same birth date and a similar name ([`names_alike`]). `except`: the
/// client being edited.
async fn duplicates(
    tx: &mut Tx,
    actor: &ActorFacts,
    org: &OrganisationId,
    new: &NewClient,
    except: Option<&ClientId>,
) -> Result<Vec<Duplicate>> {
    let rows = crate::sql::query(
        "SELECT c.id, c.client_number, c.given_name, c.name_prefix, c.family_name, c.birth_date, \
         c.team_id, t.name AS team_name FROM client c LEFT JOIN team t ON t.id = c.team_id \
         WHERE c.organisation_id = $1 AND (c.birth_date = $2 OR c.client_number = $3) AND c.id <> $4 \
         ORDER BY c.sort_key, c.id LIMIT 50",
    )
    .bind(org.as_str())
    .bind(date_str(new.birth_date.date()))
    .bind(new.client_number.as_str())
    .bind(except.map(ClientId::as_str).unwrap_or(""))
    .fetch_all(&mut **tx)
    .await?;
    let my_teams: &[TeamId] = match actor {
        ActorFacts::Staff(s) => &s.team_ids,
        _ => &[],
    };
    let mut out = Vec::new();
    for r in &rows {
        let (given, prefix, family) = (
            s(r, "given_name")?,
            os(r, "name_prefix")?,
            s(r, "family_name")?,
        );
        let same_number = s(r, "client_number")? == new.client_number.as_str();
        let alike = d(r, "birth_date")? == new.birth_date.date()
            && names_alike(
                new.given_name.as_str(),
                new.family_name.as_str(),
                &given,
                &family,
            );
        if !(same_number || alike) {
            continue;
        }
        let team = os(r, "team_id")?.map(TeamId::from_raw);
        let mine = team.is_some_and(|t| my_teams.contains(&t));
        out.push(Duplicate {
            id: ClientId::from_raw(s(r, "id")?),
            name: mine.then(|| sort_name(&given, prefix.as_deref(), &family)),
            client_number: if mine {
                Some(s(r, "client_number")?)
            } else {
                None
            },
            birth_date: if mine {
                Some(d(r, "birth_date")?)
            } else {
                None
            },
            team_name: os(r, "team_name")?,
            same_number,
            in_my_teams: mine,
        });
    }
    Ok(out)
}

/// The audit event for showing `dup` as a likely duplicate: its name and
/// number were shown, so its "Wie keek mee" lists it.
fn dup_event<'a>(role: &'a str, dup: &'a Duplicate) -> Event<'a> {
    Event {
        role,
        client_id: Some(dup.id.as_str()),
        data_kind: "duplicate_check",
        data_id: None,
        action: AuditAction::List,
        outcome: AuditOutcome::Allowed,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_names_are_alike_and_others_are_not() {
        assert!(names_alike("Ayşe", "Öztürk", "Ayse", "Ozturk"));
        assert!(names_alike("Piet", "Jansen", "Pieter", "Janssen"));
        assert!(names_alike("Anna", "Bakker", "Anna", "Visser"));
        assert!(!names_alike("Piet", "Jansen", "Karin", "Visser"));
    }

    #[test]
    fn the_search_text_holds_names_number_and_both_date_forms() {
        let t = search_text(
            "Ayşe",
            None,
            "Öztürk",
            "C-1001",
            NaiveDate::from_ymd_opt(1990, 3, 12).expect("date"),
        );
        assert_eq!(t, "ayse ozturk c-1001 12-03-1990 1990-03-12");
    }
}
