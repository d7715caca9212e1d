//! Writing and checking the NEN 7513 audit trail. Events are appended in
//! the caller's transaction, so an event exists exactly when the action it
//! records was committed (or, for denials, when the denial was returned).
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{os, s};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::audit::{AuditRecord, ChainCheck, ChainVerifier};
use inzage_core::model::{AuditAction, AuditOutcome};
use inzage_core::types::ts;
use serde::Serialize;

/// What one event says, before it is chained.
pub(crate) struct Event<'a> {
    pub role: &'a str,
    pub client_id: Option<&'a str>,
    pub data_kind: &'a str,
    pub data_id: Option<&'a str>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub reason: Option<&'a str>,
}

/// Records a denial that concerns no single dossier item (administration,
/// audit search), commits it, and returns the error for the caller.
pub(crate) async fn deny_and_commit<T>(
    mut tx: Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    client_id: Option<&str>,
    data_kind: &str,
    action: AuditAction,
    reason: inzage_core::policy::DenyReason,
) -> Result<T> {
    append(
        &mut tx,
        ctx,
        now,
        Event {
            role: "-",
            client_id,
            data_kind,
            data_id: None,
            action,
            outcome: AuditOutcome::Denied,
            reason: Some(reason.code()),
        },
    )
    .await?;
    tx.commit().await?;
    Err(ServiceError::Denied(reason))
}

