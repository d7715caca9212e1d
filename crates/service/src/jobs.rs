//! The durable job table. Jobs survive restarts (they are rows); a job is
//! claimed with ONE conditional UPDATE, so on PostgreSQL two runners never
//! both claim it (the second UPDATE re-checks `status` after the first
//! commits and matches nothing) and SQLite, which has no `SKIP LOCKED`,
//! serialises the statement anyway. A claim is a lease: a runner that died
//! leaves a `running` job whose lease expires, and another runner retakes
//! it. See docs/decisions/0005-jobs.md.
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{i, s};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::types::ts;
use serde::{Deserialize, Serialize};

pub const FINALISE_REPORT: &str = "finalise_report";
pub const DELIVER_MESSAGE: &str = "deliver_message";
pub const PASSWORD_RESET_REQUEST: &str = "password_reset_request";
pub const AUTO_INVITE: &str = "auto_invite";
/// Notifications without content (ADR 0021): one job that runs again
/// every quarter of an hour in the sending window.
pub const NOTIFICATION_SWEEP: &str = "notification_sweep";
/// The afschrift (ADR 0022): one job per request.
pub const BUILD_AFSCHRIFT: &str = "build_afschrift";
/// Housekeeping (issue 16): every hour the list of dossiers past their
/// retention term, afschriften past their days, and files no row refers
/// to (left by a crash between storing a file and committing its row).
pub const HOUSEKEEPING: &str = "housekeeping";
/// Jobs that reschedule themselves for ever (their `attempts` count every
/// turn, not failures in a row).
fn recurring(kind: &str) -> bool {
    kind == NOTIFICATION_SWEEP || kind == HOUSEKEEPING
}

/// How long a claim holds before another runner may retake the job.
pub const LEASE: Duration = Duration::minutes(5);
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Serialize, Deserialize)]
struct FinalisePayload {
    report_id: String,
}

#[derive(Serialize, Deserialize)]
struct IdPayload {
    id: String,
}

