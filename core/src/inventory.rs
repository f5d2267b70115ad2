//! Listing and filtering the synced inventory.

use crate::model::{Model, ModelKind, Version};
use crate::store::Store;
use crate::Result;
use serde::{Deserialize, Serialize};

/// A filter over the inventory. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Exact tier.
    pub tier: Option<String>,
    /// Owner substring (case-insensitive).
    pub owner: Option<String>,
    /// Kind.
    pub kind: Option<ModelKind>,
    /// Name substring (case-insensitive).
    pub name: Option<String>,
    /// Only models whose review is overdue.
    #[serde(default)]
    pub overdue: bool,
}

impl Filter {
    /// Whether a model passes the filter.
    pub fn matches(&self, m: &Model, today: &str) -> bool {
        let contains = |hay: Option<&str>, needle: &str| {
            hay.is_some_and(|h| h.to_lowercase().contains(&needle.to_lowercase()))
        };
        self.tier
            .as_ref()
            .is_none_or(|t| m.risk_tier.as_deref() == Some(t.as_str()))
            && self
                .owner
                .as_ref()
                .is_none_or(|o| contains(m.owner.as_deref(), o))
            && self.kind.is_none_or(|k| m.kind == k)
            && self
                .name
                .as_ref()
                .is_none_or(|n| contains(Some(&m.name), n))
            && (!self.overdue || m.is_overdue(today))
    }
}

/// A version's next review date, computed and declared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NextReview {
    /// The date that counts: computed where the version was approved, else the declared one.
    pub date: Option<String>,
    /// The approval date plus the tier's cadence, where the tier's approvals count.
    pub computed: Option<String>,
    /// The owner's declared date (the platform's `next_review_date` tag).
    pub declared: Option<String>,
    /// When the tier's required approvals came to count (YYYY-MM-DD).
    pub approved_on: Option<String>,
}

impl NextReview {
    /// Whether the computed and declared dates both exist and differ (screens show both).
    pub fn disagree(&self) -> bool {
        matches!((&self.computed, &self.declared), (Some(c), Some(d)) if c != d)
    }

    /// The date that counts, with the owner's declared date beside it when they differ
    /// (`2027-02-03 (owner's tag 2026-03-01)`); `None` when neither is known. Every front end
    /// shows it so.
    pub fn describe(&self) -> Option<String> {
        let date = self.date.as_deref()?;
        Some(match (&self.declared, self.disagree()) {
            (Some(tag), true) => format!("{date} (owner's tag {tag})"),
            _ => date.to_string(),
        })
    }
}

impl Filter {
    /// Whether a row passes the filter, judging "overdue" by the row's next review date (the
    /// one the approvals set, see [`ModelSummary::next_review`]), not only the owner's tag.
    pub fn keeps(&self, row: &ModelSummary, today: &str) -> bool {
        Filter {
            overdue: false,
            ..self.clone()
        }
        .matches(&row.model, today)
            && (!self.overdue || row.overdue)
    }
}

/// One row of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelSummary {
    /// The model record.
    #[serde(flatten)]
    pub model: Model,
    /// Latest version number, if any.
    pub latest_version: Option<String>,
    /// Number of versions.
    pub version_count: u64,
    /// Whether the next review date has passed.
    pub overdue: bool,
    /// The next review date: computed from the approvals where the tier's count (the
    /// workspace fills it in), else the owner's declared date.
    pub next_review: NextReview,
}

/// The inventory of one platform, filtered, sorted by name.
pub fn list(
    store: &Store,
    platform: &str,
    filter: &Filter,
    today: &str,
) -> Result<Vec<ModelSummary>> {
    let latest = store.version_summary(platform)?;
    Ok(store
        .models(platform)?
        .into_iter()
        .filter(|m| filter.matches(m, today))
        .map(|m| {
            let (latest_version, version_count) = latest
                .get(&m.name)
                .map(|(v, c)| (Some(v.clone()), *c))
                .unwrap_or((None, 0));
            let overdue = m.is_overdue(today);
            let next_review = NextReview {
                date: m.next_review_date.clone(),
                declared: m.next_review_date.clone(),
                ..NextReview::default()
            };
            ModelSummary {
                model: m,
                latest_version,
                version_count,
                overdue,
                next_review,
            }
        })
        .collect())
}

/// A model with its versions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelDetail {
    /// The model.
    pub model: Model,
    /// Its versions, newest first.
    pub versions: Vec<Version>,
}

/// One model with its versions.
pub fn detail(store: &Store, platform: &str, name: &str) -> Result<Option<ModelDetail>> {
    let Some(model) = store.model(platform, name)? else {
        return Ok(None);
    };
    let versions = store.versions(platform, name)?;
    Ok(Some(ModelDetail { model, versions }))
}

/// A date written YYYY-MM-DD, exactly (ten characters: `2026-1-5` is refused, so every date
/// Countersign keeps has one spelling and compares as text and as a date alike).
pub fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    // Not trimmed: a date is kept as typed, so ` 2027-01-15` must not pass for one.
    let b = s.as_bytes();
    if s.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Today's date (UTC) as YYYY-MM-DD.
pub fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// The inventory as a front end shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct InventoryView {
    /// The platform (no credentials).
    pub platform: String,
    /// The date overdue reviews are judged against.
    pub today: String,
    /// When the platform was last synced (RFC 3339), if ever.
    pub synced_at: Option<String>,
    /// The models, sorted by name.
    pub models: Vec<ModelSummary>,
}

