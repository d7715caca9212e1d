//! "Vraag aan je team" (issue 15, ADR 0019): a client, or a contact person
//! with that tile, asks their team a short written question; the team
//! answers in the same thread and marks it done. Questions and answers are
//! part of the dossier: plain text, never edited or removed, every step
//! audited on the client's dossier.
//!
//! - Asking and adding to a question is `Questions`/`Write` for this client
//!   ([`policy::decide`]); opening one in one's own name is for the client
//!   and contact persons ([`policy::decide_question_asker`]), marking one
//!   done for staff ([`policy::decide_question_close`]).
//! - A contact person sees only the questions they asked; the client sees
//!   every question about their dossier (also those of their contact
//!   persons); the team sees all.
use crate::access::Attempt;
use crate::admin::full_name;
use crate::error::{Result, ServiceError};
use crate::row::{os, ot, s, t};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::ids::{ClientId, QuestionId};
use inzage_core::model::{AuditAction, DossierPart, Principal};
use inzage_core::policy::{self, Access};
use inzage_core::types::{ts, FieldError, Text};
use serde::Serialize;

/// A question or an answer is short: a few sentences.
pub const QUESTION_MAX_CHARS: usize = 1000;
/// At most this many open questions per asker at once.
pub const OPEN_QUESTIONS_MAX: i64 = 10;
/// At most this many messages in one question (then: a new question).
pub const MESSAGES_MAX: i64 = 50;

/// The audit trail's data kind (the part's code: "Vraag aan je team").
const KIND: &str = "questions";

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QuestionMessage {
    /// Written by the team (else by the asker).
    pub from_team: bool,
    pub author_name: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub client_id: ClientId,
    /// Asked by a contact person (else by the client).
    pub by_contact_person: bool,
    pub asker_name: String,
    pub asked_at: DateTime<Utc>,
    pub open: bool,
    pub done_by_name: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    /// The question first, then answers and follow-ups, oldest first.
    pub messages: Vec<QuestionMessage>,
}

fn attempt(access: Access, action: AuditAction, id: Option<&str>) -> Attempt<'_> {
    Attempt {
        part: DossierPart::Questions,
        access,
        action,
        data_kind: KIND,
        data_id: id,
        hide_denial: id.is_some(),
    }
}

/// The actor as an author: (kind, id).
fn author(p: &Principal) -> Result<(&'static str, String)> {
    match p {
        Principal::Client { client_id } => Ok(("client", client_id.to_string())),
        Principal::ContactPerson { contact_person_id } => {
            Ok(("contact_person", contact_person_id.to_string()))
        }
        Principal::Staff { staff_id } => Ok(("staff", staff_id.to_string())),
        _ => Err(ServiceError::Denied(
            inzage_core::policy::DenyReason::RoleLacksPermission,
        )),
    }
}

fn text(body: &str) -> Result<Text> {
    let t = Text::parse("question", body, QUESTION_MAX_CHARS)?;
    if t.as_str()
        .chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(ServiceError::Invalid(FieldError::new(
            "question",
            "contains direction control characters",
        )));
    }
    Ok(t)
}

const QUESTION_SELECT: &str =
    "SELECT q.id, q.client_id, q.asked_by_kind, q.asked_by_id, q.asked_at, q.status, \
     q.done_at, d.given_name AS d_given, d.name_prefix AS d_prefix, d.family_name AS d_family \
     FROM team_question q LEFT JOIN staff_member d ON d.id = q.done_by";

const MESSAGE_SELECT: &str = "SELECT m.question_id, m.author_kind, m.body, m.created_at, \
     COALESCE(sm.given_name, cp.given_name, cl.given_name) AS a_given, \
     COALESCE(sm.name_prefix, cp.name_prefix, cl.name_prefix) AS a_prefix, \
     COALESCE(sm.family_name, cp.family_name, cl.family_name) AS a_family \
     FROM team_question_message m \
     LEFT JOIN staff_member sm ON m.author_kind = 'staff' AND sm.id = m.author_id \
     LEFT JOIN contact_person cp ON m.author_kind = 'contact_person' AND cp.id = m.author_id \
     LEFT JOIN client cl ON m.author_kind = 'client' AND cl.id = m.author_id";

