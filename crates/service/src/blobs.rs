//! Document content, stored content-addressed under the data directory:
//! `blobs/ab/abcdef…` named by the SHA-256 of the bytes. Writing is atomic
//! (temp file + rename + fsync); reading checks the hash, so a file changed
//! on disk is refused instead of served. See docs/decisions/0004-documents.md.
use crate::error::{Result, ServiceError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("blobs"),
        }
    }

    fn path_for(&self, hash: &str) -> Option<PathBuf> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&hash[..2]).join(hash))
    }

    /// Stores `bytes` and returns their hex SHA-256. Storing the same bytes
    /// twice keeps one file.
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        let path = self
            .path_for(&hash)
            .ok_or_else(|| ServiceError::Internal("hash".into()))?;
        if path.exists() {
            touch(&path);
            return Ok(hash);
        }
        let dir = path
            .parent()
            .ok_or_else(|| ServiceError::Internal("blob path".into()))?;
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, &path).map_err(io)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(hash)
    }

    /// Reads the bytes for `hash`, checking them against it. A file in
    /// the trash that a row refers to again (it was moved there while the
    /// row's transaction was on its way) is put back first.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>> {
        let path = self.path_for(hash).ok_or(ServiceError::NotFound)?;
        if !path.exists() {
            self.restore_from_trash(hash);
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ServiceError::Internal(format!(
                    "document content {hash} is missing from the blob store"
                ))
            } else {
                io(e)
            }
        })?;
        if hex::encode(Sha256::digest(&bytes)) != hash {
            return Err(ServiceError::Internal(format!(
                "document content {hash} failed its hash check"
            )));
        }
        Ok(bytes)
    }

    /// Moves the file for `hash` into the trash (`blobs/trash/`), where
    /// housekeeping deletes it after [`TRASH_DAYS`] unless a row refers to
    /// it again (then it comes back). The caller checked that no row
    /// refers to it; the trash covers the row that was on its way (issue
    /// 16 review: a check and a delete are not one step).
    pub fn remove(&self, hash: &str) -> Result<()> {
        let path = self.path_for(hash).ok_or(ServiceError::NotFound)?;
        let trash = self.trash_path(hash).ok_or(ServiceError::NotFound)?;
        if let Some(dir) = trash.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        match std::fs::rename(&path, &trash) {
            Ok(()) => {
                // The trash's clock starts now.
                touch(&trash);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    /// `blobs/trash/<hash>`.
    fn trash_path(&self, hash: &str) -> Option<PathBuf> {
        self.path_for(hash)?;
        Some(self.root.join("trash").join(hash))
    }

    /// The trash's copy of `hash`, when there is one.
    pub fn trash_path_of(&self, hash: &str) -> Option<PathBuf> {
        self.trash_path(hash).filter(|p| p.exists())
    }

    /// Puts a file back from the trash (a row refers to it). Best effort:
    /// the caller reads the file next and reports what is missing.
    pub fn restore_from_trash(&self, hash: &str) -> bool {
        let (Some(path), Some(trash)) = (self.path_for(hash), self.trash_path(hash)) else {
            return false;
        };
        if !trash.exists() {
            return false;
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let back = std::fs::rename(&trash, &path).is_ok();
        if back {
            touch(&path);
            tracing::warn!("a content file came back from the trash: a row refers to it");
        }
        back
    }

    /// Deletes a file from the trash for good.
    pub fn purge(&self, hash: &str) -> Result<()> {
        let Some(trash) = self.trash_path(hash) else {
            return Ok(());
        };
        match std::fs::remove_file(&trash) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    /// The folder the contents live in (`data_dir/blobs`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    #[doc(hidden)]
    pub fn path_of(&self, hash: &str) -> Option<PathBuf> {
        self.path_for(hash)
    }

    /// Starts receiving a file of at most `limit` bytes: it streams into a
    /// temporary file under `blobs/tmp/` and is hashed on the way, so an
    /// upload is never held in memory whole.
    pub async fn begin_upload(&self, limit: u64) -> Result<Upload> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let path = dir.join(format!(".upload-{}", uuid::Uuid::new_v4()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(io)?;
        Ok(Upload {
            path: Some(path),
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD),
            limit,
        })
    }

    /// Moves a received file into the store under its hash (a file with the
    /// same content that is there already stays, and the new one goes).
    pub(crate) async fn adopt(&self, mut received: Received) -> Result<String> {
        let Some(tmp) = received.path.take() else {
            return Err(ServiceError::Internal("upload already stored".into()));
        };
        let hash = received.sha256.clone();
        let path = self
            .path_for(&hash)
            .ok_or_else(|| ServiceError::Internal("hash".into()))?;
        tokio::task::spawn_blocking(move || -> Result<()> {
            if path.exists() {
                let _ = std::fs::remove_file(&tmp);
                touch(&path);
                return Ok(());
            }
            let dir = path
                .parent()
                .ok_or_else(|| ServiceError::Internal("blob path".into()))?;
            std::fs::create_dir_all(dir).map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("blob task: {e}")))??;
        Ok(hash)
    }
}

/// The first bytes of an upload, kept to tell its type by content.
const HEAD: usize = 16;

/// Days a removed file stays in the trash before it is deleted.
pub const TRASH_DAYS: i64 = 7;

/// A file being received (see [`BlobStore::begin_upload`]). Dropped before
/// [`Upload::finish`], its temporary file is removed.
pub struct Upload {
    path: Option<PathBuf>,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
}

impl Upload {
    /// Adds a chunk. `Ok(false)`: the file is larger than the limit (the
    /// caller stops reading; nothing more is written).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<bool> {
        use tokio::io::AsyncWriteExt;
        if self.size + chunk.len() as u64 > self.limit {
            return Ok(false);
        }
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await.map_err(io)?;
        }
        Ok(true)
    }

    /// The file is complete: made durable, with its size, hash and first
    /// bytes.
    pub async fn finish(mut self) -> Result<Received> {
        if let Some(f) = self.file.take() {
            f.sync_all().await.map_err(io)?;
        }
        Ok(Received {
            path: self.path.take(),
            size: self.size,
            sha256: hex::encode(std::mem::take(&mut self.hasher).finalize()),
            head: std::mem::take(&mut self.head),
        })
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A received file, waiting in `blobs/tmp/` until it is stored. Dropped
/// without being stored, it is removed.
pub struct Received {
    path: Option<PathBuf>,
    pub size: u64,
    pub sha256: String,
    /// The first bytes (the type is decided by content).
    pub head: Vec<u8>,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Received({} bytes)", self.size)
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Marks an existing content file as just stored: housekeeping leaves a
/// young file alone, so a row about to refer to it again is not raced.
fn touch(path: &Path) {
    // Read-only is enough: the owner may set the times of a file it cannot
    // write (stores locked down read-only, docs/security.md 12.4.1).
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

fn tempfile_in(dir: &Path) -> Result<(PathBuf, std::fs::File)> {
    let name = format!(".tmp-{}", uuid::Uuid::new_v4());
    let path = dir.join(name);
    let f = std::fs::File::create_new(&path).map_err(io)?;
    Ok((path, f))
}

fn io(e: std::io::Error) -> ServiceError {
    match e.kind() {
        // A full disk (or quota): nothing stored; the page says so (507).
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            ServiceError::Full(format!("blob store: {e}"))
        }
        _ => ServiceError::Internal(format!("blob store: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_upload_streams_with_its_limit_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::new(dir.path());
        let tmp = || {
            std::fs::read_dir(dir.path().join("blobs/tmp"))
                .map(|d| d.count())
                .unwrap_or(0)
        };
        let mut up = store.begin_upload(10).await.expect("begin");
        assert!(up.write(b"%PDF-").await.expect("w"));
        assert!(up.write(b"1.7").await.expect("w"));
        assert!(!up.write(b"too much").await.expect("w"), "over the limit");
        drop(up);
        assert_eq!(tmp(), 0, "a dropped upload is removed");
        let mut up = store.begin_upload(100).await.expect("begin");
        up.write(b"%PDF-1.7 x").await.expect("w");
        let r = up.finish().await.expect("finish");
        assert_eq!((r.size, &r.head[..5]), (10, &b"%PDF-"[..]));
        let hash = store.adopt(r).await.expect("adopt");
        assert_eq!(store.get(&hash).expect("get"), b"%PDF-1.7 x");
        assert_eq!(tmp(), 0, "moved into the store");
    }

    #[test]
    fn round_trip_and_tamper_detection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::new(dir.path());
        let h = store.put(b"%PDF-1.4 hello").expect("put");
        assert_eq!(store.get(&h).expect("get"), b"%PDF-1.4 hello");
        assert_eq!(store.put(b"%PDF-1.4 hello").expect("put again"), h);
        let p = store.path_of(&h).expect("path");
        std::fs::write(&p, b"%PDF-1.4 HELLO").expect("tamper");
        assert!(
            matches!(store.get(&h), Err(ServiceError::Internal(m)) if m.contains("hash check"))
        );
        assert!(matches!(
            store.get("../../etc/passwd"),
            Err(ServiceError::NotFound)
        ));
    }
}
