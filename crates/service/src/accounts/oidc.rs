//! Staff sign in through their organisation's OpenID Connect provider
//! (issue 17 item 3, ADR 0028).
//!
//! - A functional admin sets the provider per organisation: its issuer,
//!   our client id and secret there (stored sealed, [`crate::seal`]),
//!   whether its multi-factor assertion replaces our second step, and
//!   whether the button is shown. Saving checks the provider's discovery
//!   document first.
//! - Sign-in is the authorization code flow with PKCE (S256), a `state`
//!   bound to the browser by a cookie and a `nonce` in the ID token. The
//!   ID token's signature is checked with the provider's published keys,
//!   its claims against the injected clock.
//! - The account is found by a subject the admin linked, or else by a
//!   verified e-mail address of a staff account of that organisation
//!   (the subject is then linked, and the holder told). Never created.
//! - The second factor of our own still applies, unless the organisation
//!   trusts the provider's multi-factor assertion (`amr` holds `mfa`, or
//!   `acr` is one of the values the admin named).
use super::{account_ctx, account_from_row, anonymous, audit_account, random_token, sha};
use super::{AccessEnd, AccountRow, ACCOUNT_COLS};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::{Ctx, Services};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use inzage_core::ids::OrganisationId;
use inzage_core::model::{AccountKind, AuditAction, AuditOutcome};
use inzage_core::types::{ts, Email, FieldError};
use serde::{Deserialize, Serialize};

/// How long a started sign-in may take at the provider.
const FLOW_VALID: Duration = Duration::minutes(10);
/// Clock difference allowed with the provider.
const LEEWAY: Duration = Duration::seconds(60);
/// The path of our redirect URI (under `public_url`).
pub const CALLBACK_PATH: &str = "/inloggen/oidc";

/// An organisation's provider, as its functional admin sees it (never the
/// secret).
#[derive(Clone, Debug, Default, Serialize)]
pub struct IdentityProviderView {
    pub configured: bool,
    pub issuer: String,
    pub client_id: String,
    pub has_secret: bool,
    pub trust_provider_mfa: bool,
    /// `acr` values that count as multi-factor, space-separated.
    pub mfa_acr_values: String,
    pub enabled: bool,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// Whether the installation can keep a secret (`settings_key` set).
    pub can_seal: bool,
    pub links: Vec<SubjectLink>,
}

/// A provider subject linked to a staff account.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectLink {
    pub email: String,
    pub subject: String,
    /// `admin` (linked by a functional admin) or `email` (matched on a
    /// verified address at the first sign-in).
    pub how: String,
    pub linked_at: DateTime<Utc>,
    /// The holder completed our own second step through it.
    pub confirmed: bool,
}

/// What a functional admin saves.
#[derive(Clone, Debug)]
pub struct IdentityProviderInput {
    pub issuer: String,
    pub client_id: String,
    /// A new secret; `None` keeps the stored one.
    pub client_secret: Option<String>,
    pub trust_provider_mfa: bool,
    pub mfa_acr_values: String,
    pub enabled: bool,
}

/// An organisation whose staff can sign in through its provider (the
/// sign-in page's buttons).
#[derive(Clone, Debug, Serialize)]
pub struct ProviderButton {
    pub organisation_id: String,
    pub organisation_name: String,
}

/// A started sign-in: send the browser to `authorize_url` and keep
/// `state` in a cookie until it comes back.
#[derive(Clone, Debug)]
pub struct OidcStart {
    pub authorize_url: String,
    pub state: String,
}

/// What came of a return from the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OidcOutcome {
    /// Our own second step follows (as after a password).
    SecondStep {
        session_token: String,
        enrol: bool,
        sms: bool,
        totp: bool,
    },
    /// The provider's multi-factor assertion counted: signed in.
    SignedIn {
        session_token: String,
    },
    /// The provider knows the person; we have no staff account for them
    /// (nothing is created).
    NoAccount,
    /// The return did not check out (state, code, token, signature):
    /// start again.
    Failed,
    /// The provider or its settings could not be reached or used.
    Unavailable,
    Paused {
        until: DateTime<Utc>,
    },
    AccessEnded(AccessEnd),
    /// The account has no second factor of its own yet (never signed in):
    /// the first sign-in is with the password.
    NeedsPassword,
}

/// The parts of a provider's discovery document we use.
#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
}

