//! Writing the client plan (issue 5): a new dated version starts as a
//! draft copied from the latest version, its sections are edited (with
//! optimistic concurrency per section), sections can be added, and the
//! draft is made final. A final version never changes. Every write passes
//! the gate and is audited.
use crate::access::Attempt;
use crate::error::{Result, ServiceError};
use crate::row::s;
use crate::{new_id, Ctx, Services};
use chrono::NaiveDate;
use inzage_core::ids::{ClientId, PlanSectionId, PlanVersionId};
use inzage_core::model::{AuditAction, DossierPart};
use inzage_core::policy::Access;
use inzage_core::types::{date_str, ts, FieldError, Label, Text};

/// The longest text of a plan field (goals, agreements).
pub const PLAN_TEXT_MAX: usize = 20_000;

#[derive(Clone, Debug)]
pub struct SectionEdit {
    pub domain: Label,
    pub goals: Text,
    pub agreements: Text,
}

fn attempt(action: AuditAction, id: Option<&str>) -> Attempt<'_> {
    Attempt {
        part: DossierPart::ClientPlan,
        access: Access::Write,
        action,
        data_kind: "client_plan",
        data_id: id,
        hide_denial: false,
    }
}

impl Services {
    /// A new draft version dated `plan_date`, a copy of the latest version
    /// (or one empty section when there is none). One draft at a time.
    pub async fn new_plan_version(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        plan_date: NaiveDate,
    ) -> Result<PlanVersionId> {
        let staff_id = &inzage_core::policy::decide_authorship(&ctx.principal)
            .map_err(ServiceError::Denied)?;
        let a = attempt(AuditAction::Create, None);
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let draft = crate::sql::query(
            "SELECT id FROM plan_version WHERE client_id = $1 AND status = 'draft' LIMIT 1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if draft.is_some() {
            return Err(ServiceError::Conflict(
                "a draft plan exists; finish it first".into(),
            ));
        }
        let episode = crate::writes::current_episode(&mut tx, client.as_str()).await?;
        let latest = crate::sql::query(
            "SELECT id FROM plan_version WHERE client_id = $1 ORDER BY plan_date DESC, created_at DESC LIMIT 1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let id = new_id();
        let now = ts(self.now());
        crate::sql::query(
            "INSERT INTO plan_version (id, client_id, episode_id, plan_date, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(&episode)
        .bind(date_str(plan_date))
        .bind(staff_id.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        match latest {
            Some(r) => {
                let from = s(&r, "id")?;
                let rows = crate::sql::query(
                    "SELECT id, lineage_id, position, domain, goals, agreements FROM plan_section \
                     WHERE plan_version_id = $1 ORDER BY position",
                )
                .bind(&from)
                .fetch_all(&mut *tx)
                .await?;
                for r in &rows {
                    crate::sql::query(
                        "INSERT INTO plan_section (id, plan_version_id, position, domain, goals, agreements, lineage_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(new_id())
                    .bind(&id)
                    .bind(crate::row::i(r, "position")?)
                    .bind(s(r, "domain")?)
                    .bind(s(r, "goals")?)
                    .bind(s(r, "agreements")?)
                    .bind(crate::row::os(r, "lineage_id")?.unwrap_or(s(r, "id")?))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            None => {
                crate::sql::query(
                    "INSERT INTO plan_section (id, plan_version_id, position, domain, goals, agreements) \
                     VALUES ($1, $2, 1, 'Wonen', '', '')",
                )
                .bind(new_id())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(PlanVersionId::from_raw(id))
    }

    /// Saves one section of a draft plan, as opened at `revision`.
    pub async fn update_plan_section(
        &self,
        ctx: &Ctx,
        section: &PlanSectionId,
        revision: i64,
        edit: SectionEdit,
    ) -> Result<()> {
        let a = attempt(AuditAction::Update, Some(section.as_str()));
        let (client, mut tx, scope) = self
            .gate_item(ctx, "plan_section", section.as_str(), &a)
            .await?;
        let done = crate::sql::query(
            "UPDATE plan_section SET domain = $3, goals = $4, agreements = $5, revision = revision + 1 \
             WHERE id = $1 AND revision = $2 AND plan_version_id IN (SELECT id FROM plan_version WHERE status = 'draft')",
        )
        .bind(section.as_str())
        .bind(revision)
        .bind(edit.domain.as_str())
        .bind(edit.goals.as_str())
        .bind(edit.agreements.as_str())
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, done.rows_affected(), ctx, &scope, &client, &a)
            .await
    }

    /// Adds a section (a care domain) at the end of a draft plan.
    pub async fn add_plan_section(
        &self,
        ctx: &Ctx,
        plan: &PlanVersionId,
        domain: Label,
    ) -> Result<PlanSectionId> {
        let a = attempt(AuditAction::Update, Some(plan.as_str()));
        let (client, mut tx, scope) = self
            .gate_item(ctx, "plan_version", plan.as_str(), &a)
            .await?;
        let r = crate::sql::query(
            "SELECT p.status, (SELECT COALESCE(MAX(position), 0) FROM plan_section WHERE plan_version_id = p.id) AS last \
             FROM plan_version p WHERE p.id = $1",
        )
        .bind(plan.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if s(&r, "status")? != "draft" {
            return Err(ServiceError::Stale);
        }
        let id = new_id();
        crate::sql::query(
            "INSERT INTO plan_section (id, plan_version_id, position, domain, goals, agreements) VALUES ($1, $2, $3, $4, '', '')",
        )
        .bind(&id)
        .bind(plan.as_str())
        .bind(crate::row::i(&r, "last")? + 1)
        .bind(domain.as_str())
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, &client, &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(PlanSectionId::from_raw(id))
    }

    /// A whole plan version from a connected system (FHIR CarePlan), in one
    /// transaction: dated `plan_date`, its sections as given, by `author`
    /// (decided by the caller's rule), final or a draft. Refused while a
    /// draft exists (staff are writing one) and, when final, while a
    /// section has no goals or agreements; nothing is written then.
    pub(crate) async fn plan_from_system(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        author: &inzage_core::ids::StaffId,
        plan_date: NaiveDate,
        sections: &[SectionEdit],
        final_: bool,
    ) -> Result<PlanVersionId> {
        if sections.is_empty() {
            return Err(FieldError::new("sections", "a plan has at least one section").into());
        }
        if final_
            && sections
                .iter()
                .any(|x| x.goals.as_str().is_empty() || x.agreements.as_str().is_empty())
        {
            return Err(
                FieldError::new("sections", "a section has no goals or agreements yet").into(),
            );
        }
        let a = attempt(AuditAction::Create, None);
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let draft = crate::sql::query(
            "SELECT id FROM plan_version WHERE client_id = $1 AND status = 'draft' LIMIT 1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if draft.is_some() {
            return Err(ServiceError::Conflict(
                "a draft plan exists; staff finish it first".into(),
            ));
        }
        let episode = crate::writes::current_episode(&mut tx, client.as_str()).await?;
        let id = new_id();
        let now = ts(self.now());
        crate::sql::query(
            "INSERT INTO plan_version (id, client_id, episode_id, plan_date, status, created_by, created_at, finalised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(&episode)
        .bind(date_str(plan_date))
        .bind(if final_ { "final" } else { "draft" })
        .bind(author.as_str())
        .bind(&now)
        .bind(final_.then(|| now.clone()))
        .execute(&mut *tx)
        .await?;
        for (n, x) in sections.iter().enumerate() {
            crate::sql::query(
                "INSERT INTO plan_section (id, plan_version_id, position, domain, goals, agreements) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(new_id())
            .bind(&id)
            .bind(i64::try_from(n).unwrap_or(i64::MAX) + 1)
            .bind(x.domain.as_str())
            .bind(x.goals.as_str())
            .bind(x.agreements.as_str())
            .execute(&mut *tx)
            .await?;
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(PlanVersionId::from_raw(id))
    }

    /// Makes a draft plan final. Refused while a section is still empty.
    pub async fn finalise_plan(&self, ctx: &Ctx, plan: &PlanVersionId) -> Result<()> {
        let a = Attempt {
            action: AuditAction::Finalise,
            ..attempt(AuditAction::Finalise, Some(plan.as_str()))
        };
        let (client, mut tx, scope) = self
            .gate_item(ctx, "plan_version", plan.as_str(), &a)
            .await?;
        let empty = crate::sql::query(
            "SELECT COUNT(*) AS n FROM plan_section WHERE plan_version_id = $1 AND (goals = '' OR agreements = '')",
        )
        .bind(plan.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if crate::row::i(&empty, "n")? > 0 {
            return Err(
                FieldError::new("sections", "a section has no goals or agreements yet").into(),
            );
        }
        let done = crate::sql::query(
            "UPDATE plan_version SET status = 'final', finalised_at = $2 WHERE id = $1 AND status = 'draft'",
        )
        .bind(plan.as_str())
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, done.rows_affected(), ctx, &scope, &client, &a)
            .await
    }
}
