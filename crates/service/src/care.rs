//! Staff writes of appointments (issue 5): create, change and cancel (a
//! cancelled one stays, marked). Every write passes the gate and is
//! audited; changes name the revision they started from. Episodes are
//! started and ended in `admin.rs`.
use crate::access::Attempt;
use crate::admin::full_name;
use crate::error::{Result, ServiceError};
use crate::row::{os, s};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::ids::{AppointmentId, ClientId, StaffId};
use inzage_core::model::{AuditAction, DossierPart};
use inzage_core::policy::Access;
use inzage_core::types::{ts, FieldError, Label, Text};

/// The longest appointment: a day.
const MAX_APPOINTMENT_MINUTES: i64 = 24 * 60;

#[derive(Clone, Debug)]
pub struct NewAppointment {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub practitioner: StaffId,
    pub place: Label,
    pub description: Text,
}

/// A member of the client's team, to choose as practitioner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    pub id: StaffId,
    pub name: String,
}

fn attempt(
    part: DossierPart,
    action: AuditAction,
    kind: &'static str,
    id: Option<&'static str>,
) -> Attempt<'static> {
    Attempt {
        part,
        access: Access::Write,
        action,
        data_kind: kind,
        data_id: id,
        hide_denial: false,
    }
}

fn check_times(a: &NewAppointment) -> Result<()> {
    let minutes = (a.ends_at - a.starts_at).num_minutes();
    if minutes <= 0 {
        return Err(FieldError::new("ends_at", "the end is not after the start").into());
    }
    if minutes > MAX_APPOINTMENT_MINUTES {
        return Err(FieldError::new("ends_at", "an appointment lasts at most a day").into());
    }
    Ok(())
}

