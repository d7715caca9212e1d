//! Backup and restore of a whole installation (ADR 0023): the database as
//! one consistent snapshot, the document contents it refers to, the audit
//! anchors, and a manifest with a checksum for every file.
//!
//! - SQLite: the online backup API copies the file in one step under one
//!   read snapshot while the server goes on writing (WAL).
//! - PostgreSQL: a transaction `REPEATABLE READ` exports its snapshot, and
//!   `pg_dump --snapshot` dumps exactly what that transaction sees; the
//!   counts, the audit head and the list of contents are read in it too.
//!
//! Restore fills an empty installation only, checks every checksum before
//! it writes anything, and compares the restored rows and the audit chain
//! with the manifest afterwards.
use crate::audit::record_operator_event;
use crate::db::{Backend, Db};
use crate::error::{Result, ServiceError};
use crate::sql;
use crate::{Ctx, Services};
use inzage_core::model::AuditAction;
use inzage_core::types::ts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The manifest's format; restore refuses any other.
pub const FORMAT: &str = "inzage-backup-1";
const MANIFEST: &str = "manifest.json";
const MANIFEST_SUM: &str = "manifest.json.sha256";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";

/// What a backup holds, written last (a folder without it is incomplete).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub inzage_version: String,
    /// `sqlite` or `postgresql`: a backup is restored on the same engine.
    pub engine: String,
    pub schema_version: i64,
    pub audit_head: Head,
    /// Rows per table in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// Every file of the backup but the manifest, with its checksum.
    pub files: Vec<FileEntry>,
    /// Contents the snapshot refers to that were not in the store: an
    /// afschrift removed after its days since the snapshot (harmless), or
    /// a document file lost from the store (an incident; the backup says
    /// so and `inzage backup` exits non-zero).
    pub missing: Vec<Missing>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup folder, with `/`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Missing {
    pub sha256: String,
    /// `document`, `logo` or `afschrift`.
    pub kind: String,
    /// `absent` or `damaged` (its bytes do not match its name).
    pub problem: String,
}

impl Manifest {
    /// Document contents that were missing or damaged (an afschrift gone
    /// after its days is not counted).
    pub fn lost_documents(&self) -> usize {
        self.missing
            .iter()
            .filter(|m| m.kind != "afschrift")
            .count()
    }
}

/// Where a backup goes and where its parts come from.
pub struct BackupPlan<'a> {
    /// A folder that does not exist yet or is empty.
    pub to: &'a Path,
    /// The database URL (`pg_dump` connects with it on PostgreSQL).
    pub database_url: &'a str,
    /// The audit anchor folder; its anchors are copied when it exists.
    pub anchor_dir: &'a Path,
}

/// What a restore reads and fills.
pub struct RestorePlan<'a> {
    pub from: &'a Path,
    pub database_url: &'a str,
    pub data_dir: &'a Path,
    pub anchor_dir: &'a Path,
}

/// What the snapshot says about itself.
struct Facts {
    tables: BTreeMap<String, i64>,
    head: Head,
    schema_version: i64,
    /// (hash, kind) of every content the rows refer to.
    contents: BTreeSet<(String, &'static str)>,
}

fn config(msg: String) -> ServiceError {
    ServiceError::Config(msg)
}

/// A backup folder that cannot be used as it is (`invalid --from`).
fn damaged(msg: String) -> ServiceError {
    ServiceError::Invalid(inzage_core::types::FieldError::new("from", msg))
}

/// Something is in the way (`exit 4`).
fn in_the_way(msg: String) -> ServiceError {
    ServiceError::Conflict(msg)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::Config(format!("{what} {}: {e}", path.display()))
}

/// A table name as it comes from the catalogue, checked before it is put
/// into a statement's text.
fn safe_name(name: &str) -> Result<&str> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(name)
    } else {
        Err(ServiceError::Internal(format!(
            "unexpected table name {name:?}"
        )))
    }
}

