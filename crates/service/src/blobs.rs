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

    /// Reads the bytes for `hash`, checking them against it.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>> {
        let path = self.path_for(hash).ok_or(ServiceError::NotFound)?;
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

    #[doc(hidden)]
    pub fn path_of(&self, hash: &str) -> Option<PathBuf> {
        self.path_for(hash)
    }
}

fn tempfile_in(dir: &Path) -> Result<(PathBuf, std::fs::File)> {
    let name = format!(".tmp-{}", uuid::Uuid::new_v4());
    let path = dir.join(name);
    let f = std::fs::File::create_new(&path).map_err(io)?;
    Ok((path, f))
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("blob store: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