/// Records one operator action (`inzage audit anchor`, `backup`,
/// `restore`) as an event of its own, committed at once.
pub(crate) async fn record_operator_event(
    db: &crate::db::Db,
    ctx: &Ctx,
    now: DateTime<Utc>,
    data_kind: &str,
    data_id: &str,
    action: AuditAction,
) -> Result<()> {
    let mut tx = db.begin().await?;
    append(
        &mut tx,
        ctx,
        now,
        Event {
            role: "system:cli",
            client_id: None,
            data_kind,
            data_id: Some(data_id),
            action,
            outcome: AuditOutcome::Allowed,
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Appends one event to the chain inside `tx`.
pub(crate) async fn append(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    ev: Event<'_>,
) -> Result<()> {
    append_all(tx, std::iter::once((ctx, now, ev)), 1).await
}

/// Appends `n` events, in order, to the chain inside `tx`: the chain head
/// is locked and moved once for all of them (group commit of reads).
pub(crate) async fn append_all<'e>(
    tx: &mut Tx,
    events: impl Iterator<Item = (&'e Ctx, DateTime<Utc>, Event<'e>)>,
    n: i64,
) -> Result<()> {
    if n < 1 {
        return Ok(());
    }
    // Lock the chain head (row lock on PostgreSQL; SQLite already holds the
    // write lock) and take the next `n` sequence numbers.
    let head =
        crate::sql::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut **tx)
            .await?;
    let last_seq: i64 = head.try_get("seq")?;
    let mut prev_hash: String = head.try_get("hash")?;
    let mut seq = last_seq - n;
    for (ctx, now, ev) in events {
        seq += 1;
        let (actor_kind, actor_id) = ctx.principal.audit_actor();
        let mut rec = AuditRecord {
            seq,
            event_id: new_id(),
            occurred_at: ts(now),
            actor_kind: actor_kind.to_owned(),
            actor_id,
            on_behalf_of: ctx.on_behalf_of.clone(),
            actor_role: ev.role.to_owned(),
            client_id: ev.client_id.map(str::to_owned),
            data_kind: ev.data_kind.to_owned(),
            data_id: ev.data_id.map(str::to_owned),
            action: ev.action.code().to_owned(),
            outcome: ev.outcome.code().to_owned(),
            reason: ev.reason.map(str::to_owned),
            source_addr: ctx.source_addr.clone(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        rec.hash = rec.compute_hash();
        crate::sql::query(
            "INSERT INTO audit_event (seq, event_id, occurred_at, actor_kind, actor_id, on_behalf_of, \
             actor_role, client_id, data_kind, data_id, action, outcome, reason, source_addr, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(rec.seq)
        .bind(&rec.event_id)
        .bind(&rec.occurred_at)
        .bind(&rec.actor_kind)
        .bind(&rec.actor_id)
        .bind(&rec.on_behalf_of)
        .bind(&rec.actor_role)
        .bind(&rec.client_id)
        .bind(&rec.data_kind)
        .bind(&rec.data_id)
        .bind(&rec.action)
        .bind(&rec.outcome)
        .bind(&rec.reason)
        .bind(&rec.source_addr)
        .bind(&rec.prev_hash)
        .bind(&rec.hash)
        .execute(&mut **tx)
        .await?;
        prev_hash = rec.hash;
    }
    if seq != last_seq {
        return Err(ServiceError::Internal(
            "audit batch shorter than announced".into(),
        ));
    }
    crate::sql::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn record_from_row(row: &crate::sql::Row) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        event_id: s(row, "event_id")?,
        occurred_at: s(row, "occurred_at")?,
        actor_kind: s(row, "actor_kind")?,
        actor_id: s(row, "actor_id")?,
        on_behalf_of: os(row, "on_behalf_of")?,
        actor_role: s(row, "actor_role")?,
        client_id: os(row, "client_id")?,
        data_kind: s(row, "data_kind")?,
        data_id: os(row, "data_id")?,
        action: s(row, "action")?,
        outcome: s(row, "outcome")?,
        reason: os(row, "reason")?,
        source_addr: os(row, "source_addr")?,
        prev_hash: s(row, "prev_hash")?,
        hash: s(row, "hash")?,
    })
}

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, event_id, occurred_at, actor_kind, actor_id, on_behalf_of, actor_role, \
     client_id, data_kind, data_id, action, outcome, reason, source_addr, prev_hash, hash";

/// Outcome of `inzage audit verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub intact: bool,
    pub events: u64,
    pub broken_at_seq: Option<i64>,
    pub problem: Option<String>,
    /// The sequence number of the latest anchor the log was checked
    /// against (`None`: no anchor was given or written yet).
    pub anchored_at_seq: Option<i64>,
    /// Events removed with a destroyed dossier whose places the chain
    /// keeps (ADR 0024): walked over, not missing.
    #[serde(default)]
    pub sanctioned_gaps: u64,
}

/// One sanctioned gap: an event removed with a destroyed dossier.
struct Gap {
    seq: i64,
    hash: String,
    prev_hash: String,
    destruction_id: String,
}

async fn gaps_after(conn: &mut crate::sql::Conn, after: i64) -> Result<Vec<Gap>> {
    let rows = crate::sql::query(
        "SELECT seq, hash, prev_hash, destruction_id FROM audit_gap WHERE seq > $1 ORDER BY seq LIMIT 5000",
    )
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Gap {
                seq: r.try_get("seq")?,
                hash: r.try_get("hash")?,
                prev_hash: r.try_get("prev_hash")?,
                destruction_id: r.try_get("destruction_id")?,
            })
        })
        .collect()
}

/// The sanctioned gaps, read page by page beside the events.
struct Gaps {
    queue: std::collections::VecDeque<Gap>,
    after: i64,
    done: bool,
    /// Per destruction the gaps name: the first gap, the last, and the
    /// digest of all (each must match the destruction's recorded event).
    named: std::collections::BTreeMap<String, (i64, i64, inzage_core::audit::GapDigest)>,
}