/// Queues a job of `kind` about `id` at most once, ever.
pub(crate) async fn enqueue_once(
    tx: &mut Tx,
    kind: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::to_string(&IdPayload { id: id.to_owned() })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    crate::sql::query(
        "INSERT INTO job (id, kind, payload, dedupe_key, run_at, status, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'queued', 0, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(kind)
    .bind(payload)
    .bind(format!("{kind}:{id}"))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues a job of `kind` about `id` (a message id, an e-mail address …).
/// The payload is erased when the job is done.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    id: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::to_string(&IdPayload { id: id.to_owned() })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    crate::sql::query(
        "INSERT INTO job (id, kind, payload, dedupe_key, run_at, status, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, NULL, $4, 'queued', 0, $5, $5)",
    )
    .bind(new_id())
    .bind(kind)
    .bind(payload)
    .bind(ts(run_at))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn enqueue_finalise(
    tx: &mut Tx,
    report_id: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::to_string(&FinalisePayload {
        report_id: report_id.to_owned(),
    })
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    crate::sql::query(
        "INSERT INTO job (id, kind, payload, dedupe_key, run_at, status, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(FINALISE_REPORT)
    .bind(payload)
    .bind(format!("{FINALISE_REPORT}:{report_id}"))
    .bind(ts(run_at))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What one `run_once` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    Idle,
    Done {
        job_id: String,
        kind: String,
    },
    Rescheduled {
        job_id: String,
        run_at: DateTime<Utc>,
    },
    Failed {
        job_id: String,
        error: String,
        gave_up: bool,
    },
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct JobStats {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

/// A job runner. Several may run at once, in one process or many.
#[derive(Clone)]
pub struct Runner {
    services: Services,
    id: String,
}

impl Runner {
    pub fn new(services: Services, name: &str) -> Self {
        Self {
            services,
            id: format!("{name}-{}", &new_id()[..8]),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs at most one due job.
    pub async fn run_once(&self) -> Result<Tick> {
        let now = self.services.now();
        let pool = self.services.db();
        // A job whose claim ran out after its last attempt (the process
        // died while it ran, perhaps because of it) is given up, not taken
        // again for ever (review of issue 15); recurring jobs excepted.
        crate::sql::query(&format!(
            "UPDATE job SET status = 'failed', locked_by = NULL, locked_until = NULL, updated_at = $1, \
             last_error = 'gave up: the claim ran out after the last attempt' \
             WHERE status = 'running' AND locked_until < $1 AND attempts >= {MAX_ATTEMPTS} AND kind NOT IN ('{NOTIFICATION_SWEEP}', '{HOUSEKEEPING}')"
        ))
        .bind(ts(now))
        .execute(pool)
        .await?;
        let due =
            "((status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3))";
        let claimed = crate::sql::query(&format!(
            "UPDATE job SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, \
             updated_at = $3 \
             WHERE id = (SELECT id FROM job WHERE {due} ORDER BY run_at LIMIT 1) AND {due} \
             RETURNING id, kind, payload, attempts"
        ))
        .bind(&self.id)
        .bind(ts(now + LEASE))
        .bind(ts(now))
        .fetch_optional(pool)
        .await?;
        let Some(row) = claimed else {
            return Ok(Tick::Idle);
        };
        let job_id = s(&row, "id")?;
        let kind = s(&row, "kind")?;
        let payload = s(&row, "payload")?;
        let attempt = i(&row, "attempts")?;
        crate::sql::query(
            "INSERT INTO job_run (job_id, attempt, runner, started_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&job_id)
        .bind(attempt)
        .bind(&self.id)
        .bind(ts(now))
        .execute(pool)
        .await?;
        // A job may be slow as a whole (an afschrift, housekeeping): its
        // SQLite statements run in the slow lane (ADR 0025).
        let result = crate::sql::slow_lane(self.execute(&kind, &payload)).await;
        let finished = ts(self.services.now());
        let (status, run_at, error, tick) = match result {
            Ok(None) => (
                "done",
                None,
                None,
                Tick::Done {
                    job_id: job_id.clone(),
                    kind: kind.clone(),
                },
            ),
            Ok(Some(at)) => (
                "queued",
                Some(at),
                None,
                Tick::Rescheduled {
                    job_id: job_id.clone(),
                    run_at: at,
                },
            ),
            Err(e) => {
                // A recurring job is never given up: its next turn is its
                // retry (review of issue 15: the sweep stopped for good at
                // its first error after five turns). Nor is any job while
                // the database (or a gateway) is gone or the disk is full:
                // it is tried again each minute (review of issue 16: a
                // half-hour outage gave up every message).
                let transient = matches!(e, ServiceError::Unavailable(_) | ServiceError::Full(_));
                let gave_up = attempt >= MAX_ATTEMPTS && !recurring(&kind) && !transient;
                let msg = e.to_string();
                let retry = if recurring(&kind) {
                    now + crate::notifications::SWEEP_EVERY
                } else if transient {
                    now + Duration::minutes(1)
                } else {
                    now + Duration::minutes(attempt.min(10) * attempt.min(10))
                };
                (
                    if gave_up { "failed" } else { "queued" },
                    if gave_up { None } else { Some(retry) },
                    Some(msg.clone()),
                    Tick::Failed {
                        job_id: job_id.clone(),
                        error: msg,
                        gave_up,
                    },
                )
            }
        };
        crate::sql::query(
            "UPDATE job SET status = $1, run_at = COALESCE($2, run_at), last_error = $3, locked_by = NULL, \
             locked_until = NULL, updated_at = $4, \
             payload = CASE WHEN $1 = 'done' AND kind = 'password_reset_request' THEN '{}' ELSE payload END \
             WHERE id = $5 AND locked_by = $6",
        )
        .bind(status)
        .bind(run_at.map(ts))
        .bind(&error)
        .bind(&finished)
        .bind(&job_id)
        .bind(&self.id)
        .execute(pool)
        .await?;
        crate::sql::query(
            "UPDATE job_run SET finished_at = $1, outcome = $2 WHERE job_id = $3 AND attempt = $4",
        )
        .bind(&finished)
        .bind(status)
        .bind(&job_id)
        .bind(attempt)
        .execute(pool)
        .await?;
        if let Tick::Failed { error, .. } = &tick {
            tracing::warn!(job_id = %job_id, kind = %kind, attempt, error = %error, "job failed");
        }
        Ok(tick)
    }

    /// Runs due jobs until none is left (for tests and `inzage jobs run`).
    pub async fn run_until_idle(&self) -> Result<Vec<Tick>> {
        let mut ticks = Vec::new();
        loop {
            match self.run_once().await? {
                Tick::Idle => return Ok(ticks),
                t => ticks.push(t),
            }
            if ticks.len() > 1_000_000 {
                return Ok(ticks);
            }
        }
    }

    /// `Ok(None)`: done; `Ok(Some(t))`: run again at `t`.
    async fn execute(&self, kind: &str, payload: &str) -> Result<Option<DateTime<Utc>>> {
        match kind {
            FINALISE_REPORT => {
                let p: FinalisePayload = serde_json::from_str(payload)
                    .map_err(|e| ServiceError::Internal(format!("bad payload: {e}")))?;
                let ctx = Ctx::system("job:finalise_reports");
                self.services.finalise_if_due(&ctx, &p.report_id).await
            }
            DELIVER_MESSAGE => {
                let p: IdPayload = serde_json::from_str(payload)
                    .map_err(|e| ServiceError::Internal(format!("bad payload: {e}")))?;
                self.services.deliver_message(&p.id).await.map(|()| None)
            }
            PASSWORD_RESET_REQUEST => {
                let p: IdPayload = serde_json::from_str(payload)
                    .map_err(|e| ServiceError::Internal(format!("bad payload: {e}")))?;
                self.services
                    .process_reset_request(&p.id)
                    .await
                    .map(|()| None)
            }
            AUTO_INVITE => {
                let p: IdPayload = serde_json::from_str(payload)
                    .map_err(|e| ServiceError::Internal(format!("bad payload: {e}")))?;
                let ctx = Ctx::system("job:auto_invite");
                let target = crate::accounts::InviteTarget::Client(
                    inzage_core::ids::ClientId::from_raw(p.id),
                );
                match self.services.invite(&ctx, target).await {
                    Ok(_) => Ok(None),
                    // Not eligible (age, start date, discharge) or no longer
                    // reachable: nothing to retry; staff can invite by hand.
                    Err(ServiceError::Conflict(reason)) => {
                        tracing::info!(reason = %reason, "automatic invitation not sent");
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            NOTIFICATION_SWEEP => self.services.notification_sweep().await,
            HOUSEKEEPING => self.services.housekeeping().await,
            BUILD_AFSCHRIFT => {
                let p: IdPayload = serde_json::from_str(payload)
                    .map_err(|e| ServiceError::Internal(format!("bad payload: {e}")))?;
                self.services.build_afschrift(&p.id).await.map(|()| None)
            }
            other => Err(ServiceError::Internal(format!("unknown job kind {other}"))),
        }
    }

    /// Runs jobs until `shutdown` resolves; a job in progress finishes first.
    pub async fn run_forever(
        self,
        poll: std::time::Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let wake = self.services.job_wake();
        if let Err(e) = self.services.ensure_housekeeping().await {
            tracing::warn!(error = %e, "could not queue the housekeeping job");
        }
        loop {
            if *shutdown.borrow() {
                return;
            }
            let busy = match self.run_once().await {
                Ok(Tick::Idle) => false,
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "job runner could not claim a job");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = wake.notified() => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

impl Services {
    pub async fn job_stats(&self) -> Result<JobStats> {
        let rows = crate::sql::query("SELECT status, COUNT(*) AS n FROM job GROUP BY status")
            .fetch_all(self.db())
            .await?;
        let mut st = JobStats::default();
        for r in rows {
            let n: i64 = r.try_get("n")?;
            match s(&r, "status")?.as_str() {
                "queued" => st.queued = n,
                "running" => st.running = n,
                "done" => st.done = n,
                _ => st.failed = n,
            }
        }
        Ok(st)
    }
}
