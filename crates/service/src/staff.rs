//! The staff workspace's reads (issue 5): "Mijn cliënten", the clients of
//! the member's own teams, the persoonlijk begeleider's own clients first;
//! and the header of a client page (who, which parts may be read or
//! written, the episodes).
use crate::access::{actor_facts, subject_facts, Attempt};
use crate::admin::{full_name, sort_name};
use crate::error::{Result, ServiceError};
use crate::row::{d, od, os, s};
use crate::{Audited, Ctx, Services};
use chrono::NaiveDate;
use inzage_core::ids::{ClientId, EpisodeId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal};
use inzage_core::policy::{
    decide, decide_team_client_list, Access, ActorFacts, Decision, DenyReason,
};
use serde::Serialize;

/// The parts of a client page, in tab order (the portal's order, then the
/// staff-only episodes).
pub const STAFF_PARTS: &[DossierPart] = &[
    DossierPart::Profile,
    DossierPart::ClientPlan,
    DossierPart::Reports,
    DossierPart::Appointments,
    DossierPart::Documents,
    DossierPart::Network,
    DossierPart::Requests,
    DossierPart::Questions,
    DossierPart::Episodes,
];

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EpisodeLine {
    pub id: EpisodeId,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// What every page of a client shows to staff around its content.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StaffClientHeader {
    pub client_id: ClientId,
    /// "Voornaam Achternaam".
    pub name: String,
    pub client_number: String,
    pub birth_date: NaiveDate,
    /// Parts this member may read / write, in [`STAFF_PARTS`] order.
    pub readable: Vec<DossierPart>,
    pub writable: Vec<DossierPart>,
    /// All episodes, newest first.
    pub episodes: Vec<EpisodeLine>,
}

impl StaffClientHeader {
    pub fn may_read(&self, p: DossierPart) -> bool {
        self.readable.contains(&p)
    }
    pub fn may_write(&self, p: DossierPart) -> bool {
        self.writable.contains(&p)
    }
}

/// The most clients one list shows; a search narrows it down.
pub const MY_CLIENTS_LIMIT: i64 = 200;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MyClient {
    pub id: ClientId,
    pub client_number: String,
    /// "Achternaam, Voornaam".
    pub name: String,
    pub birth_date: NaiveDate,
    pub team_name: String,
    /// The viewer is this client's persoonlijk begeleider.
    pub mine: bool,
    /// Open questions to the team ("Vraag aan je team"); `None` for a
    /// member whose roles do not read them (the secretariat).
    pub open_questions: Option<i64>,
}

/// The search as LIKE patterns on the folded search text: one per word
/// (at most five), each of which must match; `%` and `_` typed in a
/// search are plain characters. Folding is the same for the text and the
/// search (`inzage_core::types::fold`), so case and accents never matter.
fn like_patterns(search: &str) -> Vec<String> {
    let folded = inzage_core::types::fold(&search.chars().take(100).collect::<String>());
    folded
        .split_whitespace()
        .take(5)
        .map(|w| {
            let mut p = String::from("%");
            for c in w.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    p.push('\\');
                }
                p.push(c);
            }
            p.push('%');
            p
        })
        .collect()
}

impl Services {
    /// "Mijn cliënten": the clients of the acting staff member's teams whose
    /// name or client number contains `search` (empty: all), own clients
    /// first, then by name. One audit event for the list.
    pub async fn my_clients(&self, ctx: &Ctx, search: &str) -> Result<Audited<Vec<MyClient>>> {
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: "client_list",
            data_id: None,
            hide_denial: false,
        };
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let (scope, teams) = match (decide_team_client_list(&actor), &actor) {
            (Decision::Allow(scope), ActorFacts::Staff(staff)) => (scope, staff.team_ids.clone()),
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
                    "client list for a non-staff actor".into(),
                ))
            }
        };
        let me = match &ctx.principal {
            Principal::Staff { staff_id } => staff_id.to_string(),
            _ => String::new(),
        };
        // The count of open questions is dossier content of a kind: only for
        // roles that read questions.
        let sees_questions = match &actor {
            ActorFacts::Staff(staff) => staff.roles.iter().any(|r| {
                inzage_core::policy::role_allows(*r, DossierPart::Questions, Access::Read)
            }),
            _ => false,
        };
        let mut out = Vec::new();
        if !teams.is_empty() {
            let words = like_patterns(search);
            let placeholders: Vec<String> =
                (0..teams.len()).map(|i| format!("${}", i + 3)).collect();
            let word_clauses: String = (0..words.len())
                .map(|i| {
                    format!(
                        " AND c.search_text LIKE ${} ESCAPE '\\'",
                        i + 3 + teams.len()
                    )
                })
                .collect();
            let sql = format!(
                "SELECT c.id, c.client_number, c.given_name, c.name_prefix, c.family_name, c.birth_date, \
                 c.primary_caregiver_id, t.name AS team_name, \
                 (SELECT COUNT(*) FROM team_question q WHERE q.client_id = c.id AND q.status = 'open') AS open_questions \
                 FROM client c JOIN team t ON t.id = c.team_id \
                 WHERE c.team_id IN ({}) AND c.organisation_id = t.organisation_id{word_clauses} \
                 ORDER BY CASE WHEN c.primary_caregiver_id = $1 THEN 0 ELSE 1 END, c.sort_key, c.id \
                 LIMIT $2",
                placeholders.join(", ")
            );
            let mut q = crate::sql::query(&sql).bind(&me).bind(MY_CLIENTS_LIMIT);
            for t in &teams {
                q = q.bind(t.as_str());
            }
            for w in &words {
                q = q.bind(w.as_str());
            }
            for r in q.fetch_all(&mut *conn).await? {
                out.push(MyClient {
                    id: ClientId::from_raw(s(&r, "id")?),
                    client_number: s(&r, "client_number")?,
                    name: sort_name(
                        &s(&r, "given_name")?,
                        os(&r, "name_prefix")?.as_deref(),
                        &s(&r, "family_name")?,
                    ),
                    birth_date: d(&r, "birth_date")?,
                    team_name: s(&r, "team_name")?,
                    mine: os(&r, "primary_caregiver_id")?.as_deref() == Some(me.as_str()),
                    open_questions: if sees_questions {
                        Some(crate::row::i(&r, "open_questions")?)
                    } else {
                        None
                    },
                });
            }
        }
        drop(conn);
        let event = self.read_event(ctx, &a, None, AuditOutcome::Allowed, &scope.as_role, None);
        crate::audited::recorded(self, vec![event], out).await
    }
}

