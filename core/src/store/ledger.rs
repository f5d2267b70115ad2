//! The hash-chained ledger of every approval made or seen. Each entry's hash covers the
//! previous entry's hash, and the head is recorded separately, so `ledger verify` detects an
//! entry that was altered or removed.

use super::{to_json, Store};
use crate::encoding::sha256_hex;
use crate::policy::{Decision, Role};
use crate::Result;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LedgerEntry {
    /// SHA-256 of the approval record's bytes.
    pub approval_sha256: String,
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Platform.
    pub platform: String,
    /// Role.
    pub role: Role,
    /// Signer.
    pub signer: String,
    /// Decision.
    pub decision: Decision,
    /// When it was signed.
    pub signed_at: String,
    /// The SHA-256 of the `review.json` the approval binds (entries recorded before this was
    /// kept have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub review_sha256: Option<String>,
    /// `made` (signed here) or `seen` (found by verify).
    pub origin: String,
    /// When it entered the ledger.
    pub recorded_at: String,
    /// Whether it counted when verified (`None` for approvals made here, which passed every
    /// rule when signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<bool>,
    /// Whether its signature verified when it was seen (`None` for approvals made here and
    /// entries recorded before this was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_ok: Option<bool>,
}

impl LedgerEntry {
    /// Files the entry under the store's key of the platform it was made or seen on (a v2
    /// record names the platform by its governed name, the store by its URI).
    pub fn on_platform(mut self, key: &str) -> Self {
        self.platform = key.to_string();
        self
    }

    /// Records whether its signature verified when it was seen.
    pub fn with_signature_ok(mut self, ok: bool) -> Self {
        self.signature_ok = Some(ok);
        self
    }

    /// Records whether the approval counted when it was verified.
    pub fn with_counted(mut self, counted: bool) -> Self {
        self.counted = Some(counted);
        self
    }

