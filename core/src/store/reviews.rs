//! Review drafts and policies in the store. Every change is its own transaction, so a killed
//! process loses nothing that was answered before.

use super::{to_json, Store};
use crate::Result;
use rusqlite::params;
use serde::{de::DeserializeOwned, Serialize};

impl Store {
    /// Records a policy's text under its hash (once).
    pub fn put_policy(&self, sha256: &str, text: &str) -> Result<()> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO policies (sha256, text, first_seen) VALUES (?1, ?2, ?3)",
                params![sha256, text, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// A policy's text by hash.
    pub fn policy_text(&self, sha256: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT text FROM policies WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Inserts or replaces a review's header.
    pub fn put_review<T: Serialize>(
        &self,
        id: &str,
        platform: &str,
        name: &str,
        version: &str,
        started_at: &str,
        header: &T,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO reviews (id, platform, name, version, started_at, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET json = excluded.json",
                params![id, platform, name, version, started_at, to_json(header)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The most recently started review header of a version.
    pub fn latest_review<T: DeserializeOwned>(
        &self,
        platform: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<T>> {
        self.one(
            "SELECT json FROM reviews WHERE platform = ?1 AND name = ?2 AND version = ?3 ORDER BY started_at DESC, id DESC LIMIT 1",
            params![platform, name, version],
        )
    }

    /// Every review header of a version, oldest first.
    pub fn reviews_of<T: DeserializeOwned>(
        &self,
        platform: &str,
        name: &str,
        version: &str,
    ) -> Result<Vec<T>> {
        self.many(
            "SELECT json FROM reviews WHERE platform = ?1 AND name = ?2 AND version = ?3 ORDER BY started_at, id",
            params![platform, name, version],
        )
    }

    /// Saves one answer (one transaction).
    pub fn put_answer<T: Serialize>(
        &self,
        review_id: &str,
        item_id: &str,
        answer: &T,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO review_answers (review_id, item_id, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(review_id, item_id) DO UPDATE SET json = excluded.json",
                params![review_id, item_id, to_json(answer)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// All answers of a review, as (item id, answer).
    pub fn answers<T: DeserializeOwned>(&self, review_id: &str) -> Result<Vec<(String, T)>> {
        self.keyed(
            "SELECT item_id, json FROM review_answers WHERE review_id = ?1 ORDER BY item_id",
            review_id,
            "answer",
        )
    }

    /// (key, JSON value) rows of one review from `sql` (`?1` is the review id); `what` names a
    /// row in the error when its JSON cannot be read.
    fn keyed<T: DeserializeOwned>(
        &self,
        sql: &str,
        review_id: &str,
        what: &str,
    ) -> Result<Vec<(String, T)>> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map([review_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, json) = row.map_err(|e| self.err(e))?;
            let v = serde_json::from_str(&json).map_err(|e| crate::Error::Store {
                path: self.path.clone(),
                message: format!("{what} {key} of review {review_id} cannot be read ({e})"),
            })?;
            out.push((key, v));
        }
        Ok(out)
    }

    /// Saves one finding (one transaction).
    pub fn put_finding<T: Serialize>(
        &self,
        review_id: &str,
        finding_id: &str,
        finding: &T,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO review_findings (review_id, finding_id, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(review_id, finding_id) DO UPDATE SET json = excluded.json",
                params![review_id, finding_id, to_json(finding)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Saves one section of a review's validation report, or removes it (`None`), in one
    /// transaction.
    pub fn put_report_section<T: Serialize>(
        &self,
        review_id: &str,
        section: &str,
        text: Option<&T>,
    ) -> Result<()> {
        let r = match text {
            Some(t) => self.conn.execute(
                "INSERT INTO review_report (review_id, section, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(review_id, section) DO UPDATE SET json = excluded.json",
                params![review_id, section, to_json(t)],
            ),
            None => self.conn.execute(
                "DELETE FROM review_report WHERE review_id = ?1 AND section = ?2",
                params![review_id, section],
            ),
        };
        r.map(|_| ()).map_err(|e| self.err(e))
    }

    /// The written sections of a review's validation report, as (section, text).
    pub fn report_sections<T: DeserializeOwned>(
        &self,
        review_id: &str,
    ) -> Result<Vec<(String, T)>> {
        self.keyed(
            "SELECT section, json FROM review_report WHERE review_id = ?1 ORDER BY section",
            review_id,
            "report section",
        )
    }

    /// All findings of a review, in the order they were raised.
    pub fn findings<T: DeserializeOwned>(&self, review_id: &str) -> Result<Vec<T>> {
        self.many(
            "SELECT json FROM review_findings WHERE review_id = ?1 ORDER BY CAST(substr(finding_id, 3) AS INTEGER), finding_id",
            [review_id],
        )
    }

    /// Names of the models that have at least one review.
    pub fn reviewed_models(&self, platform: &str) -> Result<std::collections::BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT name FROM reviews WHERE platform = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Every version with a review here, as `models:/NAME/VERSION`.
    pub fn reviewed_versions(&self, platform: &str) -> Result<std::collections::BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT name, version FROM reviews WHERE platform = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| {
                Ok(format!(
                    "models:/{}/{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The findings still open on `today` in the latest review of each version, by
    /// `models:/NAME/VERSION`, with how many findings there could not be read (counted as
    /// open: never hidden).
    pub fn open_findings_by_version(
        &self,
        platform: &str,
        today: &str,
    ) -> Result<std::collections::BTreeMap<String, OpenFindings>> {
        let mut st = self
            .conn
            .prepare(
                // The latest review of each version, as `latest_review` picks it (a tie on
                // the start time goes to the greater id): one review, never two merged.
                "SELECT r.name, r.version, f.json FROM review_findings f JOIN reviews r ON r.id = f.review_id
                 WHERE r.platform = ?1 AND r.id = (SELECT x.id FROM reviews x WHERE x.platform = r.platform AND x.name = r.name AND x.version = r.version ORDER BY x.started_at DESC, x.id DESC LIMIT 1)",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: std::collections::BTreeMap<String, OpenFindings> = Default::default();
        for row in rows {
            let (name, version, json) = row.map_err(|e| self.err(e))?;
            let at = format!("models:/{name}/{version}");
            let entry = out.entry(at).or_insert_with(|| OpenFindings {
                model: name.clone(),
                ..OpenFindings::default()
            });
            match serde_json::from_str::<crate::review::Finding>(&json) {
                Ok(f) if f.is_open(today) => entry.findings.push(f),
                Ok(_) => {}
                Err(_) => entry.unreadable += 1,
            }
        }
        for o in out.values_mut() {
            o.findings
                .sort_by(|a, b| (&a.raised_at, &a.id).cmp(&(&b.raised_at, &b.id)));
        }
        Ok(out)
    }

    /// Open high-severity findings per model on `today`, over the latest review of each
    /// version (a finding that cannot be read counts).
    pub fn open_high_findings_by_model(
        &self,
        platform: &str,
        today: &str,
    ) -> Result<std::collections::BTreeMap<String, u64>> {
        let mut out = std::collections::BTreeMap::new();
        for o in self
            .open_findings_by_version(platform, today)?
            .into_values()
        {
            let name = o.model.clone();
            let high = o
                .findings
                .iter()
                .filter(|f| f.severity == crate::review::Severity::High)
                .count() as u64;
            if high + o.unreadable > 0 {
                *out.entry(name).or_insert(0) += high + o.unreadable;
            }
        }
        Ok(out)
    }
}

/// A version's open findings ([`Store::open_findings_by_version`]).
#[derive(Debug, Clone, Default)]
pub struct OpenFindings {
    /// The model.
    pub model: String,
    /// The open findings, oldest first.
    pub findings: Vec<crate::review::Finding>,
    /// Findings there that could not be read.
    pub unreadable: u64,
}
