//! "Wie keek mee": the client's view of the NEN 7513 log of their own
//! dossier, in plain words. Repeated views of the same thing by the same
//! person on one day are one line with a count. Only allowed accesses to
//! this client's dossier are shown; denied attempts (which could name other
//! people's guesses) and network addresses are not.
use crate::access::Attempt;
use crate::admin::full_name;
use crate::error::Result;
use crate::row::{os, s, t};
use crate::{Ctx, Services};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::ids::ClientId;
use inzage_core::model::{AuditAction, DossierPart, Principal, Role};
use inzage_core::policy::Access;
use inzage_core::types::{local_date, local_midnight_utc, ts};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoLookedLine {
    /// The local (Amsterdam) day.
    pub day: NaiveDate,
    /// The latest time on that day.
    pub last_at: DateTime<Utc>,
    /// "jijzelf", a name with role, or "Inzage (automatisch)".
    pub who: String,
    /// What, in plain words: "Rapportages bekeken".
    pub what: String,
    pub count: i64,
}

fn part_words(kind: &str) -> &'static str {
    match DossierPart::from_code(kind) {
        Some(DossierPart::Profile) => "je gegevens",
        Some(DossierPart::ClientPlan) => "je cliëntplan",
        Some(DossierPart::Reports) => "je rapportages",
        Some(DossierPart::Appointments) => "je afspraken",
        Some(DossierPart::Documents) => "je documenten",
        Some(DossierPart::Network) => "je netwerk",
        Some(DossierPart::AuditTrail) => "wie er meekeek",
        Some(DossierPart::Episodes) => "je zorgperiode",
        None if kind == "account" => "je account",
        None => "je dossier",
    }
}

fn action_words(action: &str) -> &'static str {
    match AuditAction::from_code(action) {
        Some(AuditAction::Read | AuditAction::List) => "bekeken",
        Some(AuditAction::Create) => "toegevoegd",
        Some(AuditAction::Update) => "veranderd",
        Some(AuditAction::Finalise) => "definitief gemaakt",
        Some(AuditAction::Delete) => "verwijderd",
        Some(AuditAction::Grant) => "toegang gegeven",
        Some(AuditAction::Revoke) => "toegang gestopt",
        Some(AuditAction::Invite) => "uitnodiging gestuurd",
        Some(AuditAction::Login | AuditAction::SecondFactor | AuditAction::SessionStart) => {
            "ingelogd"
        }
        Some(AuditAction::Logout | AuditAction::SessionEnd) => "uitgelogd",
        Some(AuditAction::PasswordSet) => "wachtwoord ingesteld",
        _ => "gebruikt",
    }
}

/// "Rapportages bekeken" from (data kind, action).
pub fn plain_words(kind: &str, action: &str) -> String {
    let part = part_words(kind);
    let what = format!(
        "{} {}",
        part.trim_start_matches("je "),
        action_words(action)
    );
    let mut c = what.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => what,
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
    ) -> Result<Vec<WhoLookedLine>> {
        let a = Attempt {
            part: DossierPart::AuditTrail,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: DossierPart::AuditTrail.code(),
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let rows = sqlx::query(
            "SELECT e.occurred_at, e.actor_kind, e.actor_id, e.actor_role, e.data_kind, e.action, \
             m.given_name AS s_given, m.name_prefix AS s_prefix, m.family_name AS s_family, \
             cp.given_name AS c_given, cp.name_prefix AS c_prefix, cp.family_name AS c_family \
             FROM audit_event e \
             LEFT JOIN staff_member m ON e.actor_kind = 'staff' AND m.id = e.actor_id \
             LEFT JOIN contact_person cp ON e.actor_kind = 'contact_person' AND cp.id = e.actor_id \
             WHERE e.client_id = $1 AND e.outcome = 'allowed' AND e.occurred_at >= $2 AND e.occurred_at < $3 \
             ORDER BY e.seq DESC LIMIT 5000",
        )
        .bind(client.as_str())
        .bind(ts(local_midnight_utc(from)))
        .bind(ts(local_midnight_utc(until + chrono::Duration::days(1))))
        .fetch_all(&mut *tx)
        .await?;
        let me = match &ctx.principal {
            Principal::Client { client_id } => Some(client_id.to_string()),
            _ => None,
        };
        let mut lines: Vec<WhoLookedLine> = Vec::new();
        for r in &rows {
            let at = t(r, "occurred_at")?;
            let kind = s(r, "actor_kind")?;
            let actor = s(r, "actor_id")?;
            let who = match kind.as_str() {
                "client" if Some(&actor) == me.as_ref() => "jijzelf".to_owned(),
                "client" | "account" if actor == client.as_str() => "jijzelf".to_owned(),
                "staff" => {
                    let name = match os(r, "s_given")? {
                        Some(g) => full_name(&g, os(r, "s_prefix")?.as_deref(), &s(r, "s_family")?),
                        None => "een medewerker".to_owned(),
                    };
                    let role = Role::from_code(&s(r, "actor_role")?)
                        .map(|r| r.label_nl())
                        .unwrap_or("medewerker");
                    format!("{name} ({role})")
                }
                "contact_person" => match os(r, "c_given")? {
                    Some(g) => format!(
                        "{} (contactpersoon)",
                        full_name(&g, os(r, "c_prefix")?.as_deref(), &s(r, "c_family")?)
                    ),
                    None => "een contactpersoon".to_owned(),
                },
                "account" => "jijzelf".to_owned(),
                _ => "Inzage (automatisch)".to_owned(),
            };
            let what = plain_words(&s(r, "data_kind")?, &s(r, "action")?);
            let day = local_date(at);
            // Rows come newest first: a line for (day, who, what) exists already
            // when this is an older repeat of it.
            match lines
                .iter_mut()
                .find(|l| l.day == day && l.who == who && l.what == what)
            {
                Some(l) => l.count += 1,
                None => lines.push(WhoLookedLine {
                    day,
                    last_at: at,
                    who,
                    what,
                    count: 1,
                }),
            }
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(lines)
    }
}
