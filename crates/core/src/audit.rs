//! The NEN 7513 audit record and its tamper-evident hash chain. Each event's
//! hash covers its own fields and the previous event's hash, so changing,
//! removing or reordering any stored event breaks every later link.
use sha2::{Digest, Sha256};

/// The hash the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as stored. Field names follow NEN 7513: when, who, on
/// behalf of whom, in which role, about which client, which data, what
/// action, with what outcome, from where.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub event_id: String,
    pub occurred_at: String,
    pub actor_kind: String,
    pub actor_id: String,
    pub on_behalf_of: Option<String>,
    pub actor_role: String,
    pub client_id: Option<String>,
    pub data_kind: String,
    pub data_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub source_addr: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this record should carry, given its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"inzage-audit-v1");
        let fields: [Option<&str>; 14] = [
            Some(&self.seq.to_string()),
            Some(&self.event_id),
            Some(&self.occurred_at),
            Some(&self.actor_kind),
            Some(&self.actor_id),
            self.on_behalf_of.as_deref(),
            Some(&self.actor_role),
            self.client_id.as_deref(),
            Some(&self.data_kind),
            self.data_id.as_deref(),
            Some(&self.action),
            Some(&self.outcome),
            self.reason.as_deref(),
            self.source_addr.as_deref(),
        ];
        for f in fields {
            // Length-prefixed, with a distinct marker for "absent", so no two
            // different records encode to the same bytes.
            match f {
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
                None => h.update([0u8]),
            }
        }
        h.update(self.prev_hash.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { events: u64 },
    Broken { seq: i64, problem: String },
}

/// Incremental verifier: feed records in `seq` order.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_prev: String,
    expected_seq: i64,
    count: u64,
    gaps: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_prev: GENESIS_HASH.to_owned(),
            expected_seq: 1,
            count: 0,
            gaps: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next record; `Err` names the first broken link.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainCheck> {
        let broken = |problem: String| {
            Err(ChainCheck::Broken {
                seq: r.seq,
                problem,
            })
        };
        if r.seq != self.expected_seq {
            return broken(format!(
                "expected event {} but found {} (an event is missing or inserted)",
                self.expected_seq, r.seq
            ));
        }
        if r.prev_hash != self.expected_prev {
            return broken("link to the previous event does not match".into());
        }
        if r.compute_hash() != r.hash {
            return broken("content does not match its hash (changed after writing)".into());
        }
        self.expected_prev = r.hash.clone();
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }
    /// Walks over one event removed with a destroyed dossier (ADR 0024):
    /// its place is kept as (sequence number, hash, link), so the chain
    /// around it still checks, and an anchor of it still matches.
    pub fn push_gap(&mut self, seq: i64, hash: &str, prev_hash: &str) -> Result<(), ChainCheck> {
        if seq != self.expected_seq {
            return Err(ChainCheck::Broken {
                seq,
                problem: format!(
                    "expected event {} but the sanctioned gap is at {seq}",
                    self.expected_seq
                ),
            });
        }
        if prev_hash != self.expected_prev {
            return Err(ChainCheck::Broken {
                seq,
                problem: "the sanctioned gap does not link to the previous event".into(),
            });
        }
        self.expected_prev = hash.to_owned();
        self.expected_seq += 1;
        self.gaps += 1;
        Ok(())
    }

    /// Events walked over as sanctioned gaps (their digests are checked
    /// by the caller with [`GapDigest`]).
    pub fn gaps(&self) -> u64 {
        self.gaps
    }

    /// The chain head must match the last record seen.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> ChainCheck {
        if head_seq != self.expected_seq - 1 || head_hash != self.expected_prev {
            return ChainCheck::Broken {
                seq: self.expected_seq,
                problem: format!(
                    "chain head says event {head_seq} but the log ends at {} (events removed at the end?)",
                    self.expected_seq - 1
                ),
            };
        }
        ChainCheck::Intact { events: self.count }
    }
}

/// What a destruction's audit event says of the gaps it leaves:
/// `gaps:<count>:<SHA-256 over each gap's sequence number and hash, in
/// order>`. The event is part of the chain, so the set of gaps a
/// destruction sanctions cannot be added to later (ADR 0024).
#[derive(Clone, Default)]
pub struct GapDigest {
    hasher: Sha256,
    count: u64,
}