impl Gaps {
    /// The next gap before `before` (or any, with `None`).
    async fn next_before(
        &mut self,
        conn: &mut crate::sql::Conn,
        before: Option<i64>,
    ) -> Result<Option<Gap>> {
        if self.queue.is_empty() && !self.done {
            let page = gaps_after(conn, self.after).await?;
            self.done = page.len() < 5000;
            if let Some(last) = page.last() {
                self.after = last.seq;
            }
            self.queue.extend(page);
        }
        match self.queue.front() {
            Some(g) if before.is_none_or(|b| g.seq < b) => {
                let g = self.queue.pop_front();
                if let Some(g) = &g {
                    let entry = self
                        .named
                        .entry(g.destruction_id.clone())
                        .or_insert_with(|| (g.seq, g.seq, Default::default()));
                    entry.1 = g.seq;
                    entry.2.push(g.seq, &g.hash);
                }
                Ok(g)
            }
            _ => Ok(None),
        }
    }
}

/// The anchors kept outside the database (`inzage audit anchor`) and the
/// key that signs them (configuration).
#[derive(Clone, Copy, Debug)]
pub struct Anchors<'a> {
    pub dir: &'a std::path::Path,
    pub key: &'a [u8],
}

/// `anchor-000000000042.json`: the one name an anchor of event 42 has.
fn anchor_file_name(seq: i64) -> String {
    format!("anchor-{seq:012}.json")
}

/// Every anchor in a folder, by the event it anchors.
type AnchorFiles = std::collections::BTreeMap<i64, (String, inzage_core::audit::Anchor)>;

impl Anchors<'_> {
    /// Every anchor in the folder (`None`: the folder does not exist), by
    /// the sequence number in its name; only the one canonical name per
    /// number counts, and the file's own `seq` must match it.
    fn all(&self) -> Result<Option<AnchorFiles>> {
        let mut out = AnchorFiles::new();
        let entries = match std::fs::read_dir(self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ServiceError::Config(format!("audit anchors: {e}"))),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(seq) = name
                .strip_prefix("anchor-")
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|seq| anchor_file_name(*seq) == name)
            else {
                continue;
            };
            let text = std::fs::read_to_string(entry.path())
                .map_err(|e| ServiceError::Config(format!("audit anchor {name}: {e}")))?;
            let a: inzage_core::audit::Anchor = serde_json::from_str(&text)
                .map_err(|e| ServiceError::Config(format!("audit anchor {name}: {e}")))?;
            out.insert(seq, (name, a));
        }
        Ok(Some(out))
    }
}

/// Filters for the organisation-wide audit search. Every filter is
/// optional; a privacy officer only ever sees events of their own
/// organisation (its clients, its staff).
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub client_id: Option<String>,
    pub actor_id: Option<String>,
    pub limit: i64,
    /// The client's number (as staff know a client).
    pub client_number: Option<String>,
    /// A staff member's e-mail address.
    pub staff_email: Option<String>,
    /// From this instant, up to (not including) `until`.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// An [`AuditAction`] code.
    pub action: Option<String>,
    pub denied_only: bool,
    /// The result leaves the system (CSV): recorded as an export.
    pub export: bool,
}

impl AuditQuery {
    /// The search's criteria, as recorded with the search's own event (a
    /// privacy officer's searches are themselves auditable).
    pub fn criteria(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        };
        add("client", self.client_id.clone());
        add("actor", self.actor_id.clone());
        add("client_number", self.client_number.clone());
        add("staff_email", self.staff_email.clone());
        add("from", self.from.map(ts));
        add("until", self.until.map(ts));
        add("action", self.action.clone());
        add("denied_only", self.denied_only.then(|| "1".to_owned()));
        add("limit", Some(self.limit.clamp(1, 10_000).to_string()));
        let mut out = format!("criteria:{}", parts.join(";"));
        if out.len() > 600 {
            let mut end = 600;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
        out
    }
}

/// One event with the names a reader needs.
#[derive(Clone, Debug, Serialize)]
pub struct AuditView {
    pub record: AuditRecord,
    /// The staff member's or client's name, when the actor is one.
    pub actor_name: Option<String>,
    pub client_number: Option<String>,
}