async fn table_names(conn: &mut sql::Conn, backend: Backend) -> Result<Vec<String>> {
    let q = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let rows = sql::query(q).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>("name").map_err(ServiceError::from))
        .collect()
}

async fn read_facts(conn: &mut sql::Conn, backend: Backend) -> Result<Facts> {
    let mut tables = BTreeMap::new();
    for name in table_names(conn, backend).await? {
        let n: i64 = sql::query(&format!("SELECT COUNT(*) AS n FROM {}", safe_name(&name)?))
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        tables.insert(name, n);
    }
    let head = sql::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let head = Head {
        seq: head.try_get("seq")?,
        hash: head.try_get("hash")?,
    };
    let schema_version: i64 =
        sql::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migration")
            .fetch_one(&mut *conn)
            .await?
            .try_get("v")?;
    let mut contents = BTreeSet::new();
    for (kind, q) in [
        ("document", "SELECT DISTINCT sha256 AS h FROM document"),
        (
            "logo",
            "SELECT DISTINCT logo_sha256 AS h FROM organisation WHERE logo_sha256 IS NOT NULL",
        ),
        (
            "afschrift",
            "SELECT pdf_sha256 AS h FROM afschrift WHERE status = 'ready' AND pdf_sha256 IS NOT NULL \
             UNION SELECT json_sha256 AS h FROM afschrift WHERE status = 'ready' AND json_sha256 IS NOT NULL",
        ),
    ] {
        for r in sql::query(q).fetch_all(&mut *conn).await? {
            contents.insert((r.try_get::<String, _>("h")?, kind));
        }
    }
    Ok(Facts {
        tables,
        head,
        schema_version,
        contents,
    })
}

/// Copies `src` to `dst` (made durable), returning its size and SHA-256.
/// A missing `src` creates nothing.
fn copy_hashed(src: &Path, dst: &Path) -> std::io::Result<(u64, String)> {
    let input = std::fs::File::open(src)?;
    if let Some(dir) = dst.parent() {
        private_dir(dir)?;
    }
    let mut out = private_file(dst)?;
    let read = read_hashed(input, Some(&mut out))?;
    out.sync_all()?;
    Ok(read)
}

/// The size and SHA-256 of a file, read in pieces.
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    read_hashed(std::fs::File::open(path)?, None)
}

/// Reads `input` in pieces, hashing it and writing it to `copy` if given.
fn read_hashed(
    mut input: std::fs::File,
    mut copy: Option<&mut std::fs::File>,
) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(out) = copy.as_mut() {
            out.write_all(&buf[..n])?;
        }
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// A folder only the operator's account may open (0700): a backup holds
/// every dossier, password hashes and second-factor secrets.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A new file only the operator's account may read (0600).
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// A restored content file: the server's account reads it (0644 would
/// let others; 0600 is enough for the one account that runs Inzage).
fn make_readable(path: &Path) -> std::io::Result<()> {
    make_private(path)
}

fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn rel(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Splits a `postgres://user:password@…` URL into the URL without the
/// password and the password (percent-decoded): `pg_dump` gets the
/// password through `PGPASSWORD`, never on its command line (which other
/// users of the machine can read).
fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    // A `password=` query parameter goes the same way.
    let (tail, query_password) = match tail.split_once('?') {
        Some((path, query)) => {
            let mut password = None;
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| match kv.strip_prefix("password=") {
                    Some(p) => {
                        password = Some(percent_decode(p));
                        false
                    }
                    None => true,
                })
                .collect();
            if kept.is_empty() {
                (path.to_owned(), password)
            } else {
                (format!("{path}?{}", kept.join("&")), password)
            }
        }
        None => (tail.to_owned(), None),
    };
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (format!("{scheme}://{authority}{tail}"), query_password);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (format!("{scheme}://{authority}{tail}"), query_password);
    };
    (
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decode(password)).or(query_password),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client program (`pg_dump`, `pg_restore`) with the
/// password in its environment; its error output becomes the message.
async fn pg_tool(program: &str, args: &[String], database_url: &str) -> Result<()> {
    let (url, password) = without_password(database_url);
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args).arg(format!("--dbname={url}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().await.map_err(|e| {
        config(format!(
            "cannot run {program}: {e} (install PostgreSQL's client programs, of the server's major version or newer)"
        ))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(config(format!(
            "{program} failed: {}",
            err.lines().next().unwrap_or("no message").trim()
        )))
    }
}

