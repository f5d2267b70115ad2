//! Owner attestations: the model's owner signs, periodically, that the version in use is used as
//! its inventory record documents and that its limitations hold.
//!
//! An attestation is a record type of its own (`countersign.attestation/v1`), never an approval:
//! the gate does not read it, and an owner never approves (the owner is one of a model's
//! builders, DESIGN §2). It is signed like an approval (SSHSIG, namespace `countersign`, the
//! signer's key in the roster of a trusted policy release), so `ssh-keygen -Y verify` checks it.
//! It counts only when its signer *is* the model's owner as the inventory names them now
//! (compared as the roster compares principals: a look-alike never attests for someone else).
//! The policy sets how often each tier attests (`attestation_cadence_months`); the queue lists a
//! model whose attestation is due.

use crate::approval::sign::signer_for;
use crate::approval::ApprovalModel;
use crate::coverage::InventoryRecord;
use crate::encoding::sha256_hex;
use crate::platform::{Platform, StoredApproval, VersionSnapshot};
use crate::signing::SigningKey;
use crate::trust::Trust;
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The format identifier of attestation records.
pub const ATTESTATION_TYPE: &str = "countersign.attestation/v1";

/// What every attestation states, in this order.
pub const STATEMENTS: [&str; 2] = [
    "The model is used as its inventory record documents (owner, business purpose, tier).",
    "Its known limitations and use restrictions still hold, and nothing in its use calls for an earlier review.",
];

/// The longest note an attestation carries (characters).
pub const MAX_NOTE: usize = 2000;

/// The attestation record: its exact bytes are what is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AttestationRecord {
    /// Always [`ATTESTATION_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The version attested (the platform by its governed name).
    pub model: ApprovalModel,
    /// The model's tier.
    pub tier: Option<String>,
    /// The model's inventory record as the owner attested it.
    pub inventory: InventoryRecord,
    /// What the owner states ([`STATEMENTS`]).
    pub statements: Vec<String>,
    /// The owner's note, if any.
    pub note: Option<String>,
    /// SHA-256 of the version's evidence when attested.
    pub evidence_sha256: String,
    /// SHA-256 of the policy file of the release it was signed under.
    pub policy_sha256: String,
    /// SHA-256 of that release's `release.json`.
    pub policy_release_sha256: String,
    /// The owner's principal, as in allowed_signers.
    pub signer: String,
    /// `SHA256:…` of the signing key.
    pub key_fingerprint: String,
    /// RFC 3339 UTC.
    pub signed_at: String,
}

impl AttestationRecord {
    /// The exact bytes written and signed: pretty JSON in field order, final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).unwrap_or_default();
        b.push(b'\n');
        b
    }

    /// `owner-<signer>-<time>`, the file name stem (unsafe characters replaced).
    pub fn file_stem(&self) -> String {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "@._-+".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let stamp: String = self
            .signed_at
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        format!("owner-{}-{stamp}", safe(&self.signer))
    }
}

/// An attestation signed and written.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Attested {
    /// The record.
    pub record: AttestationRecord,
    /// Its SHA-256.
    pub record_sha256: String,
    /// Where it was written.
    pub location: String,
    /// The stock command that verifies it, given the two files and allowed_signers.
    pub verify_command: String,
}

/// The verdict on one attestation found for a version.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct AttestationCheck {
    /// Where it is.
    pub location: String,
    /// The record, when it could be read.
    pub record: Option<AttestationRecord>,
    /// SHA-256 of the record's bytes.
    pub record_sha256: String,
    /// Whether it counts.
    pub counts: bool,
    /// Every reason it does not.
    pub reasons: Vec<String>,
}

