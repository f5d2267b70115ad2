//! Lineage: version → run → datasets / code / config → evaluations, and its reverse: from a
//! dataset (digest or source) to every version trained or evaluated on it.

use crate::evidence::Evidence;
use crate::store::Store;
use crate::uri::VersionRef;
use crate::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The forward lineage of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Lineage {
    /// The version, as `models:/NAME/VERSION`.
    pub version: String,
    /// The source of the version's artefact.
    pub source: String,
    /// The producing run, if any.
    pub run: Option<RunNode>,
    /// Datasets the run consumed.
    pub datasets: Vec<crate::model::DatasetInput>,
    /// Code: the git commit and repository, and the entry point.
    pub code: Option<CodeNode>,
    /// Configuration: the run's parameters.
    pub config: BTreeMap<String, String>,
    /// The logged model id, if any.
    pub logged_model: Option<String>,
    /// Runs that evaluated this version.
    pub evaluations: Vec<RunNode>,
}

/// A run in a lineage graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RunNode {
    /// Run id.
    pub run_id: String,
    /// Run name.
    pub run_name: String,
    /// Experiment name (or id).
    pub experiment: String,
    /// User.
    pub user: Option<String>,
    /// For an evaluation, the datasets it evaluated on ("evaluated on", with digest; a context
    /// MLflow left empty reads `evaluation`). Empty for the producing run, whose datasets are
    /// [`Lineage::datasets`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<crate::model::DatasetInput>,
}

/// The context an evaluation's dataset is shown with: MLflow's own, else `evaluation`
/// (`mlflow.models.evaluate` and `mlflow.genai.evaluate` log theirs with none).
pub fn evaluation_context(context: &str) -> &str {
    if context.trim().is_empty() {
        "evaluation"
    } else {
        context
    }
}

/// The code behind a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CodeNode {
    /// Git commit.
    pub git_commit: Option<String>,
    /// Git repository.
    pub git_repo: Option<String>,
    /// Entry point (source name).
    pub source_name: Option<String>,
}

impl Lineage {
    /// Derives the lineage from a version's evidence.
    pub fn from_evidence(e: &Evidence) -> Self {
        let node = |r: &crate::evidence::RunEvidence| RunNode {
            run_id: r.run_id.clone(),
            run_name: r.run_name.clone(),
            experiment: r
                .experiment_name
                .clone()
                .unwrap_or_else(|| r.experiment_id.clone()),
            user: r.user.clone(),
            datasets: Vec::new(),
        };
        let evaluation = |r: &crate::evidence::RunEvidence| RunNode {
            datasets: r
                .datasets
                .iter()
                .map(|d| crate::model::DatasetInput {
                    context: evaluation_context(&d.context).to_string(),
                    ..d.clone()
                })
                .collect(),
            ..node(r)
        };
        Lineage {
            version: format!("models:/{}/{}", e.version.name, e.version.version),
            source: e.version.source.clone(),
            run: e.run.as_ref().map(node),
            datasets: e.datasets.clone(),
            code: e.run.as_ref().and_then(|r| {
                (r.git_commit.is_some() || r.git_repo.is_some() || r.source_name.is_some()).then(
                    || CodeNode {
                        git_commit: r.git_commit.clone(),
                        git_repo: r.git_repo.clone(),
                        source_name: r.source_name.clone(),
                    },
                )
            }),
            config: e.run.as_ref().map(|r| r.params.clone()).unwrap_or_default(),
            logged_model: e.logged_model.as_ref().map(|m| m.model_id.clone()),
            evaluations: e.evaluations.iter().map(evaluation).collect(),
        }
    }

    /// The lineage of a version from the store.
    pub fn of_version(store: &Store, platform: &str, r: &VersionRef) -> Result<Self> {
        Ok(Self::from_evidence(&store.evidence(platform, r)?))
    }
}

/// One version that used a dataset, with how it used it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
pub struct DatasetUse {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Model name.
    pub name: String,
    /// Version.
    pub version_number: String,
    /// The run that consumed the dataset.
    pub run_id: String,
    /// training / validation / evaluation …
    pub context: String,
    /// Dataset name.
    pub dataset_name: String,
    /// Dataset digest.
    pub digest: String,
    /// Dataset source.
    pub source: String,
    /// Whether the run trained the version (false: it evaluated it).
    pub produced_version: bool,
}

