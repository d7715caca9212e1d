//! Inzage domain services. Every read or write of client data is a method
//! here that takes the acting principal ([`Ctx`]), decides by the rules in
//! `inzage_core::policy` and writes the NEN 7513 audit event in the same
//! database transaction. The storage code is private to this crate, so no
//! other crate can reach client data without passing a service method.
#![deny(clippy::unwrap_used)]

mod access;
pub mod passwords;
pub mod admin;
mod audit;
pub mod blobs;
pub mod db;
pub mod dossier;
pub mod error;
pub mod jobs;
mod row;
#[cfg(feature = "testing")]
pub mod testing;
pub mod writes;

use blobs::BlobStore;
use db::Db;
use inzage_core::model::Principal;
use inzage_core::Clock;
use std::sync::Arc;

pub use audit::{AuditLine, AuditQuery, VerifyReport};
pub use error::{Result, ServiceError};

/// Who is acting, for whom, from where. Built by the sign-in layer.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub principal: Principal,
    /// NEN 7513 "on behalf of": e.g. the client a contact person acts for.
    pub on_behalf_of: Option<String>,
    /// The source network address of the request, if any.
    pub source_addr: Option<String>,
}

impl Ctx {
    pub fn new(principal: Principal) -> Self {
        Self {
            principal,
            on_behalf_of: None,
            source_addr: None,
        }
    }
    pub fn system(component: &str) -> Self {
        Self::new(Principal::system(component))
    }
    pub fn with_source(mut self, addr: impl Into<String>) -> Self {
        self.source_addr = Some(addr.into());
        self
    }
}

/// The services, cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    blobs: BlobStore,
}

impl Services {
    pub fn new(db: Db, clock: Arc<dyn Clock>, blobs: BlobStore) -> Self {
        Self {
            inner: Arc::new(Inner { db, clock, blobs }),
        }
    }
    pub fn db(&self) -> &Db {
        &self.inner.db
    }
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
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
