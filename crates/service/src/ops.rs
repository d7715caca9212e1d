//! What an operator's monitoring reads (`/metrics`, issue 16): the job
//! queue, the outbox, the audit writer and the database pool. Counts and
//! ages only, never a name, an address or an id.
use crate::error::Result;
use crate::row::{i, s};
use crate::Services;
use inzage_core::types::ts;
use std::sync::atomic::Ordering::Relaxed;

/// One reading.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpsSnapshot {
    pub backend: &'static str,
    /// Jobs per status (`queued`, `running`, `done`, `failed`).
    pub jobs: Vec<(String, i64)>,
    /// Seconds the oldest job that is due has waited (0: none due).
    pub oldest_due_job_seconds: f64,
    /// Messages per channel and status.
    pub messages: Vec<(String, String, i64)>,
    /// Seconds the oldest queued message has waited (0: none).
    pub oldest_queued_message_seconds: f64,
    pub audit_events_queued: u64,
    pub audit_events_written: u64,
    pub audit_events_failed: u64,
    /// Seconds the oldest event of the writer's last batch waited.
    pub audit_writer_lag_seconds: f64,
    pub db_connections_in_use: usize,
    pub db_connections_max: usize,
}

impl Services {
    /// A reading for `/metrics` (three small aggregate queries).
    pub async fn ops_snapshot(&self) -> Result<OpsSnapshot> {
        let now = self.now();
        let jobs = crate::sql::query(
            "SELECT status, COUNT(*) AS n FROM job GROUP BY status ORDER BY status",
        )
        .slow()
        .fetch_all(self.db())
        .await?
        .iter()
        .map(|r| Ok((s(r, "status")?, i(r, "n")?)))
        .collect::<Result<Vec<_>>>()?;
        let age = |oldest: Option<String>| -> f64 {
            oldest
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map_or(0.0, |t| {
                    ((now - t.with_timezone(&chrono::Utc))
                        .num_milliseconds()
                        .max(0) as f64)
                        / 1000.0
                })
        };
        let oldest_job: Option<String> = crate::sql::query(
            "SELECT MIN(run_at) AS t FROM job WHERE status = 'queued' AND run_at <= $1",
        )
        .bind(ts(now))
        .slow()
        .fetch_one(self.db())
        .await?
        .try_get("t")?;
        let messages = crate::sql::query(
            "SELECT channel, status, COUNT(*) AS n FROM message GROUP BY channel, status ORDER BY channel, status",
        )
        .slow()
        .fetch_all(self.db())
        .await?
        .iter()
        .map(|r| Ok((s(r, "channel")?, s(r, "status")?, i(r, "n")?)))
        .collect::<Result<Vec<_>>>()?;
        let oldest_message: Option<String> =
            crate::sql::query("SELECT MIN(created_at) AS t FROM message WHERE status = 'queued'")
                .slow()
                .fetch_one(self.db())
                .await?
                .try_get("t")?;
        let w = &self.group_commit().stats;
        let (in_use, max) = self.db().pool_usage();
        Ok(OpsSnapshot {
            backend: self.db().backend().name(),
            jobs,
            oldest_due_job_seconds: age(oldest_job),
            messages,
            oldest_queued_message_seconds: age(oldest_message),
            audit_events_queued: w.queued.load(Relaxed),
            audit_events_written: w.written.load(Relaxed),
            audit_events_failed: w.failed.load(Relaxed),
            audit_writer_lag_seconds: w.last_lag_us.load(Relaxed) as f64 / 1e6,
            db_connections_in_use: in_use,
            db_connections_max: max,
        })
    }
}
