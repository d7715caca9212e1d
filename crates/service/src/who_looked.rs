//! "Wie keek mee": the client's view of the NEN 7513 log of their own
//! dossier, in plain words. Repeated views of the same thing by the same
//! person on one day are one line with a count. Only allowed accesses to
//! this client's dossier are shown; denied attempts (which could name other
//! people's guesses) and network addresses are not.
use crate::access::Attempt;
use crate::admin::full_name;
use crate::error::Result;
use crate::row::{os, s, t};
use crate::{Audited, Ctx, Services};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::ids::ClientId;
use inzage_core::model::{AuditAction, DossierPart, Principal, Role};
use inzage_core::policy::Access;
use inzage_core::types::{local_date, local_midnight_utc, ts};
use serde::Serialize;

/// Who did it, as the client sees it. The web layer words it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Who {
    /// The client ("jijzelf").
    Yourself,
    /// The client, as a contact person reading the log sees them.
    Client,
    /// A staff member, with the role they acted in (`None`: unknown role).
    Staff {
        name: String,
        role: Option<Role>,
    },
    /// A staff member who no longer exists in the register.
    UnknownStaff,
    ContactPerson {
        name: String,
    },
    UnknownContactPerson,
    /// Inzage itself (a job, the import).
    System,
    /// A connected system (the organisation's ECD) through the FHIR API,
    /// by the name it was registered under.
    Integration {
        name: String,
    },
}

/// What was done, in a closed set of verbs the web layer translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    Viewed,
    Added,
    Changed,
    Finalised,
    Removed,
    Granted,
    Revoked,
    Invited,
    SignedIn,
    /// The right password, but no session followed (the code was not
    /// entered): shown, so a client sees someone who knows their password.
    PasswordOnly,
    SignedOut,
    PasswordSet,
    /// Inzage sent a notification without content (ADR 0021).
    Notified,
    Used,
}

impl Verb {
    pub fn code(self) -> &'static str {
        match self {
            Verb::Viewed => "viewed",
            Verb::Added => "added",
            Verb::Changed => "changed",
            Verb::Finalised => "finalised",
            Verb::Removed => "removed",
            Verb::Granted => "granted",
            Verb::Revoked => "revoked",
            Verb::Invited => "invited",
            Verb::SignedIn => "signed_in",
            Verb::PasswordOnly => "password_only",
            Verb::SignedOut => "signed_out",
            Verb::PasswordSet => "password_set",
            Verb::Notified => "notified",
            Verb::Used => "used",
        }
    }
}

/// What it was about: a dossier part, the account, or the dossier as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Part(DossierPart),
    Account,
    Dossier,
}

impl Subject {
    fn from_kind(kind: &str) -> Self {
        match DossierPart::from_code(kind) {
            Some(p) => Subject::Part(p),
            None if kind == "account" => Subject::Account,
            None => Subject::Dossier,
        }
    }

