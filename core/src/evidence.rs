//! Evidence: everything the platform knows about one version, frozen into `evidence.json`.
//!
//! Serialised deterministically (object keys sorted, lists sorted, two-space indentation, a
//! final newline), so the same evidence always hashes to the same SHA-256. Tags Countersign
//! itself writes back (`countersign.*`) are left out, so recording a decision does not make
//! the evidence it was based on look changed.

use crate::encoding::{canonical_json, rfc3339, sha256_hex};
use crate::model::{Assessments, DatasetInput, LoggedModel, Metric, Run, Version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format identifier of `evidence.json` as approvals of format v2 bind it: no platform
/// URI inside (the record names the platform by its governed name), so the same version
/// reached through another listed URI has the same evidence.
pub const EVIDENCE_TYPE: &str = "countersign.evidence/v2";

/// The format approvals of format v1 bound: the same, with the platform URI inside.
pub const EVIDENCE_TYPE_V1: &str = "countersign.evidence/v1";

/// The frozen evidence of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Evidence {
    /// Always [`EVIDENCE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The platform URI (no credentials) in format v1; empty, and left out, in v2.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub platform: String,
    /// The version record.
    pub version: VersionEvidence,
    /// The run that produced the version, if any.
    pub run: Option<RunEvidence>,
    /// Dataset inputs of that run.
    pub datasets: Vec<DatasetInput>,
    /// The MLflow 3 logged model behind the version, if any.
    pub logged_model: Option<LoggedModel>,
    /// Runs that evaluated this version, sorted by run id.
    pub evaluations: Vec<RunEvidence>,
}

/// The version part of the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct VersionEvidence {
    /// Model name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Creator, where recorded.
    pub creator: Option<String>,
    /// Creation time (RFC 3339 UTC).
    pub created: String,
    /// Source URI.
    pub source: String,
    /// Run id.
    pub run_id: Option<String>,
    /// Status.
    pub status: String,
    /// Aliases, sorted.
    pub aliases: Vec<String>,
    /// Tags (without `countersign.*`).
    pub tags: BTreeMap<String, String>,
    /// The registry stage (MLflow 2.x `current_stage`); left out when there is none, so
    /// evidence without one hashes as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stage: Option<String>,
}

/// A run as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RunEvidence {
    /// Run id.
    pub run_id: String,
    /// Run name.
    pub run_name: String,
    /// Experiment id.
    pub experiment_id: String,
    /// Experiment name.
    pub experiment_name: Option<String>,
    /// User.
    pub user: Option<String>,
    /// Status.
    pub status: String,
    /// Start (RFC 3339 UTC).
    pub start: String,
    /// End (RFC 3339 UTC).
    pub end: Option<String>,
    /// Source name.
    pub source_name: Option<String>,
    /// Git commit.
    pub git_commit: Option<String>,
    /// Git repository.
    pub git_repo: Option<String>,
    /// Parameters.
    pub params: BTreeMap<String, String>,
    /// Metrics with history.
    pub metrics: BTreeMap<String, Metric>,
    /// Tags (without `countersign.*`).
    pub tags: BTreeMap<String, String>,
    /// Dataset inputs.
    pub datasets: Vec<DatasetInput>,
    /// The assessments on a GenAI evaluation's traces, summarised (what was sampled and what
    /// the scorers and reviewers said); left out for other runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub assessments: Option<Assessments>,
}