impl Services {
    /// Writes a consistent backup of this installation into `plan.to`
    /// while the server goes on (operator command, audited as an export).
    pub async fn backup(&self, ctx: &Ctx, plan: BackupPlan<'_>) -> Result<Manifest> {
        if let inzage_core::policy::Decision::Deny(r) = inzage_core::policy::decide_operator(
            &ctx.principal,
            inzage_core::policy::OperatorAction::Backup,
        ) {
            return Err(ServiceError::Denied(r));
        }
        let to = plan.to.to_path_buf();
        if to.to_string_lossy().contains(['?', '#']) {
            return Err(config(format!(
                "{}: choose a backup folder without ? or # in its path",
                to.display()
            )));
        }
        prepare_empty_dir(&to)?;
        match self.backup_into(ctx, &to, &plan).await {
            Ok(m) => Ok(m),
            Err(e) => {
                // Nothing half-written stays behind (it would look like a
                // backup, and it holds health data).
                if let Ok(entries) = std::fs::read_dir(&to) {
                    for e in entries.flatten() {
                        let p = e.path();
                        let _ = if p.is_dir() {
                            std::fs::remove_dir_all(&p)
                        } else {
                            std::fs::remove_file(&p)
                        };
                    }
                }
                Err(e)
            }
        }
    }

