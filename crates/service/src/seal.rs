//! Secrets a functional admin enters (the identity provider's client
//! secret, ADR 0028) are stored sealed: ChaCha20-Poly1305 under the
//! installation's `settings_key`, which comes from the environment only.
//! A copy of the database (a backup) then does not give the secret away,
//! and a sealed value moved to another organisation's row does not open
//! (the organisation's id is the associated data).
use crate::error::{Result, ServiceError};
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

/// The installation's key for sealed settings: 32 bytes.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// From its configured form: 32 bytes in base64 (standard or URL-safe,
    /// padded or not), e.g. `openssl rand -base64 32`.
    pub fn parse(text: &str) -> std::result::Result<Self, &'static str> {
        let t = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(t)
            .or_else(|_| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t.trim_end_matches('='))
            })
            .map_err(|_| "settings_key must be 32 bytes in base64 (openssl rand -base64 32)")?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "settings_key must be 32 bytes in base64 (openssl rand -base64 32)")?;
        Ok(Self(key))
    }

    fn key(&self) -> Result<LessSafeKey> {
        UnboundKey::new(&CHACHA20_POLY1305, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| ServiceError::Internal("seal key".into()))
    }

    /// Seals `plain` for the row named by `bound_to`: base64 of a random
    /// nonce followed by the ciphertext and its tag.
    pub fn seal(&self, bound_to: &str, plain: &str) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce)
            .map_err(|e| ServiceError::Internal(format!("random: {e}")))?;
        let mut data = plain.as_bytes().to_vec();
        self.key()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(bound_to.as_bytes()),
                &mut data,
            )
            .map_err(|_| ServiceError::Internal("seal".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Opens a value sealed for `bound_to`; `None` when it does not open
    /// (another key, another row, or changed).
    pub fn open(&self, bound_to: &str, sealed: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = rest.to_vec();
        let plain = self
            .key()
            .ok()?
            .open_in_place(nonce, Aad::from(bound_to.as_bytes()), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::SealKey;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_for_its_own_row() {
        let key = SealKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").expect("key");
        let other = SealKey::parse(&"k".repeat(43)).expect("other key");
        let sealed = key.seal("org-1", "s3cret").expect("sealed");
        assert!(!sealed.contains("s3cret"));
        assert_eq!(key.open("org-1", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(key.open("org-2", &sealed), None, "moved to another row");
        assert_eq!(other.open("org-1", &sealed), None, "another key");
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("text");
        assert_eq!(key.open("org-1", &tampered), None, "changed");
        assert!(SealKey::parse("too short").is_err());
        assert!(format!("{key:?}").contains(".."));
    }
}
