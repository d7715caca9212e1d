//! The client's voice (issue 15, ADR 0018): requests about their own
//! dossier. A client asks for a **correction** of a factual error, or adds
//! their own **statement** (an addition) beside their personal data, a
//! report or a plan section (WGBO art. 7:454, AVG art. 16).
//!
//! - Asking is the only write a client makes in their dossier; the policy
//!   allows it as `Requests`/`Write` for their own dossier while the portal
//!   is open to them (and to nobody else).
//! - A request about the personal data goes to the secretariat, one about
//!   content to the care team: whoever may *write the part it is about*
//!   answers it, so the decision passes the gate of that part.
//! - A correction is accepted (the staff member corrects the item the
//!   usual way: a new version, the old one stays in the history) or
//!   declined with a reason the client reads. An addition is shown beside
//!   its item at once, to staff and client, and is never removed; staff
//!   mark it read.
//! - Every request has a due date (`organisation.request_due_days` after
//!   it was asked); the queue marks overdue ones. Nothing is overwritten:
//!   the request keeps the client's words, the answer its own columns.
use crate::access::{actor_facts, in_scope, Attempt};
use crate::admin::{full_name, sort_name};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{d, os, ot, s, t};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use inzage_core::ids::{ClientId, PlanSectionId, ReportId, RequestId};
use inzage_core::model::{AuditAction, AuditOutcome, DocStatus, DossierPart};
use inzage_core::policy::{self, Access, ActorFacts, Decision};
use inzage_core::types::{date_str, display_date, local_date, ts, FieldError, Text};
use serde::Serialize;

/// The longest request a client can type.
pub const REQUEST_MAX_CHARS: usize = 2000;
/// The longest answer staff can type.
pub const ANSWER_MAX_CHARS: usize = 2000;
/// At most this many requests of one client wait at once (a typing
/// mistake repeated, a script): more are refused with a message.
pub const OPEN_REQUESTS_MAX: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// "Dit klopt niet": a factual error to correct.
    Correction,
    /// "Mijn eigen aanvulling": the client's own statement beside an item.
    Addition,
    /// "Iemand toevoegen": give someone access (Mijn netwerk, by the
    /// client; ADR 0020).
    Network,
}

impl RequestKind {
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Correction => "correction",
            RequestKind::Addition => "addition",
            RequestKind::Network => "network",
        }
    }
    pub fn from_code(c: &str) -> Option<Self> {
        match c {
            "correction" => Some(RequestKind::Correction),
            "addition" => Some(RequestKind::Addition),
            "network" => Some(RequestKind::Network),
            _ => None,
        }
    }
}

/// What a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestAbout {
    /// "Mijn gegevens" (name, address, contact details …).
    Profile,
    /// A report as the client sees it (its current version).
    Report(ReportId),
    /// One section of a plan version.
    PlanSection(PlanSectionId),
    /// The network: someone to give access, with the tiles proposed.
    Network(Vec<DossierPart>),
}

impl RequestAbout {
    /// The part whose writers answer the request.
    pub fn part(&self) -> DossierPart {
        match self {
            RequestAbout::Profile => DossierPart::Profile,
            RequestAbout::Report(_) => DossierPart::Reports,
            RequestAbout::PlanSection(_) => DossierPart::ClientPlan,
            RequestAbout::Network(_) => DossierPart::Network,
        }
    }
}

fn part_of_kind(about_kind: &str) -> DossierPart {
    match about_kind {
        "report" => DossierPart::Reports,
        "plan_section" => DossierPart::ClientPlan,
        "network" => DossierPart::Network,
        _ => DossierPart::Profile,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Accepted,
    Declined,
    /// An addition staff have read (it stays shown).
    Read,
}

impl RequestStatus {
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
            RequestStatus::Read => "read",
        }
    }
    fn from_code(c: &str) -> Self {
        match c {
            "accepted" => RequestStatus::Accepted,
            "declined" => RequestStatus::Declined,
            "read" => RequestStatus::Read,
            _ => RequestStatus::Open,
        }
    }
}

