//! Who is to review or approve a version, and by when: an assignment, recorded on the platform
//! so every reviewer sees it (MLflow: a Countersign tag on the version; folder: a file beside
//! the version's reviews). On the version it is the tag `countersign.assignment.<role>`,
//! whose value is the assignment as canonical JSON; evidence leaves `countersign.` tags out,
//! so assigning never makes an approval stale.

use crate::policy::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The prefix of the version tags that hold assignments.
pub const TAG_PREFIX: &str = "countersign.assignment.";

/// One assignment of a version to a reviewer in a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Assignment {
    /// The principal assigned (as in `allowed_signers`).
    pub to: String,
    /// The role they are to act in.
    pub role: Role,
    /// The date (YYYY-MM-DD) it is due, if one was set.
    pub due: Option<String>,
    /// Who made the assignment.
    pub by: String,
    /// When it was made (RFC 3339 UTC).
    pub at: String,
}

impl Assignment {
    /// The version tag that holds it.
    pub fn tag_key(&self) -> String {
        format!("{TAG_PREFIX}{}", self.role)
    }

    /// The tag's value: the assignment as canonical JSON.
    pub fn tag_value(&self) -> String {
        String::from_utf8_lossy(&crate::encoding::canonical_json(self)).into_owned()
    }

    /// Every assignment a version's tags carry, by role (tags that do not parse are left
    /// out: a tag anyone could set is never more than a hint of who is to act).
    pub fn from_tags(tags: &BTreeMap<String, String>) -> Vec<Assignment> {
        tags.iter()
            .filter_map(|(k, v)| {
                let role = k.strip_prefix(TAG_PREFIX)?;
                let mut a: Assignment = serde_json::from_str(v).ok()?;
                // A due date an earlier version wrote loosely (`2027-1-5`) is read, in the
                // one spelling.
                if let Some(d) = &a.due {
                    if let Ok(day) = chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
                        a.due = Some(day.format("%Y-%m-%d").to_string());
                    }
                }
                (a.role.as_str() == role && check(&a).is_ok()).then_some(a)
            })
            .collect()
    }
}

/// Why an assignment cannot be recorded, if it cannot: a principal nobody could sign under,
/// an auditor's role (auditors sign nothing), or a due date that is not a date.
pub fn check(a: &Assignment) -> std::result::Result<(), String> {
    crate::identity::check_signer(&a.to).map_err(|e| format!("--to '{}': {e}", a.to))?;
    if a.to.chars().count() > 200 {
        return Err("--to is longer than 200 characters".into());
    }
    if !a.role.decides() {
        return Err(format!("{}s sign no decision, so they are never assigned: use --role validator or --role approver", a.role));
    }
    if let Some(d) = &a.due {
        if crate::inventory::parse_day(d).is_none() {
            return Err(format!("--due '{d}' is not a date: write YYYY-MM-DD"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A due date an earlier version wrote loosely is read in the one spelling, not dropped;
    /// typed input must be exact.
    #[test]
    fn a_loosely_written_due_date_is_read_and_typed_ones_must_be_exact() {
        let mut a = sample();
        a.due = Some("2027-1-5".into());
        let tags: BTreeMap<String, String> = [(a.tag_key(), a.tag_value())].into();
        let read = Assignment::from_tags(&tags);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].due.as_deref(), Some("2027-01-05"));
        assert!(check(&a).is_err());
        a.due = Some(" 2027-01-05".into());
        assert!(check(&a).is_err());
    }

    fn sample() -> Assignment {
        Assignment {
            to: "vera@bank.example".into(),
            role: Role::Validator,
            due: Some("2027-01-15".into()),
            by: "mona@bank.example".into(),
            at: "2026-12-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn an_assignment_round_trips_through_its_tag_and_planted_tags_are_ignored() {
        let a = sample();
        let mut tags = BTreeMap::new();
        tags.insert(a.tag_key(), a.tag_value());
        // A tag whose role disagrees with its key, one that is not JSON, and one naming an
        // identity with a control character: none is an assignment.
        let mut other = sample();
        other.role = Role::Approver;
        tags.insert(format!("{TAG_PREFIX}validator2"), other.tag_value());
        tags.insert(format!("{TAG_PREFIX}approver"), "vera".into());
        let mut hostile = sample();
        hostile.role = Role::Approver;
        hostile.to = "vera\u{1b}[2J@bank".into();
        tags.insert(format!("{TAG_PREFIX}approver"), hostile.tag_value());
        assert_eq!(Assignment::from_tags(&tags), vec![a]);
    }

    #[test]
    fn bad_assignments_are_refused_with_the_flag_to_fix() {
        let mut a = sample();
        a.due = Some("15/01/2027".into());
        assert!(check(&a).unwrap_err().contains("--due '15/01/2027'"));
        let mut a = sample();
        a.role = Role::Auditor;
        assert!(check(&a).unwrap_err().contains("--role validator"));
        let mut a = sample();
        a.to = " vera@bank".into();
        assert!(check(&a).unwrap_err().contains("white space"));
        assert!(check(&sample()).is_ok());
    }
}