fn name_of(r: &crate::sql::Row) -> Result<String> {
    Ok(match os(r, "a_given")? {
        Some(g) => full_name(
            &g,
            os(r, "a_prefix")?.as_deref(),
            &os(r, "a_family")?.unwrap_or_default(),
        ),
        None => String::new(),
    })
}

/// Only their own questions for a contact person; all for others.
fn own_only(p: &Principal) -> Option<String> {
    match p {
        Principal::ContactPerson { contact_person_id } => Some(contact_person_id.to_string()),
        _ => None,
    }
}

impl Services {
    /// Opens a question to the client's team. Returns its id.
    pub async fn ask_team(&self, ctx: &Ctx, client: &ClientId, body: &str) -> Result<QuestionId> {
        let body = text(body)?;
        let a = attempt(Access::Write, AuditAction::Create, None);
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        if let Err(reason) = policy::decide_question_asker(&ctx.principal) {
            self.denied(&mut tx, ctx, Some(client.as_str()), &a, reason.code())
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(reason));
        }
        let (kind, by) = author(&ctx.principal)?;
        let open: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM team_question WHERE client_id = $1 AND asked_by_id = $2 AND status = 'open'",
        )
        .bind(client.as_str())
        .bind(&by)
        .fetch_one(&mut *tx)
        .await
        .map_err(ServiceError::from)
        .and_then(|r| crate::row::i(&r, "n"))?;
        if open >= OPEN_QUESTIONS_MAX {
            return Err(ServiceError::Invalid(FieldError::new(
                "question",
                "too many open questions",
            )));
        }
        let now = ts(self.now());
        let id = new_id();
        crate::sql::query(
            "INSERT INTO team_question (id, client_id, asked_by_kind, asked_by_id, asked_at, status) \
             VALUES ($1, $2, $3, $4, $5, 'open')",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(kind)
        .bind(&by)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        crate::sql::query(
            "INSERT INTO team_question_message (id, question_id, author_kind, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(kind)
        .bind(&by)
        .bind(body.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(QuestionId::from_raw(id))
    }

    /// The questions about a client's dossier, open ones first, newest
    /// first (a contact person: their own only).
    pub async fn team_questions(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<Question>>> {
        let a = attempt(Access::Read, AuditAction::List, None);
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let own = own_only(&ctx.principal);
        let rows = crate::sql::query(&format!(
            "{QUESTION_SELECT} WHERE q.client_id = $1 AND ($2 IS NULL OR q.asked_by_id = $2) \
             ORDER BY CASE WHEN q.status = 'open' THEN 0 ELSE 1 END, q.asked_at DESC, q.id LIMIT 200"
        ))
        .bind(client.as_str())
        .bind(&own)
        .fetch_all(&mut *tx)
        .await?;
        let msgs = crate::sql::query(&format!(
            "{MESSAGE_SELECT} JOIN team_question q ON q.id = m.question_id \
             WHERE q.client_id = $1 AND ($2 IS NULL OR q.asked_by_id = $2) ORDER BY m.created_at, m.id"
        ))
        .bind(client.as_str())
        .bind(&own)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.question_from(r, &msgs)?);
        }
        ticket.finish(tx, out).await
    }

    /// One question of `client` with its thread (another client's id, or a
    /// contact person's look at someone else's question: `NotFound`).
    pub async fn team_question(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        id: &QuestionId,
    ) -> Result<Audited<Question>> {
        let a = attempt(Access::Read, AuditAction::Read, Some(id.as_str()));
        if !self
            .belongs_to("team_question", id.as_str(), client)
            .await?
        {
            return self.no_such_item(ctx, &a).await;
        }
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let r = crate::sql::query(&format!("{QUESTION_SELECT} WHERE q.id = $1"))
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if let Some(own) = own_only(&ctx.principal) {
            if s(&r, "asked_by_id")? != own {
                return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
            }
        }
        let msgs = crate::sql::query(&format!(
            "{MESSAGE_SELECT} WHERE m.question_id = $1 ORDER BY m.created_at, m.id"
        ))
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let q = self.question_from(&r, &msgs)?;
        ticket.finish(tx, q).await
    }

    fn question_from(&self, r: &crate::sql::Row, msgs: &[crate::sql::Row]) -> Result<Question> {
        let id = s(r, "id")?;
        let mut messages = Vec::new();
        for m in msgs {
            if s(m, "question_id")? == id {
                messages.push(QuestionMessage {
                    from_team: s(m, "author_kind")? == "staff",
                    author_name: name_of(m)?,
                    body: s(m, "body")?,
                    at: t(m, "created_at")?,
                });
            }
        }
        let by_contact_person = s(r, "asked_by_kind")? == "contact_person";
        Ok(Question {
            id: QuestionId::from_raw(id),
            client_id: ClientId::from_raw(s(r, "client_id")?),
            by_contact_person,
            asker_name: messages
                .iter()
                .find(|m| !m.from_team)
                .map(|m| m.author_name.clone())
                .unwrap_or_default(),
            asked_at: t(r, "asked_at")?,
            open: s(r, "status")? == "open",
            done_by_name: match os(r, "d_given")? {
                Some(g) => Some(full_name(
                    &g,
                    os(r, "d_prefix")?.as_deref(),
                    &os(r, "d_family")?.unwrap_or_default(),
                )),
                None => None,
            },
            done_at: ot(r, "done_at")?,
            messages,
        })
    }

    /// Adds to an open question: the team's answer, or the asker's
    /// follow-up (their own question only).
    pub async fn add_to_question(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        id: &QuestionId,
        body: &str,
    ) -> Result<()> {
        let body = text(body)?;
        let a = attempt(Access::Write, AuditAction::Update, Some(id.as_str()));
        if !self
            .belongs_to("team_question", id.as_str(), client)
            .await?
        {
            return self.no_such_item(ctx, &a).await;
        }
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let (kind, by) = author(&ctx.principal)?;
        let r = crate::sql::query("SELECT asked_by_id, status FROM team_question WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        // The asker's side writes only in their own question.
        if kind != "staff" && s(&r, "asked_by_id")? != by {
            return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
        }
        if s(&r, "status")? != "open" {
            return Err(ServiceError::Stale);
        }
        let count: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM team_question_message WHERE question_id = $1",
        )
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(ServiceError::from)
        .and_then(|r| crate::row::i(&r, "n"))?;
        if count >= MESSAGES_MAX {
            return Err(ServiceError::Invalid(FieldError::new(
                "question",
                "too many messages in one question",
            )));
        }
        crate::sql::query(
            "INSERT INTO team_question_message (id, question_id, author_kind, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(id.as_str())
        .bind(kind)
        .bind(&by)
        .bind(body.as_str())
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The team marks a question done (once; `Stale` after).
    pub async fn close_question(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        id: &QuestionId,
    ) -> Result<()> {
        let a = attempt(Access::Write, AuditAction::Update, Some(id.as_str()));
        if !self
            .belongs_to("team_question", id.as_str(), client)
            .await?
        {
            return self.no_such_item(ctx, &a).await;
        }
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        if let Err(reason) = policy::decide_question_close(&ctx.principal) {
            self.denied(&mut tx, ctx, Some(client.as_str()), &a, reason.code())
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(reason));
        }
        let (_, by) = author(&ctx.principal)?;
        let changed = crate::sql::query(
            "UPDATE team_question SET status = 'done', done_by = $2, done_at = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id.as_str())
        .bind(&by)
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit_guarded(tx, changed, ctx, &scope, client.as_str(), &a)
            .await
    }
}
