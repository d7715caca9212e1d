//! A software authenticator for the passkey tests (ADR 0029): a P-256 key
//! made with `ring`, answers in the browser's JSON shape, attestation
//! "none", user presence and user verification set. It signs what a real
//! authenticator signs (authenticator data, then the SHA-256 of the
//! client data), so the server's checks are webauthn-rs's, unchanged.
//! The browser test runs the same ceremonies against Chromium's virtual
//! authenticator.
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use sha2::{Digest, Sha256};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .expect("base64url")
}

/// CBOR: a head of `major` with argument `n`.
fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => {
            let mut v = vec![m | 25];
            v.extend((n as u16).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![m | 26];
            v.extend((n as u32).to_be_bytes());
            v
        }
    }
}
fn int(i: i64) -> Vec<u8> {
    if i >= 0 {
        head(0, i as u64)
    } else {
        head(1, (-1 - i) as u64)
    }
}
fn bytes(b: &[u8]) -> Vec<u8> {
    let mut v = head(2, b.len() as u64);
    v.extend(b);
    v
}
fn text(s: &str) -> Vec<u8> {
    let mut v = head(3, s.len() as u64);
    v.extend(s.as_bytes());
    v
}

#[derive(Clone)]
pub struct SoftKey {
    pkcs8: Vec<u8>,
    pub cred_id: Vec<u8>,
    pub counter: u32,
    user_handle: Option<Vec<u8>>,
    origin: String,
    rp_id: String,
}

impl SoftKey {
    /// A new key for the relying party `rp_id`, answering as `origin`.
    pub fn new(origin: &str, rp_id: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .expect("key")
            .as_ref()
            .to_vec();
        let mut cred_id = vec![0u8; 16];
        getrandom::getrandom(&mut cred_id).expect("random");
        Self {
            pkcs8,
            cred_id,
            counter: 0,
            user_handle: None,
            origin: origin.into(),
            rp_id: rp_id.into(),
        }
    }

    fn pair(&self) -> EcdsaKeyPair {
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            &self.pkcs8,
            &SystemRandom::new(),
        )
        .expect("pair")
    }

    fn client_data(&self, kind: &str, options: &serde_json::Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("challenge");
        serde_json::json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// Answers `navigator.credentials.create` for `options` (the JSON the
    /// server gave the page).
    pub fn create(&mut self, options: &str) -> String {
        let o: serde_json::Value = serde_json::from_str(options).expect("options");
        self.user_handle = Some(unb64(
            o["publicKey"]["user"]["id"].as_str().expect("user id"),
        ));
        let client_data = self.client_data("webauthn.create", &o);
        let public = self.pair().public_key().as_ref().to_vec();
        assert_eq!(public.len(), 65);
        let mut cose = head(5, 5);
        cose.extend(int(1));
        cose.extend(int(2)); // kty: EC2
        cose.extend(int(3));
        cose.extend(int(-7)); // alg: ES256
        cose.extend(int(-1));
        cose.extend(int(1)); // crv: P-256
        cose.extend(int(-2));
        cose.extend(bytes(&public[1..33]));
        cose.extend(int(-3));
        cose.extend(bytes(&public[33..65]));
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(0x45); // user present, user verified, attested credential data
        auth.extend(self.counter.to_be_bytes());
        auth.extend([0u8; 16]); // AAGUID
        auth.extend((self.cred_id.len() as u16).to_be_bytes());
        auth.extend(&self.cred_id);
        auth.extend(cose);
        let mut att = head(5, 3);
        att.extend(text("fmt"));
        att.extend(text("none"));
        att.extend(text("attStmt"));
        att.extend(head(5, 0));
        att.extend(text("authData"));
        att.extend(bytes(&auth));
        serde_json::json!({
            "id": b64(&self.cred_id),
            "rawId": b64(&self.cred_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&att),
                "clientDataJSON": b64(&client_data),
            },
            "extensions": {},
        })
        .to_string()
    }

    /// Answers `navigator.credentials.get` for `options`, with the user
    /// verified (`flags` 0x05) unless told otherwise.
    pub fn get(&mut self, options: &str) -> String {
        self.get_flags(options, 0x05)
    }

    pub fn get_flags(&mut self, options: &str, flags: u8) -> String {
        let o: serde_json::Value = serde_json::from_str(options).expect("options");
        let client_data = self.client_data("webauthn.get", &o);
        self.counter += 1;
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(flags);
        auth.extend(self.counter.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend(Sha256::digest(&client_data));
        let sig = self
            .pair()
            .sign(&SystemRandom::new(), &signed)
            .expect("sign");
        serde_json::json!({
            "id": b64(&self.cred_id),
            "rawId": b64(&self.cred_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth),
                "clientDataJSON": b64(&client_data),
                "signature": b64(sig.as_ref()),
                "userHandle": self.user_handle.as_deref().map(b64),
            },
            "extensions": {},
        })
        .to_string()
    }
}