impl GapDigest {
    pub fn push(&mut self, seq: i64, hash: &str) {
        self.hasher.update(seq.to_be_bytes());
        self.hasher.update(hash.as_bytes());
        self.hasher.update(b"\n");
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The text the destruction event carries (its `reason`).
    pub fn finish(self) -> String {
        format!(
            "gaps:{}:{}",
            self.count,
            hex::encode(self.hasher.finalize())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, prev: &str) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            event_id: format!("e{seq}"),
            occurred_at: "2026-11-22T12:00:00.000000Z".into(),
            actor_kind: "staff".into(),
            actor_id: "s1".into(),
            on_behalf_of: None,
            actor_role: "caregiver".into(),
            client_id: Some("c1".into()),
            data_kind: "reports".into(),
            data_id: None,
            action: "read".into(),
            outcome: "allowed".into(),
            reason: None,
            source_addr: Some("127.0.0.1".into()),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = r.compute_hash();
        r
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 1..=n {
            let prev = out
                .last()
                .map(|r| r.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.into());
            out.push(rec(i, &prev));
        }
        out
    }

    fn verify(rs: &[AuditRecord]) -> ChainCheck {
        let mut v = ChainVerifier::default();
        for r in rs {
            if let Err(e) = v.push(r) {
                return e;
            }
        }
        let (s, h) = rs
            .last()
            .map(|r| (r.seq, r.hash.clone()))
            .unwrap_or((0, GENESIS_HASH.into()));
        v.finish(s, &h)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), ChainCheck::Intact { events: 5 });
        assert_eq!(verify(&[]), ChainCheck::Intact { events: 0 });
    }

    #[test]
    fn changed_field_is_found_at_its_seq() {
        let mut c = chain(5);
        c[2].actor_id = "someone-else".into();
        assert!(matches!(verify(&c), ChainCheck::Broken { seq: 3, .. }));
    }

    #[test]
    fn none_and_empty_differ() {
        let a = rec(1, GENESIS_HASH);
        let mut b = a.clone();
        b.data_id = Some(String::new());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn removed_event_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(verify(&c), ChainCheck::Broken { seq: 3, .. }));
    }

    #[test]
    fn a_sanctioned_gap_keeps_the_chain_and_nothing_else_passes() {
        let c = chain(5);
        // Events 2 and 3 removed with a destroyed dossier, their places kept.
        let walk = |gap_prev: &str, gap_seq: i64| {
            let mut v = ChainVerifier::default();
            v.push(&c[0])?;
            v.push_gap(gap_seq, &c[1].hash, gap_prev)?;
            v.push_gap(3, &c[2].hash, &c[1].hash)?;
            v.push(&c[3])?;
            v.push(&c[4])?;
            Ok::<_, ChainCheck>(v)
        };
        let v = walk(&c[0].hash, 2).expect("intact");
        assert_eq!(v.gaps(), 2);
        assert_eq!(v.finish(5, &c[4].hash), ChainCheck::Intact { events: 3 });
        // A gap row that does not link, or sits elsewhere, is a break.
        assert!(matches!(
            walk(&c[2].hash, 2),
            Err(ChainCheck::Broken { seq: 2, .. })
        ));
        assert!(matches!(
            walk(&c[0].hash, 4),
            Err(ChainCheck::Broken { seq: 4, .. })
        ));
        // The digest a destruction records changes with any gap added.
        let digest = |gaps: &[(i64, &str)]| {
            let mut d = GapDigest::default();
            for (s, h) in gaps {
                d.push(*s, h);
            }
            d.finish()
        };
        let two = digest(&[(2, &c[1].hash), (3, &c[2].hash)]);
        assert!(two.starts_with("gaps:2:"));
        assert_ne!(
            two,
            digest(&[(2, &c[1].hash), (3, &c[2].hash), (4, &c[3].hash)])
        );
        assert_ne!(two, digest(&[(2, &c[1].hash)]));
    }
}

/// A signed note of the chain's head, kept outside the database
/// (`inzage audit anchor`). Whoever can rewrite the whole audit table can
/// recompute every hash, but cannot make an anchor's signature without the
/// key from the configuration: `audit verify` then finds that the event at
/// the anchored sequence no longer has the anchored hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// When it was written (RFC 3339).
    pub at: String,
    /// HMAC-SHA256 over the other fields, hex.
    pub mac: String,
}

impl Anchor {
    fn mac_of(seq: i64, hash: &str, at: &str, key: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
            return String::new();
        };
        m.update(format!("inzage-anchor-v1|{seq}|{hash}|{at}").as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    pub fn sign(seq: i64, hash: &str, at: &str, key: &[u8]) -> Self {
        Anchor {
            seq,
            hash: hash.to_owned(),
            at: at.to_owned(),
            mac: Self::mac_of(seq, hash, at, key),
        }
    }

    /// Whether `key` made this anchor (compared in constant time).
    pub fn is_signed_by(&self, key: &[u8]) -> bool {
        let want = Self::mac_of(self.seq, &self.hash, &self.at, key);
        !want.is_empty()
            && want.len() == self.mac.len()
            && want
                .bytes()
                .zip(self.mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

#[cfg(test)]
mod anchor_tests {
    use super::Anchor;

    #[test]
    fn an_anchor_is_signed_by_its_key_only() {
        let a = Anchor::sign(42, "ab12", "2026-12-01T10:00:00Z", b"sleutel");
        assert!(a.is_signed_by(b"sleutel"));
        assert!(!a.is_signed_by(b"another key"));
        let moved = Anchor {
            hash: "ab13".into(),
            ..a.clone()
        };
        assert!(!moved.is_signed_by(b"sleutel"), "a changed hash breaks it");
        let later = Anchor { seq: 43, ..a };
        assert!(!later.is_signed_by(b"sleutel"));
    }
}
