//! The staff workspace's reads (issue 5). First: "Mijn cliënten", the
//! clients of the member's own teams, the persoonlijk begeleider's own
//! clients first.
use crate::access::{actor_facts, Attempt};
use crate::admin::sort_name;
use crate::error::{Result, ServiceError};
use crate::row::{d, os, s};
use crate::{Ctx, Services};
use chrono::NaiveDate;
use inzage_core::ids::ClientId;
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal};
use inzage_core::policy::{decide_team_client_list, Access, ActorFacts, Decision};
use serde::Serialize;

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
}

/// `%` and `_` typed in a search are plain characters.
fn like_pattern(search: &str) -> String {
    let mut p = String::from("%");
    for c in search.trim().to_lowercase().chars().take(100) {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Services {
    /// "Mijn cliënten": the clients of the acting staff member's teams whose
    /// name or client number contains `search` (empty: all), own clients
    /// first, then by name. One audit event for the list.
    pub async fn my_clients(&self, ctx: &Ctx, search: &str) -> Result<Vec<MyClient>> {
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
            (Decision::Allow(scope), ActorFacts::Staff { team_ids, .. }) => {
                (scope, team_ids.clone())
            }
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
        let mut out = Vec::new();
        if !teams.is_empty() {
            let placeholders: Vec<String> =
                (0..teams.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "SELECT c.id, c.client_number, c.given_name, c.name_prefix, c.family_name, c.birth_date, \
                 c.primary_caregiver_id, t.name AS team_name FROM client c JOIN team t ON t.id = c.team_id \
                 WHERE c.team_id IN ({}) AND ($1 = '%%' OR lower(c.family_name) LIKE $1 ESCAPE '\\' \
                 OR lower(c.given_name) LIKE $1 ESCAPE '\\' OR lower(c.client_number) LIKE $1 ESCAPE '\\' \
                 OR lower(c.given_name || ' ' || c.family_name) LIKE $1 ESCAPE '\\') \
                 ORDER BY CASE WHEN c.primary_caregiver_id = $2 THEN 0 ELSE 1 END, c.family_name, c.given_name \
                 LIMIT $3",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(like_pattern(search))
                .bind(&me)
                .bind(MY_CLIENTS_LIMIT);
            for t in &teams {
                q = q.bind(t.as_str());
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
                });
            }
        }
        drop(conn);
        self.record_read(ctx, &a, None, AuditOutcome::Allowed, &scope.as_role, None)
            .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_wildcards_are_plain_characters() {
        assert_eq!(super::like_pattern(" De Vries "), "%de vries%");
        assert_eq!(super::like_pattern("100%_x\\"), "%100\\%\\_x\\\\%");
        assert_eq!(super::like_pattern(""), "%%");
    }
}
