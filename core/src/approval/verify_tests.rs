//! The adversarial table over the pure rules: each attack alters, forges or replays a genuine
//! demo approval in memory and [`judge`] / [`blockers`] / [`gate`] must refuse it for its
//! reason — no platform, no files touched, no binary run (the end-to-end table in
//! `tests/tests/adversarial.rs` runs the same attacks through the CLI).

use super::*;
use crate::platform::folder::FolderPlatform;
use crate::platform::VersionSnapshot;
use crate::signing::allowed_signers::AllowedSigners;
use crate::signing::SigningKey;
use crate::uri::PlatformUri;

const V: &str = "models:/credit-limit-assignment/3";

struct World {
    _dir: tempfile::TempDir,
    demo: std::path::PathBuf,
    snapshot: VersionSnapshot,
    current: Evidence,
    policy: LoadedPolicy,
    allowed: AllowedSigners,
    stored: Vec<StoredApproval>,
    trust: Trust,
    inventory: InventoryRecord,
    artifacts: ArtifactCoverage,
}

/// The demo with its seeded approvals (vera validates, alex approves `V`).
fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    crate::demo::generate(&demo, &crate::inventory::today()).expect("demo");
    let store = Store::open(&dir.path().join("store.db")).expect("store");
    let mut session = crate::session::Session::from_parts(store, PlatformUri::Folder(demo.clone()));
    let policy = LoadedPolicy::default_policy().expect("policy");
    let folder = FolderPlatform::new(demo.clone(), policy.policy.tags.clone());
    crate::sync::sync(&folder, &mut session.store, Default::default(), &mut |_| {}).expect("sync");
    crate::demo::generate_keys(&demo).expect("keys");
    let root =
        crate::demo::generate_trust(&demo, &dir.path().join("trust"), &policy).expect("trust");
    let trust = Trust::load(&crate::trust::RootPin::File(root), &folder).expect("trust");
    crate::demo::seed_approvals(&session, &demo, &trust).expect("approvals");
    let vref = VersionRef::parse(V).expect("ref");
    let snapshot = folder.fetch_version(&vref).expect("version");
    let current = snapshot.evidence();
    let allowed = AllowedSigners::load(&demo.join("allowed_signers")).expect("allowed");
    let stored = folder.list_approvals(&vref).expect("approvals");
    assert_eq!(stored.len(), 2, "vera's and alex's approvals");
    let inventory = InventoryRecord::of(&snapshot.model, &policy.policy.tags);
    let artifacts =
        crate::coverage::cover(&folder, &snapshot, None, &mut |_| {}).expect("artifacts");
    World {
        trust,
        inventory,
        artifacts,
        _dir: dir,
        demo,
        snapshot,
        current,
        policy,
        allowed,
        stored,
    }
}

impl World {
    fn judge_all(&self, stored: &[StoredApproval], allowed: &AllowedSigners) -> Vec<ApprovalCheck> {
        let vref = VersionRef::parse(V).expect("ref");
        let sha = self.current.sha256();
        // The release's roster as the attack would have it.
        let mut trust = self.trust.clone();
        for r in trust.releases.iter_mut() {
            r.roster = allowed.clone();
        }
        let cx = Context {
            vref: &vref,
            snapshot: &self.snapshot,
            current: &self.current,
            current_sha: &sha,
            frozen: None,
            policy: &self.policy,
            trust: &trust,
            platform_name: "demo",
            inventory: &self.inventory,
            artifacts: &[(None, self.artifacts.clone())].into(),
            now: chrono::Utc::now(),
        };
        let mut checks: Vec<ApprovalCheck> = stored.iter().map(|s| judge(s, &cx)).collect();
        independence(
            &self.policy,
            self.snapshot.model.risk_tier.as_deref(),
            &mut checks,
        );
        checks
    }

    fn gate_of(&self, checks: &[ApprovalCheck]) -> GateResult {
        gate(&self.policy, self.snapshot.model.risk_tier.clone(), checks)
    }

    fn alex(&self) -> StoredApproval {
        self.stored
            .iter()
            .find(|s| s.location.contains("approver-alex"))
            .cloned()
            .expect("alex's record")
    }

    fn key(&self, who: &str) -> SigningKey {
        SigningKey::from_file(&self.demo.join("keys").join(who).join("id_ed25519"), None)
            .expect("demo key")
    }

    /// Alex's record edited by `edit`, signed by `who`'s key, in place of alex's.
    fn forged(&self, who: &str, edit: impl Fn(&mut serde_json::Value)) -> Vec<StoredApproval> {
        let alex = self.alex();
        let mut rec: serde_json::Value = serde_json::from_slice(&alex.json).expect("json");
        edit(&mut rec);
        let mut json = serde_json::to_vec_pretty(&rec).expect("json");
        json.push(b'\n');
        let sig = self.key(who).sign(&json).expect("sign").into_bytes();
        let location = alex.location.clone();
        self.stored
            .iter()
            .filter(|s| s.location != alex.location)
            .cloned()
            .chain([StoredApproval {
                location,
                json,
                sig: Some(sig),
                deleted: None,
            }])
            .collect()
    }
}