    async fn backup_into(&self, ctx: &Ctx, to: &Path, plan: &BackupPlan<'_>) -> Result<Manifest> {
        let to = to.to_path_buf();
        let now = self.now();
        // Recorded before anything is read (NEN 7513), so the backup holds
        // the event of its own making.
        let stamp = ts(now);
        record_operator_event(self.db(), ctx, now, "backup", &stamp, AuditAction::Export).await?;

        let backend = self.db().backend();
        let (facts, db_file) = match backend {
            Backend::Sqlite => {
                let src = self
                    .db()
                    .sqlite_path()
                    .ok_or_else(|| ServiceError::Internal("sqlite path".into()))?;
                let dst = to.join(SQLITE_FILE);
                let d = dst.clone();
                tokio::task::spawn_blocking(move || sqlite_online_copy(&src, &d))
                    .await
                    .map_err(|e| ServiceError::Internal(format!("backup task: {e}")))??;
                // The facts come from the copy itself: what is counted is
                // what was copied.
                let copy = Db::connect(&format!("sqlite://{}?mode=rw", dst.display()), 1).await?;
                let facts = {
                    let mut c = copy.acquire().await?;
                    read_facts(&mut c, backend).await
                };
                copy.close().await;
                let facts = facts?;
                let d = dst.clone();
                tokio::task::spawn_blocking(move || self_contained(&d))
                    .await
                    .map_err(|e| ServiceError::Internal(format!("backup task: {e}")))??;
                make_private(&dst).map_err(|e| io_err("cannot protect", &dst, e))?;
                (facts, SQLITE_FILE)
            }
            Backend::Postgres => {
                let mut tx = self.db().begin_read().await?;
                sql::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let snapshot: String = sql::query("SELECT pg_export_snapshot() AS s")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("s")?;
                let file = to.join(PG_FILE);
                pg_tool(
                    "pg_dump",
                    &[
                        "--format=custom".into(),
                        "--no-owner".into(),
                        "--no-privileges".into(),
                        format!("--snapshot={snapshot}"),
                        format!("--file={}", file.display()),
                    ],
                    plan.database_url,
                )
                .await?;
                make_private(&file).map_err(|e| io_err("cannot protect", &file, e))?;
                let facts = read_facts(&mut tx, backend).await?;
                tx.rollback().await?;
                (facts, PG_FILE)
            }
        };

        let blobs_src = self.blobs().root().to_path_buf();
        let store = self.blobs().clone();
        let anchors = plan.anchor_dir.to_path_buf();
        let manifest = tokio::task::spawn_blocking(move || -> Result<Manifest> {
            let mut files = Vec::new();
            let (bytes, sha256) =
                hash_file(&to.join(db_file)).map_err(|e| io_err("cannot read", &to, e))?;
            files.push(FileEntry {
                path: db_file.into(),
                bytes,
                sha256,
            });
            let mut missing = Vec::new();
            let mut seen = BTreeSet::new();
            for (hash, kind) in &facts.contents {
                if !seen.insert(hash.clone()) {
                    continue;
                }
                let Some(relpath) = blob_rel(hash) else {
                    missing.push(Missing {
                        sha256: hash.clone(),
                        kind: (*kind).into(),
                        problem: "damaged".into(),
                    });
                    continue;
                };
                let mut src = blobs_src.join(&relpath);
                if !src.exists() {
                    // Moved to the trash since the snapshot (an afschrift
                    // past its days, a destroyed dossier): still there.
                    if let Some(t) = store.trash_path_of(hash) {
                        src = t;
                    }
                }
                let dst = to.join("blobs").join(&relpath);
                match copy_hashed(&src, &dst) {
                    Ok((bytes, sha)) if &sha == hash => files.push(FileEntry {
                        path: format!("blobs/{}", rel(&relpath)),
                        bytes,
                        sha256: sha,
                    }),
                    Ok(_) => {
                        let _ = std::fs::remove_file(&dst);
                        missing.push(Missing {
                            sha256: hash.clone(),
                            kind: (*kind).into(),
                            problem: "damaged".into(),
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(Missing {
                        sha256: hash.clone(),
                        kind: (*kind).into(),
                        problem: "absent".into(),
                    }),
                    Err(e) => return Err(io_err("cannot copy", &src, e)),
                }
            }
            if let Ok(entries) = std::fs::read_dir(&anchors) {
                let mut names: Vec<_> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("anchor-"))
                    .collect();
                names.sort();
                for name in names {
                    let dst = to.join("audit-anchors").join(&name);
                    let (bytes, sha256) = copy_hashed(&anchors.join(&name), &dst)
                        .map_err(|e| io_err("cannot copy", &anchors.join(&name), e))?;
                    files.push(FileEntry {
                        path: format!("audit-anchors/{name}"),
                        bytes,
                        sha256,
                    });
                }
            }
            let manifest = Manifest {
                format: FORMAT.into(),
                created_at: stamp,
                inzage_version: env!("CARGO_PKG_VERSION").into(),
                engine: backend.name().into(),
                schema_version: facts.schema_version,
                audit_head: facts.head,
                tables: facts.tables,
                files,
                missing,
            };
            write_manifest(&to, &manifest)?;
            Ok(manifest)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("backup task: {e}")))??;
        Ok(manifest)
    }
}

/// `blobs/ab/abcdef…` for a well-formed hash.
fn blob_rel(hash: &str) -> Option<PathBuf> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(Path::new(&hash[..2]).join(hash))
    } else {
        None
    }
}

fn prepare_empty_dir(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(in_the_way(format!(
                    "{} is not empty: a backup goes into a new or empty folder",
                    dir.display()
                )));
            }
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io_err("cannot protect", dir, e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            private_dir(dir).map_err(|e| io_err("cannot create", dir, e))
        }
        Err(e) => Err(io_err("cannot read", dir, e)),
    }
}

