//! Inzage domain services. Every read or write of client data is a method
//! here that takes the acting principal ([`Ctx`]), decides by the rules in
//! `inzage_core::policy` and writes the NEN 7513 audit event in the same
//! database transaction. The storage code is private to this crate, so no
//! other crate can reach client data without passing a service method.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]

mod access;
pub use access::RequestFacts;
pub mod accounts;
pub mod admin;
pub mod afschrift;
mod audit;
mod audited;
pub mod backup;
pub use audited::Audited;
pub mod blobs;
pub mod care;
pub mod client_network;
pub mod clients;
pub mod db;
pub mod dossier;
pub mod error;
pub mod fhir;
mod group_commit;
pub mod housekeeping;
pub mod jobs;
pub mod kept_forms;
pub mod messages;
pub mod notifications;
pub mod ops;
pub mod pacing;
pub mod passwords;
pub mod plans;
pub mod portal;
pub mod portal_access;
pub mod questions;
pub mod requests;
pub mod retention;
mod row;
pub mod seal;
mod sql;
pub mod staff;
pub mod staff_admin;
#[cfg(feature = "testing")]
pub mod testing;
mod texts;
pub mod totp;
pub mod who_looked;
pub mod writes;

use blobs::BlobStore;
use db::Db;
use inzage_core::model::Principal;
use inzage_core::Clock;
use std::sync::Arc;

pub use audit::{Anchors, AuditLine, AuditQuery, AuditView, VerifyReport};
pub use error::{Result, ServiceError};
pub use sql::on_slow_thread_start;

/// True in the benchmark-only build (cargo feature `bench-unaudited`),
/// in which page views write no read event. The binary refuses every
/// command in such a build unless `INZAGE_BENCH_UNAUDITED=1`; the check
/// reads this crate's feature, so no way of enabling it escapes it.
pub const READS_UNAUDITED: bool = cfg!(feature = "bench-unaudited");

/// Who is acting, for whom, from where. Built by the sign-in layer.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub principal: Principal,
    /// NEN 7513 "on behalf of": e.g. the client a contact person acts for.
    pub on_behalf_of: Option<String>,
    /// The source network address of the request, if any.
    pub source_addr: Option<String>,
    /// Facts this request already loaded (empty unless made per request).
    facts: access::RequestFacts,
}

impl Ctx {
    pub fn new(principal: Principal) -> Self {
        Self {
            principal,
            on_behalf_of: None,
            source_addr: None,
            facts: access::RequestFacts::default(),
        }
    }
    /// Lets this context's reads reuse the facts its request's session
    /// check already loaded ([`accounts::SessionInfo::facts`]).
    pub fn with_facts(mut self, facts: &access::RequestFacts) -> Self {
        self.facts = facts.clone();
        self
    }
    pub fn system(component: &str) -> Self {
        Self::new(Principal::system(component))
    }
    pub fn with_source(mut self, addr: impl Into<String>) -> Self {
        self.source_addr = Some(addr.into());
        self
    }
}

/// Settings the services need beyond the database (from configuration).
#[derive(Clone, Debug)]
pub struct ServiceSettings {
    /// Base of links in e-mails, e.g. `https://portaal.example.nl`.
    pub public_base_url: String,
    /// How long an invitation link stays valid.
    pub invite_valid: chrono::Duration,
    /// How long a password-reset link stays valid.
    pub reset_valid: chrono::Duration,
    /// Absolute session lifetime.
    pub session_lifetime: chrono::Duration,
    /// Failed logins from one source address per window before it is held off.
    pub address_failure_limit: i64,
    pub address_window: chrono::Duration,
    /// At most one reset e-mail per account per this interval.
    pub reset_mail_interval: chrono::Duration,
    /// Reset requests from one source address per window.
    pub reset_source_limit: i64,
    /// Concurrent Argon2id hashes (default: the number of cores).
    pub hash_workers: usize,
    /// How long a FHIR access token (SMART Backend Services) lives.
    pub fhir_token_lifetime: chrono::Duration,
    /// Seals secrets a functional admin enters (the identity provider's
    /// client secret, ADR 0028); from the environment only. `None`: no
    /// such secret can be stored, and staff sign in with a password.
    pub settings_key: Option<seal::SealKey>,
    /// Events per slice of the privacy officer's audit search, each slice
    /// read in a snapshot of its own (ADR 0025).
    pub audit_search_slice: i64,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            public_base_url: "http://127.0.0.1:8080".into(),
            invite_valid: chrono::Duration::days(7),
            reset_valid: chrono::Duration::hours(1),
            session_lifetime: chrono::Duration::hours(12),
            address_failure_limit: 20,
            address_window: chrono::Duration::minutes(15),
            reset_mail_interval: chrono::Duration::minutes(5),
            reset_source_limit: 10,
            hash_workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            fhir_token_lifetime: chrono::Duration::minutes(5),
            settings_key: None,
            audit_search_slice: 100_000,
        }
    }
}