/// Every version trained or evaluated on a dataset with this digest or source.
pub fn versions_using_dataset(
    store: &Store,
    platform: &str,
    digest_or_source: &str,
) -> Result<Vec<DatasetUse>> {
    let mut out = Vec::new();
    for run_id in store.runs_using_dataset(platform, digest_or_source)? {
        let Some(run) = store.run(platform, &run_id)? else {
            continue;
        };
        let matching: Vec<_> = run
            .datasets
            .iter()
            .filter(|d| d.digest == digest_or_source || d.source == digest_or_source)
            .collect();
        let mut targets: Vec<(String, String, bool)> = store
            .versions_of_run(platform, &run_id)?
            .into_iter()
            .map(|v| (v.name, v.version, true))
            .collect();
        for m in &run.model_inputs {
            if let Some((n, v)) = m.split_once('/') {
                targets.push((n.to_string(), v.to_string(), false));
            } else {
                for v in store
                    .all_versions(platform)?
                    .into_iter()
                    .filter(|v| v.logged_model_id() == Some(m.as_str()))
                {
                    targets.push((v.name, v.version, false));
                }
            }
        }
        for (name, version, produced) in targets {
            for d in &matching {
                out.push(DatasetUse {
                    version: format!("models:/{name}/{version}"),
                    name: name.clone(),
                    version_number: version.clone(),
                    run_id: run_id.clone(),
                    context: if produced {
                        d.context.clone()
                    } else {
                        evaluation_context(&d.context).to_string()
                    },
                    dataset_name: d.name.clone(),
                    digest: d.digest.clone(),
                    source: d.source.clone(),
                    produced_version: produced,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        let key = |u: &DatasetUse| {
            (
                u.name.clone(),
                u.version_number.parse::<u64>().unwrap_or(0),
                u.context.clone(),
                u.run_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    out.dedup();
    Ok(out)
}

/// One use of a dataset in a lineage report: the version, whether a production alias holds
/// it, and its approval status as this machine's ledger records it (`verify` judges afresh).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedUse {
    /// The use itself.
    #[serde(flatten)]
    pub usage: DatasetUse,
    /// What puts the version in production: the policy's production aliases and stages that
    /// point at it (empty: not in production).
    pub production: Vec<String>,
    /// The version's status from the approvals this machine has verified or made.
    pub status: crate::inventory::ModelStatus,
}

/// Every version trained or evaluated on a dataset, marked in production (the policy's
/// production aliases and stages) and approved: the answer to a deletion request or a data
/// incident.
pub fn dataset_report(
    store: &Store,
    platform: &str,
    policy: &crate::policy::LoadedPolicy,
    digest_or_source: &str,
) -> Result<Vec<ReportedUse>> {
    let uses = versions_using_dataset(store, platform, digest_or_source)?;
    let reviewed = store.reviewed_versions(platform)?;
    let mut models: BTreeMap<String, Option<crate::model::Model>> = BTreeMap::new();
    let mut entries: BTreeMap<String, Vec<crate::store::LedgerEntry>> = BTreeMap::new();
    let mut out = Vec::new();
    for usage in uses {
        if !models.contains_key(&usage.name) {
            models.insert(usage.name.clone(), store.model(platform, &usage.name)?);
            // The latest verdict per approval record, as the inventory's status reads them
            // (the ledger lists the newest entry first).
            let mut by_sha: BTreeMap<String, crate::store::LedgerEntry> = BTreeMap::new();
            for e in store.ledger_entries_of_model(platform, &usage.name)? {
                by_sha.entry(e.approval_sha256.clone()).or_insert(e);
            }
            for e in by_sha.into_values() {
                entries.entry(e.version.clone()).or_default().push(e);
            }
        }
        let model = models.get(&usage.name).and_then(Option::as_ref);
        let production: Vec<String> = model
            .and_then(|m| crate::queue::production_markers(policy, m).remove(&usage.version_number))
            .unwrap_or_default();
        let required = policy.required_roles(model.and_then(|m| m.risk_tier.as_deref()));
        let status = crate::inventory::version_status(
            &required,
            entries
                .get(&usage.version)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            reviewed.contains(&usage.version),
        );
        out.push(ReportedUse {
            usage,
            production,
            status,
        });
    }
    Ok(out)
}