/// One request, as the client and the team see it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DossierRequest {
    pub id: RequestId,
    pub client_id: ClientId,
    pub kind: RequestKind,
    /// `profile`, `report` or `plan_section`.
    pub about_kind: String,
    /// What it was about, as the client saw it (a report's date and
    /// category, a plan section's domain; empty for the personal data).
    pub about_label: String,
    /// The item to open: the report's current version, the plan version of
    /// the section; none for the personal data.
    pub about_link: Option<String>,
    pub body: String,
    pub asked_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub status: RequestStatus,
    pub answer: Option<String>,
    /// A network request: the tiles the client proposes.
    pub proposed_parts: Vec<DossierPart>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl DossierRequest {
    /// The part whose writers answer it.
    pub fn part(&self) -> DossierPart {
        part_of_kind(&self.about_kind)
    }
}

/// A client's own statement, shown beside the item it is about.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Statement {
    pub id: RequestId,
    pub body: String,
    pub asked_at: DateTime<Utc>,
}

/// One line of the staff queue: who and when, not what (the request's
/// words are read on its own page, audited for that client).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QueueLine {
    pub id: RequestId,
    pub client_id: ClientId,
    /// "Achternaam, Voornaam".
    pub client_name: String,
    pub client_number: String,
    pub kind: RequestKind,
    pub about_kind: String,
    pub asked_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// What a staff member decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A correction is right; the item is (or will be) corrected. An
    /// optional note for the client.
    Accept(Option<Text>),
    /// A correction is not made; the reason is required, the client reads it.
    Decline(Text),
    /// An addition is read (it stays beside its item).
    Read,
}

/// The audit trail's data kind of every request event: the part's code,
/// so "Wie keek mee" names it ("Verzoeken").
const REQUESTS_KIND: &str = "requests";

const REQUEST_SELECT: &str = "SELECT q.id, q.client_id, q.kind, q.about_kind, q.about_id, q.about_label, q.body, q.proposed_parts, \
     q.asked_at, q.due_on, q.status, q.answer, q.decided_at, \
     sm.given_name AS d_given, sm.name_prefix AS d_prefix, sm.family_name AS d_family, \
     r.id AS r_id, r.status AS r_status, r.visible_to_client AS r_visible, r.episode_id AS r_episode, \
     ps.plan_version_id AS ps_plan \
     FROM dossier_request q LEFT JOIN staff_member sm ON sm.id = q.decided_by \
     LEFT JOIN report r ON q.about_kind = 'report' AND r.series_id = q.about_id AND r.is_current = 1 \
     LEFT JOIN plan_section ps ON q.about_kind = 'plan_section' AND ps.id = (SELECT y.id FROM plan_section y \
       JOIN plan_version pv ON pv.id = y.plan_version_id WHERE (y.id = q.about_id OR y.lineage_id = q.about_id) \
       AND pv.status = 'final' ORDER BY pv.plan_date DESC, pv.created_at DESC LIMIT 1)";

/// Corrections and network requests have a term; an addition stands at once.
fn has_term(r: &crate::sql::Row) -> Result<bool> {
    Ok(s(r, "kind")? != RequestKind::Addition.code())
}

/// The parts of a dossier request's subjects this actor may read, for this
/// client: a request is read only by whoever may read what it is about (the
/// secretariat reads the requests about personal data, not those about a
/// report; review of issue 15).
async fn readable_kinds(
    services: &Services,
    tx: &mut Tx,
    ctx: &Ctx,
    client: &str,
) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for (kind, part) in [
        ("profile", DossierPart::Profile),
        ("report", DossierPart::Reports),
        ("plan_section", DossierPart::ClientPlan),
        ("network", DossierPart::Network),
    ] {
        let a = Attempt {
            part,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: REQUESTS_KIND,
            data_id: None,
            hide_denial: true,
        };
        if services.decide_only(tx, client, ctx, &a).await?.is_ok() {
            out.push(kind);
        }
    }
    Ok(out)
}