/// One audit event as shown to an operator or privacy officer.
pub type AuditLine = AuditRecord;

impl Services {
    /// Writes an anchor of the chain's head into `anchors.dir`, signed with
    /// `anchors.key` (operator command; the event that records it is part
    /// of what it anchors).
    pub async fn write_audit_anchor(
        &self,
        ctx: &Ctx,
        anchors: Anchors<'_>,
    ) -> Result<inzage_core::audit::Anchor> {
        if let inzage_core::policy::Decision::Deny(r) = inzage_core::policy::decide_operator(
            &ctx.principal,
            inzage_core::policy::OperatorAction::AnchorAudit,
        ) {
            return Err(ServiceError::Denied(r));
        }
        let now = self.now();
        // The head as committed: no lock is held while the file is
        // written (a slow mount must not hold up the portal's writes).
        let head = crate::sql::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.db())
            .await?;
        let anchor = inzage_core::audit::Anchor::sign(
            head.try_get("seq")?,
            &head.try_get::<String, _>("hash")?,
            &ts(now),
            anchors.key,
        );
        let dir = anchors.dir.to_owned();
        let text = serde_json::to_string_pretty(&anchor)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let name = anchor_file_name(anchor.seq);
        // The file first, then the event that records it: a file that
        // cannot be written leaves no event naming a missing anchor, and a
        // file whose event never came is still a valid anchor.
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!(".{name}.tmp"));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, dir.join(&name))?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("anchor task: {e}")))?
        .map_err(|e| ServiceError::Config(format!("cannot write the audit anchor: {e}")))?;
        // Its data id is the event it anchors (the anchor event itself is
        // covered by the next anchor).
        record_operator_event(
            self.db(),
            ctx,
            now,
            "audit_anchor",
            &anchor.seq.to_string(),
            AuditAction::Create,
        )
        .await?;
        Ok(anchor)
    }

    /// Walks the whole chain in `seq` order and reports the first broken
    /// link. With `anchors`, every anchor in the folder must carry the
    /// key's signature and its hash must be in the log at its sequence
    /// number (a rewrite of the whole table, hashes recomputed, is found
    /// there); and every anchor the log records having written must still
    /// be in the folder (anchors are copied off the machine, never moved).
    /// Without `anchors` (no key configured), a log that records anchors is
    /// a configuration error: they would go unchecked. Reads in pages, so
    /// it works on logs of any size.
    pub async fn verify_audit_chain(&self, anchors: Option<Anchors<'_>>) -> Result<VerifyReport> {
        let (files, folder_exists) = match anchors {
            Some(a) => match a.all()? {
                Some(files) => (files, true),
                None => (AnchorFiles::new(), false),
            },
            None => (AnchorFiles::new(), false),
        };
        if let Some(a) = anchors {
            for (seq, (name, anchor)) in &files {
                if anchor.seq != *seq {
                    return Ok(broken(
                        *seq,
                        format!("{name} holds the anchor of event {}", anchor.seq),
                    ));
                }
                if !anchor.is_signed_by(a.key) {
                    return Ok(broken(
                        *seq,
                        format!("{name}: the signature does not match the configured key"),
                    ));
                }
            }
        }
        // One snapshot for the whole walk: a destruction or an append that
        // commits meanwhile is not half seen (review of issue 16).
        let mut tx = self.db().begin_read().await?;
        if self.db().backend() == crate::db::Backend::Postgres {
            crate::sql::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let mut verifier = ChainVerifier::default();
        let mut recorded: Vec<i64> = Vec::new();
        // Destruction events: id → (sequence number, what it says of its gaps).
        let mut destructions: std::collections::BTreeMap<String, (i64, Option<String>)> =
            Default::default();
        let mut gaps = Gaps {
            queue: Default::default(),
            after: 0,
            done: false,
            named: Default::default(),
        };
        let gap_anchor_check = |g: &Gap| -> Option<VerifyReport> {
            files
                .get(&g.seq)
                .filter(|(_, a)| a.hash != g.hash)
                .map(|_| {
                    broken(
                        g.seq,
                        "the sanctioned gap differs from the anchor written outside the database"
                            .into(),
                    )
                })
        };
        let mut after = 0i64;
        loop {
            let rows = crate::sql::query(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT 5000"
            ))
            .bind(after)
            .slow()
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let rec = record_from_row(row)?;
                after = rec.seq;
                while let Some(g) = gaps.next_before(&mut tx, Some(rec.seq)).await? {
                    if let Err(ChainCheck::Broken { seq, problem }) =
                        verifier.push_gap(g.seq, &g.hash, &g.prev_hash)
                    {
                        return Ok(broken(seq, problem));
                    }
                    if let Some(r) = gap_anchor_check(&g) {
                        return Ok(r);
                    }
                }
                if rec.data_kind == "dossier_destruction" && rec.outcome == "allowed" {
                    if let Some(d) = &rec.data_id {
                        destructions.insert(d.clone(), (rec.seq, rec.reason.clone()));
                    }
                }
                if let Err(ChainCheck::Broken { seq, problem }) = verifier.push(&rec) {
                    return Ok(broken(seq, problem));
                }
                if rec.data_kind == "audit_anchor" && rec.outcome == "allowed" {
                    // The event it anchors (before issue 13's third review
                    // an anchor covered its own event, with no data id).
                    recorded.push(
                        rec.data_id
                            .as_deref()
                            .and_then(|d| d.parse().ok())
                            .unwrap_or(rec.seq),
                    );
                }
                if let Some((_, a)) = files.get(&rec.seq) {
                    if a.hash != rec.hash {
                        return Ok(broken(
                            rec.seq,
                            "the event differs from the anchor written outside the database (the log was rewritten)".into(),
                        ));
                    }
                }
            }
        }
        // Gaps after the last event still present.
        while let Some(g) = gaps.next_before(&mut tx, None).await? {
            if let Err(ChainCheck::Broken { seq, problem }) =
                verifier.push_gap(g.seq, &g.hash, &g.prev_hash)
            {
                return Ok(broken(seq, problem));
            }
            if let Some(r) = gap_anchor_check(&g) {
                return Ok(r);
            }
        }
        // A gap is sanctioned only by a destruction the log records after
        // it, whose event names exactly these gaps (count and digest).
        for (id, (first, last, digest)) in std::mem::take(&mut gaps.named) {
            let ok = match destructions.get(&id) {
                Some((seq, said)) => {
                    *seq > last && said.as_deref() == Some(digest.finish().as_str())
                }
                None => false,
            };
            if !ok {
                return Ok(broken(
                    first,
                    "removed events that no recorded destruction sanctions (events were removed)"
                        .into(),
                ));
            }
        }
        let sanctioned_gaps = verifier.gaps();
        let head = crate::sql::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.rollback().await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        if let Some((seq, _)) = files.range(head_seq + 1..).next() {
            return Ok(broken(
                *seq,
                "the log ends before the anchor written outside the database (events were removed)"
                    .into(),
            ));
        }
        match anchors {
            None => {
                if let Some(last) = recorded.last() {
                    return Err(ServiceError::Config(format!(
                        "the audit trail records anchors (the last of event {last}), but audit_anchor_key is not set: they cannot be checked"
                    )));
                }
            }
            Some(a) => {
                if let (Some(last), false) = (recorded.last(), folder_exists) {
                    return Err(ServiceError::Config(format!(
                        "the audit trail records anchors (the last of event {last}), but the anchor folder {} does not exist (not mounted?)",
                        a.dir.display()
                    )));
                }
                if let Some(seq) = recorded.iter().find(|s| !files.contains_key(s)) {
                    return Ok(broken(
                        *seq,
                        "the anchor of this event is missing from the anchor folder (anchors are copied off the machine, never moved)".into(),
                    ));
                }
            }
        }
        Ok(match verifier.finish(head_seq, &head_hash) {
            ChainCheck::Intact { events } => VerifyReport {
                intact: true,
                events,
                broken_at_seq: None,
                problem: None,
                anchored_at_seq: files.keys().next_back().copied(),
                sanctioned_gaps,
            },
            ChainCheck::Broken { seq, problem } => broken(seq, problem),
        })
    }

    /// Organisation-wide audit search (privacy officer, operator).
    pub async fn search_audit(&self, ctx: &Ctx, q: AuditQuery) -> Result<Audited<Vec<AuditLine>>> {
        Ok(self
            .audit_viewer(ctx, q)
            .await?
            .map(|lines| lines.into_iter().map(|v| v.record).collect()))
    }

    /// [`Services::search_audit`] with names: the privacy officer's viewer.
    /// The search itself is an audit event.
    ///
    /// The search reads (in slices on SQLite, below), never in a write
    /// transaction: on
    /// SQLite a write transaction holds the one write lock, and a search
    /// over millions of events would hold up every other audited read's
    /// event for its whole length (measured by `scripts/bench`, step S).
    /// Its own event is committed through the audit writer after the read
    /// and before the lines leave the service (ADR 0008).
    pub async fn audit_viewer(&self, ctx: &Ctx, q: AuditQuery) -> Result<Audited<Vec<AuditView>>> {
        let mut tx = self.db().begin_read().await?;
        let actor = crate::access::actor_facts(&mut tx, &ctx.principal).await?;
        let now = self.now();
        let (role, reach) = match inzage_core::policy::decide_audit_search(&actor) {
            Ok(allowed) => allowed,
            Err(reason) => {
                tx.rollback().await?;
                let tx = self.db().begin().await?;
                return crate::audit::deny_and_commit(
                    tx,
                    ctx,
                    now,
                    q.client_id.as_deref(),
                    "audit_log",
                    AuditAction::List,
                    reason,
                )
                .await;
            }
        };
        let limit = q.limit.clamp(1, 10_000);
        // A privacy officer sees their own organisation only; sign-in
        // attempts nobody can be named for, as the policy says.
        let organisations = crate::row::i(
            &crate::sql::query("SELECT COUNT(*) AS n FROM organisation")
                .fetch_one(&mut *tx)
                .await?,
            "n",
        )?;
        let anonymous = inzage_core::policy::sees_unnamed_sign_ins(
            &reach,
            u64::try_from(organisations).unwrap_or(0),
        );
        let org: Option<String> = match reach {
            inzage_core::policy::AuditReach::Everything => None,
            inzage_core::policy::AuditReach::Organisation(o) => Some(o.to_string()),
        };
        let cols = AUDIT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        // On SQLite the trail is read in slices of seq values, newest
        // first, each one statement (its own snapshot), at a lower
        // priority (ADR 0025): a search over millions of events then holds
        // no snapshot for seconds, which would keep SQLite's checkpoint
        // from passing it. The events are those up to the newest at the
        // start; a dossier destroyed between two slices (retention) may be
        // missing from the older slices: a search is a view, not a record.
        // PostgreSQL's checkpoints are not held back by a reader: one
        // statement there.
        let top = crate::row::i(
            &crate::sql::query("SELECT COALESCE(MAX(seq), 0) AS top FROM audit_event")
                .fetch_one(&mut *tx)
                .await?,
            "top",
        )?;
        tx.rollback().await?;
        let sql = format!(
            "SELECT {cols}, sm.given_name AS s_given, sm.name_prefix AS s_prefix, sm.family_name AS s_family, \
             ac.given_name AS c_given, ac.name_prefix AS c_prefix, ac.family_name AS c_family, \
             cl.client_number AS c_number, acc.email AS acc_email FROM audit_event e \
             LEFT JOIN account acc ON e.actor_kind = 'account' AND acc.id = e.actor_id \
             LEFT JOIN staff_member sm ON (e.actor_kind = 'staff' AND sm.id = e.actor_id) \
                OR (acc.kind = 'staff' AND sm.id = acc.subject_id) \
             LEFT JOIN client ac ON (e.actor_kind = 'client' AND ac.id = e.actor_id) \
                OR (acc.kind = 'client' AND ac.id = acc.subject_id) \
             LEFT JOIN client cl ON cl.id = e.client_id \
             WHERE e.seq <= $12 AND e.seq > $13 \
             AND ($1 IS NULL OR e.client_id = $1) AND ($2 IS NULL OR e.actor_id = $2) \
             AND ($4 IS NULL OR cl.client_number = $4) \
             AND ($5 IS NULL OR lower(sm.email) = lower($5)) \
             AND ($6 IS NULL OR e.occurred_at >= $6) AND ($7 IS NULL OR e.occurred_at < $7) \
             AND ($8 IS NULL OR e.action = $8) AND ($9 = 0 OR e.outcome = 'denied') \
             AND ($10 IS NULL OR cl.organisation_id = $10 OR sm.organisation_id = $10 OR acc.organisation_id = $10 \
                  OR ($11 = 1 AND e.actor_kind = 'anonymous')) \
             ORDER BY e.seq DESC LIMIT $3"
        );
        let slice_size = match self.db().backend() {
            crate::db::Backend::Sqlite => self.settings().audit_search_slice.max(1),
            crate::db::Backend::Postgres => top.max(1),
        };
        let _turn = crate::sql::background_turn().await?;
        let mut rows = Vec::new();
        let mut hi = top;
        while hi > 0 && (rows.len() as i64) < limit {
            let lo = hi.saturating_sub(slice_size);
            let slice = crate::sql::query(&sql)
                .bind(&q.client_id)
                .bind(&q.actor_id)
                .bind(limit - rows.len() as i64)
                .bind(&q.client_number)
                .bind(&q.staff_email)
                .bind(q.from.map(ts))
                .bind(q.until.map(ts))
                .bind(&q.action)
                .bind(i64::from(q.denied_only))
                .bind(&org)
                .bind(i64::from(anonymous))
                .bind(hi)
                .bind(lo)
                // Nobody waits for it at once: the background lane.
                .background()
                .fetch_all(self.db())
                .await?;
            rows.extend(slice);
            hi = lo;
        }
        let name = |r: &crate::sql::Row, p: &str| -> Result<Option<String>> {
            Ok(match os(r, &format!("{p}_given"))? {
                Some(g) => Some(crate::admin::full_name(
                    &g,
                    os(r, &format!("{p}_prefix"))?.as_deref(),
                    &s(r, &format!("{p}_family"))?,
                )),
                None => None,
            })
        };
        let lines = rows
            .iter()
            .map(|r| {
                Ok(AuditView {
                    record: record_from_row(r)?,
                    actor_name: name(r, "s")?.or(name(r, "c")?).or(os(r, "acc_email")?),
                    client_number: os(r, "c_number")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let event = crate::group_commit::ReadEvent {
            ctx: ctx.clone(),
            at: self.now(),
            role,
            client_id: q.client_id.clone(),
            data_kind: "audit_log".into(),
            data_id: None,
            action: if q.export {
                AuditAction::Export
            } else {
                AuditAction::List
            },
            outcome: AuditOutcome::Allowed,
            reason: Some(q.criteria()),
        };
        crate::audited::recorded(self, vec![event], lines).await
    }
}

fn broken(seq: i64, problem: String) -> VerifyReport {
    VerifyReport {
        intact: false,
        events: 0,
        broken_at_seq: Some(seq),
        problem: Some(problem),
        anchored_at_seq: None,
        sanctioned_gaps: 0,
    }
}
