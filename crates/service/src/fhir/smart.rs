//! SMART Backend Services (issue 17, ADR 0027): a system the operator
//! registered (`inzage admin fhir-client create`) gets a short-lived
//! access token for the FHIR API by signing a JWT with its private key
//! (`private_key_jwt`, RS384 or ES384) and posting it to `/oauth/token`
//! with `grant_type=client_credentials`. Its public keys are stored; its
//! private key never reaches us. Every token asked for is audited, given
//! or refused; an assertion (`jti`) is accepted once.
use crate::audit::{append, Event};
use crate::error::{Result, ServiceError};
use crate::row::{os, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::ids::OrganisationId;
use inzage_core::model::{AuditAction, AuditOutcome, Principal};
use inzage_core::smart::{join, SmartScope};
use inzage_core::types::{ts, FieldError, Label};
use serde::{Deserialize, Serialize};

/// The only `client_assertion_type` (RFC 7523).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An assertion's `exp` may lie at most this far ahead (SMART: 5 minutes).
pub const ASSERTION_MAX_LIFETIME: Duration = Duration::minutes(5);

/// Clock difference allowed between the system and us.
const LEEWAY: Duration = Duration::seconds(60);

/// The signing algorithms accepted (SMART Backend Services asks for both).
pub const ALGORITHMS: &[&str] = &["RS384", "ES384"];

/// A system's public keys: a JSON Web Key Set with at least one key, each
/// with a `kid`, RSA (2048 bits or more) or EC on P-384, and no private
/// parts. Checked when registered, so a token request never meets a key
/// it cannot use.
#[derive(Clone, Debug)]
pub struct Jwks(String);

impl Jwks {
    pub fn parse(json: &str) -> std::result::Result<Self, FieldError> {
        let err = |m: &str| Err(FieldError::new("jwks", m));
        let raw: serde_json::Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(_) => return err("is not JSON"),
        };
        let Some(keys) = raw.get("keys").and_then(|k| k.as_array()) else {
            return err("has no \"keys\" list");
        };
        if keys.is_empty() || keys.len() > 20 {
            return err("needs between 1 and 20 keys");
        }
        for k in keys {
            // A private key must never be sent to us (RFC 7517 names its parts).
            if ["d", "p", "q", "dp", "dq", "qi", "k"]
                .iter()
                .any(|m| k.get(m).is_some())
            {
                return err("holds a private key: register the public key only");
            }
            if k.get("kid")
                .and_then(|v| v.as_str())
                .is_none_or(str::is_empty)
            {
                return err("has a key without \"kid\"");
            }
            if k.get("use").is_some_and(|u| u != "sig") {
                return err("has a key whose \"use\" is not \"sig\"");
            }
            if k.get("alg").is_some_and(|a| a != "RS384" && a != "ES384") {
                return err("has a key for another algorithm than RS384 or ES384");
            }
            match k.get("kty").and_then(|v| v.as_str()) {
                Some("RSA") => {
                    let n = k.get("n").and_then(|v| v.as_str()).unwrap_or("");
                    let e = k.get("e").and_then(|v| v.as_str()).unwrap_or("");
                    if !rsa_key_ok(n, e) {
                        return err("has an RSA key shorter than 2048 bits or with a bad exponent");
                    }
                }
                Some("EC") => {
                    if k.get("crv").and_then(|v| v.as_str()) != Some("P-384") {
                        return err("has an EC key not on curve P-384 (ES384)");
                    }
                }
                _ => return err("has a key that is neither RSA nor EC"),
            }
        }
        let set: jsonwebtoken::jwk::JwkSet = match serde_json::from_value(raw) {
            Ok(s) => s,
            Err(_) => return err("is not a valid JSON Web Key Set"),
        };
        for k in &set.keys {
            if jsonwebtoken::DecodingKey::from_jwk(k).is_err() {
                return err("has a key that cannot verify signatures");
            }
        }
        Ok(Self(json.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A system to register.
#[derive(Clone, Debug)]
pub struct NewFhirClient {
    pub organisation_id: OrganisationId,
    pub name: Label,
    pub jwks: Jwks,
    pub scopes: Vec<SmartScope>,
}

/// A registered system, as the operator lists it.
#[derive(Clone, Debug, Serialize)]
pub struct FhirClientSummary {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// The form fields of a token request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub scope: Option<String>,
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

/// A token given.
#[derive(Clone, Debug, Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// Why a token was refused, as RFC 6749 §5.2 names it. The description is
/// for the integration engineer; it never says which check of a signature
/// failed beyond that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    InvalidRequest(&'static str),
    UnsupportedGrantType,
    InvalidClient(&'static str),
    InvalidGrant(&'static str),
    InvalidScope(&'static str),
    /// Too many refused requests from this address lately: come back later
    /// (nothing is checked or written; HTTP 429).
    SlowDown,
}

impl TokenRefusal {
    pub fn code(self) -> &'static str {
        match self {
            TokenRefusal::InvalidRequest(_) => "invalid_request",
            TokenRefusal::UnsupportedGrantType => "unsupported_grant_type",
            TokenRefusal::InvalidClient(_) => "invalid_client",
            TokenRefusal::InvalidGrant(_) => "invalid_grant",
            TokenRefusal::InvalidScope(_) => "invalid_scope",
            TokenRefusal::SlowDown => "temporarily_unavailable",
        }
    }
    pub fn description(self) -> &'static str {
        match self {
            TokenRefusal::UnsupportedGrantType => "only client_credentials is supported",
            TokenRefusal::SlowDown => {
                "too many refused requests from this address: try again later"
            }
            TokenRefusal::InvalidRequest(m)
            | TokenRefusal::InvalidClient(m)
            | TokenRefusal::InvalidGrant(m)
            | TokenRefusal::InvalidScope(m) => m,
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
    /// Required (its value is checked by the library: our token URL).
    #[allow(dead_code)]
    aud: serde_json::Value,
    nbf: Option<i64>,
    iat: Option<i64>,
}

/// The `iss` of an assertion, read without checking it (to find whose
/// keys check it). Nothing else is trusted before the signature is.
fn unverified_issuer(assertion: &str) -> Option<String> {
    use base64::Engine;
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(str::to_owned)
}

/// Before the signature is checked every refusal reads the same: an
/// unknown client, a disabled one, a key it does not have or a signature
/// that does not verify are not told apart (review of issue 17).
pub(crate) const UNVERIFIED: TokenRefusal = TokenRefusal::InvalidClient(
    "the client is unknown or disabled, or the assertion does not verify with its registered keys",
);

/// Checks the assertion's signature with the system's registered keys and
/// its claims against `now` (the injected clock: the library's own
/// expiry check reads the system clock and is switched off).
fn verify(
    assertion: &str,
    jwks: &str,
    client_id: &str,
    token_url: &str,
    now: DateTime<Utc>,
) -> std::result::Result<Claims, TokenRefusal> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| UNVERIFIED)?;
    let alg = match header.alg {
        Algorithm::RS384 | Algorithm::ES384 => header.alg,
        _ => return Err(TokenRefusal::InvalidClient("sign with RS384 or ES384")),
    };
    let kid = header.kid.ok_or(UNVERIFIED)?;
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(jwks).map_err(|_| UNVERIFIED)?;
    let jwk = set.find(&kid).ok_or(UNVERIFIED)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| UNVERIFIED)?;
    let mut v = Validation::new(alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    // Present, all of them; `aud` and `iss` are also compared.
    v.required_spec_claims = ["aud", "exp", "iss", "sub"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    v.set_audience(&[token_url]);
    v.set_issuer(&[client_id]);
    let data = jsonwebtoken::decode::<Claims>(assertion, &key, &v).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::InvalidAudience => {
                TokenRefusal::InvalidClient("aud must be this server's token URL")
            }
            ErrorKind::InvalidIssuer => TokenRefusal::InvalidClient("iss must be the client id"),
            ErrorKind::Json(_) | ErrorKind::MissingRequiredClaim(_) => {
                TokenRefusal::InvalidClient("the assertion needs iss, sub, aud, exp and jti")
            }
            _ => UNVERIFIED,
        }
    })?;
    let c = data.claims;
    if c.sub != client_id || c.iss != client_id {
        return Err(TokenRefusal::InvalidClient(
            "iss and sub must both be the client id",
        ));
    }
    let exp = DateTime::<Utc>::from_timestamp(c.exp, 0)
        .ok_or(TokenRefusal::InvalidClient("exp is not a time"))?;
    if exp <= now - LEEWAY {
        return Err(TokenRefusal::InvalidClient("the assertion has expired"));
    }
    if exp > now + ASSERTION_MAX_LIFETIME + LEEWAY {
        return Err(TokenRefusal::InvalidClient(
            "exp may be at most five minutes ahead",
        ));
    }
    // Not valid yet, or made in the future: refused.
    for t in [c.nbf, c.iat].into_iter().flatten() {
        if DateTime::<Utc>::from_timestamp(t, 0).is_none_or(|t| t > now + LEEWAY) {
            return Err(TokenRefusal::InvalidClient(
                "nbf and iat may not lie in the future",
            ));
        }
    }
    if c.jti.is_empty() || c.jti.len() > 200 {
        return Err(TokenRefusal::InvalidClient(
            "jti must be 1 to 200 characters",
        ));
    }
    Ok(c)
}

/// An RSA key's modulus and exponent, checked: 2048 bits or more, an odd
/// exponent of at least 3.
fn rsa_key_ok(n: &str, e: &str) -> bool {
    use base64::Engine;
    let dec = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()
    };
    let (Some(n), Some(e)) = (dec(n), dec(e)) else {
        return false;
    };
    let n: Vec<u8> = n.into_iter().skip_while(|b| *b == 0).collect();
    let bits = match n.first() {
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    };
    let e: Vec<u8> = e.into_iter().skip_while(|b| *b == 0).collect();
    let odd = e.last().is_some_and(|b| b % 2 == 1);
    let at_least_3 = e.len() > 1 || e.first().is_some_and(|b| *b >= 3);
    bits >= 2048 && e.len() <= 8 && odd && at_least_3
}

impl Services {
    /// Registers a system for the FHIR API (the operator on the server
    /// only: `policy::OperatorAction::RegisterSystem`); audited. Returns its
    /// client id.
    pub async fn create_fhir_client(&self, ctx: &Ctx, new: NewFhirClient) -> Result<String> {
        use inzage_core::policy::{decide_operator, Decision, OperatorAction};
        if let Decision::Deny(reason) =
            decide_operator(&ctx.principal, OperatorAction::RegisterSystem)
        {
            let tx = self.db().begin().await?;
            return crate::audit::deny_and_commit(
                tx,
                ctx,
                self.now(),
                None,
                "fhir_client",
                AuditAction::Create,
                reason,
            )
            .await;
        }
        let org = new.organisation_id.to_string();
        let by = ctx_actor(ctx);
        let out = self
            .administer(ctx, Some(&org), "fhir_client", AuditAction::Create, move |tx, now| {
                Box::pin(async move {
                    let id = new_id();
                    crate::sql::query(
                        "INSERT INTO fhir_client (id, organisation_id, name, jwks, scopes, created_at, created_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&id)
                    .bind(new.organisation_id.as_str())
                    .bind(new.name.as_str())
                    .bind(new.jwks.as_str())
                    .bind(join(&new.scopes))
                    .bind(&now)
                    .bind(&by)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| crate::admin::fk_or(e, "organisation does not exist", "exists"))?;
                    Ok((id.clone(), Some(id)))
                })
            })
            .await?;
        Ok(out.into_inner())
    }

    /// Stops (or starts again) a system's access: its tokens stop working
    /// at once. Audited.
    pub async fn set_fhir_client_disabled(
        &self,
        ctx: &Ctx,
        id: &str,
        disabled: bool,
    ) -> Result<()> {
        let org = {
            let mut conn = self.db().acquire().await?;
            let r = crate::sql::query("SELECT organisation_id FROM fhir_client WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(ServiceError::NotFound)?;
            s(&r, "organisation_id")?
        };
        let id = id.to_owned();
        let action = if disabled {
            AuditAction::Revoke
        } else {
            AuditAction::Grant
        };
        self.administer(ctx, Some(&org), "fhir_client", action, move |tx, now| {
            Box::pin(async move {
                crate::sql::query(
                    "UPDATE fhir_client SET disabled_at = CASE WHEN $2 = 1 THEN $3 ELSE NULL END WHERE id = $1",
                )
                .bind(&id)
                .bind(crate::row::flag(disabled))
                .bind(&now)
                .execute(&mut **tx)
                .await?;
                if disabled {
                    crate::sql::query("DELETE FROM fhir_token WHERE fhir_client_id = $1")
                        .bind(&id)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(((), Some(id)))
            })
        })
        .await?
        .into_inner();
        Ok(())
    }

    /// The systems registered for an organisation (audited as a list).
    pub async fn list_fhir_clients(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
    ) -> Result<crate::Audited<Vec<FhirClientSummary>>> {
        let allowed = self
            .administer_read(ctx, org.as_str(), "fhir_client")
            .await?;
        let mut conn = self.db().acquire().await?;
        let rows = crate::sql::query(
            "SELECT id, organisation_id, name, scopes, created_at, disabled_at FROM fhir_client \
             WHERE organisation_id = $1 ORDER BY created_at, id",
        )
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(FhirClientSummary {
                id: s(r, "id")?,
                organisation_id: s(r, "organisation_id")?,
                name: s(r, "name")?,
                scopes: s(r, "scopes")?,
                created_at: t(r, "created_at")?,
                disabled_at: crate::row::ot(r, "disabled_at")?,
            });
        }
        Ok(allowed.map(|()| out))
    }

    /// The token endpoint's work (SMART Backend Services). `token_url` is
    /// this server's own `/oauth/token` address, the assertion's `aud`.
    /// A refusal is audited and answered as OAuth says; storage failures
    /// are errors.
    pub async fn fhir_token(
        &self,
        req: TokenRequest,
        token_url: &str,
        source: Option<String>,
    ) -> Result<std::result::Result<IssuedToken, TokenRefusal>> {
        let now = self.now();
        // Refusals are counted per source address (as failed sign-ins
        // are); past the limit a request is answered at once, with nothing
        // checked or written: a flood cannot hold the write lock.
        let window = self.settings().address_window;
        let limit = self.settings().address_failure_limit;
        let key = source
            .as_deref()
            .map(|a| format!("token-fail:{}", crate::pacing::source_key(a)));
        if let Some(k) = &key {
            if self.hits(k, window).await? >= limit {
                return Ok(Err(TokenRefusal::SlowDown));
            }
        }
        let mut ctx = Ctx::new(Principal::Anonymous);
        ctx.source_addr = source;
        let refusal = match self.try_token(&req, token_url, now, &mut ctx).await? {
            Ok(issued) => return Ok(Ok(issued)),
            Err(r) => r,
        };
        if let Some(k) = &key {
            self.count_hit(k, window).await?;
        }
        let mut tx = self.db().begin().await?;
        append(
            &mut tx,
            &ctx,
            now,
            Event {
                role: "integration",
                client_id: None,
                data_kind: "fhir_token",
                data_id: None,
                action: AuditAction::Login,
                outcome: AuditOutcome::Denied,
                reason: Some(refusal.code()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Err(refusal))
    }

    async fn try_token(
        &self,
        req: &TokenRequest,
        token_url: &str,
        now: DateTime<Utc>,
        ctx: &mut Ctx,
    ) -> Result<std::result::Result<IssuedToken, TokenRefusal>> {
        macro_rules! refuse {
            ($e:expr) => {
                return Ok(Err($e))
            };
        }
        match req.grant_type.as_deref() {
            Some("client_credentials") => {}
            None => refuse!(TokenRefusal::InvalidRequest("grant_type is missing")),
            Some(_) => refuse!(TokenRefusal::UnsupportedGrantType),
        }
        if req.client_assertion_type.as_deref() != Some(ASSERTION_TYPE) {
            refuse!(TokenRefusal::InvalidRequest(
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ));
        }
        let Some(assertion) = req
            .client_assertion
            .as_deref()
            .filter(|a| a.len() <= 16_384)
        else {
            refuse!(TokenRefusal::InvalidRequest(
                "client_assertion is missing or too long"
            ));
        };
        let asked = match req.scope.as_deref().map(SmartScope::parse_list) {
            Some(Ok(list)) => list,
            Some(Err(_)) => refuse!(TokenRefusal::InvalidScope(
                "scopes are system/<Type>.<cruds>, for example system/Patient.rs"
            )),
            None => refuse!(TokenRefusal::InvalidRequest("scope is missing")),
        };
        let Some(client_id) = unverified_issuer(assertion).filter(|c| c.len() <= 100) else {
            refuse!(UNVERIFIED);
        };
        // Looked up and checked in a read snapshot: an unverified request
        // never takes the write lock (review of issue 17).
        let row = {
            let mut tx = self.db().begin_read().await?;
            let row = crate::sql::query(
                "SELECT jwks, scopes, disabled_at FROM fhir_client WHERE id = $1",
            )
            .bind(&client_id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.rollback().await?;
            row
        };
        let Some(row) = row.filter(|r| os(r, "disabled_at").ok().flatten().is_none()) else {
            refuse!(UNVERIFIED);
        };
        let registered = SmartScope::parse_list(&s(&row, "scopes")?)
            .map_err(|_| ServiceError::Internal("stored scopes do not parse".into()))?;
        let claims = match verify(assertion, &s(&row, "jwks")?, &client_id, token_url, now) {
            Ok(c) => c,
            Err(r) => refuse!(r),
        };
        // From here on the system proved who it is: what follows is its own.
        ctx.principal = Principal::Integration {
            fhir_client_id: client_id.clone(),
            scopes: Vec::new(),
        };
        let mut scopes: Vec<SmartScope> = Vec::new();
        for a in &asked {
            if let Some(n) = a.narrowed_by(&registered) {
                if !scopes.contains(&n) {
                    scopes.push(n);
                }
            }
        }
        if scopes.is_empty() {
            refuse!(TokenRefusal::InvalidScope(
                "none of these scopes is registered for this client"
            ));
        }
        let exp = DateTime::<Utc>::from_timestamp(claims.exp, 0).unwrap_or(now) + LEEWAY;
        let mut tx = self.db().begin().await?;
        // Seen before: a replay (the primary key holds it on both engines).
        let fresh = crate::sql::query(
            "INSERT INTO fhir_assertion (fhir_client_id, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (fhir_client_id, jti) DO NOTHING",
        )
        .bind(&client_id)
        .bind(&claims.jti)
        .bind(ts(exp))
        .execute(&mut *tx)
        .await?;
        if fresh.rows_affected() == 0 {
            tx.rollback().await?;
            refuse!(TokenRefusal::InvalidGrant("this assertion was used before"));
        }
        let token = crate::accounts::random_token()?;
        let lifetime = self.settings().fhir_token_lifetime;
        crate::sql::query(
            "INSERT INTO fhir_token (token_hash, fhir_client_id, scopes, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crate::accounts::sha(&token))
        .bind(&client_id)
        .bind(join(&scopes))
        .bind(ts(now))
        .bind(ts(now + lifetime))
        .execute(&mut *tx)
        .await?;
        ctx.principal = Principal::Integration {
            fhir_client_id: client_id,
            scopes: scopes.clone(),
        };
        let scope = join(&scopes);
        append(
            &mut tx,
            ctx,
            now,
            Event {
                role: "integration",
                client_id: None,
                data_kind: "fhir_token",
                data_id: None,
                action: AuditAction::Login,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(IssuedToken {
            access_token: token,
            token_type: "bearer",
            expires_in: lifetime.num_seconds(),
            scope,
        }))
    }

    /// A FHIR call's bearer token: the system it belongs to, or a refusal.
    /// A token that is not valid (unknown, expired, its client disabled)
    /// is recorded (`fhir_token`, denied, `invalid_bearer`) and counted
    /// per source address with the token endpoint's refusals; past
    /// `address_failure_limit` in `address_window` it is refused without
    /// writing (`SlowDown`), so a flood cannot fill the trail. A valid
    /// token always passes.
    pub async fn fhir_bearer(&self, bearer: &str, source: Option<&str>) -> Result<Bearer> {
        if let Some(p) = self.fhir_principal(bearer).await? {
            return Ok(Bearer::System(p));
        }
        let window = self.settings().address_window;
        let key = source.map(|a| format!("token-fail:{}", crate::pacing::source_key(a)));
        if let Some(k) = &key {
            if self.hits(k, window).await? >= self.settings().address_failure_limit {
                return Ok(Bearer::SlowDown);
            }
            self.count_hit(k, window).await?;
        }
        let mut ctx = Ctx::new(Principal::Anonymous);
        ctx.source_addr = source.map(str::to_owned);
        let mut tx = self.db().begin().await?;
        append(
            &mut tx,
            &ctx,
            self.now(),
            Event {
                role: "integration",
                client_id: None,
                data_kind: "fhir_token",
                data_id: None,
                action: AuditAction::Login,
                outcome: AuditOutcome::Denied,
                reason: Some("invalid_bearer"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Bearer::Refused)
    }

    /// Who a FHIR call's bearer token belongs to: a system with the
    /// token's scopes, or nobody (unknown, expired, or its client disabled).
    pub async fn fhir_principal(&self, bearer: &str) -> Result<Option<Principal>> {
        if bearer.len() != 64 {
            return Ok(None);
        }
        let mut conn = self.db().acquire().await?;
        let row = crate::sql::query(
            "SELECT t.fhir_client_id, t.scopes FROM fhir_token t JOIN fhir_client c ON c.id = t.fhir_client_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND c.disabled_at IS NULL",
        )
        .bind(crate::accounts::sha(bearer))
        .bind(ts(self.now()))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Ok(scopes) = SmartScope::parse_list(&s(&row, "scopes")?) else {
            return Ok(None);
        };
        Ok(Some(Principal::Integration {
            fhir_client_id: s(&row, "fhir_client_id")?,
            scopes,
        }))
    }
}

/// What a FHIR call's bearer token gives ([`Services::fhir_bearer`]).
#[derive(Clone, Debug)]
pub enum Bearer {
    System(Principal),
    /// Not a valid token (recorded).
    Refused,
    /// Too many invalid tokens from this source: refused unrecorded.
    SlowDown,
}

/// The URI of an organisation's own naming system for client numbers: an
/// OID (`urn:oid:2.16.528.1.…`), a `urn:uuid:`, or an http(s) address;
/// at most 255 characters, no spaces.
pub fn parse_naming_system(input: &str) -> std::result::Result<String, FieldError> {
    let s = input.trim();
    let err = |m: &str| Err(FieldError::new("client_number_system", m));
    if s.len() > 255 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return err("must be one URI of at most 255 characters");
    }
    let ok = match s.strip_prefix("urn:oid:") {
        Some(oid) => {
            !oid.is_empty()
                && oid
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        }
        None => {
            s.strip_prefix("urn:uuid:").is_some_and(|u| u.len() == 36)
                || s.starts_with("https://")
                || s.starts_with("http://")
        }
    };
    if ok {
        Ok(s.to_owned())
    } else {
        err("use urn:oid:…, urn:uuid:… or an http(s) address")
    }
}

impl Services {
    /// Sets (or with `None` clears) the organisation's own naming system
    /// for client numbers; audited.
    pub async fn set_client_number_system(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        system: Option<String>,
    ) -> Result<()> {
        let target = org.to_string();
        let o = org.clone();
        self.administer(
            ctx,
            Some(&target),
            "organisation",
            AuditAction::Update,
            move |tx, _now| {
                Box::pin(async move {
                    let n = crate::sql::query(
                        "UPDATE organisation SET client_number_system = $2 WHERE id = $1",
                    )
                    .bind(o.as_str())
                    .bind(system)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        return Err(ServiceError::NotFound);
                    }
                    Ok(((), Some(o.to_string())))
                })
            },
        )
        .await?
        .into_inner();
        Ok(())
    }
}

fn ctx_actor(ctx: &Ctx) -> String {
    let (kind, id) = ctx.principal.audit_actor();
    format!("{kind}:{id}")
}