/// `portal`: the episode the client sees (links only to what they see);
/// `None`: staff.
fn request_from_row(
    r: &crate::sql::Row,
    today: NaiveDate,
    portal: Option<&str>,
) -> Result<DossierRequest> {
    let status = RequestStatus::from_code(&s(r, "status")?);
    let due_on = d(r, "due_on")?;
    let about_kind = s(r, "about_kind")?;
    let about_link = match about_kind.as_str() {
        "report" => match (os(r, "r_id")?, portal) {
            // The client gets a link only to a version they can open (a
            // newer hidden version must not show as a dead link).
            (Some(id), Some(episode)) => (os(r, "r_status")?.as_deref() == Some("final")
                && crate::row::b(r, "r_visible")?
                && os(r, "r_episode")?.as_deref() == Some(episode))
            .then(|| format!("/dossier/rapportages/{id}")),
            (Some(id), None) => Some(format!("/clienten/{}/rapportages/{id}", s(r, "client_id")?)),
            (None, _) => None,
        },
        "plan_section" => match (os(r, "ps_plan")?, portal) {
            (Some(id), Some(_)) => Some(format!("/dossier/clientplan/{id}")),
            (Some(id), None) => Some(format!("/clienten/{}/clientplan/{id}", s(r, "client_id")?)),
            (None, _) => None,
        },
        _ => None,
    };
    Ok(DossierRequest {
        id: RequestId::from_raw(s(r, "id")?),
        client_id: ClientId::from_raw(s(r, "client_id")?),
        kind: RequestKind::from_code(&s(r, "kind")?).unwrap_or(RequestKind::Correction),
        about_kind,
        about_label: s(r, "about_label")?,
        about_link,
        body: s(r, "body")?,
        asked_at: t(r, "asked_at")?,
        due_on,
        // Only a correction has a term; an addition stands at once.
        overdue: status == RequestStatus::Open && has_term(r)? && today > due_on,
        status,
        answer: os(r, "answer")?,
        proposed_parts: crate::access::parse_parts(&os(r, "proposed_parts")?.unwrap_or_default()),
        decided_by_name: match os(r, "d_given")? {
            Some(g) => Some(full_name(
                &g,
                os(r, "d_prefix")?.as_deref(),
                &s(r, "d_family")?,
            )),
            None => None,
        },
        decided_at: ot(r, "decided_at")?,
    })
}

/// The client's statements beside items of one kind (`report`: series
/// ids, `plan_section`: section ids, `profile`: none), oldest first, as
/// (item id, statement). Read inside the item's own audited read.
pub(crate) async fn statements_beside(
    tx: &mut Tx,
    client: &str,
    about_kind: &str,
    ids: &[String],
) -> Result<Vec<(String, Statement)>> {
    let rows = crate::sql::query(
        "SELECT id, about_id, body, asked_at FROM dossier_request \
         WHERE client_id = $1 AND kind = 'addition' AND about_kind = $2 ORDER BY asked_at, id",
    )
    .bind(client)
    .bind(about_kind)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let about = os(r, "about_id")?.unwrap_or_default();
        if about_kind == "profile" || ids.contains(&about) {
            out.push((
                about,
                Statement {
                    id: RequestId::from_raw(s(r, "id")?),
                    body: s(r, "body")?,
                    asked_at: t(r, "asked_at")?,
                },
            ));
        }
    }
    Ok(out)
}

