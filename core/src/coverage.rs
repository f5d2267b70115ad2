//! What an approval covers beyond the evidence (DESIGN §2): the model's inventory record and
//! the model's files. Both are bound in the approval record (format v2), so changing an
//! owner, turning monitoring off, or swapping a model file after approval makes the approval
//! stale, naming the field or the file.

use crate::model::{Model, TagNames};
use crate::platform::{Platform, Progress, VersionSnapshot};
use crate::Result;
use serde::{Deserialize, Serialize};

/// The model's inventory record as the review relied on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct InventoryRecord {
    /// Owner.
    pub owner: Option<String>,
    /// Business purpose.
    pub business_purpose: Option<String>,
    /// Risk tier.
    pub risk_tier: Option<String>,
    /// Monitoring status.
    pub monitoring: Option<String>,
    /// Documentation link (the policy's `[tags] documentation` tag).
    pub documentation: Option<String>,
    /// Description.
    pub description: String,
    /// LLM or vendor provider.
    pub llm_provider: Option<String>,
    /// Classic, prompt or vendor.
    pub kind: String,
    /// Next review date.
    pub next_review_date: Option<String>,
}

impl InventoryRecord {
    /// The record of a model, its fields read through the policy's tag names.
    pub fn of(model: &Model, tags: &TagNames) -> Self {
        Self {
            owner: model.owner.clone(),
            business_purpose: model.business_purpose.clone(),
            risk_tier: model.risk_tier.clone(),
            monitoring: model.monitoring.clone(),
            documentation: model
                .tags
                .get(&tags.documentation)
                .filter(|v| !v.trim().is_empty())
                .cloned(),
            description: model.description.clone(),
            llm_provider: model.llm_provider.clone(),
            kind: model.kind.as_str().to_string(),
            next_review_date: model.next_review_date.clone(),
        }
    }

    /// Each field that differs, named, with its value then and now.
    pub fn changes(&self, now: &Self) -> Vec<String> {
        let show = |v: &Option<String>| match v {
            Some(s) => format!("'{}'", crate::display::escape(s)),
            None => "(none)".into(),
        };
        let mut out = Vec::new();
        let fields: [(&str, &Option<String>, &Option<String>); 7] = [
            ("owner", &self.owner, &now.owner),
            (
                "business purpose",
                &self.business_purpose,
                &now.business_purpose,
            ),
            ("risk tier", &self.risk_tier, &now.risk_tier),
            ("monitoring", &self.monitoring, &now.monitoring),
            (
                "documentation link",
                &self.documentation,
                &now.documentation,
            ),
            ("provider", &self.llm_provider, &now.llm_provider),
            (
                "next review date",
                &self.next_review_date,
                &now.next_review_date,
            ),
        ];
        for (name, a, b) in fields {
            if a != b {
                out.push(format!("inventory {name} {} → {}", show(a), show(b)));
            }
        }
        if self.description != now.description {
            out.push("inventory description changed".into());
        }
        if self.kind != now.kind {
            out.push(format!("inventory kind {} → {}", self.kind, now.kind));
        }
        out
    }
}

/// One model file, hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FileHash {
    /// Path under the version's source.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A model file listed but not hashed, and why (never silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NotHashed {
    /// Path under the version's source.
    pub path: String,
    /// Size in bytes, where listed.
    pub size: Option<u64>,
    /// Why it was not hashed.
    pub reason: String,
}

/// The model's files as the approval covers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ArtifactCoverage {
    /// Where the files come from (the version's source).
    pub source: String,
    /// Files hashed, by path.
    pub files: Vec<FileHash>,
    /// Files listed but not hashed (over the tier's cap), or why none could be listed.
    pub not_hashed: Vec<NotHashed>,
}