/// SQLite's online backup in one step: every page under one read snapshot,
/// while writers go on (WAL). Stepwise copying would start over at every
/// commit of a busy server.
fn sqlite_online_copy(src: &Path, dst: &Path) -> Result<()> {
    use rusqlite::OpenFlags;
    let from = rusqlite::Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| config(format!("cannot open {}: {e}", src.display())))?;
    from.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut to = rusqlite::Connection::open(dst)
        .map_err(|e| config(format!("cannot create {}: {e}", dst.display())))?;
    {
        let backup = rusqlite::backup::Backup::new(&from, &mut to)
            .map_err(|e| ServiceError::Internal(format!("backup: {e}")))?;
        loop {
            match backup.step(-1) {
                Ok(rusqlite::backup::StepResult::Done) => break,
                Ok(rusqlite::backup::StepResult::More) => continue,
                Ok(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(e) => return Err(ServiceError::Internal(format!("backup: {e}"))),
            }
        }
    }
    to.close()
        .map_err(|(_, e)| ServiceError::Internal(format!("backup: {e}")))?;
    Ok(())
}

/// Turns the copy into one self-contained file (no `-wal` beside it) and
/// makes it durable.
fn self_contained(path: &Path) -> Result<()> {
    let c = rusqlite::Connection::open(path)
        .map_err(|e| config(format!("cannot open {}: {e}", path.display())))?;
    c.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
        .map_err(|e| ServiceError::Internal(format!("backup: {e}")))?;
    c.close()
        .map_err(|(_, e)| ServiceError::Internal(format!("backup: {e}")))?;
    let f = std::fs::File::open(path).map_err(|e| io_err("cannot open", path, e))?;
    f.sync_all().map_err(|e| io_err("cannot sync", path, e))?;
    Ok(())
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let text = serde_json::to_vec_pretty(m).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let sum = format!("{}  {MANIFEST}\n", hex::encode(Sha256::digest(&text)));
    for (name, bytes) in [(MANIFEST_SUM, sum.as_bytes()), (MANIFEST, text.as_slice())] {
        let tmp = dir.join(format!(".{name}.tmp"));
        let _ = std::fs::remove_file(&tmp);
        let mut f = private_file(&tmp).map_err(|e| io_err("cannot write", &tmp, e))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err("cannot write", &tmp, e))?;
        std::fs::rename(&tmp, dir.join(name)).map_err(|e| io_err("cannot write", &tmp, e))?;
    }
    sync_dir(dir);
    Ok(())
}

/// Reads and checks a backup folder: the manifest against its checksum,
/// its format, and every file against its size and checksum. Nothing is
/// written.
pub fn check_backup(from: &Path) -> Result<Manifest> {
    let text = std::fs::read(from.join(MANIFEST)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            damaged(format!(
                "{} has no {MANIFEST}: not a backup, or one that did not finish",
                from.display()
            ))
        } else {
            damaged(format!("cannot read {MANIFEST}: {e}"))
        }
    })?;
    let sum = std::fs::read_to_string(from.join(MANIFEST_SUM))
        .map_err(|e| damaged(format!("cannot read {MANIFEST_SUM}: {e}")))?;
    let expected = sum.split_whitespace().next().unwrap_or("");
    if hex::encode(Sha256::digest(&text)) != expected {
        return Err(damaged(format!(
            "the backup is damaged: {MANIFEST} does not match its checksum"
        )));
    }
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| damaged(format!("the backup is damaged: {MANIFEST}: {e}")))?;
    if m.format != FORMAT {
        return Err(damaged(format!(
            "the backup has format {:?}; this version reads {FORMAT:?}",
            m.format
        )));
    }
    let mut has_db = false;
    for f in &m.files {
        if f.path.split('/').any(|p| p == ".." || p.is_empty()) || f.path.starts_with('/') {
            return Err(damaged(format!(
                "the backup is damaged: unexpected file name {:?}",
                f.path
            )));
        }
        has_db |= f.path == SQLITE_FILE || f.path == PG_FILE;
        let path = from.join(&f.path);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(damaged(format!(
                "the backup is damaged: {} is a symbolic link",
                f.path
            )));
        }
        let (bytes, sha) = hash_file(&path).map_err(|e| {
            damaged(format!(
                "the backup is damaged: {} cannot be read ({e})",
                f.path
            ))
        })?;
        if bytes != f.bytes || sha != f.sha256 {
            return Err(damaged(format!(
                "the backup is damaged: {} does not match its checksum",
                f.path
            )));
        }
    }
    if !has_db {
        return Err(damaged(
            "the backup is damaged: it holds no database file".into(),
        ));
    }
    Ok(m)
}