/// The whole (filtered) inventory of the session's platform, from the store.
pub fn view(
    session: &crate::session::Session,
    filter: &Filter,
    today: &str,
) -> Result<InventoryView> {
    Ok(InventoryView {
        platform: session.key.clone(),
        today: today.to_string(),
        synced_at: session
            .store
            .sync_state(&session.key)?
            .map(|s| s.finished_at),
        models: list(&session.store, &session.key, filter, today)?,
    })
}

/// Where a version stands in its review: from the ledger and the local reviews. Serialised
/// as the words the screens show ("pending approval").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
pub enum ModelStatus {
    /// No review has started.
    #[serde(rename = "not reviewed")]
    NotReviewed,
    /// A review is under way, nothing signed yet.
    #[serde(rename = "in review")]
    InReview,
    /// Signed, but not every approval the tier requires counts yet.
    #[serde(rename = "pending approval")]
    PendingApproval,
    /// Every approval the tier requires counts.
    #[serde(rename = "approved")]
    Approved,
    /// A verified reject.
    #[serde(rename = "rejected")]
    Rejected,
}

impl ModelStatus {
    /// Every status, in the order a reviewer works through them.
    pub const ALL: [ModelStatus; 5] = [
        ModelStatus::NotReviewed,
        ModelStatus::InReview,
        ModelStatus::PendingApproval,
        ModelStatus::Approved,
        ModelStatus::Rejected,
    ];

    /// The words the screens show.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::NotReviewed => "not reviewed",
            ModelStatus::InReview => "in review",
            ModelStatus::PendingApproval => "pending approval",
            ModelStatus::Approved => "approved",
            ModelStatus::Rejected => "rejected",
        }
    }

    /// Parses the words, with `-` or `_` for spaces and in any case ("pending-approval").
    pub fn parse(s: &str) -> Option<Self> {
        let want = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        Self::ALL.into_iter().find(|st| st.as_str() == want)
    }

    /// The next status in [`ModelStatus::ALL`] after this one, `None` after the last (for a
    /// filter that cycles).
    pub fn next(self) -> Option<Self> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }
}

impl std::fmt::Display for ModelStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a model stands, from the ledger and the local reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelState {
    /// The status of the newest version.
    pub status: ModelStatus,
    /// The last approval of any version: "v3 validator approve by vera".
    pub last_approval: Option<String>,
    /// Whether that approval counted when last verified (`None`: signed here, not verified).
    pub counts: Option<bool>,
}

/// The status of one version from its ledger entries (latest verdict per approval).
pub fn version_status(
    required: &[crate::policy::Role],
    entries: &[crate::store::LedgerEntry],
    reviewed: bool,
) -> ModelStatus {
    let ok: Vec<&crate::store::LedgerEntry> = entries
        .iter()
        .filter(|e| e.counted != Some(false))
        .collect();
    // A reject whose signature verified blocks whatever else is said of it (as the gate does).
    let rejected = entries.iter().any(|e| {
        e.decision == crate::policy::Decision::Reject
            && (e.counted != Some(false) || e.origin == "made" || e.signature_ok == Some(true))
    });
    if rejected {
        ModelStatus::Rejected
    } else if !required.is_empty()
        && required.iter().all(|r| {
            ok.iter()
                .any(|e| e.role == *r && e.decision != crate::policy::Decision::Reject)
        })
    {
        ModelStatus::Approved
    } else if !entries.is_empty() {
        ModelStatus::PendingApproval
    } else if reviewed {
        ModelStatus::InReview
    } else {
        ModelStatus::NotReviewed
    }
}

/// Every model's status, without decoding versions (fast enough for a first frame).
pub fn statuses<'a>(
    store: &Store,
    platform: &str,
    policy: &crate::policy::LoadedPolicy,
    models: impl IntoIterator<Item = &'a Model>,
) -> Result<std::collections::HashMap<String, ModelState>> {
    let latest = store.version_summary(platform)?;
    let reviewed = store.reviewed_models(platform)?;
    let mut by_sha: std::collections::HashMap<String, crate::store::LedgerEntry> =
        std::collections::HashMap::new();
    for e in store.ledger_entries()? {
        if e.platform == platform {
            by_sha.insert(e.approval_sha256.clone(), e);
        }
    }
    let mut by_model: std::collections::HashMap<String, Vec<crate::store::LedgerEntry>> =
        std::collections::HashMap::new();
    for e in by_sha.into_values() {
        if let Some(name) = e
            .version
            .strip_prefix("models:/")
            .and_then(|r| r.rsplit_once('/'))
            .map(|(n, _)| n.to_string())
        {
            by_model.entry(name).or_default().push(e);
        }
    }
    let mut out = std::collections::HashMap::new();
    for m in models {
        let entries = by_model.remove(&m.name).unwrap_or_default();
        let required = policy.required_roles(m.risk_tier.as_deref());
        let latest_ref = latest
            .get(&m.name)
            .map(|(v, _)| format!("models:/{}/{v}", m.name));
        let of_latest: Vec<crate::store::LedgerEntry> = entries
            .iter()
            .filter(|e| Some(&e.version) == latest_ref.as_ref())
            .cloned()
            .collect();
        let status = version_status(&required, &of_latest, reviewed.contains(&m.name));
        let last = entries.iter().max_by(|a, b| a.signed_at.cmp(&b.signed_at));
        out.insert(
            m.name.clone(),
            ModelState {
                status,
                last_approval: last.map(|e| {
                    format!(
                        "v{} {} {} by {}",
                        e.version.rsplit('/').next().unwrap_or(""),
                        e.role,
                        e.decision,
                        e.signer
                    )
                }),
                counts: last.and_then(|e| e.counted),
            },
        );
    }
    Ok(out)
}