impl Services {
    /// The active staff members of the client's team (practitioners to
    /// choose from). Gated as an Appointments read; no dossier content.
    pub async fn client_team_members(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<Vec<TeamMember>>> {
        let a = Attempt {
            part: DossierPart::Appointments,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: "team_members",
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let rows = crate::sql::query(
            "SELECT m.id, m.given_name, m.name_prefix, m.family_name FROM client c \
             JOIN team_membership tm ON tm.team_id = c.team_id JOIN staff_member m ON m.id = tm.staff_id \
             WHERE c.id = $1 AND m.active = 1 ORDER BY m.family_name, m.given_name",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(TeamMember {
                    id: StaffId::from_raw(s(r, "id")?),
                    name: full_name(
                        &s(r, "given_name")?,
                        os(r, "name_prefix")?.as_deref(),
                        &s(r, "family_name")?,
                    ),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        ticket.finish(tx, out).await
    }

    async fn practitioner_in_team(
        &self,
        tx: &mut crate::db::Tx,
        client: &str,
        who: &StaffId,
    ) -> Result<()> {
        let ok = crate::sql::query(
            "SELECT 1 AS x FROM client c JOIN team_membership tm ON tm.team_id = c.team_id \
             JOIN staff_member m ON m.id = tm.staff_id WHERE c.id = $1 AND m.id = $2 AND m.active = 1",
        )
        .bind(client)
        .bind(who.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
        if ok {
            Ok(())
        } else {
            Err(FieldError::new("practitioner", "not an active member of the client's team").into())
        }
    }

    /// Plans an appointment in the client's current episode.
    pub async fn create_appointment(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        new: NewAppointment,
    ) -> Result<AppointmentId> {
        check_times(&new)?;
        let a = attempt(
            DossierPart::Appointments,
            AuditAction::Create,
            "appointments",
            None,
        );
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        self.practitioner_in_team(&mut tx, client.as_str(), &new.practitioner)
            .await?;
        let episode = crate::writes::current_episode(&mut tx, client.as_str()).await?;
        let id = new_id();
        let now = ts(self.now());
        crate::sql::query(
            "INSERT INTO appointment (id, client_id, episode_id, starts_at, ends_at, practitioner_id, place, description, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planned', $9, $9)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(&episode)
        .bind(ts(new.starts_at))
        .bind(ts(new.ends_at))
        .bind(new.practitioner.as_str())
        .bind(new.place.as_str())
        .bind(new.description.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(AppointmentId::from_raw(id))
    }

    /// Changes a planned appointment, as opened at `revision`.
    pub async fn update_appointment(
        &self,
        ctx: &Ctx,
        id: &AppointmentId,
        revision: i64,
        new: NewAppointment,
    ) -> Result<()> {
        check_times(&new)?;
        let a = Attempt {
            data_id: Some(id.as_str()),
            ..attempt(
                DossierPart::Appointments,
                AuditAction::Update,
                "appointments",
                None,
            )
        };
        let (client, mut tx, scope) = self.gate_item(ctx, "appointment", id.as_str(), &a).await?;
        self.practitioner_in_team(&mut tx, &client, &new.practitioner)
            .await?;
        let done = crate::sql::query(
            "UPDATE appointment SET starts_at = $3, ends_at = $4, practitioner_id = $5, place = $6, description = $7, \
             updated_at = $8, revision = revision + 1 WHERE id = $1 AND revision = $2 AND status = 'planned'",
        )
        .bind(id.as_str())
        .bind(revision)
        .bind(ts(new.starts_at))
        .bind(ts(new.ends_at))
        .bind(new.practitioner.as_str())
        .bind(new.place.as_str())
        .bind(new.description.as_str())
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, done.rows_affected(), ctx, &scope, &client, &a)
            .await
    }

    /// Cancels a planned appointment; it stays visible, marked cancelled.
    pub async fn cancel_appointment(
        &self,
        ctx: &Ctx,
        id: &AppointmentId,
        revision: i64,
    ) -> Result<()> {
        let a = Attempt {
            data_id: Some(id.as_str()),
            ..attempt(
                DossierPart::Appointments,
                AuditAction::Delete,
                "appointments",
                None,
            )
        };
        let (client, mut tx, scope) = self.gate_item(ctx, "appointment", id.as_str(), &a).await?;
        let done = crate::sql::query(
            "UPDATE appointment SET status = 'cancelled', updated_at = $3, revision = revision + 1 \
             WHERE id = $1 AND revision = $2 AND status = 'planned'",
        )
        .bind(id.as_str())
        .bind(revision)
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, done.rows_affected(), ctx, &scope, &client, &a)
            .await
    }
}

/// A document a staff member uploads (the file received by
/// [`Services::begin_upload`], waiting in a temporary file).
#[derive(Debug)]
pub struct NewDocument {
    pub title: Label,
    pub doc_type: Label,
    pub doc_date: chrono::NaiveDate,
    pub visible_to_client: bool,
    pub content: crate::blobs::Received,
}

/// The content type of an upload, decided by its first bytes (never by
/// its name or the browser's claim): PDF, PNG or JPEG, else `None`.
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

impl Services {
    /// The organisation's upload limit for this client's documents, for a
    /// member who may add documents (the policy decides; a refusal answers
    /// `Denied` and reads nothing of the dossier).
    pub async fn upload_limit(&self, ctx: &Ctx, client: &ClientId) -> Result<i64> {
        let a = attempt(
            DossierPart::Documents,
            AuditAction::Create,
            "documents",
            None,
        );
        let mut conn = self.db().begin_read().await?;
        let decided = self
            .decide_only(&mut conn, client.as_str(), ctx, &a)
            .await?;
        if let Err((_, _, e)) = decided {
            conn.rollback().await?;
            return Err(e);
        }
        let r = crate::sql::query(
            "SELECT o.upload_limit_bytes FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
        conn.rollback().await?;
        crate::row::i(&r, "upload_limit_bytes")
    }

    /// Starts receiving an upload of at most `limit` bytes into a
    /// temporary file (streamed and hashed, never held in memory whole).
    pub async fn begin_upload(&self, limit: i64) -> Result<crate::blobs::Upload> {
        self.blobs()
            .begin_upload(u64::try_from(limit).unwrap_or(0))
            .await
    }

    /// Uploads a document into the client's current episode. The type is
    /// checked by content; the size against the organisation's limit.
    pub async fn upload_document(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        doc: NewDocument,
    ) -> Result<inzage_core::ids::DocumentId> {
        let uploader =
            inzage_core::policy::decide_authorship(&ctx.principal).map_err(ServiceError::Denied)?;
        self.upload_document_by(ctx, client, doc, uploader).await
    }

    /// The upload itself, with its author decided by the caller's rule
    /// (`decide_authorship` for staff, `decide_integration_author` for a
    /// connected system).
    pub(crate) async fn upload_document_by(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        doc: NewDocument,
        uploader: inzage_core::ids::StaffId,
    ) -> Result<inzage_core::ids::DocumentId> {
        let Some(content_type) = sniff_content_type(&doc.content.head) else {
            return Err(FieldError::new("file", "not a PDF, PNG or JPEG file").into());
        };
        if doc.content.size == 0 {
            return Err(FieldError::new("file", "is empty").into());
        }
        let a = attempt(
            DossierPart::Documents,
            AuditAction::Create,
            "documents",
            None,
        );
        // The file moves into the store (rename, directory fsync) before
        // the write transaction begins, so no writer waits for the disk
        // (issue 16). Content-addressed: a refused or failed transaction
        // leaves at most a file no row refers to, which housekeeping
        // removes after an hour; never a row without its file (ADR 0004).
        let size = i64::try_from(doc.content.size).unwrap_or(i64::MAX);
        let hash = self.blobs().adopt(doc.content).await?;
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let limit = {
            let r = crate::sql::query(
                "SELECT o.upload_limit_bytes FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1",
            )
            .bind(client.as_str())
            .fetch_one(&mut *tx)
            .await?;
            crate::row::i(&r, "upload_limit_bytes")?
        };
        if size > limit {
            return Err(FieldError::new("file", "is larger than the upload limit").into());
        }
        let episode = crate::writes::current_episode(&mut tx, client.as_str()).await?;
        let id = new_id();
        crate::sql::query(
            "INSERT INTO document (id, client_id, episode_id, title, doc_type, doc_date, content_type, size_bytes, sha256, \
             visible_to_client, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(&episode)
        .bind(doc.title.as_str())
        .bind(doc.doc_type.as_str())
        .bind(inzage_core::types::date_str(doc.doc_date))
        .bind(content_type)
        .bind(size)
        .bind(&hash)
        .bind(i64::from(doc.visible_to_client))
        .bind(uploader.as_str())
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(inzage_core::ids::DocumentId::from_raw(id))
    }

    /// Removes a document from view: a soft delete with a reason, audited.
    /// The row and the file stay (for the audit and a possible restore by
    /// the operator); nobody reads it through the portal or the client page.
    pub async fn remove_document(
        &self,
        ctx: &Ctx,
        id: &inzage_core::ids::DocumentId,
        reason: Text,
    ) -> Result<()> {
        let a = Attempt {
            data_id: Some(id.as_str()),
            ..attempt(
                DossierPart::Documents,
                AuditAction::Delete,
                "documents",
                None,
            )
        };
        let (client, mut tx, scope) = self.gate_item(ctx, "document", id.as_str(), &a).await?;
        let (kind, who) = ctx.principal.audit_actor();
        let done = crate::sql::query(
            "UPDATE document SET deleted_at = $2, deleted_by = $3, deleted_reason = $4 WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id.as_str())
        .bind(ts(self.now()))
        .bind(format!("{kind}:{who}"))
        .bind(reason.as_str())
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, done.rows_affected(), ctx, &scope, &client, &a)
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uploads_are_typed_by_their_first_bytes() {
        use super::sniff_content_type as t;
        assert_eq!(t(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(t(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(t(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(t(b"<html><script>"), None);
        assert_eq!(t(b"MZ\x90\x00"), None, "an executable named .pdf");
        assert_eq!(t(b""), None);
    }
}

#[cfg(test)]
mod properties {
    use super::sniff_content_type;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Issue 16 item 6: an upload's type comes from its first bytes
        /// only, and only for the three magic numbers.
        #[test]
        fn the_type_is_the_magic_number(head in proptest::collection::vec(any::<u8>(), 0..24),
                                        prefix in 0usize..4) {
            let magic: [&[u8]; 4] = [b"%PDF-", b"\x89PNG\r\n\x1a\n", &[0xFF, 0xD8, 0xFF], b""];
            let mut bytes = magic[prefix].to_vec();
            bytes.extend(&head);
            let got = sniff_content_type(&bytes);
            let expected = if bytes.starts_with(b"%PDF-") {
                Some("application/pdf")
            } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                Some("image/png")
            } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
                Some("image/jpeg")
            } else {
                None
            };
            prop_assert_eq!(got, expected);
        }
    }
}