impl Services {
    /// The header of a client page for staff. Like the portal's header it
    /// passes the rules but is no audit event of its own when allowed (it
    /// shows what "Mijn cliënten" already lists; every tab's content read is
    /// audited). A member who may read nothing of this client is refused,
    /// and that attempt is audited; an unknown id answers `NotFound`.
    pub async fn staff_client_header(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<StaffClientHeader> {
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: "client_page",
            data_id: None,
            hide_denial: false,
        };
        let mut conn = self.db().acquire().await?;
        let now = self.now();
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let Some(crate::access::Subject {
            facts: subject,
            rules,
            ..
        }) = subject_facts(&mut conn, client.as_str()).await?
        else {
            drop(conn);
            return self.no_such_item(ctx, &a).await;
        };
        if !matches!(actor, ActorFacts::Staff { .. }) {
            drop(conn);
            self.record_read(
                ctx,
                &a,
                Some(client.as_str()),
                AuditOutcome::Denied,
                "-",
                Some(DenyReason::RoleLacksPermission.code()),
            )
            .await?;
            return Err(ServiceError::Denied(DenyReason::RoleLacksPermission));
        }
        let decide_for =
            |p: DossierPart, acc: Access| decide(&actor, &subject, p, acc, &rules, now);
        let readable: Vec<DossierPart> = STAFF_PARTS
            .iter()
            .copied()
            .filter(|p| decide_for(*p, Access::Read).is_allowed())
            .collect();
        if readable.is_empty() {
            drop(conn);
            let reason = match decide_for(DossierPart::Profile, Access::Read) {
                Decision::Deny(r) => r,
                Decision::Allow(_) => DenyReason::RoleLacksPermission,
            };
            self.record_read(
                ctx,
                &a,
                Some(client.as_str()),
                AuditOutcome::Denied,
                "-",
                Some(reason.code()),
            )
            .await?;
            // Another organisation's client is none of this member's
            // business: the same answer as an id that does not exist.
            return Err(if reason == DenyReason::OtherOrganisation {
                ServiceError::NotFound
            } else {
                ServiceError::Denied(reason)
            });
        }
        let writable: Vec<DossierPart> = STAFF_PARTS
            .iter()
            .copied()
            .filter(|p| decide_for(*p, Access::Write).is_allowed())
            .collect();
        let r = crate::sql::query(
            "SELECT client_number, given_name, name_prefix, family_name, birth_date FROM client WHERE id = $1",
        )
        .bind(client.as_str())
        .fetch_one(&mut *conn)
        .await?;
        let episodes = crate::sql::query(
            "SELECT id, start_date, end_date FROM episode WHERE client_id = $1 \
             ORDER BY start_date DESC, created_at DESC",
        )
        .bind(client.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|e| {
            Ok(EpisodeLine {
                id: EpisodeId::from_raw(s(e, "id")?),
                start: d(e, "start_date")?,
                end: od(e, "end_date")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(StaffClientHeader {
            client_id: client.clone(),
            name: full_name(
                &s(&r, "given_name")?,
                os(&r, "name_prefix")?.as_deref(),
                &s(&r, "family_name")?,
            ),
            client_number: s(&r, "client_number")?,
            birth_date: d(&r, "birth_date")?,
            readable,
            writable,
            episodes,
        })
    }
}

impl Services {
    /// The acting staff member's roles (for menus; every action still
    /// passes its own rule). Empty for anyone else or an inactive member.
    pub async fn my_roles(&self, ctx: &Ctx) -> Result<Vec<inzage_core::model::Role>> {
        let mut conn = self.db().acquire().await?;
        Ok(match actor_facts(&mut conn, &ctx.principal).await? {
            ActorFacts::Staff(s) if s.active => s.roles,
            _ => vec![],
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_wildcards_are_plain_characters_and_words_fold() {
        assert_eq!(super::like_patterns(" De Vries "), vec!["%de%", "%vries%"]);
        assert_eq!(super::like_patterns("100%_x\\"), vec!["%100\\%\\_x\\\\%"]);
        assert_eq!(super::like_patterns("ÖZ"), vec!["%oz%"]);
        assert!(super::like_patterns("").is_empty());
        assert_eq!(super::like_patterns("a b c d e f g").len(), 5);
    }
}