impl ArtifactCoverage {
    /// Each file swapped, added or removed, named.
    pub fn changes(&self, now: &Self) -> Vec<String> {
        let mut out = Vec::new();
        if self.source != now.source {
            out.push(format!("model source {} → {}", self.source, now.source));
        }
        let esc = crate::display::escape;
        for f in &self.files {
            match now.files.iter().find(|g| g.path == f.path) {
                None if now.not_hashed.iter().any(|n| n.path == f.path) => {
                    out.push(format!("model file {} is no longer hashed", esc(&f.path)))
                }
                None => out.push(format!("model file {} was removed", esc(&f.path))),
                Some(g) if g.sha256 != f.sha256 || g.size != f.size => out.push(format!(
                    "model file {} changed (sha256 {} → {}, {} → {} bytes)",
                    esc(&f.path),
                    crate::display::short_hash(&f.sha256),
                    crate::display::short_hash(&g.sha256),
                    f.size,
                    g.size
                )),
                Some(_) => {}
            }
        }
        for g in &now.files {
            if !self.files.iter().any(|f| f.path == g.path) {
                out.push(format!("model file {} was added", esc(&g.path)));
            }
        }
        let size = |s: Option<u64>| {
            s.map(|s| format!("{s} bytes"))
                .unwrap_or_else(|| "no size".into())
        };
        for m in &self.not_hashed {
            // The entry with no path says why no file could be listed at all.
            let what = if m.path.is_empty() {
                "the version's files".to_string()
            } else {
                format!("model file {} (not hashed)", esc(&m.path))
            };
            match now.not_hashed.iter().find(|n| n.path == m.path) {
                Some(n) if n.size != m.size => {
                    out.push(format!("{what}: {} → {}", size(m.size), size(n.size)))
                }
                Some(n) if (n.reason == UNREADABLE) != (m.reason == UNREADABLE) => {
                    out.push(format!("{what}: {} → {}", m.reason, n.reason))
                }
                Some(_) => {}
                None if m.path.is_empty() => {
                    out.push(format!("{what}: {} → files listed now", m.reason))
                }
                None if !now.files.iter().any(|f| f.path == m.path) => {
                    out.push(format!("{what} was removed"))
                }
                None => {}
            }
        }
        for n in &now.not_hashed {
            if !self.not_hashed.iter().any(|m| m.path == n.path)
                && !self.files.iter().any(|f| f.path == n.path)
            {
                out.push(format!(
                    "model file {} was added (not hashed: {})",
                    esc(&n.path),
                    n.reason
                ));
            }
        }
        out
    }
}

/// Why a listed model file was not hashed when it could not be read: a symbolic link or a
/// device (never followed), or a file gone between listing and reading. Signing refuses it.
pub const UNREADABLE: &str =
    "listed but cannot be read (a symbolic link or device, never followed, or gone)";

pub use crate::platform::ArtifactEntry;

/// Hashes the model files of a version, streamed (never held in memory), up to `cap` bytes
/// in all (the tier's `max_hashed_bytes`); files past the cap are listed as not hashed.
pub fn cover(
    platform: &dyn Platform,
    snapshot: &VersionSnapshot,
    cap: Option<u64>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ArtifactCoverage> {
    let source = snapshot.version.source.clone();
    // No file listed at all: one entry with no path says why.
    let unlisted = |reason: String| ArtifactCoverage {
        source: source.clone(),
        files: Vec::new(),
        not_hashed: vec![NotHashed {
            path: String::new(),
            size: None,
            reason,
        }],
    };
    let listed = match platform.artifact_list(snapshot)? {
        Ok(l) if l.is_empty() => {
            return Ok(unlisted(
                "the platform lists no model files under the version's source".into(),
            ))
        }
        Ok(l) => l,
        Err(why) => return Ok(unlisted(why)),
    };
    let total: u64 = listed.iter().filter_map(|e| e.size).sum();
    let mut files = Vec::new();
    let mut not_hashed = Vec::new();
    let mut done = 0u64;
    let mut budget = cap;
    for e in listed {
        if let (Some(left), Some(size)) = (budget, e.size) {
            if size > left {
                not_hashed.push(NotHashed {
                    path: e.path,
                    size: e.size,
                    reason: format!(
                        "over the tier's cap of {} bytes hashed per version (max_hashed_bytes)",
                        cap.unwrap_or(0)
                    ),
                });
                continue;
            }
        }
        let mut on = |n: u64| {
            done += n;
            progress(Progress::new("hashing model files", done, Some(total)));
        };
        match platform.hash_artifact(snapshot, &e.path, &mut on)? {
            Some((size, sha256)) => {
                if let Some(b) = budget.as_mut() {
                    *b = b.saturating_sub(size);
                }
                files.push(FileHash {
                    path: e.path,
                    size,
                    sha256,
                })
            }
            None => not_hashed.push(NotHashed {
                path: e.path,
                size: e.size,
                reason: UNREADABLE.into(),
            }),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    not_hashed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ArtifactCoverage {
        source,
        files,
        not_hashed,
    })
}