/// What [`restore`] did.
#[derive(Debug, Serialize)]
pub struct Restored {
    pub manifest: Manifest,
    pub events: u64,
}

/// Fills an empty installation from a backup folder. Refuses a damaged
/// backup (before writing anything), another engine's backup, and a
/// database that already has tables. After loading, the rows per table
/// and the audit chain must match the manifest; the schema is then brought
/// up to date and the restore is recorded in the audit trail.
pub async fn restore(
    plan: RestorePlan<'_>,
    clock: std::sync::Arc<dyn inzage_core::Clock>,
) -> Result<Restored> {
    let from = plan.from.to_path_buf();
    let manifest = tokio::task::spawn_blocking(move || check_backup(&from))
        .await
        .map_err(|e| ServiceError::Internal(format!("restore task: {e}")))??;
    if manifest.schema_version > crate::db::latest_migration() {
        return Err(damaged(format!(
            "the backup has schema version {}; this version of Inzage knows up to {}: restore it with a newer inzage",
            manifest.schema_version,
            crate::db::latest_migration()
        )));
    }
    let is_sqlite = plan.database_url.starts_with("sqlite:");
    let engine = if is_sqlite {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    if manifest.engine != engine.name() {
        return Err(damaged(format!(
            "the backup is of a {} installation; this one is {}",
            manifest.engine,
            engine.name()
        )));
    }
    let not_empty = || {
        in_the_way(
            "the database is not empty: restore fills a new installation only \
             (make an empty database, or move the SQLite file away, and try again)"
                .into(),
        )
    };
    if is_sqlite {
        let target = sql::LiteTarget::parse(plan.database_url)
            .map_err(|e| config(format!("database URL is not valid: {e}")))?;
        let path = target.path.clone();
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            let probe = Db::connect(plan.database_url, 1).await?;
            let tables = {
                let mut c = probe.acquire().await?;
                table_names(&mut c, Backend::Sqlite).await
            };
            probe.close().await;
            if !tables?.is_empty() {
                return Err(not_empty());
            }
        }
        let src = plan.from.join(SQLITE_FILE);
        tokio::task::spawn_blocking(move || -> Result<()> {
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", path.display()));
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err("cannot replace", &p, e)),
                }
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
            let tmp = dir.join(".inzage-restore.tmp");
            let _ = std::fs::remove_file(&tmp);
            copy_hashed(&src, &tmp).map_err(|e| io_err("cannot copy", &src, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| io_err("cannot write", &path, e))?;
            sync_dir(dir);
            Ok(())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("restore task: {e}")))??;
    } else {
        let probe = Db::connect(plan.database_url, 1).await?;
        let tables = {
            let mut c = probe.acquire().await?;
            table_names(&mut c, Backend::Postgres).await
        };
        probe.close().await;
        if !tables?.is_empty() {
            return Err(not_empty());
        }
        pg_tool(
            "pg_restore",
            &[
                "--no-owner".into(),
                "--no-privileges".into(),
                "--exit-on-error".into(),
                "--single-transaction".into(),
                plan.from.join(PG_FILE).display().to_string(),
            ],
            plan.database_url,
        )
        .await?;
    }

    // The contents and anchors (content-addressed: a file already there
    // under its name is the same content).
    let from = plan.from.to_path_buf();
    let blobs = plan.data_dir.join("blobs");
    let anchors = plan.anchor_dir.to_path_buf();
    let files = manifest.files.clone();
    tokio::task::spawn_blocking(move || -> Result<()> {
        for f in &files {
            let (dst, name) = if let Some(r) = f.path.strip_prefix("blobs/") {
                (blobs.join(r), r)
            } else if let Some(r) = f.path.strip_prefix("audit-anchors/") {
                (anchors.join(r), r)
            } else {
                continue;
            };
            if dst.exists() {
                // Content-addressed: the same name is the same bytes, if
                // the file is whole.
                if hash_file(&dst).is_ok_and(|(_, h)| h == f.sha256) {
                    continue;
                }
            }
            let tmp = dst.with_file_name(format!(".restore-{}", name.replace('/', "_")));
            let _ = std::fs::remove_file(&tmp);
            copy_hashed(&from.join(&f.path), &tmp)
                .map_err(|e| io_err("cannot copy", &from.join(&f.path), e))?;
            std::fs::rename(&tmp, &dst).map_err(|e| io_err("cannot write", &dst, e))?;
            let _ = make_readable(&dst);
            if let Some(d) = dst.parent() {
                sync_dir(d);
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("restore task: {e}")))??;

    let db = Db::connect(plan.database_url, 2).await?;
    let facts = {
        let mut c = db.acquire().await?;
        read_facts(&mut c, engine).await
    };
    let facts = match facts {
        Ok(f) => f,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let differs = facts
        .tables
        .iter()
        .filter(|(t, n)| manifest.tables.get(*t) != Some(n))
        .map(|(t, _)| t.clone())
        .chain(
            manifest
                .tables
                .keys()
                .filter(|t| !facts.tables.contains_key(*t))
                .cloned(),
        )
        .collect::<Vec<_>>();
    if !differs.is_empty() || facts.head != manifest.audit_head {
        db.close().await;
        return Err(config(format!(
            "the restored database does not match the backup's manifest ({}); do not use it",
            if differs.is_empty() {
                "audit head".to_owned()
            } else {
                format!("rows in {}", differs.join(", "))
            }
        )));
    }
    db.migrate().await?;
    let svc = Services::new(db.clone(), clock, plan.data_dir);
    let report = svc.verify_audit_chain(None).await;
    let report = match report {
        Ok(r) => r,
        // A log that records anchors needs the key to be checked; the
        // head matched the manifest, and `inzage audit verify` with the
        // key checks the rest.
        Err(ServiceError::Config(_)) => crate::audit::VerifyReport {
            intact: true,
            events: u64::try_from(manifest.audit_head.seq).unwrap_or(0),
            broken_at_seq: None,
            problem: None,
            anchored_at_seq: None,
            sanctioned_gaps: 0,
        },
        Err(e) => return Err(e),
    };
    if !report.intact {
        db.close().await;
        return Err(config(format!(
            "the restored audit trail is broken at event {}: {}",
            report.broken_at_seq.unwrap_or(0),
            report.problem.unwrap_or_default()
        )));
    }
    record_operator_event(
        &db,
        &Ctx::system("cli"),
        svc.now(),
        "restore",
        &manifest.created_at,
        AuditAction::Create,
    )
    .await?;
    db.close().await;
    Ok(Restored {
        events: report.events,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://inzage:s%40cret@db:5432/inzage?sslmode=require"),
            (
                "postgres://inzage@db:5432/inzage?sslmode=require".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/x"),
            ("postgres://postgres@127.0.0.1:5432/x".to_owned(), None)
        );
        assert_eq!(percent_decode("a%zz%4"), "a%zz%4");
        assert_eq!(
            without_password("postgres://inzage@db/inzage?sslmode=require&password=g%26heim"),
            (
                "postgres://inzage@db/inzage?sslmode=require".to_owned(),
                Some("g&heim".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://db/inzage?password=x"),
            ("postgres://db/inzage".to_owned(), Some("x".to_owned()))
        );
    }

    #[test]
    fn table_names_are_checked_before_they_enter_a_statement() {
        assert!(safe_name("audit_event").is_ok());
        assert!(safe_name("x; DROP TABLE y").is_err());
        assert!(safe_name("").is_err());
    }
}
