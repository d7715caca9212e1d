//! Reading a dossier. Every method passes the gate (rule + audit event) and
//! filters items by the returned scope: clients and contact persons see the
//! final, client-visible items of the current episode; staff see all.
//! An item outside the scope answers `NotFound`, exactly like a missing id.
use crate::access::{in_scope, Attempt};
use crate::admin::{full_name, sort_name};
use crate::error::Result;
use crate::row::{b, d, i, od, os, ot, s, t, take_os, take_s};
use crate::{Audited, Ctx, Services};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::ids::*;
use inzage_core::model::{AppointmentStatus, AuditAction, DocStatus, DossierPart, Relation};
use inzage_core::policy::{Access, Scope};
use inzage_core::types::{display_date, local_midnight_utc, ts};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClientProfile {
    pub id: ClientId,
    pub client_number: String,
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub team_name: Option<String>,
    pub location_name: Option<String>,
    pub primary_caregiver_name: Option<String>,
    /// The care episode this reader sees (the portal: the current one;
    /// staff: the latest): its start and end.
    pub care_start: Option<NaiveDate>,
    pub care_end: Option<NaiveDate>,
    /// Earlier episodes exist (the portal does not show them).
    pub earlier_episodes: bool,
    /// The client's own statements about their personal data (issue 15).
    pub additions: Vec<crate::requests::Statement>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PlanSummary {
    pub id: PlanVersionId,
    pub plan_date: NaiveDate,
    pub status: DocStatus,
    /// `Cliëntplan - Achternaam, Voornaam (dd-mm-jjjj) - Cliënt` (the
    /// API's title; pages say it in the organisation's words, from
    /// `client_sort_name` and `plan_date`).
    pub title: String,
    /// "Achternaam, Voornaam".
    pub client_sort_name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PlanSection {
    pub id: PlanSectionId,
    pub position: i64,
    pub domain: String,
    pub goals: String,
    pub agreements: String,
    /// Edit counter, for optimistic concurrency.
    pub revision: i64,
    /// The client's own statements beside this section (issue 15).
    pub additions: Vec<crate::requests::Statement>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PlanDetail {
    pub plan: PlanSummary,
    pub sections: Vec<PlanSection>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportView {
    pub id: ReportId,
    pub series_id: ReportSeriesId,
    pub version: i64,
    pub client_id: ClientId,
    pub episode_id: EpisodeId,
    pub author_id: StaffId,
    pub author_name: String,
    pub author_role: String,
    pub category: String,
    pub body: String,
    pub status: DocStatus,
    pub visible_to_client: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub finalised_by: Option<String>,
    /// A later version replaced the first ("gewijzigd").
    pub corrected: bool,
    /// This is the latest version of its series.
    pub is_current: bool,
    /// Edit counter of a draft, for optimistic concurrency.
    pub revision: i64,
    /// The client's own statements beside this report (its series), filled
    /// when one report is read (issue 15).
    pub additions: Vec<crate::requests::Statement>,
}

#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// First local (Amsterdam) day to include.
    pub from: Option<NaiveDate>,
    /// Last local day to include.
    pub until: Option<NaiveDate>,
    /// 1-based page.
    pub page: i64,
    pub per_page: i64,
    /// Words that must all occur in the category or text (case and
    /// accents do not matter: `inzage_core::types::fold`).
    pub words: Option<String>,
    /// Only this category (exact).
    pub category: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportPage {
    pub items: Vec<ReportView>,
    /// The categories of the reports this reader sees (for a filter).
    pub categories: Vec<String>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub practitioner_name: String,
    pub place: String,
    pub description: String,
    pub status: AppointmentStatus,
    pub practitioner_id: StaffId,
    /// Edit counter, for optimistic concurrency.
    pub revision: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DocumentMeta {
    pub id: DocumentId,
    pub title: String,
    pub doc_type: String,
    pub doc_date: NaiveDate,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub visible_to_client: bool,
    pub client_id: ClientId,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ContactView {
    pub id: ContactPersonId,
    pub full_name: String,
    pub relation: Relation,
    pub grants: Vec<GrantView>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GrantView {
    pub id: AccessGrantId,
    pub parts: Vec<DossierPart>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn read(part: DossierPart, action: AuditAction, data_id: Option<&str>) -> Attempt<'_> {
    Attempt {
        part,
        access: Access::Read,
        action,
        data_kind: part.code(),
        data_id,
        hide_denial: data_id.is_some(),
    }
}

/// The scope as bind values: (episode or NULL, drafts 0/1, hidden 0/1).
fn scope_binds(scope: &Scope) -> (Option<String>, i64, i64) {
    (
        scope.only_episode.as_ref().map(|e| e.to_string()),
        i64::from(scope.include_drafts),
        i64::from(scope.include_hidden),
    )
}

pub fn plan_title(family: &str, given: &str, prefix: Option<&str>, date: NaiveDate) -> String {
    format!(
        "Cliëntplan - {} ({}) - Cliënt",
        sort_name(given, prefix, family),
        display_date(date)
    )
}

const REPORT_SELECT: &str = "SELECT r.id, r.series_id, r.version, r.is_current, r.client_id, r.episode_id, r.author_id, r.author_role, \
     r.category, r.body, r.status, r.visible_to_client, r.created_at, r.updated_at, r.finalised_at, r.finalised_by, r.revision, \
     m.given_name AS a_given, m.name_prefix AS a_prefix, m.family_name AS a_family \
     FROM report r JOIN staff_member m ON m.id = r.author_id";

/// The most reports a word search reads at once (newest first).
pub const SEARCH_MAX: i64 = 5000;

/// Takes the row's texts (a page of reports moves, not copies, its bodies).
fn report_from_row(mut row: crate::sql::Row) -> Result<ReportView> {
    let r = &mut row;
    let version = i(&*r, "version")?;
    Ok(ReportView {
        id: ReportId::from_raw(take_s(r, "id")?),
        series_id: ReportSeriesId::from_raw(take_s(r, "series_id")?),
        version,
        client_id: ClientId::from_raw(take_s(r, "client_id")?),
        episode_id: EpisodeId::from_raw(take_s(r, "episode_id")?),
        author_id: StaffId::from_raw(take_s(r, "author_id")?),
        author_name: full_name(
            &s(&*r, "a_given")?,
            os(&*r, "a_prefix")?.as_deref(),
            &s(&*r, "a_family")?,
        ),
        author_role: take_s(r, "author_role")?,
        category: take_s(r, "category")?,
        body: take_s(r, "body")?,
        status: DocStatus::from_code(&s(&*r, "status")?).unwrap_or(DocStatus::Draft),
        visible_to_client: b(&*r, "visible_to_client")?,
        created_at: t(&*r, "created_at")?,
        updated_at: t(&*r, "updated_at")?,
        finalised_at: ot(&*r, "finalised_at")?,
        finalised_by: take_os(r, "finalised_by")?,
        corrected: version > 1,
        is_current: b(&*r, "is_current")?,
        revision: i(&*r, "revision")?,
        additions: Vec::new(),
    })
}

impl Services {
    pub async fn client_profile(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<ClientProfile>> {
        let a = read(DossierPart::Profile, AuditAction::Read, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let (episode, _, _) = scope_binds(&scope);
        let episodes = crate::sql::query(
            "SELECT id, start_date, end_date FROM episode WHERE client_id = $1 \
             ORDER BY start_date DESC, created_at DESC",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let current = episodes
            .iter()
            .position(|e| episode.is_none() || s(e, "id").ok() == episode)
            .and_then(|i| episodes.get(i).map(|e| (i, e)));
        let (care_start, care_end, earlier_episodes) = match current {
            Some((i, e)) => (
                Some(d(e, "start_date")?),
                od(e, "end_date")?,
                i + 1 < episodes.len(),
            ),
            None => (None, None, false),
        };
        let r = crate::sql::query(
            "SELECT c.client_number, c.given_name, c.name_prefix, c.family_name, c.birth_date, c.street, \
             c.house_number, c.postal_code, c.city, c.email, c.mobile, t.name AS team_name, l.name AS location_name, \
             pc.given_name AS pc_given, pc.name_prefix AS pc_prefix, pc.family_name AS pc_family \
             FROM client c LEFT JOIN team t ON t.id = c.team_id LEFT JOIN location l ON l.id = t.location_id \
             LEFT JOIN staff_member pc ON pc.id = c.primary_caregiver_id WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let given = s(&r, "given_name")?;
        let prefix = os(&r, "name_prefix")?;
        let family = s(&r, "family_name")?;
        let pc = match os(&r, "pc_given")? {
            Some(g) => Some(full_name(
                &g,
                os(&r, "pc_prefix")?.as_deref(),
                &s(&r, "pc_family")?,
            )),
            None => None,
        };
        let profile = ClientProfile {
            id: client.clone(),
            client_number: s(&r, "client_number")?,
            full_name: full_name(&given, prefix.as_deref(), &family),
            given_name: given,
            name_prefix: prefix,
            family_name: family,
            birth_date: d(&r, "birth_date")?,
            street: os(&r, "street")?,
            house_number: os(&r, "house_number")?,
            postal_code: os(&r, "postal_code")?,
            city: os(&r, "city")?,
            email: os(&r, "email")?,
            mobile: os(&r, "mobile")?,
            team_name: os(&r, "team_name")?,
            location_name: os(&r, "location_name")?,
            primary_caregiver_name: pc,
            care_start,
            care_end,
            earlier_episodes,
            additions: crate::requests::statements_beside(&mut tx, client.as_str(), "profile", &[])
                .await?
                .into_iter()
                .map(|(_, st)| st)
                .collect(),
        };
        ticket.of(client.as_str()).finish(tx, profile).await
    }

    pub async fn list_plans(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<PlanSummary>>> {
        let a = read(DossierPart::ClientPlan, AuditAction::List, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let (ep, drafts, _) = scope_binds(&scope);
        let rows = crate::sql::query(
            "SELECT p.id, p.plan_date, p.status, c.given_name, c.name_prefix, c.family_name \
             FROM plan_version p JOIN client c ON c.id = p.client_id \
             WHERE p.client_id = $1 AND ($2 IS NULL OR p.episode_id = $2) AND ($3 = 1 OR p.status = 'final') \
             ORDER BY p.plan_date DESC, p.created_at DESC",
        )
        .bind(client.as_str())
        .bind(&ep)
        .bind(drafts)
        .fetch_all(&mut *tx)
        .await?;
        let plans = rows.iter().map(plan_from_row).collect::<Result<Vec<_>>>()?;
        ticket.finish(tx, plans).await
    }

    pub async fn plan(&self, ctx: &Ctx, plan_id: &PlanVersionId) -> Result<Audited<PlanDetail>> {
        let a = read(
            DossierPart::ClientPlan,
            AuditAction::Read,
            Some(plan_id.as_str()),
        );
        let (client, mut tx, scope, ticket) = self
            .gate_item_read(ctx, "plan_version", plan_id.as_str(), &a)
            .await?;
        let r = crate::sql::query(
            "SELECT p.id, p.plan_date, p.status, p.episode_id, c.given_name, c.name_prefix, c.family_name \
             FROM plan_version p JOIN client c ON c.id = p.client_id WHERE p.id = $1",
        )
        .bind(plan_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let plan = plan_from_row(&r)?;
        if !in_scope(
            &scope,
            &s(&r, "episode_id")?,
            plan.status == DocStatus::Final,
            true,
            true,
        ) {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let rows = crate::sql::query(
            "SELECT id, position, domain, goals, agreements, revision, COALESCE(lineage_id, id) AS lineage \
             FROM plan_section WHERE plan_version_id = $1 ORDER BY position",
        )
        .bind(plan_id.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let sections = rows
            .iter()
            .map(|r| {
                Ok(PlanSection {
                    id: PlanSectionId::from_raw(s(r, "id")?),
                    position: i(r, "position")?,
                    domain: s(r, "domain")?,
                    goals: s(r, "goals")?,
                    agreements: s(r, "agreements")?,
                    revision: i(r, "revision")?,
                    additions: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut sections = sections;
        // Additions belong to a section's lineage (the same domain in every
        // plan version since the client wrote it).
        let lineages: Vec<String> = rows
            .iter()
            .map(|r| s(r, "lineage"))
            .collect::<Result<Vec<_>>>()?;
        for (about, st) in
            crate::requests::statements_beside(&mut tx, &client, "plan_section", &lineages).await?
        {
            if let Some(i) = lineages.iter().position(|l| *l == about) {
                if let Some(x) = sections.get_mut(i) {
                    x.additions.push(st);
                }
            }
        }
        ticket.finish(tx, PlanDetail { plan, sections }).await
    }

    /// Current versions of reports, newest first, a page at a time.
    pub async fn list_reports(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        f: ReportFilter,
    ) -> Result<Audited<ReportPage>> {
        let a = read(DossierPart::Reports, AuditAction::List, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let (ep, drafts, hidden) = scope_binds(&scope);
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.max(1);
        let from = f.from.map(|d| ts(local_midnight_utc(d)));
        let until = f
            .until
            .map(|d| ts(local_midnight_utc(d + chrono::Duration::days(1))));
        let scope_filter =
            "r.client_id = $1 AND r.is_current = 1 AND ($2 IS NULL OR r.episode_id = $2) \
             AND ($3 = 1 OR r.status = 'final') AND ($4 = 1 OR r.visible_to_client = 1)";
        let categories = crate::sql::query(&format!(
            "SELECT DISTINCT r.category FROM report r WHERE {scope_filter} ORDER BY r.category"
        ))
        .bind(client.as_str())
        .bind(&ep)
        .bind(drafts)
        .bind(hidden)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| s(r, "category"))
        .collect::<Result<Vec<_>>>()?;
        let category = f.category.filter(|c| !c.trim().is_empty());
        let filter = format!(
            "{scope_filter} AND ($5 IS NULL OR r.created_at >= $5) AND ($6 IS NULL OR r.created_at < $6) \
             AND ($7 IS NULL OR r.category = $7)"
        );
        let words: Vec<String> = f
            .words
            .as_deref()
            .map(|w| {
                inzage_core::types::fold(&w.chars().take(100).collect::<String>())
                    .split_whitespace()
                    .take(5)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if !words.is_empty() {
            // Folded the same way for every engine, so the words are
            // matched here, over the reader's reports in the period (at
            // most SEARCH_MAX, newest first), then paged.
            let rows = crate::sql::query(&format!(
                "{REPORT_SELECT} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT $8"
            ))
            .bind(client.as_str())
            .bind(&ep)
            .bind(drafts)
            .bind(hidden)
            .bind(&from)
            .bind(&until)
            .bind(&category)
            .bind(SEARCH_MAX)
            .fetch_all(&mut *tx)
            .await?;
            let mut hits = Vec::new();
            for r in rows {
                let report = report_from_row(r)?;
                let text =
                    inzage_core::types::fold(&format!("{} {}", report.category, report.body));
                if words.iter().all(|w| text.contains(w.as_str())) {
                    hits.push(report);
                }
            }
            let total = i64::try_from(hits.len()).unwrap_or(i64::MAX);
            let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
            let take = usize::try_from(per_page).unwrap_or(20);
            let items = hits.into_iter().skip(skip).take(take).collect();
            return ticket
                .finish(
                    tx,
                    ReportPage {
                        items,
                        categories,
                        total,
                        page,
                        per_page,
                    },
                )
                .await;
        }
        // The count reads only the filter's columns; the page reads the
        // full rows of one page (a window count over the page query would
        // build every matching row, measured slower).
        let total: i64 = {
            let row = crate::sql::query(&format!(
                "SELECT COUNT(*) AS n FROM report r WHERE {filter}"
            ))
            .bind(client.as_str())
            .bind(&ep)
            .bind(drafts)
            .bind(hidden)
            .bind(&from)
            .bind(&until)
            .bind(&category)
            .fetch_one(&mut *tx)
            .await?;
            i(&row, "n")?
        };
        let rows = crate::sql::query(&format!(
            "{REPORT_SELECT} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT $8 OFFSET $9"
        ))
        .bind(client.as_str())
        .bind(&ep)
        .bind(drafts)
        .bind(hidden)
        .bind(&from)
        .bind(&until)
        .bind(&category)
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&mut *tx)
        .await?;
        let items = rows
            .into_iter()
            .map(report_from_row)
            .collect::<Result<Vec<_>>>()?;
        ticket
            .finish(
                tx,
                ReportPage {
                    items,
                    categories,
                    total,
                    page,
                    per_page,
                },
            )
            .await
    }

    /// One report version. Clients only reach the current version.
    pub async fn report(&self, ctx: &Ctx, report_id: &ReportId) -> Result<Audited<ReportView>> {
        let a = read(
            DossierPart::Reports,
            AuditAction::Read,
            Some(report_id.as_str()),
        );
        let (client, mut tx, scope, ticket) = self
            .gate_item_read(ctx, "report", report_id.as_str(), &a)
            .await?;
        let r = crate::sql::query(&format!("{REPORT_SELECT} WHERE r.id = $1"))
            .bind(report_id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let mut report = report_from_row(r)?;
        if !in_scope(
            &scope,
            report.episode_id.as_str(),
            report.status == DocStatus::Final,
            report.visible_to_client,
            report.is_current,
        ) {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        report.additions = crate::requests::statements_beside(
            &mut tx,
            &client,
            "report",
            &[report.series_id.to_string()],
        )
        .await?
        .into_iter()
        .map(|(_, st)| st)
        .collect();
        ticket.finish(tx, report).await
    }

    /// All versions of a report series, oldest first (staff: the history).
    pub async fn report_history(
        &self,
        ctx: &Ctx,
        series: &ReportSeriesId,
    ) -> Result<Audited<Vec<ReportView>>> {
        let a = read(
            DossierPart::Reports,
            AuditAction::Read,
            Some(series.as_str()),
        );
        let Some(client) = self.owner_of_series(series.as_str()).await? else {
            return self.no_such_item(ctx, &a).await;
        };
        let (mut tx, scope, ticket) = self.gate_read(ctx, &client, &a).await?;
        if !scope.include_history {
            // Only staff see earlier versions.
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let rows = crate::sql::query(&format!(
            "{REPORT_SELECT} WHERE r.series_id = $1 ORDER BY r.version"
        ))
        .bind(series.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let items = rows
            .into_iter()
            .map(report_from_row)
            .collect::<Result<Vec<_>>>()?;
        ticket.finish(tx, items).await
    }

    pub async fn list_appointments(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<AppointmentView>>> {
        let a = read(DossierPart::Appointments, AuditAction::List, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let (ep, _, _) = scope_binds(&scope);
        let rows = crate::sql::query(
            "SELECT a.id, a.starts_at, a.ends_at, a.place, a.description, a.status, a.practitioner_id, a.revision, \
             m.given_name, m.name_prefix, m.family_name FROM appointment a \
             JOIN staff_member m ON m.id = a.practitioner_id \
             WHERE a.client_id = $1 AND ($2 IS NULL OR a.episode_id = $2) ORDER BY a.starts_at",
        )
        .bind(client.as_str())
        .bind(&ep)
        .fetch_all(&mut *tx)
        .await?;
        let items = rows
            .iter()
            .map(appointment_from_row)
            .collect::<Result<Vec<_>>>()?;
        ticket.finish(tx, items).await
    }

    pub async fn appointment(
        &self,
        ctx: &Ctx,
        id: &AppointmentId,
    ) -> Result<Audited<AppointmentView>> {
        let a = read(
            DossierPart::Appointments,
            AuditAction::Read,
            Some(id.as_str()),
        );
        let (client, mut tx, scope, ticket) = self
            .gate_item_read(ctx, "appointment", id.as_str(), &a)
            .await?;
        let r = crate::sql::query(
            "SELECT a.id, a.episode_id, a.starts_at, a.ends_at, a.place, a.description, a.status, \
             a.practitioner_id, a.revision, m.given_name, m.name_prefix, m.family_name FROM appointment a \
             JOIN staff_member m ON m.id = a.practitioner_id WHERE a.id = $1",
        )
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if !in_scope(&scope, &s(&r, "episode_id")?, true, true, true) {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let item = appointment_from_row(&r)?;
        ticket.finish(tx, item).await
    }

    pub async fn list_documents(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<DocumentMeta>>> {
        let a = read(DossierPart::Documents, AuditAction::List, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let (ep, _, hidden) = scope_binds(&scope);
        let rows = crate::sql::query(
            "SELECT id, client_id, title, doc_type, doc_date, content_type, size_bytes, sha256, visible_to_client FROM document \
             WHERE client_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR episode_id = $2) \
             AND ($3 = 1 OR visible_to_client = 1) ORDER BY doc_date DESC, created_at DESC",
        )
        .bind(client.as_str())
        .bind(&ep)
        .bind(hidden)
        .fetch_all(&mut *tx)
        .await?;
        let items = rows
            .iter()
            .map(document_from_row)
            .collect::<Result<Vec<_>>>()?;
        ticket.finish(tx, items).await
    }

    /// A document's metadata and content, hash-checked.
    pub async fn document_content(
        &self,
        ctx: &Ctx,
        id: &DocumentId,
    ) -> Result<Audited<(DocumentMeta, Vec<u8>)>> {
        let a = read(DossierPart::Documents, AuditAction::Read, Some(id.as_str()));
        let (client, mut tx, scope, ticket) = self
            .gate_item_read(ctx, "document", id.as_str(), &a)
            .await?;
        let r = crate::sql::query(
            "SELECT id, client_id, episode_id, title, doc_type, doc_date, content_type, size_bytes, sha256, visible_to_client, \
             deleted_at FROM document WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if os(&r, "deleted_at")?.is_some()
            || !in_scope(
                &scope,
                &s(&r, "episode_id")?,
                true,
                b(&r, "visible_to_client")?,
                true,
            )
        {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let meta = document_from_row(&r)?;
        let bytes = self.blobs().get(&meta.sha256)?;
        ticket.finish(tx, (meta, bytes)).await
    }

    /// Who else can look into this dossier ("Mijn netwerk").
    pub async fn network(&self, ctx: &Ctx, client: &ClientId) -> Result<Audited<Vec<ContactView>>> {
        let a = read(DossierPart::Network, AuditAction::List, None);
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let people = crate::sql::query(
            "SELECT id, given_name, name_prefix, family_name, relation FROM contact_person WHERE client_id = $1 \
             ORDER BY family_name, given_name",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let grants = crate::sql::query(
            "SELECT id, contact_person_id, parts, valid_from, valid_until, revoked_at FROM access_grant \
             WHERE client_id = $1 ORDER BY valid_from",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(people.len());
        for p in &people {
            let pid = s(p, "id")?;
            let mut gs = Vec::new();
            for g in grants
                .iter()
                .filter(|g| s(g, "contact_person_id").ok().as_deref() == Some(pid.as_str()))
            {
                gs.push(GrantView {
                    id: AccessGrantId::from_raw(s(g, "id")?),
                    parts: crate::access::parse_parts(&s(g, "parts")?),
                    valid_from: t(g, "valid_from")?,
                    valid_until: ot(g, "valid_until")?,
                    revoked_at: ot(g, "revoked_at")?,
                });
            }
            out.push(ContactView {
                id: ContactPersonId::from_raw(pid),
                full_name: full_name(
                    &s(p, "given_name")?,
                    os(p, "name_prefix")?.as_deref(),
                    &s(p, "family_name")?,
                ),
                relation: Relation::from_code(&s(p, "relation")?).unwrap_or(Relation::Other),
                grants: gs,
            });
        }
        ticket.finish(tx, out).await
    }

    /// The client's own view of the audit trail of their dossier, newest
    /// first ("Wie keek mee"). Only allowed accesses are listed.
    pub async fn client_audit_trail(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        limit: i64,
    ) -> Result<Audited<Vec<crate::AuditLine>>> {
        let a = read(DossierPart::AuditTrail, AuditAction::List, None);
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let rows = crate::sql::query(&format!(
            "SELECT {} FROM audit_event WHERE client_id = $1 AND outcome = 'allowed' ORDER BY seq DESC LIMIT $2",
            crate::audit::AUDIT_COLUMNS
        ))
        .bind(client.as_str())
        .bind(limit.clamp(1, 1000))
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut rec = crate::audit::record_from_row(r)?;
            // The client's view: no network addresses, no chain internals.
            rec.source_addr = None;
            rec.prev_hash.clear();
            rec.hash.clear();
            out.push(rec);
        }
        ticket.finish(tx, out).await
    }

    /// The client an item belongs to. Reads only the owning id, no content.
    pub(crate) async fn owner_of(&self, table: &'static str, id: &str) -> Result<Option<String>> {
        let sql = match table {
            // Sections belong to a client through their plan version.
            "plan_section" => "SELECT p.client_id FROM plan_section x JOIN plan_version p \
                 ON p.id = x.plan_version_id WHERE x.id = $1"
                .to_owned(),
            _ => format!("SELECT client_id FROM {table} WHERE id = $1"),
        };
        let row = crate::sql::query(&sql)
            .bind(id)
            .fetch_optional(self.db())
            .await?;
        row.map(|r| s(&r, "client_id")).transpose()
    }

    /// Whether an item of `table` belongs to `client` (an unknown id does
    /// not): the check before an item is read or written under its
    /// client's address.
    pub(crate) async fn belongs_to(
        &self,
        table: &'static str,
        id: &str,
        client: &ClientId,
    ) -> Result<bool> {
        Ok(self.owner_of(table, id).await?.as_deref() == Some(client.as_str()))
    }

    pub(crate) async fn owner_of_series(&self, series: &str) -> Result<Option<String>> {
        let row = crate::sql::query("SELECT client_id FROM report WHERE series_id = $1 LIMIT 1")
            .bind(series)
            .fetch_optional(self.db())
            .await?;
        row.map(|r| s(&r, "client_id")).transpose()
    }
}

fn plan_from_row(r: &crate::sql::Row) -> Result<PlanSummary> {
    let date = d(r, "plan_date")?;
    Ok(PlanSummary {
        id: PlanVersionId::from_raw(s(r, "id")?),
        plan_date: date,
        status: DocStatus::from_code(&s(r, "status")?).unwrap_or(DocStatus::Draft),
        title: plan_title(
            &s(r, "family_name")?,
            &s(r, "given_name")?,
            os(r, "name_prefix")?.as_deref(),
            date,
        ),
        client_sort_name: sort_name(
            &s(r, "given_name")?,
            os(r, "name_prefix")?.as_deref(),
            &s(r, "family_name")?,
        ),
    })
}

fn appointment_from_row(r: &crate::sql::Row) -> Result<AppointmentView> {
    Ok(AppointmentView {
        id: AppointmentId::from_raw(s(r, "id")?),
        starts_at: t(r, "starts_at")?,
        ends_at: t(r, "ends_at")?,
        practitioner_name: full_name(
            &s(r, "given_name")?,
            os(r, "name_prefix")?.as_deref(),
            &s(r, "family_name")?,
        ),
        place: s(r, "place")?,
        description: s(r, "description")?,
        status: AppointmentStatus::from_code(&s(r, "status")?)
            .unwrap_or(AppointmentStatus::Planned),
        practitioner_id: StaffId::from_raw(s(r, "practitioner_id")?),
        revision: i(r, "revision")?,
    })
}

fn document_from_row(r: &crate::sql::Row) -> Result<DocumentMeta> {
    Ok(DocumentMeta {
        id: DocumentId::from_raw(s(r, "id")?),
        title: s(r, "title")?,
        doc_type: s(r, "doc_type")?,
        doc_date: d(r, "doc_date")?,
        content_type: s(r, "content_type")?,
        size_bytes: i(r, "size_bytes")?,
        sha256: s(r, "sha256")?,
        visible_to_client: b(r, "visible_to_client")?,
        client_id: ClientId::from_raw(s(r, "client_id")?),
    })
}