fn own_tags_removed(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("countersign."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn run_evidence(r: &Run) -> RunEvidence {
    RunEvidence {
        run_id: r.run_id.clone(),
        run_name: r.run_name.clone(),
        experiment_id: r.experiment_id.clone(),
        experiment_name: r.experiment_name.clone(),
        user: r.user.clone(),
        status: r.status.clone(),
        start: rfc3339(r.start_ms),
        end: r.end_ms.map(rfc3339),
        source_name: r.source_name.clone(),
        git_commit: r.git_commit.clone(),
        git_repo: r.git_repo.clone(),
        params: r.params.clone(),
        metrics: r.metrics.clone(),
        tags: own_tags_removed(&r.tags),
        datasets: r.datasets.clone(),
        assessments: r.assessments.clone(),
    }
}

/// A number to 4 decimals, without trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Column headings of [`Evidence::assessment_rows`].
pub const ASSESSMENT_HEADINGS: [&str; 5] = [
    "Run",
    "Assessment",
    "By source (on traces)",
    "Result",
    "Traces read",
];

impl Evidence {
    /// One row per assessment name per GenAI evaluation run whose traces were read: who gave
    /// them (source type, count, traces), what they said and how many traces were read. The
    /// same rows in the PDF, the report, the terminal and the desktop.
    pub fn assessment_rows(&self) -> Vec<[String; 5]> {
        let mut rows = Vec::new();
        for r in self.run.iter().chain(&self.evaluations) {
            let Some(a) = &r.assessments else { continue };
            let read = if a.more {
                format!("{} (the cap; more not read)", a.traces)
            } else {
                a.traces.to_string()
            };
            if a.by_name.is_empty() {
                rows.push([
                    r.run_name.clone(),
                    "—".into(),
                    "no assessments".into(),
                    "—".into(),
                    read.clone(),
                ]);
            }
            for (name, s) in &a.by_name {
                let by: Vec<String> = s
                    .by_source
                    .iter()
                    .map(|(k, n)| {
                        format!(
                            "{k} {n} on {}",
                            s.traces_by_source.get(k).copied().unwrap_or(0)
                        )
                    })
                    .collect();
                let mut result = Vec::new();
                if s.passed + s.failed > 0 {
                    result.push(format!("{} passed, {} failed", s.passed, s.failed));
                }
                if let Some(m) = s.mean {
                    result.push(format!("mean {} of {}", short(m), s.numeric));
                }
                if s.errors > 0 {
                    result.push(format!(
                        "{} error{}",
                        s.errors,
                        if s.errors == 1 { "" } else { "s" }
                    ));
                }
                if s.expectations > 0 {
                    result.push(format!(
                        "{} expectation{}",
                        s.expectations,
                        if s.expectations == 1 { "" } else { "s" }
                    ));
                }
                let mut by = by.join(", ");
                if !s.sources.is_empty() {
                    let shown: Vec<&str> = s.sources.iter().take(3).map(String::as_str).collect();
                    by.push_str(&format!(" — by {}", shown.join(", ")));
                    if s.sources.len() > 3 {
                        by.push_str(&format!(" and {} more", s.sources.len() - 3));
                    }
                }
                rows.push([
                    r.run_name.clone(),
                    name.clone(),
                    by,
                    if result.is_empty() {
                        "—".into()
                    } else {
                        result.join("; ")
                    },
                    read.clone(),
                ]);
            }
        }
        rows
    }

    /// Assembles the evidence of a version from its parts (format v2).
    pub fn assemble(
        v: &Version,
        run: Option<&Run>,
        logged_model: Option<LoggedModel>,
        evaluations: &[Run],
    ) -> Self {
        let mut aliases = v.aliases.clone();
        aliases.sort();
        let mut datasets = run.map(|r| r.datasets.clone()).unwrap_or_default();
        datasets.sort();
        let mut evaluations: Vec<RunEvidence> = evaluations.iter().map(run_evidence).collect();
        evaluations.sort_by(|a, b| a.run_id.cmp(&b.run_id));
        evaluations.dedup_by(|a, b| a.run_id == b.run_id);
        Evidence {
            kind: EVIDENCE_TYPE.into(),
            platform: String::new(),
            version: VersionEvidence {
                name: v.name.clone(),
                version: v.version.clone(),
                creator: v.creator.clone(),
                created: rfc3339(v.created_ms),
                source: v.source.clone(),
                run_id: v.run_id.clone(),
                status: v.status.clone(),
                aliases,
                tags: own_tags_removed(&v.tags),
                stage: v.stage.clone(),
            },
            run: run.map(run_evidence),
            datasets,
            logged_model,
            evaluations,
        }
    }

    /// The same evidence in format v1, as records of that format bound it: with the platform
    /// URI they were signed through.
    pub fn as_v1(&self, platform: &str) -> Self {
        Self {
            kind: EVIDENCE_TYPE_V1.into(),
            platform: platform.to_string(),
            ..self.clone()
        }
    }

    /// The canonical bytes of `evidence.json`.
    pub fn to_canonical_json(&self) -> Vec<u8> {
        canonical_json(self)
    }

    /// SHA-256 of the canonical bytes, lower-case hex.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.to_canonical_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version() -> Version {
        Version {
            name: "m".into(),
            version: "1".into(),
            creator: None,
            created_ms: 0,
            updated_ms: 0,
            source: "s".into(),
            run_id: None,
            status: "READY".into(),
            description: String::new(),
            aliases: vec!["b".into(), "a".into()],
            files: Vec::new(),
            tags: [
                ("x".to_string(), "1".to_string()),
                ("countersign.status".to_string(), "approved".to_string()),
            ]
            .into(),
            stage: None,
        }
    }

    #[test]
    fn hash_is_stable_and_ignores_own_tags() {
        let a = Evidence::assemble(&version(), None, None, &[]);
        let mut v2 = version();
        v2.tags
            .insert("countersign.review_run_id".into(), "r".into());
        v2.aliases.reverse();
        let b = Evidence::assemble(&v2, None, None, &[]);
        assert_eq!(a.sha256(), b.sha256());
        let text = String::from_utf8(a.to_canonical_json()).unwrap();
        assert!(text.find("\"aliases\"").unwrap() < text.find("\"version\": \"1\"").unwrap());
        assert!(!text.contains("countersign.status"));
        let mut v3 = version();
        v3.tags.insert("x".into(), "2".into());
        assert_ne!(
            a.sha256(),
            Evidence::assemble(&v3, None, None, &[]).sha256()
        );
    }
}