impl Services {
    /// A client asks for a correction or adds a statement. The item must be
    /// one the client sees in the portal (else `NotFound`, like a missing
    /// id). Returns the request's id.
    pub async fn ask(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        kind: RequestKind,
        about: RequestAbout,
        body: &str,
    ) -> Result<RequestId> {
        let body = Text::parse("request", body, REQUEST_MAX_CHARS)?;
        // A request is kept for good and shown to others: no characters
        // that reorder what is shown (bidi overrides and isolates).
        if body
            .as_str()
            .chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        {
            return Err(ServiceError::Invalid(FieldError::new(
                "request",
                "contains direction control characters",
            )));
        }
        let a = Attempt {
            part: DossierPart::Requests,
            access: Access::Write,
            action: AuditAction::Create,
            data_kind: REQUESTS_KIND,
            data_id: None,
            hide_denial: false,
        };
        // A network request is its own kind, and only that kind is one.
        if (kind == RequestKind::Network) != matches!(about, RequestAbout::Network(_)) {
            return Err(ServiceError::Invalid(FieldError::new(
                "request",
                "kind and subject do not fit",
            )));
        }
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        // The item, as this client sees it.
        let mut proposed: Option<String> = None;
        let (about_kind, about_id, label) = match &about {
            RequestAbout::Profile => ("profile", None, String::new()),
            RequestAbout::Network(parts) => {
                // Only an adult who manages their own affairs (the rule).
                if let Err(reason) = self
                    .decide_client_network_in(&mut tx, ctx, client.as_str())
                    .await?
                {
                    self.denied(&mut tx, ctx, Some(client.as_str()), &a, reason.code())
                        .await?;
                    tx.commit().await?;
                    return Err(ServiceError::Denied(reason));
                }
                // The portal's tiles only, each once, in tile order.
                let tiles: Vec<DossierPart> = policy::CLIENT_PARTS
                    .iter()
                    .copied()
                    .filter(|p| parts.contains(p))
                    .collect();
                if tiles.is_empty() {
                    return Err(ServiceError::Invalid(FieldError::new(
                        "parts",
                        "choose at least one tile",
                    )));
                }
                proposed = Some(crate::access::join_parts(&tiles));
                ("network", None, String::new())
            }
            RequestAbout::Report(id) => {
                let r = crate::sql::query(
                    "SELECT series_id, episode_id, status, visible_to_client, is_current, category, created_at \
                     FROM report WHERE id = $1 AND client_id = $2",
                )
                .bind(id.as_str())
                .bind(client.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(r) = r else {
                    return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
                };
                if !in_scope(
                    &scope,
                    &s(&r, "episode_id")?,
                    s(&r, "status")? == DocStatus::Final.code(),
                    crate::row::b(&r, "visible_to_client")?,
                    crate::row::b(&r, "is_current")?,
                ) {
                    return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
                }
                let label = format!(
                    "{} · {}",
                    display_date(local_date(t(&r, "created_at")?)),
                    s(&r, "category")?
                );
                ("report", Some(s(&r, "series_id")?), label)
            }
            RequestAbout::PlanSection(id) => {
                let r = crate::sql::query(
                    "SELECT p.episode_id, p.status, x.domain, COALESCE(x.lineage_id, x.id) AS lineage \
                     FROM plan_section x \
                     JOIN plan_version p ON p.id = x.plan_version_id WHERE x.id = $1 AND p.client_id = $2",
                )
                .bind(id.as_str())
                .bind(client.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(r) = r else {
                    return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
                };
                if !in_scope(
                    &scope,
                    &s(&r, "episode_id")?,
                    s(&r, "status")? == DocStatus::Final.code(),
                    true,
                    true,
                ) {
                    return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
                }
                // Keyed by the section's lineage: the addition stays beside
                // this domain in later plan versions.
                ("plan_section", Some(s(&r, "lineage")?), s(&r, "domain")?)
            }
        };
        let open: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM dossier_request WHERE client_id = $1 AND status = 'open' \
             AND kind <> 'addition'",
        )
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(ServiceError::from)
        .and_then(|r| crate::row::i(&r, "n"))?;
        if kind != RequestKind::Addition && open >= OPEN_REQUESTS_MAX {
            return Err(ServiceError::Invalid(FieldError::new(
                "request",
                "too many open requests",
            )));
        }
        let due_days: i64 = crate::sql::query(
            "SELECT o.request_due_days AS n FROM client c JOIN organisation o ON o.id = c.organisation_id \
             WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(ServiceError::from)
        .and_then(|r| crate::row::i(&r, "n"))?;
        let now = self.now();
        let due_on = local_date(now) + Duration::days(due_days);
        let (by_kind, by_id) = ctx.principal.audit_actor();
        let id = new_id();
        crate::sql::query(
            "INSERT INTO dossier_request (id, client_id, kind, about_kind, about_id, about_label, routed_to, \
             body, asked_by_kind, asked_by_id, asked_at, due_on, status, proposed_parts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(kind.code())
        .bind(about_kind)
        .bind(&about_id)
        .bind(&label)
        .bind(match about {
            RequestAbout::Profile | RequestAbout::Network(_) => "secretariat",
            _ => "care",
        })
        .bind(body.as_str())
        .bind(by_kind)
        .bind(&by_id)
        .bind(ts(now))
        .bind(date_str(due_on))
        .bind(&proposed)
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(RequestId::from_raw(id))
    }

    /// Every request of one client, newest first: the client's "Mijn
    /// verzoeken" and the team's list on the client's page.
    pub async fn client_requests(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<DossierRequest>>> {
        let a = Attempt {
            part: DossierPart::Requests,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: REQUESTS_KIND,
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let portal = scope.only_episode.as_ref().map(|e| e.to_string());
        let kinds = readable_kinds(self, &mut tx, ctx, client.as_str()).await?;
        let rows = crate::sql::query(&format!(
            "{REQUEST_SELECT} WHERE q.client_id = $1 ORDER BY q.asked_at DESC, q.id"
        ))
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let today = local_date(self.now());
        let mut items = Vec::new();
        for r in &rows {
            if kinds.contains(&s(r, "about_kind")?.as_str()) {
                items.push(request_from_row(r, today, portal.as_deref())?);
            }
        }
        ticket.finish(tx, items).await
    }

    /// One request of `client`, with its words (staff). A request of
    /// another client, or about a part the actor may not read, answers
    /// `NotFound` (audited) before anything of it is read.
    pub async fn dossier_request(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        id: &RequestId,
    ) -> Result<Audited<DossierRequest>> {
        let a = Attempt {
            part: DossierPart::Requests,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: REQUESTS_KIND,
            data_id: Some(id.as_str()),
            hide_denial: true,
        };
        if !self
            .belongs_to("dossier_request", id.as_str(), client)
            .await?
        {
            return self.no_such_item(ctx, &a).await;
        }
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let about: String =
            crate::sql::query("SELECT about_kind FROM dossier_request WHERE id = $1")
                .bind(id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(ServiceError::from)
                .and_then(|r| s(&r, "about_kind"))?;
        if !readable_kinds(self, &mut tx, ctx, client.as_str())
            .await?
            .contains(&about.as_str())
        {
            return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
        }
        let r = crate::sql::query(&format!("{REQUEST_SELECT} WHERE q.id = $1"))
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let episode = scope.only_episode.as_ref().map(|e| e.to_string());
        let item = request_from_row(&r, local_date(self.now()), episode.as_deref())?;
        ticket.finish(tx, item).await
    }

    /// A staff member answers a request: accepts or declines a correction,
    /// marks an addition read. Passes the gate of the part the request is
    /// about (the secretariat answers about personal data, the care team
    /// about content). An answered request is not answered again (`Stale`).
    pub async fn answer_request(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        id: &RequestId,
        answer: Answer,
    ) -> Result<()> {
        let head = crate::sql::query(
            "SELECT client_id, kind, about_kind FROM dossier_request WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.db())
        .await?;
        let a = |part| Attempt {
            part,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: REQUESTS_KIND,
            data_id: Some(id.as_str()),
            hide_denial: true,
        };
        let Some(head) =
            head.filter(|h| s(h, "client_id").ok().as_deref() == Some(client.as_str()))
        else {
            return self.no_such_item(ctx, &a(DossierPart::Requests)).await;
        };
        let client = client.to_string();
        let kind = RequestKind::from_code(&s(&head, "kind")?).unwrap_or(RequestKind::Correction);
        let attempt = a(part_of_kind(&s(&head, "about_kind")?));
        // The rule first: nothing about the request is told to whoever may
        // not answer it (a denial answers `NotFound`, audited).
        let (tx, scope) = self.gate(ctx, &client, &attempt).await?;
        let decider = policy::decide_authorship(&ctx.principal).map_err(ServiceError::Denied)?;
        let (status, text) = match (kind, &answer) {
            (RequestKind::Correction, Answer::Accept(note)) => {
                ("accepted", note.as_ref().map(|n| n.as_str().to_owned()))
            }
            (RequestKind::Correction, Answer::Decline(reason)) => {
                ("declined", Some(reason.as_str().to_owned()))
            }
            (RequestKind::Addition, Answer::Read) => ("read", None),
            (RequestKind::Network, Answer::Accept(note)) => {
                ("accepted", note.as_ref().map(|n| n.as_str().to_owned()))
            }
            (RequestKind::Network, Answer::Decline(reason)) => {
                ("declined", Some(reason.as_str().to_owned()))
            }
            _ => {
                return Err(ServiceError::Invalid(FieldError::new(
                    "answer",
                    "does not fit this kind of request",
                )))
            }
        };
        let mut tx = tx;
        let changed = crate::sql::query(
            "UPDATE dossier_request SET status = $2, answer = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $1 AND status = 'open'",
        )
        .bind(id.as_str())
        .bind(status)
        .bind(&text)
        .bind(decider.as_str())
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit_guarded(tx, changed, ctx, &scope, &client, &attempt)
            .await
    }

    /// The staff queue: the open requests of the clients of the member's
    /// teams that this member may answer (personal data: roles that write
    /// profiles; content: roles that write reports or plans), the oldest
    /// due date first. One audit event for the list, like "Mijn cliënten".
    pub async fn request_queue(&self, ctx: &Ctx) -> Result<Audited<Vec<QueueLine>>> {
        let a = Attempt {
            part: DossierPart::Requests,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: REQUESTS_KIND,
            data_id: None,
            hide_denial: false,
        };
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let (scope, staff) = match (policy::decide_team_client_list(&actor), &actor) {
            (Decision::Allow(scope), ActorFacts::Staff(staff)) => (scope, staff.clone()),
            (Decision::Deny(reason), _) => {
                drop(conn);
                self.record_read(
                    ctx,
                    &a,
                    None,
                    AuditOutcome::Denied,
                    "-",
                    Some(reason.code()),
                )
                .await?;
                return Err(ServiceError::Denied(reason));
            }
            (Decision::Allow(_), _) => {
                return Err(ServiceError::Internal(
                    "request queue for a non-staff actor".into(),
                ))
            }
        };
        let kinds: Vec<&str> = policy::requests_answered_by(&staff)
            .into_iter()
            .map(|p| match p {
                DossierPart::Reports => "report",
                DossierPart::ClientPlan => "plan_section",
                DossierPart::Network => "network",
                _ => "profile",
            })
            .collect();
        let mut out = Vec::new();
        if !staff.team_ids.is_empty() && !kinds.is_empty() {
            let teams: Vec<String> = (0..staff.team_ids.len())
                .map(|i| format!("${}", i + 2))
                .collect();
            let kind_marks: Vec<String> = (0..kinds.len())
                .map(|i| format!("${}", i + 2 + staff.team_ids.len()))
                .collect();
            let sql = format!(
                "SELECT q.id, q.client_id, q.kind, q.about_kind, q.asked_at, q.due_on, \
                 c.client_number, c.given_name, c.name_prefix, c.family_name \
                 FROM dossier_request q JOIN client c ON c.id = q.client_id \
                 WHERE q.status = 'open' AND c.organisation_id = $1 AND c.team_id IN ({}) \
                 AND q.about_kind IN ({}) ORDER BY q.due_on, q.asked_at, q.id LIMIT 500",
                teams.join(", "),
                kind_marks.join(", ")
            );
            let mut q = crate::sql::query(&sql).bind(staff.organisation_id.as_str());
            for t in &staff.team_ids {
                q = q.bind(t.as_str());
            }
            for k in &kinds {
                q = q.bind(*k);
            }
            let today = local_date(self.now());
            for r in q.fetch_all(&mut *conn).await? {
                let due_on = d(&r, "due_on")?;
                out.push(QueueLine {
                    id: RequestId::from_raw(s(&r, "id")?),
                    client_id: ClientId::from_raw(s(&r, "client_id")?),
                    client_name: sort_name(
                        &s(&r, "given_name")?,
                        os(&r, "name_prefix")?.as_deref(),
                        &s(&r, "family_name")?,
                    ),
                    client_number: s(&r, "client_number")?,
                    kind: RequestKind::from_code(&s(&r, "kind")?)
                        .unwrap_or(RequestKind::Correction),
                    about_kind: s(&r, "about_kind")?,
                    asked_at: t(&r, "asked_at")?,
                    due_on,
                    overdue: has_term(&r)? && today > due_on,
                });
            }
        }
        drop(conn);
        // Each line names a client and what their request is about: one
        // event per client listed, so it shows in their "Wie keek mee".
        let mut clients: Vec<&str> = out.iter().map(|l| l.client_id.as_str()).collect();
        clients.sort_unstable();
        clients.dedup();
        let mut events =
            vec![self.read_event(ctx, &a, None, AuditOutcome::Allowed, &scope.as_role, None)];
        for c in clients {
            events.push(self.read_event(
                ctx,
                &a,
                Some(c),
                AuditOutcome::Allowed,
                &scope.as_role,
                None,
            ));
        }
        crate::audited::recorded(self, events, out).await
    }
}