    /// Sets the record hash.
    pub fn with_sha(mut self, sha: &str) -> Self {
        self.approval_sha256 = sha.to_string();
        self
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerReport {
    /// Entries in the chain.
    pub entries: u64,
    /// Whether the chain is intact.
    pub ok: bool,
    /// What is wrong, entry by entry.
    pub problems: Vec<String>,
}

impl Store {
    /// Appends an entry (one transaction). A `seen` entry for an approval already in the
    /// ledger is skipped.
    pub fn ledger_append(&self, entry: &LedgerEntry) -> Result<()> {
        let e = |err| self.err(err);
        // IMMEDIATE: take the write lock first, so another connection writing at the same
        // moment makes this wait (busy_timeout) instead of failing on the read-to-write upgrade.
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(e)?;
        if entry.origin == "seen" {
            // Seen again with the same verdict: nothing new to record.
            let last: Option<String> = tx
                .query_row(
                    "SELECT entry FROM ledger WHERE approval_sha256 = ?1 ORDER BY seq DESC LIMIT 1",
                    [&entry.approval_sha256],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(last) = last.and_then(|j| serde_json::from_str::<LedgerEntry>(&j).ok()) {
                if last.counted == entry.counted
                    || (last.origin == "made" && entry.counted == Some(true))
                {
                    return Ok(());
                }
            }
        }
        let prev: String = tx
            .query_row(
                "SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?
            .unwrap_or_else(|| GENESIS.to_string());
        let json = to_json(entry);
        let hash = sha256_hex(format!("{prev}\n{json}").as_bytes());
        tx.execute(
            "INSERT INTO ledger (approval_sha256, entry, prev_hash, hash) VALUES (?1, ?2, ?3, ?4)",
            params![entry.approval_sha256, json, prev, hash],
        )
        .map_err(e)?;
        let seq = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('ledger_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [format!("{seq}:{hash}")],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// All entries, in order.
    pub fn ledger_entries(&self) -> Result<Vec<LedgerEntry>> {
        self.many("SELECT entry FROM ledger ORDER BY seq", [])
    }

    /// Entries of one platform, in ledger order (filtered in SQL).
    pub fn ledger_entries_on(&self, platform: &str) -> Result<Vec<LedgerEntry>> {
        self.many(
            "SELECT entry FROM ledger WHERE json_extract(entry, '$.platform') = ?1 ORDER BY seq",
            [platform],
        )
    }

    /// Entries about one model's versions on a platform, newest first, filtered in SQL (for
    /// screens that show one model, without decoding the whole ledger).
    pub fn ledger_entries_of_model(&self, platform: &str, name: &str) -> Result<Vec<LedgerEntry>> {
        let prefix = format!("models:/{name}/");
        self.many(
            "SELECT entry FROM ledger WHERE json_extract(entry, '$.platform') = ?1
               AND substr(json_extract(entry, '$.version'), 1, length(?2)) = ?2 ORDER BY seq DESC",
            rusqlite::params![platform, prefix],
        )
    }

    /// Checks the chain: links, hashes, and the recorded head.
    pub fn ledger_verify(&self) -> Result<LedgerReport> {
        let mut st = self
            .conn
            .prepare("SELECT seq, entry, prev_hash, hash FROM ledger ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut problems = Vec::new();
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut n = 0;
        let mut last = (0i64, GENESIS.to_string());
        for row in rows {
            let (seq, entry, prev_hash, hash) = row.map_err(|e| self.err(e))?;
            n += 1;
            if seq != expected_seq {
                problems.push(format!("entries {expected_seq}..{} are missing", seq - 1));
            }
            if prev_hash != prev {
                problems.push(format!("entry {seq} does not follow the entry before it (an entry was removed or replaced)"));
            }
            if sha256_hex(format!("{prev_hash}\n{entry}").as_bytes()) != hash {
                problems.push(format!(
                    "entry {seq} was altered (its hash does not match its content)"
                ));
            }
            prev = hash.clone();
            expected_seq = seq + 1;
            last = (seq, hash);
        }
        let head = self.meta("ledger_head")?;
        let expected_head = if n == 0 {
            None
        } else {
            Some(format!("{}:{}", last.0, last.1))
        };
        if head != expected_head {
            problems.push(match head {
                Some(h) => format!(
                    "the recorded head ({}) is not the last entry: entries at the end were removed",
                    h.split(':').next().unwrap_or("?")
                ),
                None => "entries exist but no head was recorded".into(),
            });
        }
        Ok(LedgerReport {
            entries: n,
            ok: problems.is_empty(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> LedgerEntry {
        LedgerEntry {
            approval_sha256: format!("{n:064}"),
            version: format!("models:/m/{n}"),
            platform: "p".into(),
            role: Role::Validator,
            signer: "vera".into(),
            decision: Decision::Approve,
            signed_at: "2026-11-25T00:00:00Z".into(),
            review_sha256: None,
            origin: "made".into(),
            recorded_at: "2026-11-25T00:00:00Z".into(),
            counted: None,
            signature_ok: None,
        }
    }

    fn store_with(n: u32) -> Store {
        let s = Store::in_memory().unwrap();
        for i in 1..=n {
            s.ledger_append(&entry(i)).unwrap();
        }
        s
    }

    #[test]
    fn an_intact_chain_verifies() {
        let s = store_with(4);
        let r = s.ledger_verify().unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, 4);
    }

    #[test]
    fn altered_removed_and_truncated_entries_are_detected() {
        let s = store_with(4);
        s.conn
            .execute(
                "UPDATE ledger SET entry = replace(entry, 'approve', 'reject') WHERE seq = 2",
                [],
            )
            .unwrap();
        let r = s.ledger_verify().unwrap();
        assert!(
            !r.ok
                && r.problems
                    .iter()
                    .any(|p| p == "entry 2 was altered (its hash does not match its content)"),
            "{:?}",
            r.problems
        );

        let s = store_with(4);
        s.conn
            .execute("DELETE FROM ledger WHERE seq = 2", [])
            .unwrap();
        let r = s.ledger_verify().unwrap();
        assert!(
            r.problems
                .iter()
                .any(|p| p.contains("entries 2..2 are missing")),
            "{:?}",
            r.problems
        );
        assert!(
            r.problems
                .iter()
                .any(|p| p.contains("entry 3 does not follow")),
            "{:?}",
            r.problems
        );

        let s = store_with(4);
        s.conn
            .execute("DELETE FROM ledger WHERE seq = 4", [])
            .unwrap();
        let r = s.ledger_verify().unwrap();
        assert!(
            r.problems
                .iter()
                .any(|p| p.contains("entries at the end were removed")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn seen_again_with_the_same_verdict_is_not_repeated() {
        let s = Store::in_memory().unwrap();
        let mut e = entry(1);
        e.origin = "seen".into();
        s.ledger_append(&e.clone().with_counted(true)).unwrap();
        s.ledger_append(&e.clone().with_counted(true)).unwrap();
        assert_eq!(s.ledger_entries().unwrap().len(), 1);
        s.ledger_append(&e.with_counted(false)).unwrap();
        assert_eq!(
            s.ledger_entries().unwrap().len(),
            2,
            "a changed verdict is recorded"
        );
    }
}
