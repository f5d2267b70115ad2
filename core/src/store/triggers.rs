//! When each re-review trigger was first seen on a version: the queue's due dates count from
//! it, so a trigger that fired last month is not due "in 30 days" again every day.

use super::Store;
use crate::Result;
use rusqlite::params;
use std::collections::{BTreeMap, BTreeSet};

impl Store {
    /// Records the triggers firing now (`(version, reason)` pairs) and returns the date each
    /// was first seen: `today` for one not seen before. With `forget`, triggers of the
    /// platform that no longer fire are forgotten, so one that fires again later counts from
    /// then; a look that saw less than everything (offline, a version it could not verify)
    /// passes `false`, so it never restarts a clock. Without `record` nothing is written (a
    /// look at another date): a trigger not seen before counts from `today` all the same.
    pub fn triggers_seen(
        &self,
        platform: &str,
        firing: &BTreeSet<(String, String)>,
        today: &str,
        forget: bool,
        record: bool,
    ) -> Result<BTreeMap<(String, String), String>> {
        let forget = forget && record;
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut known = BTreeMap::new();
        {
            let mut q = tx
                .prepare("SELECT version, reason, first_seen FROM trigger_seen WHERE platform = ?1")
                .map_err(|e| self.err(e))?;
            let rows = q
                .query_map([platform], |r| {
                    Ok((
                        (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (k, v) = row.map_err(|e| self.err(e))?;
                known.insert(k, v);
            }
        }
        for (version, reason) in known.keys().filter(|_| forget) {
            if !firing.contains(&(version.clone(), reason.clone())) {
                tx.execute(
                    "DELETE FROM trigger_seen WHERE platform = ?1 AND version = ?2 AND reason = ?3",
                    params![platform, version, reason],
                )
                .map_err(|e| self.err(e))?;
            }
        }
        let mut out = BTreeMap::new();
        for key in firing {
            let first = match known.get(key) {
                Some(d) => d.clone(),
                None if !record => today.to_string(),
                None => {
                    tx.execute(
                        "INSERT INTO trigger_seen (platform, version, reason, first_seen) VALUES (?1, ?2, ?3, ?4)",
                        params![platform, key.0, key.1, today],
                    )
                    .map_err(|e| self.err(e))?;
                    today.to_string()
                }
            };
            out.insert(key.clone(), first);
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firing(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
        pairs
            .iter()
            .map(|(v, r)| (v.to_string(), r.to_string()))
            .collect()
    }

    #[test]
    fn a_look_that_records_nothing_neither_remembers_nor_forgets() {
        let s = Store::in_memory().unwrap();
        let a = ("models:/m/1", "evidence_changed");
        let b = ("models:/m/2", "monitoring_breach");
        let seen = s
            .triggers_seen("p", &firing(&[a]), "2027-01-01", true, true)
            .unwrap();
        assert_eq!(seen.values().next().map(String::as_str), Some("2027-01-01"));
        // A look at another date: b counts from that look's day but is not kept, and a (not
        // firing in it) is not forgotten.
        let seen = s
            .triggers_seen("p", &firing(&[b]), "2027-03-01", true, false)
            .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen.values().next().map(String::as_str), Some("2027-03-01"));
        let seen = s
            .triggers_seen("p", &firing(&[a, b]), "2027-02-01", false, true)
            .unwrap();
        let day = |k: (&str, &str)| seen[&(k.0.to_string(), k.1.to_string())].clone();
        assert_eq!(day(a), "2027-01-01", "a was remembered through the look");
        assert_eq!(
            day(b),
            "2027-02-01",
            "b was first recorded now, not by the look"
        );
    }
}
