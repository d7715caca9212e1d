//! Password rules and hashing. Rules (ASVS V2.1): 12 to 128 characters,
//! any Unicode, no composition rules, not on the shipped list of 30,000
//! common passwords. Hashing: Argon2id, m=19 MiB, t=2, p=1 (OWASP
//! minimum), on threads of their own (one per core), so a burst of logins
//! queues instead of exhausting memory.
use crate::error::{Result, ServiceError};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use inzage_core::types::FieldError;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// How many passwords are on the common list.
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Checks a new password before any hashing. `email` is the account's
/// user name, which may not be the password.
pub fn check_new_password(
    password: &str,
    email: Option<&str>,
) -> std::result::Result<(), FieldError> {
    // Length first, on characters, and before anything costly.
    let chars = password.chars().count();
    if chars > MAX_CHARS {
        return Err(FieldError::new(
            "password",
            format!("is longer than {MAX_CHARS} characters"),
        ));
    }
    // ASVS 2.1.1: a run of spaces counts as one toward the minimum (twelve
    // spaces are not a twelve-character password).
    let mut counted = 0usize;
    let mut in_space = false;
    for c in password.chars() {
        let space = c.is_whitespace();
        if !(space && in_space) {
            counted += 1;
        }
        in_space = space;
    }
    if counted < MIN_CHARS {
        return Err(FieldError::new(
            "password",
            format!("must be at least {MIN_CHARS} characters"),
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(FieldError::new(
            "password",
            "is on the list of common passwords",
        ));
    }
    if email.is_some_and(|e| lower.trim() == e.to_lowercase()) {
        return Err(FieldError::new(
            "password",
            "may not be your e-mail address",
        ));
    }
    Ok(())
}

type Job = Box<dyn FnOnce() + Send>;

/// Starts `workers` threads that run hashing jobs, in order of arrival.
///
/// Argon2id does not run on the runtime's blocking pool: each hash
/// allocates 19 MiB, and the allocator keeps a freed block of that size
/// with the thread that freed it. Spread over the blocking pool's many
/// threads (SQLite, files and the slow lane use it too), a sign-in flood
/// left ~19 MiB behind on each of them: 102 MB of heap after 250 failed
/// logins in five seconds. On threads of their own the heap stays at
/// `workers` blocks (P6 in docs/performance.md).
fn start_workers(workers: usize) -> Option<std::sync::mpsc::Sender<Job>> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let rx = Arc::new(std::sync::Mutex::new(rx));
    let mut started = 0;
    for i in 0..workers.max(1) {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("inzage-argon2-{i}"))
            .spawn(move || loop {
                // The lock is held while waiting, and let go before the job
                // runs; the loop ends when every Hasher is gone.
                let job = match rx.lock() {
                    Ok(r) => r.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => {
                        // A job that panicked drops its answer (the caller
                        // sees a failure); the worker goes on.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => return,
                }
            });
        if spawned.is_ok() {
            started += 1;
        }
    }
    (started > 0).then_some(tx)
}

/// Argon2id hasher with a bounded worker count.
#[derive(Clone)]
pub struct Hasher {
    /// The hashing threads' queue (`None` if no thread could be started:
    /// then the runtime's blocking pool does the work).
    jobs: Arc<Option<std::sync::mpsc::Sender<Job>>>,
    permits: Arc<Semaphore>,
    params: Params,
    dummy_hash: Arc<String>,
    /// Argon2id verifications run (the work an attempt costs; tests show
    /// it is the same for every kind of answer).
    verifications: Arc<std::sync::atomic::AtomicU64>,
}

impl Hasher {
    /// OWASP parameters; `workers` concurrent hashes (default: the cores).
    pub fn new(workers: usize) -> Self {
        Self::with_params(workers, 19 * 1024, 2, 1)
    }

    pub fn with_params(workers: usize, m_kib: u32, t: u32, p: u32) -> Self {
        let params = Params::new(m_kib, t, p, None).unwrap_or_default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon
            .hash_password(b"inzage dummy password for unknown accounts", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Self {
            jobs: Arc::new(start_workers(workers)),
            permits: Arc::new(Semaphore::new(workers.max(1))),
            params,
            dummy_hash: Arc::new(dummy),
            verifications: Arc::default(),
        }
    }

    pub fn workers(&self) -> usize {
        self.permits.available_permits()
    }

    /// How many verifications ran so far.
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on a hashing thread; `None` if it failed to give an answer.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let left = match self.jobs.as_ref() {
            Some(q) => q.send(job).err().map(|e| e.0),
            None => Some(job),
        };
        if let Some(job) = left {
            drop(tokio::task::spawn_blocking(job));
        }
        rx.await.ok()
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password (PHC string).
    pub async fn hash(&self, password: &str) -> Result<String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("hasher closed".into()))?;
        let argon = self.argon();
        let pw = password.to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(pw.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .ok_or_else(|| ServiceError::Internal("hash task ended without an answer".into()))?
        .map_err(|e| ServiceError::Internal(format!("hash: {e}")))
    }

    /// Verifies `password` against `stored`; with `None` (unknown account,
    /// no password yet) verifies against a dummy hash and returns false, so
    /// both cases cost the same.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let argon = self.argon();
        let pw = password.to_owned();
        let (phc, real) = match stored {
            Some(s) => (s.to_owned(), true),
            None => ((*self.dummy_hash).clone(), false),
        };
        self.run(move || {
            let ok = PasswordHash::new(&phc)
                .map(|h| argon.verify_password(pw.as_bytes(), &h).is_ok())
                .unwrap_or(false);
            ok && real
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_count_characters_not_bytes() {
        assert!(check_new_password("kort", None).is_err());
        assert!(
            check_new_password(&"ë".repeat(12), None).is_ok(),
            "12 two-byte characters"
        );
        assert!(check_new_password(&"a".repeat(11), None).is_err());
        let long = "x".repeat(129);
        assert_eq!(
            check_new_password(&long, None).unwrap_err().message,
            "is longer than 128 characters"
        );
        assert!(check_new_password(&"🙂".repeat(128), None).is_ok());
        // A run of spaces counts as one toward the minimum.
        assert!(check_new_password(&" ".repeat(12), None).is_err());
        assert!(
            check_new_password("ab    cd    ef", None).is_err(),
            "8 counted"
        );
        assert!(
            check_new_password("zon op de  zee", None).is_ok(),
            "13 counted"
        );
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        assert!(common_list_len() >= 10_000);
        assert!(check_new_password("qwertyuiop12", None).is_err());
        assert!(check_new_password("QwertyUiop12", None).is_err());
        assert!(check_new_password("1qaz2wsx3edc", None).is_err());
        assert!(check_new_password("paarse olifant danst", None).is_ok());
    }

    #[test]
    fn email_is_not_a_password() {
        assert!(
            check_new_password("Jan.Jansen@example.nl", Some("jan.jansen@example.nl")).is_err()
        );
    }

    #[tokio::test]
    async fn hash_and_verify_with_owasp_parameters() {
        let h = Hasher::new(2);
        let phc = h.hash("paarse olifant danst").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("paarse olifant danst", Some(&phc)).await);
        assert!(!h.verify("paarse olifant danst!", Some(&phc)).await);
        assert!(
            !h.verify("inzage dummy password for unknown accounts", None)
                .await
        );
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated_and_every_hash_has_its_own_salt() {
        let h = Hasher::with_params(1, 64, 1, 1);
        // 128 characters that differ only in the last one (bcrypt, for
        // one, would cut at 72 bytes): ASVS 2.1.3.
        let long = format!("{}a", "ë".repeat(127));
        let other = format!("{}b", "ë".repeat(127));
        let phc = h.hash(&long).await.unwrap();
        assert!(h.verify(&long, Some(&phc)).await);
        assert!(!h.verify(&other, Some(&phc)).await);
        // The same password twice: two salts of 128 bits (ASVS 2.4.2).
        let again = h.hash(&long).await.unwrap();
        assert_ne!(phc, again);
        let salt = |p: &str| p.split('$').nth(4).map(str::to_owned).unwrap_or_default();
        assert_ne!(salt(&phc), salt(&again));
        assert!(salt(&phc).len() >= 22, "16 bytes in base64: {phc}");
    }
}