    /// A stable code for translation keys: the part's code, `account` or `dossier`.
    pub fn code(self) -> &'static str {
        match self {
            Subject::Part(p) => p.code(),
            Subject::Account => "account",
            Subject::Dossier => "dossier",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoLookedLine {
    /// The local (Amsterdam) day.
    pub day: NaiveDate,
    /// The latest time on that day.
    pub last_at: DateTime<Utc>,
    pub who: Who,
    pub subject: Subject,
    pub verb: Verb,
    pub count: i64,
}

/// Who, in words of the reader's language (the page and the afschrift).
pub fn words(tr: inzage_i18n::Tr, who: &Who) -> String {
    match who {
        Who::Yourself => tr.t("who-yourself"),
        Who::Client => tr.t("who-client"),
        Who::Staff { name, role } => {
            let role = tr.t(&format!(
                "role-{}",
                role.map(|r| r.code())
                    .unwrap_or("unknown")
                    .replace('_', "-")
            ));
            tr.a2("who-staff", "name", name, "role", role)
        }
        Who::UnknownStaff => tr.t("who-unknown-staff"),
        Who::ContactPerson { name } => tr.a("who-contact-person", "name", name),
        Who::UnknownContactPerson => tr.t("who-unknown-contact-person"),
        Who::System => tr.t("who-system"),
        Who::Integration { name } => tr.a("who-integration", "name", name),
    }
}

fn verb(action: &str) -> Verb {
    match AuditAction::from_code(action) {
        Some(AuditAction::Read | AuditAction::List | AuditAction::Export) => Verb::Viewed,
        Some(AuditAction::Create) => Verb::Added,
        Some(AuditAction::Update) => Verb::Changed,
        Some(AuditAction::Finalise) => Verb::Finalised,
        Some(AuditAction::Delete) => Verb::Removed,
        Some(AuditAction::Grant) => Verb::Granted,
        Some(AuditAction::Revoke) => Verb::Revoked,
        Some(AuditAction::Invite) => Verb::Invited,
        Some(AuditAction::SessionStart) => Verb::SignedIn,
        Some(AuditAction::Logout | AuditAction::SessionEnd) => Verb::SignedOut,
        Some(AuditAction::PasswordSet) => Verb::PasswordSet,
        Some(AuditAction::Notify) => Verb::Notified,
        _ => Verb::Used,
    }
}

impl Services {
    /// The client's "Wie keek mee" for the local days `from..=until`.
    pub async fn who_looked(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Audited<Vec<WhoLookedLine>>> {
        let a = Attempt {
            part: DossierPart::AuditTrail,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: DossierPart::AuditTrail.code(),
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let rows = crate::sql::query(
            "SELECT e.occurred_at, e.actor_kind, e.actor_id, e.actor_role, e.data_kind, e.action, \
             m.given_name AS s_given, m.name_prefix AS s_prefix, m.family_name AS s_family, \
             cp.given_name AS c_given, cp.name_prefix AS c_prefix, cp.family_name AS c_family, \
             fc.name AS i_name \
             FROM audit_event e \
             LEFT JOIN staff_member m ON e.actor_kind = 'staff' AND m.id = e.actor_id \
             LEFT JOIN contact_person cp ON e.actor_kind = 'contact_person' AND cp.id = e.actor_id \
             LEFT JOIN fhir_client fc ON e.actor_kind = 'integration' AND fc.id = e.actor_id \
             WHERE e.client_id = $1 AND e.outcome = 'allowed' AND e.occurred_at >= $2 AND e.occurred_at < $3 \
             ORDER BY e.seq DESC LIMIT 5000",
        )
        .bind(client.as_str())
        .bind(ts(local_midnight_utc(from)))
        .bind(ts(local_midnight_utc(until + chrono::Duration::days(1))))
        .slow()
        .fetch_all(&mut *tx)
        .await?;
        let me = match &ctx.principal {
            Principal::Client { client_id } => Some(client_id.to_string()),
            _ => None,
        };
        // A contact person reading the log: the client is "de cliënt", not
        // "jijzelf", and others' questions and requests are not shown (a
        // contact person sees only their own there; review of issue 15).
        let viewer_cp = match &ctx.principal {
            Principal::ContactPerson { contact_person_id } => Some(contact_person_id.to_string()),
            _ => None,
        };
        let client_self = if viewer_cp.is_some() {
            Who::Client
        } else {
            Who::Yourself
        };
        let mut lines: Vec<WhoLookedLine> = Vec::new();
        // Session starts seen so far (rows come newest first): (actor, at).
        let mut starts: Vec<(String, DateTime<Utc>)> = Vec::new();
        for r in &rows {
            let at = t(r, "occurred_at")?;
            let kind = s(r, "actor_kind")?;
            let actor = s(r, "actor_id")?;
            if let Some(v) = &viewer_cp {
                let private = matches!(
                    s(r, "data_kind")?.as_str(),
                    "questions" | "requests" | "request_queue" | "notification"
                );
                if private && !(kind == "contact_person" && actor == *v) {
                    continue;
                }
            }
            let who = match kind.as_str() {
                "client" if Some(&actor) == me.as_ref() => Who::Yourself,
                "client" | "account" if actor == client.as_str() => client_self.clone(),
                "staff" => match os(r, "s_given")? {
                    Some(g) => Who::Staff {
                        name: full_name(&g, os(r, "s_prefix")?.as_deref(), &s(r, "s_family")?),
                        role: Role::from_code(&s(r, "actor_role")?),
                    },
                    None => Who::UnknownStaff,
                },
                "contact_person" => match os(r, "c_given")? {
                    Some(g) => Who::ContactPerson {
                        name: full_name(&g, os(r, "c_prefix")?.as_deref(), &s(r, "c_family")?),
                    },
                    None => Who::UnknownContactPerson,
                },
                "account" => client_self.clone(),
                "integration" => Who::Integration {
                    name: os(r, "i_name")?.unwrap_or_default(),
                },
                _ => Who::System,
            };
            // One sign-in is one line: its steps (the password, the code
            // sent, the code) are not shown, only the session it started.
            // A right password that no session followed within the code's
            // life is shown on its own.
            let action = s(r, "action")?;
            let code = AuditAction::from_code(&action);
            if code == Some(AuditAction::SessionStart) {
                starts.push((actor.clone(), at));
            }
            if matches!(
                code,
                Some(AuditAction::SecondFactor | AuditAction::CodeSent)
            ) {
                continue;
            }
            let verb = if code == Some(AuditAction::Login) {
                let completed = starts.iter().any(|(a, s)| {
                    *a == actor && *s >= at && *s <= at + chrono::Duration::minutes(15)
                });
                if completed {
                    continue;
                }
                Verb::PasswordOnly
            } else {
                verb(&action)
            };
            let subject = Subject::from_kind(&s(r, "data_kind")?);
            let day = local_date(at);
            // Rows come newest first: a line for (day, who, what) exists already
            // when this is an older repeat of it.
            match lines
                .iter_mut()
                .find(|l| l.day == day && l.who == who && l.subject == subject && l.verb == verb)
            {
                Some(l) => l.count += 1,
                None => lines.push(WhoLookedLine {
                    day,
                    last_at: at,
                    who,
                    subject,
                    verb,
                    count: 1,
                }),
            }
        }
        ticket.finish(tx, lines).await
    }
}
