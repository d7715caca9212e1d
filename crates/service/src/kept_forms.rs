//! No text lost to the idle timeout (issue 14): a staff form posted after
//! the session timed out is kept for its account and put back after the
//! next sign-in. The web layer decides which posts are forms worth keeping
//! and where they return to; this module keeps them safe: only for the
//! account whose ended session carried the form's own CSRF token, one day
//! at most, handed back once and only to that account.
use crate::error::Result;
use crate::row::s;
use crate::{new_id, Services};
use chrono::Duration;
use inzage_core::types::ts;

/// How long a kept form waits for its author.
pub const KEEP_FOR: Duration = Duration::hours(24);

/// The most forms kept for one account at once.
pub const KEPT_PER_ACCOUNT: i64 = 20;

/// The most a kept form may hold (a report is at most 20 000 characters).
pub const KEPT_MAX_BYTES: usize = 256 * 1024;

impl Services {
    /// Keeps `fields` (the form as posted, urlencoded) for the account of
    /// the session `session_token`, when that session ended by the idle
    /// timeout and `csrf` is its token. Returns whether it was kept.
    pub async fn keep_form(
        &self,
        session_token: &str,
        csrf: &str,
        return_to: &str,
        fields: &str,
    ) -> Result<bool> {
        if fields.len() > KEPT_MAX_BYTES || !return_to.starts_with('/') {
            return Ok(false);
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "SELECT account_id, csrf_token FROM auth_session \
             WHERE id_hash = $1 AND ended_at IS NOT NULL AND end_reason = 'timeout' AND stage = 'active'",
        )
        .bind(crate::accounts::sha(session_token))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(r) = r else { return Ok(false) };
        if !inzage_core::types::constant_eq(&s(&r, "csrf_token")?, csrf) {
            return Ok(false);
        }
        crate::sql::query("DELETE FROM kept_form WHERE expires_at < $1")
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        let account = s(&r, "account_id")?;
        // One kept form per page: a newer post replaces an older one.
        crate::sql::query("DELETE FROM kept_form WHERE account_id = $1 AND return_to = $2")
            .bind(&account)
            .bind(return_to)
            .execute(&mut *tx)
            .await?;
        let n = crate::row::i(
            &crate::sql::query("SELECT COUNT(*) AS n FROM kept_form WHERE account_id = $1")
                .bind(&account)
                .fetch_one(&mut *tx)
                .await?,
            "n",
        )?;
        if n >= KEPT_PER_ACCOUNT {
            return Ok(false);
        }
        crate::sql::query(
            "INSERT INTO kept_form (id, account_id, return_to, fields, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(s(&r, "account_id")?)
        .bind(return_to)
        .bind(fields)
        .bind(ts(now))
        .bind(ts(now + KEEP_FOR))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The newest form kept for the signed-in account of `session_token`
    /// at `return_to`, taken (deleted) as it is handed back.
    pub async fn take_kept_form(
        &self,
        session_token: &str,
        return_to: &str,
    ) -> Result<Option<String>> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "SELECT k.id, k.fields FROM kept_form k JOIN auth_session ss ON ss.account_id = k.account_id \
             WHERE ss.id_hash = $1 AND ss.ended_at IS NULL AND ss.stage = 'active' \
             AND k.return_to = $2 AND k.expires_at > $3 ORDER BY k.created_at DESC LIMIT 1",
        )
        .bind(crate::accounts::sha(session_token))
        .bind(return_to)
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(r) = r else { return Ok(None) };
        crate::sql::query("DELETE FROM kept_form WHERE id = $1")
            .bind(s(&r, "id")?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(s(&r, "fields")?))
    }
}