fn reasons_of(checks: &[ApprovalCheck]) -> String {
    checks
        .iter()
        .filter(|c| !c.counts)
        .flat_map(|c| c.reasons.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn the_untouched_demo_passes() {
    let w = world();
    let checks = w.judge_all(&w.stored, &w.allowed);
    assert!(checks.iter().all(|c| c.counts), "{}", reasons_of(&checks));
    assert!(w.gate_of(&checks).pass);
}

#[test]
fn no_altered_forged_or_replayed_record_counts_and_junk_blocks() {
    let w = world();
    const ALEX: &str = "alex.approver@demo.bank";
    let future = (chrono::Utc::now() + chrono::Duration::days(400))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    type Row<'a> = (&'a str, Vec<StoredApproval>, &'a str);
    let table: Vec<Row> = vec![
        (
            "a record for another version",
            w.forged(ALEX, |r| r["model"]["version"] = "2".into()),
            "the record is for models:/credit-limit-assignment/2",
        ),
        (
            "backdated before the version existed",
            w.forged(ALEX, |r| r["signed_at"] = "2020-01-01T00:00:00Z".into()),
            "before the version existed",
        ),
        (
            "postdated",
            w.forged(ALEX, |r| r["signed_at"] = future.clone().into()),
            "in the future",
        ),
        (
            "signed by someone else's key",
            w.forged("bob.builder@demo.bank", |_| {}),
            "bad signature",
        ),
        (
            "an approver's record over another review",
            w.forged(ALEX, |r| r["review_sha256"] = "0".repeat(64).into()),
            "no validator's record names",
        ),
        (
            "an altered record",
            {
                let mut s = w.stored.clone();
                let i = s
                    .iter()
                    .position(|x| x.location.contains("approver-alex"))
                    .expect("alex");
                s[i].json = String::from_utf8_lossy(&s[i].json)
                    .replace("\"approve\"", "\"approve_with_conditions\"")
                    .into_bytes();
                s
            },
            "bad signature",
        ),
    ];
    let mut failures = Vec::new();
    for (name, stored, reason) in &table {
        let checks = w.judge_all(stored, &w.allowed);
        let g = w.gate_of(&checks);
        if g.pass {
            failures.push(format!("{name}: the gate passed"));
        }
        if !reasons_of(&checks).contains(reason) {
            failures.push(format!(
                "{name}: no reason {reason:?}: {}",
                reasons_of(&checks)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Blockers: an unreadable record, an unsigned one, a verified reject — each fails the
    // gate whatever the approvals say.
    let mut junk = w.stored.clone();
    junk.push(StoredApproval {
        location: "approvals/junk.json".into(),
        json: b"not json".to_vec(),
        sig: None,
        deleted: None,
    });
    let g = w.gate_of(&w.judge_all(&junk, &w.allowed));
    assert!(
        !g.pass
            && g.reasons
                .iter()
                .any(|r| r.contains("cannot be read blocks")),
        "{g:?}"
    );
    let mut unsigned = w.stored.clone();
    unsigned[0].sig = None;
    let g = w.gate_of(&w.judge_all(&unsigned, &w.allowed));
    assert!(
        !g.pass
            && g.reasons
                .iter()
                .any(|r| r.contains("does not verify blocks")),
        "{g:?}"
    );
    let reject = w.forged("victor.validator@demo.bank", |r| {
        r["role"] = "validator".into();
        r["decision"] = "reject".into();
        r["signer"] = "victor.validator@demo.bank".into();
        r["key_fingerprint"] = w.key("victor.validator@demo.bank").fingerprint().into();
    });
    let mut with_reject = w.stored.clone();
    with_reject.extend(
        reject
            .into_iter()
            .filter(|s| String::from_utf8_lossy(&s.json).contains("victor.validator")),
    );
    let g = w.gate_of(&w.judge_all(&with_reject, &w.allowed));
    assert!(
        !g.pass
            && g.reasons
                .iter()
                .any(|r| r.contains("victor.validator@demo.bank rejected it")),
        "{g:?}"
    );
    // A deleted run's approval never counts; its reject still blocks.
    let mut deleted = w.stored.clone();
    for s in &mut deleted {
        s.deleted = Some("review run r1 is deleted".into());
    }
    let g = w.gate_of(&w.judge_all(&deleted, &w.allowed));
    assert!(!g.pass, "{g:?}");
}

#[test]
fn a_key_not_yet_valid_when_the_record_was_signed_does_not_count() {
    let w = world();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y%m%d")
        .to_string();
    let text = std::fs::read_to_string(w.demo.join("allowed_signers")).expect("allowed");
    let narrowed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("alex.approver@demo.bank ") {
                l.replacen(
                    "namespaces=\"countersign\"",
                    &format!("namespaces=\"countersign\",valid-after=\"{yesterday}\""),
                    1,
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let allowed = AllowedSigners::parse(&narrowed).expect("allowed");
    let three_days_ago = (chrono::Utc::now() - chrono::Duration::days(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let stored = w.forged("alex.approver@demo.bank", |r| {
        r["signed_at"] = three_days_ago.clone().into()
    });
    let checks = w.judge_all(&stored, &allowed);
    assert!(
        reasons_of(&checks).contains("at signed_at"),
        "{}",
        reasons_of(&checks)
    );
    assert!(!w.gate_of(&checks).pass);
}
