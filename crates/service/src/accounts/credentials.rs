//! Changing how the holder signs in, in "Mijn account": linking,
//! replacing or removing the authenticator app. Each needs the current
//! password (and the current app code when one is linked); afterwards the
//! holder gets an e-mail and every other session of the account ends.
//! (Linking an app at the first sign-in of staff goes with the sign-in
//! itself: the password was just given.)
use super::account_ctx;
use super::identifiers::{Reauth, ReauthOutcome};
use crate::error::Result;
use crate::Services;

/// What became of a change of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppChange {
    Linked,
    Removed,
    /// The code from the new app did not match its key.
    WrongNewCode,
    /// The app is the only way in (staff without SMS): link another instead.
    AppRequired,
    Refused(ReauthOutcome),
}

impl Services {
    /// Links the app whose key [`Services::begin_totp_enrolment`] showed
    /// (a first one, or another in place of the current one), with a code
    /// from it, after re-authentication.
    pub async fn confirm_totp_enrolment(
        &self,
        session_token: &str,
        code: &str,
        reauth: Reauth<'_>,
        source: Option<&str>,
    ) -> Result<AppChange> {
        let a = self.active_account(session_token).await?;
        let ctx = account_ctx(&a, source);
        match self.reauthenticate(&a, reauth, &ctx).await? {
            ReauthOutcome::Ok => {}
            other => return Ok(AppChange::Refused(other)),
        }
        let now = self.now();
        let Some(secret) = a.totp_pending_secret.clone() else {
            return Ok(AppChange::WrongNewCode);
        };
        let Some(step) = crate::totp::matching_step(&secret, code.trim(), now) else {
            return Ok(AppChange::WrongNewCode);
        };
        let mut tx = self.db().begin().await?;
        let done = crate::sql::query(
            "UPDATE account SET totp_secret = $1, totp_pending_secret = NULL, totp_last_step = $2 \
             WHERE id = $3 AND totp_pending_secret = $1",
        )
        .bind(&secret)
        .bind(step)
        .bind(&a.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(AppChange::WrongNewCode);
        }
        let reason = if a.totp_secret.is_some() {
            "totp_replaced"
        } else {
            "totp_enrolled"
        };
        let mail = crate::texts::app_changed(a.voice(), true);
        self.sign_in_changed(
            &mut tx,
            &a,
            &ctx,
            session_token,
            mail,
            "app_changed",
            reason,
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(AppChange::Linked)
    }

    /// Removes the app, after re-authentication. Refused where it is the
    /// only way in (staff without SMS).
    pub async fn remove_totp(
        &self,
        session_token: &str,
        reauth: Reauth<'_>,
        source: Option<&str>,
    ) -> Result<AppChange> {
        let a = self.active_account(session_token).await?;
        let mut tx = self.db().begin().await?;
        if !(a.mobile.is_some() && self.sms_allowed(&mut tx, &a).await?) {
            return Ok(AppChange::AppRequired);
        }
        tx.rollback().await?;
        let ctx = account_ctx(&a, source);
        match self.reauthenticate(&a, reauth, &ctx).await? {
            ReauthOutcome::Ok => {}
            other => return Ok(AppChange::Refused(other)),
        }
        let mut tx = self.db().begin().await?;
        crate::sql::query(
            "UPDATE account SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL WHERE id = $1",
        )
        .bind(&a.id)
        .execute(&mut *tx)
        .await?;
        let mail = crate::texts::app_changed(a.voice(), false);
        self.sign_in_changed(
            &mut tx,
            &a,
            &ctx,
            session_token,
            mail,
            "app_changed",
            "totp_removed",
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(AppChange::Removed)
    }
}