/// Why a note cannot go into an attestation, if it cannot.
pub fn check_note(note: &str) -> std::result::Result<(), String> {
    // Controls (but line breaks and tabs), bidirectional overrides and line/paragraph
    // separators: text that would read differently from what was signed.
    if let Some(c) = note.chars().find(|&c| {
        (crate::display::is_unsafe_char(c) && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{2028}' | '\u{2029}')
    }) {
        return Err(format!(
            "holds the control or formatting character U+{:04X}; write plain text",
            c as u32
        ));
    }
    let n = note.chars().count();
    if n > MAX_NOTE {
        return Err(format!(
            "is {n} characters long; an attestation's note holds at most {MAX_NOTE}"
        ));
    }
    Ok(())
}

/// Whether `signer` is the owner the inventory names (compared as the roster compares
/// principals: case, Unicode compatibility forms, `Name <e-mail>` and invisible characters
/// aside; never a look-alike and never a bare name for an address).
pub fn is_owner(owner: Option<&str>, signer: &str) -> bool {
    owner.is_some_and(|o| {
        let (a, b) = (
            crate::identity::roster_key(o, false),
            crate::identity::roster_key(signer, false),
        );
        !a.is_empty() && a == b
    })
}

/// Checks every rule, signs the owner's attestation of `vref` under the newest policy release
/// the pinned root trusts and writes it to the platform. Refuses with every reason when a rule
/// forbids it: the signer is not the model's owner, the key is not theirs in the roster, the
/// version is not ready, the note holds control characters.
pub fn attest(
    platform: &dyn Platform,
    key_name: &str,
    key: &SigningKey,
    trust: &Trust,
    vref: &VersionRef,
    signer: Option<&str>,
    note: Option<&str>,
) -> Result<Attested> {
    let release = trust.newest()?;
    let platform_name = trust.platform_name(&platform.uri())?;
    let (signer, mut reasons) = signer_for(&release.roster, signer, key)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(why) = note.and_then(|n| check_note(n).err()) {
        reasons.push(format!("the note {why}"));
    }
    let snapshot = platform.fetch_version(vref)?;
    if let Some(why) = crate::approval::verify::not_ready(&snapshot.version) {
        reasons.push(why);
    }
    match snapshot.model.owner.as_deref().filter(|o| !o.trim().is_empty()) {
        None => reasons.push(format!(
            "{} names no owner in its inventory record (tag `{}`): only the owner attests; set the owner on the platform first",
            vref.name, release.policy.policy.tags.owner
        )),
        Some(owner) if !is_owner(Some(owner), &signer) => reasons.push(format!(
            "'{}' is not the owner of {}: its inventory record names '{}', and only the owner attests",
            crate::display::escape(&signer),
            vref.name,
            crate::display::escape(owner)
        )),
        Some(_) => {}
    }
    if !reasons.is_empty() {
        return Err(Error::Refused { reasons });
    }
    let record = AttestationRecord {
        kind: ATTESTATION_TYPE.into(),
        model: ApprovalModel {
            platform: platform_name,
            name: vref.name.clone(),
            version: vref.version.clone(),
            run_id: snapshot.version.run_id.clone(),
            source: snapshot.version.source.clone(),
        },
        tier: snapshot.model.risk_tier.clone(),
        inventory: InventoryRecord::of(&snapshot.model, &release.policy.policy.tags),
        statements: STATEMENTS.iter().map(|s| s.to_string()).collect(),
        note: note.map(str::to_string),
        evidence_sha256: snapshot.evidence().sha256(),
        policy_sha256: release.policy.sha256.clone(),
        policy_release_sha256: release.sha256.clone(),
        signer: signer.clone(),
        key_fingerprint: key.fingerprint(),
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let bytes = record.to_bytes();
    let signature = key.sign(&bytes)?;
    // Check our own work as a verifier would before anything leaves this machine.
    crate::signing::verify(
        &release.roster,
        &signer,
        &bytes,
        signature.as_bytes(),
        chrono::Utc::now(),
    )
    .map_err(|why| Error::Key {
        what: key_name.to_string(),
        message: format!("the new signature does not verify: {why}"),
    })?;
    let stem = record.file_stem();
    let location =
        platform.write_attestation(vref, &signer, &stem, &bytes, signature.as_bytes())?;
    Ok(Attested {
        record_sha256: sha256_hex(&bytes),
        verify_command: crate::signing::verify_command(
            &signer,
            &platform.attestation_file_stem(&stem),
        ),
        location,
        record,
    })
}

/// Judges one attestation found for `vref` against the version as the platform shows it now
/// and the releases the pinned root trusts. Pure: every rule is testable without a platform.
pub fn judge(
    stored: &StoredApproval,
    vref: &VersionRef,
    snapshot: &VersionSnapshot,
    trust: &Trust,
    platform_name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AttestationCheck {
    let mut reasons = Vec::new();
    let record: Option<AttestationRecord> = match serde_json::from_slice(&stored.json) {
        Ok(r) => Some(r),
        Err(e) => {
            reasons.push(format!("the record cannot be read ({e})"));
            None
        }
    };
    if let Some(r) = &record {
        if r.kind != ATTESTATION_TYPE {
            reasons.push(format!(
                "type is '{}', not {ATTESTATION_TYPE}",
                crate::display::escape(&r.kind)
            ));
        }
        let release = trust.release(&r.policy_release_sha256);
        match release {
            None => reasons.push(format!(
                "it names policy release {}, which is not a release trusted under the pinned root",
                crate::display::short_hash(&r.policy_release_sha256)
            )),
            Some(rel) if rel.policy.sha256 != r.policy_sha256 => reasons.push(format!(
                "it names policy {} but release {} carries policy {}",
                crate::display::short_hash(&r.policy_sha256),
                rel.manifest.version,
                crate::display::short_hash(&rel.policy.sha256)
            )),
            Some(_) => {}
        }
        if r.model.platform != platform_name {
            reasons.push(format!(
                "signed for platform '{}', but this is platform '{platform_name}'",
                crate::display::escape(&r.model.platform)
            ));
        }
        if r.model.name != vref.name || r.model.version != vref.version {
            reasons.push(format!(
                "the record is for models:/{}/{}, not {vref}",
                crate::display::escape(&r.model.name),
                crate::display::escape(&r.model.version)
            ));
        }
        let signed_at = chrono::DateTime::parse_from_rfc3339(&r.signed_at)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
        match signed_at {
            None => reasons.push(format!(
                "signed_at '{}' is not an RFC 3339 time",
                crate::display::escape(&r.signed_at)
            )),
            Some(t) => {
                let created = snapshot.version.created_ms;
                let created_second = created - created.rem_euclid(1000);
                if created > 0 && t.timestamp_millis() < created_second {
                    reasons.push(format!(
                        "signed at {}, before the version existed: a backdated record never counts",
                        r.signed_at
                    ));
                }
                if t > now + chrono::Duration::minutes(10) {
                    reasons.push(format!("signed at {}, which is in the future", r.signed_at));
                }
            }
        }
        // The signature, against the record's release and (revocation) the newest release.
        let mut rosters: Vec<&crate::signing::allowed_signers::AllowedSigners> = Vec::new();
        rosters.extend(release.map(|rel| &rel.roster));
        if let Ok(newest) = trust.newest() {
            if release.is_none_or(|rel| rel.sha256 != newest.sha256) {
                rosters.push(&newest.roster);
            }
        }
        match &stored.sig {
            None => reasons.push("no signature file (.json.sig) beside the record".into()),
            Some(sig) => {
                for roster in rosters {
                    let at_signing = signed_at.unwrap_or(now);
                    match crate::signing::verify(roster, &r.signer, &stored.json, sig, now)
                        .and_then(|fp| {
                            crate::signing::verify(roster, &r.signer, &stored.json, sig, at_signing)
                                .map(|_| fp)
                        }) {
                        Ok(fp) if fp != r.key_fingerprint => reasons.push(format!(
                            "signed with key {fp}, but the record names key {}",
                            crate::display::escape(&r.key_fingerprint)
                        )),
                        Ok(_) => {}
                        Err(why) => {
                            reasons.push(format!("bad signature: {}", crate::display::escape(&why)))
                        }
                    }
                }
            }
        }
        // What the owner attested is the inventory record as it was: changed since, it is not
        // what they vouched for.
        if let Some(rel) = release.or_else(|| trust.newest().ok()) {
            let now = InventoryRecord::of(&snapshot.model, &rel.policy.policy.tags);
            let changed = r.inventory.changes(&now);
            if !changed.is_empty() {
                reasons.push(format!(
                    "the inventory record changed since it was attested ({}): the owner attests afresh",
                    changed.join("; ")
                ));
            }
        }
        // What a record says is held to the rules a new one is made under.
        if let Some(why) = r.note.as_deref().and_then(|n| check_note(n).err()) {
            reasons.push(format!("its note {why}"));
        }
        if !is_owner(snapshot.model.owner.as_deref(), &r.signer) {
            reasons.push(format!(
                "'{}' is not the model's owner now ({}): only the owner's attestation counts",
                crate::display::escape(&r.signer),
                snapshot
                    .model
                    .owner
                    .as_deref()
                    .map(|o| format!("the inventory names '{}'", crate::display::escape(o)))
                    .unwrap_or_else(|| "the inventory names none".into())
            ));
        }
    }
    reasons.dedup();
    AttestationCheck {
        location: stored.location.clone(),
        counts: reasons.is_empty() && record.is_some(),
        record,
        record_sha256: sha256_hex(&stored.json),
        reasons,
    }
}

/// Every attestation of a version, judged against the platform now.
pub fn verify_version(
    platform: &dyn Platform,
    trust: &Trust,
    vref: &VersionRef,
) -> Result<Vec<AttestationCheck>> {
    let stored = platform.list_attestations(vref)?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let snapshot = platform.fetch_version(vref)?;
    let name = trust.platform_name(&platform.uri())?;
    let now = chrono::Utc::now();
    Ok(stored
        .iter()
        .map(|s| judge(s, vref, &snapshot, trust, &name, now))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::folder::FolderPlatform;
    use crate::policy::LoadedPolicy;
    use crate::uri::PlatformUri;

    const V: &str = "models:/credit-limit-assignment/3";

    struct World {
        _dir: tempfile::TempDir,
        demo: std::path::PathBuf,
        folder: FolderPlatform,
        trust: Trust,
    }

    fn world() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = dir.path().join("demo");
        crate::demo::generate(&demo, &crate::inventory::today()).expect("demo");
        let store = crate::store::Store::open(&dir.path().join("store.db")).expect("store");
        let mut session =
            crate::session::Session::from_parts(store, PlatformUri::Folder(demo.clone()));
        let policy = LoadedPolicy::default_policy().expect("policy");
        let folder = FolderPlatform::new(demo.clone(), policy.policy.tags.clone());
        crate::sync::sync(&folder, &mut session.store, Default::default(), &mut |_| {})
            .expect("sync");
        crate::demo::generate_keys(&demo).expect("keys");
        let root =
            crate::demo::generate_trust(&demo, &dir.path().join("trust"), &policy).expect("trust");
        let trust = Trust::load(&crate::trust::RootPin::File(root), &folder).expect("trust");
        World {
            _dir: dir,
            demo,
            folder,
            trust,
        }
    }

    impl World {
        fn key(&self, who: &str) -> SigningKey {
            SigningKey::from_file(&crate::demo::demo_key_path(&self.demo, who), None).expect("key")
        }
        fn owner(&self, vref: &VersionRef) -> String {
            let o = self
                .folder
                .fetch_version(vref)
                .unwrap()
                .model
                .owner
                .unwrap();
            crate::demo::demo_owner(&o)
        }
        fn attest_as(&self, who: &str, note: Option<&str>) -> Result<Attested> {
            let vref = VersionRef::parse(V).unwrap();
            attest(
                &self.folder,
                who,
                &self.key(who),
                &self.trust,
                &vref,
                None,
                note,
            )
        }
        fn judged(&self) -> Vec<AttestationCheck> {
            verify_version(&self.folder, &self.trust, &VersionRef::parse(V).unwrap()).unwrap()
        }
    }

    fn refused(r: Result<Attested>) -> String {
        match r {
            Err(Error::Refused { reasons }) => reasons.join("\n"),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn only_the_owner_attests_and_the_record_verifies_as_theirs() {
        let w = world();
        let vref = VersionRef::parse(V).unwrap();
        let owner = w.owner(&vref);
        // A validator, the builder and an approver are not the owner.
        for who in [
            "vera.validator@demo.bank",
            "bob.builder@demo.bank",
            "alex.approver@demo.bank",
        ] {
            let why = refused(w.attest_as(who, None));
            assert!(
                why.contains("is not the owner of credit-limit-assignment"),
                "{why}"
            );
        }
        // Another owner's key under the owner's name: the roster does not list it for them.
        let other = crate::demo::OWNERS_PRINCIPALS_FOR_TESTS
            .iter()
            .find(|o| **o != owner)
            .unwrap();
        let why = refused(attest(
            &w.folder,
            other,
            &w.key(other),
            &w.trust,
            &vref,
            Some(&owner),
            None,
        ));
        assert!(why.contains("allowed_signers does not list key"), "{why}");
        // A hostile note is refused with what to fix; nothing is written.
        let why = refused(w.attest_as(&owner, Some("ok\u{1b}]52;c;bad\u{7}")));
        assert!(why.contains("U+001B"), "{why}");
        assert!(w.judged().is_empty());
        // The owner attests; the record counts and names what was attested.
        let made = w
            .attest_as(&owner, Some("used as documented"))
            .expect("attested");
        assert_eq!(made.record.kind, ATTESTATION_TYPE);
        assert_eq!(made.record.statements.len(), STATEMENTS.len());
        assert_eq!(made.record.signer, owner);
        let checks = w.judged();
        assert_eq!(checks.len(), 1);
        assert!(checks[0].counts, "{:?}", checks[0].reasons);
    }

    #[test]
    fn a_forged_moved_or_reassigned_attestation_does_not_count() {
        let w = world();
        let vref = VersionRef::parse(V).unwrap();
        let owner = w.owner(&vref);
        w.attest_as(&owner, None).expect("attested");
        let stored = w.folder.list_attestations(&vref).unwrap();
        let snapshot = w.folder.fetch_version(&vref).unwrap();
        let now = chrono::Utc::now();
        let judge_one = |s: &StoredApproval, v: &VersionRef, snap: &VersionSnapshot| {
            judge(s, v, snap, &w.trust, "demo", now)
        };
        assert!(judge_one(&stored[0], &vref, &snapshot).counts);
        // A byte changed: the signature no longer verifies.
        let mut forged = stored[0].clone();
        let text = String::from_utf8(forged.json.clone()).unwrap();
        forged.json = text
            .replace("\"note\": null", "\"note\": \"x\"")
            .into_bytes();
        assert_ne!(forged.json, stored[0].json);
        let c = judge_one(&forged, &vref, &snapshot);
        assert!(
            !c.counts && c.reasons.iter().any(|r| r.contains("bad signature")),
            "{:?}",
            c.reasons
        );
        // No signature.
        let mut unsigned = stored[0].clone();
        unsigned.sig = None;
        assert!(!judge_one(&unsigned, &vref, &snapshot).counts);
        // Copied to another version: it names its own.
        let other = VersionRef::parse("models:/credit-limit-assignment/2").unwrap();
        let other_snap = w.folder.fetch_version(&other).unwrap();
        let c = judge_one(&stored[0], &other, &other_snap);
        assert!(
            c.reasons
                .iter()
                .any(|r| r.contains("the record is for models:/credit-limit-assignment/3")),
            "{:?}",
            c.reasons
        );
        // The owner changed on the platform: the former owner's attestation no longer counts.
        let mut moved = snapshot.clone();
        moved.model.owner = Some("Someone Else <someone.else@demo.bank>".into());
        let c = judge_one(&stored[0], &vref, &moved);
        assert!(
            c.reasons
                .iter()
                .any(|r| r.contains("is not the model's owner now")),
            "{:?}",
            c.reasons
        );
        // A look-alike owner (Cyrillic а) never matches the signer.
        assert!(!is_owner(Some(&owner.replacen('a', "\u{430}", 1)), &owner));
        assert!(is_owner(
            Some(&format!("Name <{}>", owner.to_uppercase())),
            &owner
        ));
        // An approval record planted as an attestation is of the wrong type.
        let approval = w.folder.list_approvals(&vref).unwrap();
        if let Some(a) = approval.first() {
            assert!(!judge_one(a, &vref, &snapshot).counts);
        }
    }
}
