//! How the documents (PDF and Markdown) write enumerations and times: words a committee
//! reads ("Pass", "N/A", "High"), never the file names (`not_applicable`), and ISO 8601 times
//! to the minute in UTC.

use crate::policy::checks::AutoOutcome;
use crate::policy::{Decision, Role};
use crate::review::{FindingStatus, Outcome, Severity};

/// An answer.
pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "Pass",
        Outcome::Fail => "Fail",
        Outcome::NotApplicable => "N/A",
    }
}

/// An automatic check's result.
pub fn automatic(o: AutoOutcome) -> &'static str {
    match o {
        AutoOutcome::Pass => "Pass",
        AutoOutcome::Fail => "FAIL",
        AutoOutcome::Missing => "Evidence missing",
    }
}

/// A finding's severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// A finding's recorded status.
pub fn status(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Open => "Open",
        FindingStatus::Remediated => "Remediated",
        FindingStatus::Accepted => "Accepted (exception)",
    }
}

/// A decision.
pub fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Approve => "Approve",
        Decision::ApproveWithConditions => "Approve with conditions",
        Decision::Reject => "Reject",
    }
}

/// A role.
pub fn role(r: Role) -> &'static str {
    match r {
        Role::Validator => "Validator",
        Role::Approver => "Approver",
        Role::Auditor => "Auditor",
        Role::Owner => "Owner",
    }
}

/// A rating as the policy spells it, in words (`satisfactory_with_findings` → "Satisfactory
/// with findings").
pub fn rating(r: &str) -> String {
    let s = r.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An RFC 3339 time as ISO 8601 in UTC to the minute (`2026-12-02T04:13Z`); text that is not
/// a time is returned as it is.
pub fn minute(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%MZ")
            .to_string(),
        Err(_) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_read_as_words_and_times_as_iso_8601() {
        assert_eq!(outcome(Outcome::NotApplicable), "N/A");
        assert_eq!(
            rating("satisfactory_with_findings"),
            "Satisfactory with findings"
        );
        assert_eq!(minute("2026-12-02T05:13:09.123+01:00"), "2026-12-02T04:13Z");
        assert_eq!(minute("not a time"), "not a time");
    }
}