/// The services, cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    blobs: BlobStore,
    settings: ServiceSettings,
    hasher: passwords::Hasher,
    transport: Arc<dyn messages::Transport>,
    job_wake: Arc<tokio::sync::Notify>,
    group_commit: Arc<group_commit::GroupCommit>,
    pacer: Arc<dyn pacing::Pacer>,
    slots: Arc<pacing::Slots>,
}

impl Services {
    /// Services over `db`, storing files under `data_dir` (documents in
    /// `blobs/`, messages in `outbox/` until another transport is set).
    pub fn new(db: Db, clock: Arc<dyn Clock>, data_dir: &std::path::Path) -> Self {
        let settings = ServiceSettings::default();
        Self {
            inner: Arc::new(Inner {
                db,
                clock,
                blobs: BlobStore::new(data_dir),
                hasher: passwords::Hasher::new(settings.hash_workers),
                settings,
                transport: Arc::new(messages::Outbox::new(data_dir.join("outbox"))),
                job_wake: Arc::new(tokio::sync::Notify::new()),
                group_commit: Arc::new(group_commit::GroupCommit::default()),
                pacer: Arc::new(pacing::SleepPacer),
                slots: Arc::default(),
            }),
        }
    }

    pub fn with_settings(self, settings: ServiceSettings) -> Self {
        let mut inner = (*self.inner).clone();
        // A new hasher (and its dummy hash, ~one Argon2id run) only when
        // the worker count changes.
        if settings.hash_workers != inner.settings.hash_workers {
            inner.hasher = passwords::Hasher::new(settings.hash_workers);
        }
        inner.settings = settings;
        Self {
            inner: Arc::new(inner),
        }
    }

    pub fn with_transport(self, transport: Arc<dyn messages::Transport>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.transport = transport;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// How this process waits when it slows a source down (tests record).
    pub fn with_pacer(self, pacer: Arc<dyn pacing::Pacer>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.pacer = pacer;
        Self {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn pacer(&self) -> &Arc<dyn pacing::Pacer> {
        &self.inner.pacer
    }

    pub(crate) fn slots(&self) -> &pacing::Slots {
        &self.inner.slots
    }

    /// Wakes an idle job runner of this process at once (e.g. an SMS code
    /// was queued); runners in other processes find it at their next poll.
    pub(crate) fn wake_jobs(&self) {
        self.inner.job_wake.notify_one();
    }

    pub(crate) fn group_commit(&self) -> &group_commit::GroupCommit {
        &self.inner.group_commit
    }

    pub(crate) fn job_wake(&self) -> Arc<tokio::sync::Notify> {
        self.inner.job_wake.clone()
    }

    pub fn settings(&self) -> &ServiceSettings {
        &self.inner.settings
    }
    pub(crate) fn hasher(&self) -> &passwords::Hasher {
        &self.inner.hasher
    }
    /// Argon2id verifications run by this process (tests compare the work
    /// different answers cost).
    pub fn password_verifications(&self) -> u64 {
        self.inner.hasher.verifications()
    }
    pub(crate) fn transport(&self) -> &Arc<dyn messages::Transport> {
        &self.inner.transport
    }
    pub fn db(&self) -> &Db {
        &self.inner.db
    }
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }
    /// A stored file, for tests that read back what the service made.
    #[cfg(feature = "testing")]
    pub fn blob_for_tests(&self, hash: &str) -> Result<Vec<u8>> {
        self.blobs().get(hash)
    }

    pub(crate) fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }
}

/// A new id: UUIDv7 (48-bit millisecond time + 74 random bits). Random
/// enough that guessing one is hopeless, and time-ordered so inserts go to
/// the end of the primary-key B-trees (the 10k-client demo loads ~2x faster
/// than with v4). The creation time it reveals is shown in the UI anyway.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A boxed future borrowing a transaction, for closures run inside one.
pub(crate) type BoxFut<'t, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 't>>;
