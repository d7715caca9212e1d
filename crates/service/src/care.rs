//! Staff writes of appointments (issue 5): create, change and cancel (a
//! cancelled one stays, marked). Every write passes the gate and is
//! audited; changes name the revision they started from. Episodes are
//! started and ended in `admin.rs`.
use crate::access::Attempt;
use crate::admin::full_name;
use crate::error::{Result, ServiceError};
use crate::row::{os, s};
use crate::{new_id, Ctx, Services};
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
    ) -> Result<Vec<TeamMember>> {
        let a = Attempt {
            part: DossierPart::Appointments,
            access: Access::Read,
            action: AuditAction::List,
            data_kind: "team_members",
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let rows = sqlx::query(
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
        self.finish_read(tx, ctx, &scope, client.as_str(), &a)
            .await?;
        Ok(out)
    }

    async fn practitioner_in_team(
        &self,
        tx: &mut crate::db::Tx,
        client: &str,
        who: &StaffId,
    ) -> Result<()> {
        let ok = sqlx::query(
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
        sqlx::query(
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
        let done = sqlx::query(
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
        if done.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, &client, &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
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
        let done = sqlx::query(
            "UPDATE appointment SET status = 'cancelled', updated_at = $3, revision = revision + 1 \
             WHERE id = $1 AND revision = $2 AND status = 'planned'",
        )
        .bind(id.as_str())
        .bind(revision)
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, &client, &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