struct Provider {
    issuer: String,
    client_id: String,
    client_secret: String,
    trust_provider_mfa: bool,
    mfa_acr_values: Vec<String>,
}

fn is_loopback(u: &reqwest::Url) -> bool {
    matches!(
        u.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    )
}

/// A provider address: `https://`, without credentials, query or
/// fragment; `http://` on this machine only when the installation itself
/// runs there (development and tests), never in production (review:
/// no probing of this machine's own services).
fn address_ok(url: &str, local_allowed: bool) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    u.username().is_empty()
        && u.password().is_none()
        && u.fragment().is_none()
        && u.query().is_none()
        && (u.scheme() == "https" || (u.scheme() == "http" && local_allowed && is_loopback(&u)))
}

fn http() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ServiceError::Unavailable(format!("http client: {e}")))
}

/// At most this much of a provider's answer is read.
const ANSWER_MAX: usize = 256 * 1024;

/// A provider's answer, read up to [`ANSWER_MAX`] (no further).
async fn read_limited(mut r: reqwest::Response) -> Option<Vec<u8>> {
    if !r.status().is_success() || r.content_length().is_some_and(|n| n > ANSWER_MAX as u64) {
        return None;
    }
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.ok()? {
        if body.len() + chunk.len() > ANSWER_MAX {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body)
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Option<T> {
    let r = http().ok()?.get(url).send().await.ok()?;
    serde_json::from_slice(&read_limited(r).await?).ok()
}

/// The discovery document of `issuer`, checked: it names the same issuer
/// and its endpoints are acceptable addresses.
async fn discover(issuer: &str, local_allowed: bool) -> Option<Discovery> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let d: Discovery = get_json(&url).await?;
    let ok = d.issuer == issuer
        && [&d.authorization_endpoint, &d.token_endpoint, &d.jwks_uri]
            .iter()
            .all(|u| address_ok(u, local_allowed))
        && d.code_challenge_methods_supported
            .as_ref()
            .is_none_or(|m| m.iter().any(|m| m == "S256"));
    ok.then_some(d)
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The claims of an ID token we read.
#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    exp: i64,
    iat: i64,
    nbf: Option<i64>,
    nonce: Option<String>,
    #[serde(default)]
    aud: serde_json::Value,
    azp: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: serde_json::Value,
    #[serde(default)]
    amr: Vec<String>,
    acr: Option<String>,
}

impl IdClaims {
    fn verified_email(&self) -> Option<Email> {
        let verified = matches!(&self.email_verified, serde_json::Value::Bool(true))
            || self.email_verified.as_str() == Some("true");
        if !verified {
            return None;
        }
        // ASCII only: a Unicode address could fold onto another's
        // (review: the Kelvin sign lower-cases to k).
        self.email
            .as_deref()
            .filter(|e| e.is_ascii())
            .and_then(|e| Email::parse(e).ok())
    }
}

/// Checks an ID token: signed by one of the provider's keys with an
/// asymmetric algorithm, for us, from the issuer, with our nonce, not
/// expired on the injected clock.
async fn verify_id_token(
    token: &str,
    d: &Discovery,
    p: &Provider,
    nonce: &str,
    now: DateTime<Utc>,
) -> Option<IdClaims> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let header = jsonwebtoken::decode_header(token).ok()?;
    // Never HS* (our client secret as a key) and never `none`.
    if !matches!(
        header.alg,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
    ) {
        return None;
    }
    let set: jsonwebtoken::jwk::JwkSet = get_json(&d.jwks_uri).await?;
    let jwk = match &header.kid {
        Some(kid) => set.find(kid)?,
        // No key id: only a set of one key is unambiguous.
        None if set.keys.len() == 1 => set.keys.first()?,
        None => return None,
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.required_spec_claims = ["aud", "exp", "iss", "sub"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    v.set_audience(&[p.client_id.as_str()]);
    v.set_issuer(&[p.issuer.as_str()]);
    let c = jsonwebtoken::decode::<IdClaims>(token, &key, &v)
        .ok()?
        .claims;
    let exp = DateTime::<Utc>::from_timestamp(c.exp, 0)?;
    let iat = DateTime::<Utc>::from_timestamp(c.iat, 0)?;
    if exp <= now - LEEWAY || iat > now + LEEWAY {
        return None;
    }
    if let Some(nbf) = c.nbf {
        if DateTime::<Utc>::from_timestamp(nbf, 0).is_none_or(|t| t > now + LEEWAY) {
            return None;
        }
    }
    if c.nonce.as_deref() != Some(nonce) {
        return None;
    }
    // Several audiences: the token must have been issued to us; an `azp`
    // naming another party is refused in any case.
    if c.aud.as_array().is_some_and(|a| a.len() > 1) && c.azp.is_none() {
        return None;
    }
    if c.azp.as_deref().is_some_and(|azp| azp != p.client_id) {
        return None;
    }
    if c.sub.is_empty() || c.sub.len() > 255 {
        return None;
    }
    Some(c)
}

/// `amr` says multi-factor, or `acr` is one the organisation accepts.
fn asserts_mfa(p: &Provider, c: &IdClaims) -> bool {
    c.amr.iter().any(|m| m == "mfa")
        || c.acr
            .as_deref()
            .is_some_and(|a| p.mfa_acr_values.iter().any(|v| v == a))
}

/// What a sealed client secret is bound to: the organisation, the issuer
/// and the client id (review: a secret kept while the issuer changes
/// would be sent to the new one).
fn seal_binding(org: &str, issuer: &str, client_id: &str) -> String {
    format!("{org}\n{issuer}\n{client_id}")
}

fn acr_list(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// The sign-in's outcome once the account is known.
enum Link {
    /// Linked before, and confirmed by the holder's own second step.
    Confirmed,
    /// Linked, not yet confirmed by the holder.
    Unconfirmed,
    /// Matched by a verified address: to be linked now.
    New,
}

impl Services {
    /// The redirect URI to register at the provider.
    pub fn oidc_redirect_uri(&self) -> String {
        format!(
            "{}{CALLBACK_PATH}",
            self.settings().public_base_url.trim_end_matches('/')
        )
    }

    /// `http://` providers on this machine are allowed only while the
    /// installation itself runs on this machine (development, tests).
    fn local_providers_allowed(&self) -> bool {
        reqwest::Url::parse(&self.settings().public_base_url).is_ok_and(|u| is_loopback(&u))
    }

    /// An organisation's provider settings for its functional admin
    /// (audited as an admin read).
    pub async fn identity_provider(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
    ) -> Result<IdentityProviderView> {
        let redirect_uri = self.oidc_redirect_uri();
        let can_seal = self.settings().settings_key.is_some();
        let o = org.to_string();
        self.administer(ctx, Some(org.as_str()), "identity_provider", AuditAction::List, move |tx, _now| {
            Box::pin(async move {
                let mut view = IdentityProviderView {
                    redirect_uri,
                    can_seal,
                    ..IdentityProviderView::default()
                };
                if let Some(r) = crate::sql::query(
                    "SELECT issuer, client_id, client_secret_sealed, trust_provider_mfa, mfa_acr_values, enabled \
                     FROM org_identity_provider WHERE organisation_id = $1",
                )
                .bind(&o)
                .fetch_optional(&mut **tx)
                .await?
                {
                    view.configured = true;
                    view.issuer = crate::row::s(&r, "issuer")?;
                    view.client_id = crate::row::s(&r, "client_id")?;
                    view.has_secret = !crate::row::s(&r, "client_secret_sealed")?.is_empty();
                    view.trust_provider_mfa = crate::row::b(&r, "trust_provider_mfa")?;
                    view.mfa_acr_values = crate::row::s(&r, "mfa_acr_values")?;
                    view.enabled = crate::row::b(&r, "enabled")?;
                }
                for r in crate::sql::query(
                    "SELECT a.email, l.subject, l.how, l.linked_at, l.confirmed_at FROM account_oidc_subject l \
                     JOIN account a ON a.id = l.account_id WHERE l.organisation_id = $1 ORDER BY a.email, l.subject",
                )
                .bind(&o)
                .fetch_all(&mut **tx)
                .await?
                {
                    view.links.push(SubjectLink {
                        email: crate::row::s(&r, "email")?,
                        subject: crate::row::s(&r, "subject")?,
                        how: crate::row::s(&r, "how")?,
                        linked_at: crate::row::t(&r, "linked_at")?,
                        confirmed: crate::row::os(&r, "confirmed_at")?.is_some(),
                    });
                }
                Ok((view, None))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    /// Saves an organisation's provider (a functional admin of it). The
    /// admin's own decision comes first; then the provider's discovery
    /// document is read: an issuer that does not answer as one is refused
    /// (`issuer`), as is a secret without `settings_key`
    /// (`client_secret`). A new issuer or client id needs the secret again
    /// (the stored one is bound to the old ones).
    pub async fn save_identity_provider(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        input: IdentityProviderInput,
    ) -> Result<()> {
        let invalid = |f: &'static str, m: &str| ServiceError::Invalid(FieldError::new(f, m));
        // Nothing is fetched for someone who may not change this
        // (review: the fetch would let anyone probe addresses).
        if !self.may_administer(ctx, org).await? {
            return self
                .administer(
                    ctx,
                    Some(org.as_str()),
                    "identity_provider",
                    AuditAction::Update,
                    |_tx, _now| Box::pin(async move { Ok(((), None)) }),
                )
                .await
                .map(crate::Audited::into_inner);
        }
        let local = self.local_providers_allowed();
        let issuer = input.issuer.trim().to_owned();
        let client_id = input.client_id.trim().to_owned();
        if issuer.len() > 300 || !address_ok(&issuer, local) {
            return Err(invalid("issuer", "https address"));
        }
        if client_id.is_empty() || client_id.len() > 255 || client_id.chars().any(char::is_control)
        {
            return Err(invalid("client_id", "1 to 255 characters"));
        }
        let acr = acr_list(&input.mfa_acr_values).join(" ");
        if acr.len() > 1000 {
            return Err(invalid("mfa_acr_values", "at most 1000 characters"));
        }
        let binding = seal_binding(org.as_str(), &issuer, &client_id);
        let sealed = match input
            .client_secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(secret) if secret.len() > 1000 => {
                return Err(invalid("client_secret", "at most 1000 characters"))
            }
            Some(secret) => match &self.settings().settings_key {
                Some(key) => Some(key.seal(&binding, secret)?),
                None => return Err(invalid("client_secret", "settings_key")),
            },
            None => None,
        };
        if discover(&issuer, local).await.is_none() {
            return Err(invalid("issuer", "no provider"));
        }
        let o = org.to_string();
        let by = acting(ctx);
        self.administer(ctx, Some(org.as_str()), "identity_provider", AuditAction::Update, move |tx, now| {
            Box::pin(async move {
                let old = crate::sql::query(
                    "SELECT issuer, client_id, client_secret_sealed FROM org_identity_provider WHERE organisation_id = $1",
                )
                .bind(&o)
                .fetch_optional(&mut **tx)
                .await?;
                let kept = match &old {
                    Some(r)
                        if crate::row::s(r, "issuer")? == issuer
                            && crate::row::s(r, "client_id")? == client_id =>
                    {
                        Some(crate::row::s(r, "client_secret_sealed")?)
                    }
                    _ => None,
                };
                let Some(secret) = sealed.or(kept).filter(|s| !s.is_empty()) else {
                    return Err(ServiceError::Invalid(FieldError::new("client_secret", "required")));
                };
                crate::sql::query(
                    "INSERT INTO org_identity_provider (organisation_id, issuer, client_id, client_secret_sealed, \
                     trust_provider_mfa, mfa_acr_values, enabled, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (organisation_id) DO UPDATE SET issuer = $2, client_id = $3, client_secret_sealed = $4, \
                     trust_provider_mfa = $5, mfa_acr_values = $6, enabled = $7, updated_at = $8, updated_by = $9",
                )
                .bind(&o)
                .bind(&issuer)
                .bind(&client_id)
                .bind(&secret)
                .bind(i64::from(input.trust_provider_mfa))
                .bind(&acr)
                .bind(i64::from(input.enabled))
                .bind(&now)
                .bind(by)
                .execute(&mut **tx)
                .await?;
                Ok(((), Some(o)))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    /// Whether `ctx` may administer `org` (the same rule `administer`
    /// applies; nothing is recorded here).
    async fn may_administer(&self, ctx: &Ctx, org: &OrganisationId) -> Result<bool> {
        let mut tx = self.db().begin_read().await?;
        let actor = crate::access::actor_facts(&mut tx, &ctx.principal).await?;
        tx.rollback().await?;
        Ok(matches!(
            inzage_core::policy::decide_administration(&actor, Some(org)),
            inzage_core::policy::Decision::Allow(_)
        ))
    }

    /// Links a provider subject to a staff account of the organisation (a
    /// functional admin). The holder is told by e-mail. The link counts
    /// as unconfirmed until the holder completes our own second step in a
    /// sign-in through it. A subject already linked, or an account
    /// already linked at this provider, is a conflict.
    pub async fn link_oidc_subject(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        email: &Email,
        subject: &str,
    ) -> Result<()> {
        let subject = subject.trim().to_owned();
        if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(FieldError::new(
                "subject",
                "1 to 255 characters",
            )));
        }
        let o = org.to_string();
        let email = email.as_str().to_owned();
        let now_t = self.now();
        let linked = self
            .administer(ctx, Some(org.as_str()), "oidc_subject", AuditAction::Create, move |tx, now| {
                Box::pin(async move {
                    let issuer: String = crate::sql::query(
                        "SELECT issuer FROM org_identity_provider WHERE organisation_id = $1",
                    )
                    .bind(&o)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| crate::row::s(&r, "issuer"))
                    .transpose()?
                    .ok_or_else(|| ServiceError::Invalid(FieldError::new("issuer", "not set")))?;
                    let account = crate::sql::query(&format!(
                        "SELECT {ACCOUNT_COLS} FROM account WHERE email = $1 AND kind = 'staff' AND organisation_id = $2"
                    ))
                    .bind(&email)
                    .bind(&o)
                    .fetch_optional(&mut **tx)
                    .await?
                    .as_ref()
                    .map(account_from_row)
                    .transpose()?
                    .ok_or_else(|| ServiceError::Invalid(FieldError::new("email", "no staff account")))?;
                    if !link_subject(tx, &o, &issuer, &subject, &account.id, "admin", &now).await? {
                        return Err(ServiceError::Conflict("already linked".into()));
                    }
                    let mail = crate::texts::oidc_linked(account.voice(), &issuer);
                    super::mail_holder(tx, now_t, &account, mail, "oidc_linked").await?;
                    Ok(((), Some(account.id)))
                })
            })
            .await;
        self.wake_jobs();
        linked.map(crate::Audited::into_inner)
    }

    /// Removes a subject link (a functional admin); the sessions opened
    /// through it end.
    pub async fn unlink_oidc_subject(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        subject: &str,
    ) -> Result<()> {
        let o = org.to_string();
        let subject = subject.to_owned();
        self.administer(ctx, Some(org.as_str()), "oidc_subject", AuditAction::Delete, move |tx, now| {
            Box::pin(async move {
                let gone = crate::sql::query(
                    "DELETE FROM account_oidc_subject WHERE organisation_id = $1 AND subject = $2 RETURNING account_id, issuer",
                )
                .bind(&o)
                .bind(&subject)
                .fetch_all(&mut **tx)
                .await?;
                if gone.is_empty() {
                    return Err(ServiceError::NotFound);
                }
                for r in &gone {
                    crate::sql::query(
                        "UPDATE auth_session SET ended_at = $1, end_reason = 'oidc_unlinked' \
                         WHERE account_id = $2 AND oidc_issuer = $3 AND oidc_subject = $4 AND ended_at IS NULL",
                    )
                    .bind(&now)
                    .bind(crate::row::s(r, "account_id")?)
                    .bind(crate::row::s(r, "issuer")?)
                    .bind(&subject)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(((), None))
            })
        })
        .await
        .map(crate::Audited::into_inner)
    }

    /// The organisations whose staff can sign in through their provider
    /// (the sign-in page's buttons); `only`: just that organisation's (the
    /// one the host shows).
    pub async fn oidc_buttons(&self, only: Option<&str>) -> Result<Vec<ProviderButton>> {
        crate::sql::query(
            "SELECT o.id, o.name FROM org_identity_provider p JOIN organisation o ON o.id = p.organisation_id \
             WHERE p.enabled = 1 AND ($1 IS NULL OR o.id = $1) ORDER BY o.name, o.id",
        )
        .bind(only)
        .fetch_all(self.db())
        .await?
        .iter()
        .map(|r| {
            Ok(ProviderButton {
                organisation_id: crate::row::s(r, "id")?,
                organisation_name: crate::row::s(r, "name")?,
            })
        })
        .collect()
    }

    async fn provider(&self, org: &str) -> Result<Option<Provider>> {
        let Some(r) = crate::sql::query(
            "SELECT issuer, client_id, client_secret_sealed, trust_provider_mfa, mfa_acr_values \
             FROM org_identity_provider WHERE organisation_id = $1 AND enabled = 1",
        )
        .bind(org)
        .fetch_optional(self.db())
        .await?
        else {
            return Ok(None);
        };
        let Some(key) = &self.settings().settings_key else {
            return Ok(None);
        };
        let issuer = crate::row::s(&r, "issuer")?;
        let client_id = crate::row::s(&r, "client_id")?;
        let binding = seal_binding(org, &issuer, &client_id);
        let Some(client_secret) = key.open(&binding, &crate::row::s(&r, "client_secret_sealed")?)
        else {
            return Ok(None);
        };
        Ok(Some(Provider {
            issuer,
            client_id,
            client_secret,
            trust_provider_mfa: crate::row::b(&r, "trust_provider_mfa")?,
            mfa_acr_values: acr_list(&crate::row::s(&r, "mfa_acr_values")?),
        }))
    }

    /// Starts a sign-in at `org`'s provider. `None`: the organisation has
    /// no usable provider (not set, switched off, or not answering), or
    /// this source started too many sign-ins lately.
    pub async fn oidc_start(
        &self,
        org: &str,
        public_computer: bool,
        source: Option<&str>,
    ) -> Result<Option<OidcStart>> {
        // Every start writes a row and asks the provider: at most the
        // failure limit per source address and window (review).
        if let Some(addr) = source.map(crate::pacing::source_key) {
            let settings = self.settings();
            let n = self
                .count_hit(&format!("oidc-start:{addr}"), settings.address_window)
                .await?;
            if n > settings.address_failure_limit {
                return Ok(None);
            }
        }
        let Some(p) = self.provider(org).await? else {
            return Ok(None);
        };
        let Some(d) = discover(&p.issuer, self.local_providers_allowed()).await else {
            return Ok(None);
        };
        let state = random_token()?;
        let nonce = random_token()?;
        let verifier = b64url(&hex::decode(random_token()?).unwrap_or_default());
        let challenge = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
        let now = self.now();
        let mut tx = self.db().begin().await?;
        crate::sql::query(
            "INSERT INTO oidc_login (state_hash, organisation_id, issuer, client_id, nonce, pkce_verifier, public_computer, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(sha(&state))
        .bind(org)
        .bind(&p.issuer)
        .bind(&p.client_id)
        .bind(&nonce)
        .bind(&verifier)
        .bind(i64::from(public_computer))
        .bind(ts(now))
        .bind(ts(now + FLOW_VALID))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut url = reqwest::Url::parse(&d.authorization_endpoint)
            .map_err(|_| ServiceError::Unavailable("authorization endpoint".into()))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", &self.oidc_redirect_uri())
            .append_pair("scope", "openid email")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(Some(OidcStart {
            authorize_url: url.into(),
            state,
        }))
    }

    /// The browser's return from the provider: `state` from the address
    /// must equal the one in its cookie; the code is exchanged once; an
    /// `iss` in the address (RFC 9207) must be the provider the sign-in
    /// went to.
    pub async fn oidc_finish(&self, ret: OidcReturn<'_>) -> Result<OidcOutcome> {
        let now = self.now();
        let OidcReturn {
            state,
            cookie_state,
            code,
            iss,
            device,
            source,
        } = ret;
        if cookie_state != Some(state) || state.is_empty() || code.is_empty() || code.len() > 2000 {
            return Ok(OidcOutcome::Failed);
        }
        // One use: the row goes whatever follows.
        let mut tx = self.db().begin().await?;
        let flow = crate::sql::query(
            "DELETE FROM oidc_login WHERE state_hash = $1 \
             RETURNING organisation_id, issuer, client_id, nonce, pkce_verifier, public_computer, expires_at",
        )
        .bind(sha(state))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(flow) = flow else {
            return Ok(OidcOutcome::Failed);
        };
        if crate::row::t(&flow, "expires_at")? <= now {
            return Ok(OidcOutcome::Failed);
        }
        let org = crate::row::s(&flow, "organisation_id")?;
        let public = crate::row::b(&flow, "public_computer")?;
        let Some(p) = self.provider(&org).await? else {
            return Ok(OidcOutcome::Unavailable);
        };
        // The settings changed meanwhile, or the answer names another
        // provider (a mix-up): start again.
        if crate::row::s(&flow, "issuer")? != p.issuer
            || crate::row::s(&flow, "client_id")? != p.client_id
            || iss.is_some_and(|i| i != p.issuer)
        {
            return Ok(OidcOutcome::Failed);
        }
        let Some(d) = discover(&p.issuer, self.local_providers_allowed()).await else {
            return Ok(OidcOutcome::Unavailable);
        };
        let Some(id_token) = self
            .exchange_code(&d, &p, code, &crate::row::s(&flow, "pkce_verifier")?)
            .await
        else {
            return self.oidc_refused(source, "oidc_code_refused").await;
        };
        let Some(claims) =
            verify_id_token(&id_token, &d, &p, &crate::row::s(&flow, "nonce")?, now).await
        else {
            return self.oidc_refused(source, "oidc_token_invalid").await;
        };
        let mut tx = self.db().begin().await?;
        let Some((account, link)) = self.oidc_account(&mut tx, &org, &p, &claims).await? else {
            tx.rollback().await?;
            return self.oidc_refused(source, "oidc_no_account").await;
        };
        let ctx = account_ctx(&account, source);
        if let Some(until) = account.paused_until.filter(|u| *u > now) {
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&account),
                AuditAction::Login,
                AuditOutcome::Denied,
                Some("paused"),
            )
            .await?;
            tx.commit().await?;
            return Ok(OidcOutcome::Paused { until });
        }
        if let Some(why) = self.closed_to(&mut tx, &account, &ctx).await? {
            tx.commit().await?;
            return Ok(OidcOutcome::AccessEnded(why));
        }
        if matches!(link, Link::New) {
            // Linked only now, after the checks above; one subject per
            // account and provider (a unique index: two first sign-ins at
            // once link one).
            if !link_subject(
                &mut tx,
                &org,
                &p.issuer,
                &claims.sub,
                &account.id,
                "email",
                &ts(now),
            )
            .await?
            {
                tx.rollback().await?;
                return self.oidc_refused(source, "oidc_no_account").await;
            }
            crate::audit::append(
                &mut tx,
                &ctx,
                now,
                crate::audit::Event {
                    role: account.kind.code(),
                    client_id: None,
                    data_kind: "oidc_subject",
                    data_id: Some(&account.id),
                    action: AuditAction::Create,
                    outcome: AuditOutcome::Allowed,
                    reason: Some("email_match"),
                },
            )
            .await?;
            let mail = crate::texts::oidc_linked(account.voice(), &p.issuer);
            super::mail_holder(&mut tx, now, &account, mail, "oidc_linked").await?;
        }
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&account),
            AuditAction::Login,
            AuditOutcome::Allowed,
            Some("oidc"),
        )
        .await?;
        let via = Some((p.issuer.as_str(), claims.sub.as_str()));
        // The provider's second factor counts only when the organisation
        // trusts it and the holder confirmed this link with ours before.
        let outcome = if p.trust_provider_mfa
            && asserts_mfa(&p, &claims)
            && matches!(link, Link::Confirmed)
        {
            let token = self
                .open_session(
                    &mut tx,
                    &account,
                    &ctx,
                    super::SessionOpening {
                        public,
                        device,
                        how: "provider_mfa",
                        via,
                    },
                )
                .await?;
            OidcOutcome::SignedIn {
                session_token: token,
            }
        } else {
            let s = self
                .start_second_step(&mut tx, &account, public, device, source, via)
                .await?;
            if !s.sms && account.totp_secret.is_none() {
                // No factor of the holder's own to ask (never enrolled):
                // the first sign-in is with the password.
                tx.rollback().await?;
                return Ok(OidcOutcome::NeedsPassword);
            }
            OidcOutcome::SecondStep {
                session_token: s.token,
                enrol: s.enrol,
                sms: s.sms,
                totp: account.totp_secret.is_some(),
            }
        };
        tx.commit().await?;
        self.wake_jobs();
        Ok(outcome)
    }

    /// A refused return: audited as an anonymous sign-in attempt.
    async fn oidc_refused(&self, source: Option<&str>, reason: &str) -> Result<OidcOutcome> {
        let mut tx = self.db().begin().await?;
        audit_account(
            &mut tx,
            &anonymous(source),
            self.now(),
            None,
            AuditAction::Login,
            AuditOutcome::Denied,
            Some(reason),
        )
        .await?;
        tx.commit().await?;
        Ok(if reason == "oidc_no_account" {
            OidcOutcome::NoAccount
        } else {
            OidcOutcome::Failed
        })
    }

    /// The code for tokens at the provider (client_secret_basic, with the
    /// PKCE verifier); the ID token, or `None` when refused.
    async fn exchange_code(
        &self,
        d: &Discovery,
        p: &Provider,
        code: &str,
        verifier: &str,
    ) -> Option<String> {
        #[derive(Deserialize)]
        struct Tokens {
            id_token: String,
        }
        let r = http()
            .ok()?
            .post(&d.token_endpoint)
            .basic_auth(
                form_encode(&p.client_id),
                Some(form_encode(&p.client_secret)),
            )
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.oidc_redirect_uri()),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .ok()?;
        serde_json::from_slice::<Tokens>(&read_limited(r).await?)
            .ok()
            .map(|t| t.id_token)
    }

    /// The staff account for the provider's person, and how it is linked:
    /// by a linked subject, or else by a verified address (to be linked by
    /// the caller after its checks). An account already linked to another
    /// subject of this provider is not taken over by an address.
    async fn oidc_account(
        &self,
        tx: &mut Tx,
        org: &str,
        p: &Provider,
        c: &IdClaims,
    ) -> Result<Option<(AccountRow, Link)>> {
        let by_subject = crate::sql::query(
            "SELECT account_id, confirmed_at FROM account_oidc_subject \
             WHERE organisation_id = $1 AND issuer = $2 AND subject = $3",
        )
        .bind(org)
        .bind(&p.issuer)
        .bind(&c.sub)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(l) = by_subject {
            let account = crate::sql::query(&format!(
                "SELECT {ACCOUNT_COLS} FROM account WHERE id = $1 AND kind = 'staff' AND organisation_id = $2"
            ))
            .bind(crate::row::s(&l, "account_id")?)
            .bind(org)
            .fetch_optional(&mut **tx)
            .await?;
            let link = if crate::row::os(&l, "confirmed_at")?.is_some() {
                Link::Confirmed
            } else {
                Link::Unconfirmed
            };
            return Ok(match account {
                Some(r) => Some((account_from_row(&r)?, link)),
                None => None,
            });
        }
        let Some(email) = c.verified_email() else {
            return Ok(None);
        };
        let Some(account) = crate::sql::query(&format!(
            "SELECT {ACCOUNT_COLS} FROM account WHERE email = $1 AND kind = 'staff' AND organisation_id = $2"
        ))
        .bind(email.as_str())
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()?
        else {
            return Ok(None);
        };
        let other: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM account_oidc_subject WHERE account_id = $1 AND issuer = $2",
        )
        .bind(&account.id)
        .bind(&p.issuer)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
        if other > 0 || account.kind != AccountKind::Staff {
            return Ok(None);
        }
        Ok(Some((account, Link::New)))
    }
}

/// The holder completed our own second step in a sign-in through the
/// link: it is confirmed (ADR 0028).
pub(super) async fn confirm_link(
    tx: &mut Tx,
    account: &str,
    issuer: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    crate::sql::query(
        "UPDATE account_oidc_subject SET confirmed_at = $1 \
         WHERE account_id = $2 AND issuer = $3 AND subject = $4 AND confirmed_at IS NULL",
    )
    .bind(ts(now))
    .bind(account)
    .bind(issuer)
    .bind(subject)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A return from the provider, as the browser brought it.
#[derive(Clone, Copy, Debug)]
pub struct OidcReturn<'a> {
    pub state: &'a str,
    pub cookie_state: Option<&'a str>,
    pub code: &'a str,
    /// The `iss` parameter (RFC 9207), when the provider sends one.
    pub iss: Option<&'a str>,
    pub device: Option<&'a str>,
    pub source: Option<&'a str>,
}

/// Who changed a setting, for `updated_by`: the staff id, or the
/// component on the server.
fn acting(ctx: &Ctx) -> String {
    match &ctx.principal {
        inzage_core::model::Principal::Staff { staff_id } => staff_id.to_string(),
        inzage_core::model::Principal::System { component } => format!("system:{component}"),
        _ => "-".to_owned(),
    }
}

/// `application/x-www-form-urlencoded` of a client id or secret before
/// HTTP Basic (RFC 6749 §2.3.1).
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn link_subject(
    tx: &mut Tx,
    org: &str,
    issuer: &str,
    subject: &str,
    account: &str,
    how: &str,
    now: &str,
) -> Result<bool> {
    // Either uniqueness (the subject, or one link per account and
    // provider) makes it no link: the caller says what that means.
    let done = crate::sql::query(
        "INSERT INTO account_oidc_subject (organisation_id, issuer, subject, account_id, how, linked_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(org)
    .bind(issuer)
    .bind(subject)
    .bind(account)
    .bind(how)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

use sha2::Digest;
