//! Housekeeping (issue 16): one recurring job, every hour, that keeps the
//! installation tidy without anyone asking:
//!
//! - the list of dossiers past their retention term (`retention`);
//! - afschriften past their days: the files go (ADR 0022);
//! - content files no row refers to, older than an hour: left by a crash
//!   between storing a file and committing its row (a file is stored
//!   before its row, never after: ADR 0004), or by an upload that was
//!   refused after it was received. They go to the trash
//!   (`blobs/trash/`), and are deleted after `blobs::TRASH_DAYS` unless a
//!   row refers to them again (then they come back): a check and a delete
//!   are never one step, and the trash covers the row that was on its way;
//! - temporary upload files older than a day (a process that died while
//!   receiving);
//! - rows that only served a moment: sessions past their end, rate
//!   counters and sign-in throttles a week old, invitation and reset
//!   links a month past their end. (Finished jobs stay: their keys make
//!   "once, ever" hold.)
use crate::error::{Result, ServiceError};
use crate::Services;
use chrono::{DateTime, Duration, Utc};
use inzage_core::types::ts;
use serde::Serialize;

/// How often the job runs.
pub const EVERY: Duration = Duration::hours(1);
/// A content file younger than this is left alone (its row may be on its
/// way in a transaction).
pub const ORPHAN_AGE: Duration = Duration::hours(1);
/// A temporary upload file older than this belongs to no upload.
pub const TEMP_AGE: Duration = Duration::days(1);

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct HousekeepingReport {
    pub retention_due: usize,
    pub afschriften_expired: usize,
    /// Files no row refers to, moved to the trash.
    pub orphan_files_removed: usize,
    pub temp_files_removed: usize,
    /// Files deleted from the trash after their days.
    pub trash_purged: usize,
    /// Files a row referred to again, put back from the trash.
    pub trash_restored: usize,
    pub rows_pruned: u64,
}

impl Services {
    /// One round of housekeeping now (the job, `inzage jobs run`, tests).
    pub async fn housekeeping_now(&self) -> Result<HousekeepingReport> {
        let now = self.now();
        let retention_due = self.review_retention().await?;
        let afschriften_expired = self.expire_afschriften().await?;
        let mut rows_pruned = 0;
        for (sql, before) in [
            ("DELETE FROM auth_session WHERE expires_at < $1", now),
            ("DELETE FROM rate_counter WHERE window_start < $1", now - Duration::days(7)),
            (
                "DELETE FROM login_throttle WHERE updated_at < $1 AND (paused_until IS NULL OR paused_until < $1)",
                now - Duration::days(7),
            ),
            (
                "DELETE FROM account_token WHERE expires_at < $1",
                now - Duration::days(30),
            ),
            // FHIR access tokens live minutes; a seen assertion is kept
            // until it could no longer be used anyway.
            ("DELETE FROM fhir_token WHERE expires_at < $1", now),
            ("DELETE FROM fhir_assertion WHERE expires_at < $1", now),
            ("DELETE FROM oidc_login WHERE expires_at < $1", now),
            ("DELETE FROM passkey_ceremony WHERE expires_at < $1", now),
        ] {
            rows_pruned += crate::sql::query(sql)
                .bind(ts(before))
                .execute(self.db())
                .await?
                .rows_affected();
        }
        let (candidates, trash, temp_files_removed) = {
            let root = self.blobs().root().to_path_buf();
            tokio::task::spawn_blocking(move || old_files(&root, now))
                .await
                .map_err(|e| ServiceError::Internal(format!("housekeeping task: {e}")))??
        };
        // Every referenced content at once (one query, not one per file).
        let referenced = self.referenced_contents().await?;
        let mut orphan_files_removed = 0;
        for hash in candidates.iter().filter(|h| !referenced.contains(*h)) {
            // Checked once more, on its own: a row may have come since.
            if self.remove_unreferenced_blob(hash).await? {
                orphan_files_removed += 1;
            }
        }
        let (mut trash_purged, mut trash_restored) = (0, 0);
        for (hash, age) in trash {
            if self.referenced_contents_of(&hash).await? {
                if self.blobs().restore_from_trash(&hash) {
                    trash_restored += 1;
                }
            } else if age > Duration::days(crate::blobs::TRASH_DAYS) {
                self.blobs().purge(&hash)?;
                trash_purged += 1;
            }
        }
        if orphan_files_removed + temp_files_removed > 0 {
            tracing::info!(
                orphan_files_removed,
                temp_files_removed,
                "housekeeping removed files no row refers to"
            );
        }
        Ok(HousekeepingReport {
            retention_due,
            afschriften_expired,
            orphan_files_removed,
            temp_files_removed,
            trash_purged,
            trash_restored,
            rows_pruned,
        })
    }

    /// The job: one round, and the next in an hour.
    pub(crate) async fn housekeeping(&self) -> Result<Option<DateTime<Utc>>> {
        self.housekeeping_now().await?;
        Ok(Some(self.now() + EVERY))
    }

    /// Queues the housekeeping job once (a runner calls this when it
    /// starts; one that gave up is queued again).
    pub async fn ensure_housekeeping(&self) -> Result<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        crate::jobs::enqueue_once(&mut tx, crate::jobs::HOUSEKEEPING, "all", now).await?;
        crate::sql::query(
            "UPDATE job SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE dedupe_key = $2 AND status = 'failed'",
        )
        .bind(ts(now))
        .bind(format!("{}:all", crate::jobs::HOUSEKEEPING))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Files in the trash, with their age.
type TrashFiles = Vec<(String, Duration)>;

/// The content files older than [`ORPHAN_AGE`] (by name: their hash), the
/// trash with ages, and removes temporary upload files older than
/// [`TEMP_AGE`].
fn old_files(
    root: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<(Vec<String>, TrashFiles, usize)> {
    let age = |m: &std::fs::Metadata| -> Option<Duration> {
        let modified: DateTime<Utc> = m.modified().ok()?.into();
        Some(now - modified)
    };
    let io = |e: std::io::Error| ServiceError::Internal(format!("housekeeping: {e}"));
    let mut hashes = Vec::new();
    let mut trash = Vec::new();
    let mut temp_removed = 0;
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((hashes, trash, 0)),
        Err(e) => return Err(io(e)),
    };
    for dir in entries {
        let dir = dir.map_err(io)?;
        let name = dir.file_name().to_string_lossy().into_owned();
        if !dir.file_type().map_err(io)?.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).map_err(io)? {
            let f = f.map_err(io)?;
            let fname = f.file_name().to_string_lossy().into_owned();
            let Ok(meta) = f.metadata() else { continue };
            if name == "trash" {
                if fname.len() == 64 && fname.bytes().all(|b| b.is_ascii_hexdigit()) {
                    trash.push((fname, age(&meta).unwrap_or_else(Duration::zero)));
                }
                continue;
            }
            if name == "tmp" || fname.starts_with(".tmp-") {
                // Temporary files (uploads being received, stores being
                // written): only when surely abandoned.
                if age(&meta).is_some_and(|a| a > TEMP_AGE)
                    && std::fs::remove_file(f.path()).is_ok()
                {
                    temp_removed += 1;
                }
                continue;
            }
            if fname.len() == 64
                && fname.starts_with(&name)
                && fname.bytes().all(|b| b.is_ascii_hexdigit())
                && age(&meta).is_some_and(|a| a > ORPHAN_AGE)
            {
                hashes.push(fname);
            }
        }
    }
    Ok((hashes, trash, temp_removed))
}
