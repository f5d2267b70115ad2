//! The trust root (DESIGN §7) through the real CLI on the demo: release signatures checked by
//! `ssh-keygen` and counted against the threshold, rotation, nothing a builder writes making a
//! pinned gate pass, the review's inventory record and the model's files bound, one platform
//! reached through several listed paths, and the audit pack verifiable from the root down.
//! docs/security.md names these tests.

use countersign_e2e::{fingerprint, ssh_sign, World, DEMO_V};
use std::path::{Path, PathBuf};
use std::process::Command;

const V: &str = DEMO_V;

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn gate(w: &World, extra: &[&str]) -> (i32, String) {
    let mut args = extra.to_vec();
    args.extend(["gate", V]);
    let o = w.cli.run(&args);
    (o.status.code().unwrap_or(-1), text(&o))
}

fn risk_key(w: &World, i: u32) -> String {
    countersign_e2e::demo_risk_key(&w.cli, i)
}

fn root_file(w: &World) -> PathBuf {
    w.cli.data.path().join("demo-trust/root.signers")
}

fn demo_uri(w: &World) -> String {
    countersign_e2e::demo_uri(&w.cli)
}

/// `policy release` of the default policy and the demo roster into `out`, signed by `signers`
/// (not published).
fn assemble(w: &World, out: &Path, uris: &[&str], signers: &[u32]) {
    let policy = countersign_e2e::workspace_root().join("policies/default.toml");
    countersign_e2e::demo_assemble(&w.cli, out, &policy, uris, signers);
}

/// Copies a local release or root folder into the platform's policy area by hand, as anyone
/// with write access to the folder could (no check on the way).
fn plant(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    let st = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp");
    assert!(st.success());
}

#[test]
fn releases_are_checked_by_ssh_keygen_and_counted_against_the_threshold() {
    let w = World::new();
    let rel = w.demo().join("policy/releases/1");
    // Stock OpenSSH accepts each signature of the demo's release against the root file.
    let sigs: Vec<PathBuf> = std::fs::read_dir(rel.join("signatures"))
        .expect("signatures")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(sigs.len(), 2, "two of the three risk members signed");
    for sig in &sigs {
        let who = sig
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let o = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(root_file(&w))
            .args(["-I", &who, "-n", "countersign-policy", "-s"])
            .arg(sig)
            .stdin(std::fs::File::open(rel.join("release.json")).expect("release"))
            .output()
            .expect("ssh-keygen");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Good \"countersign-policy\" signature"),
            "{who}: {}",
            text(&o)
        );
    }
    assert_eq!(gate(&w, &[]).0, 0);

    // Release 2 with one signature (threshold − 1): `policy publish` refuses it, naming who
    // is missing; planted by hand, the gate exits 2 and names them too.
    let r2 = w.cli.data.path().join("r2");
    assert_eq_release(&w, &r2, &[1]);
    let o = w.cli.run(&["policy", "publish", r2.to_str().expect("p")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("release 2 has 1 of the 2 signatures root v1 requires (signed by risk-1@demo.bank; missing: any 1 of risk-2@demo.bank, risk-3@demo.bank)"),
        "{}",
        text(&o)
    );
    plant(&r2, &w.demo().join("policy/releases/2"));
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("release 2 is published under the pinned root but is not trusted")
            && out.contains("missing: any 1 of risk-2@demo.bank, risk-3@demo.bank"),
        "{out}"
    );
    // The third member signs; with her signature beside the others the release counts.
    w.cli.ok(&[
        "policy",
        "sign",
        r2.to_str().expect("p"),
        "--key",
        &risk_key(&w, 3),
    ]);
    std::fs::copy(
        r2.join("signatures/risk-3@demo.bank.sig"),
        w.demo()
            .join("policy/releases/2/signatures/risk-3@demo.bank.sig"),
    )
    .expect("copy");
    assert_eq!(gate(&w, &[]).0, 0, "{}", gate(&w, &[]).1);
    let shown = w.cli.ok(&["policy", "verify"]);
    assert!(
        shown.contains("TRUSTED release 2")
            && shown.contains("signed by risk-1@demo.bank, risk-3@demo.bank"),
        "{shown}"
    );

    // A rotated root signed by too few of the old root's keys is refused.
    let k4 = w.cli.data.path().join("risk-4");
    w.cli.ok(&[
        "keys",
        "generate",
        k4.to_str().expect("p"),
        "--no-passphrase",
        "--as",
        "risk-4@demo.bank",
    ]);
    let member = |i: u32| format!("risk-{i}@demo.bank={}.pub", risk_key(&w, i));
    let root2 = w.cli.data.path().join("root2");
    w.cli.ok(&[
        "policy",
        "root",
        "rotate",
        "-o",
        root2.to_str().expect("p"),
        "--member",
        &member(2),
        "--member",
        &member(3),
        "--member",
        &format!("risk-4@demo.bank={}.pub", k4.display()),
        "--release-threshold",
        "2",
        "--root-threshold",
        "2",
        "--last-release",
        "2",
    ]);
    let r2s = root2.to_str().expect("p");
    w.cli
        .ok(&["policy", "sign", r2s, "--key", k4.to_str().expect("p")]);
    w.cli
        .ok(&["policy", "sign", r2s, "--key", &risk_key(&w, 2)]);
    let o = w.cli.run(&["policy", "publish", r2s]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("root v2 is signed by 1 of the 2 keys of root v1 it needs"),
        "{}",
        text(&o)
    );
    plant(&root2, &w.demo().join("policy/roots/2"));
    let shown = w.cli.ok(&["policy", "verify"]);
    assert!(shown.contains("REFUSED root v2"), "{shown}");
    assert!(
        !shown.contains("  root v2"),
        "the chain stays at v1: {shown}"
    );
    // A third old key signs: the rotation is valid, and old releases still verify.
    w.cli
        .ok(&["policy", "sign", r2s, "--key", &risk_key(&w, 3)]);
    std::fs::copy(
        root2.join("signatures/risk-3@demo.bank.sig"),
        w.demo()
            .join("policy/roots/2/signatures/risk-3@demo.bank.sig"),
    )
    .expect("copy");
    let shown = w.cli.ok(&["policy", "verify"]);
    assert!(
        shown.contains("root v2")
            && shown.contains("TRUSTED release 1")
            && shown.contains("TRUSTED release 2"),
        "{shown}"
    );
    assert_eq!(
        gate(&w, &[]).0,
        0,
        "the approvals under release 1 still count"
    );
    // The pack carries the rotated chain; VERIFY.txt checks it from root v1, the pin.
    let pack = w.cli.data.path().join("rotated-pack");
    w.cli
        .ok(&["export", "audit-pack", V, "-o", pack.to_str().expect("p")]);
    assert!(pack.join("trust/roots/2/root.signers").is_file());
    let o = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg(root_file(&w))
        .output()
        .expect("bash");
    assert!(o.status.success(), "{}", text(&o));
    // Hiding the newest release (moving it out of the folder) never rolls this machine back.
    let hidden = w.cli.data.path().join("hidden-release-2");
    std::fs::rename(w.demo().join("policy/releases/2"), &hidden).expect("hide");
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("this machine trusted policy release 2"),
        "{out}"
    );
    std::fs::rename(&hidden, w.demo().join("policy/releases/2")).expect("restore");
    assert_eq!(gate(&w, &[]).0, 0);
    // A release under the old root numbered past `last_release` is refused: release 1's
    // files renumbered 3 and signed by two old keys.
    let roster = std::fs::read(w.demo().join("policy/releases/1/allowed_signers")).expect("r1");
    w.plant_release(
        3,
        &roster,
        &[
            PathBuf::from(risk_key(&w, 1)),
            PathBuf::from(risk_key(&w, 2)),
        ],
    );
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("only up to release 2"), "{out}");
}

/// [`assemble`] of release 2 under the demo's root, signed by `signers`.
fn assert_eq_release(w: &World, out: &Path, signers: &[u32]) {
    assemble(w, out, &[&demo_uri(w)], signers);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("release.json")).expect("manifest"))
            .expect("json");
    assert_eq!(m["version"], 2, "{m}");
}

#[test]
fn nothing_a_builder_writes_makes_a_pinned_gate_pass() {
    let w = World::new();
    assert_eq!(gate(&w, &[]).0, 0);
    // A pipeline that expects release 2 is not satisfied by release 1 (a fresh machine cannot
    // be rolled back below the floor it is given).
    let (code, out) = gate(&w, &["--min-release", "2"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("the configured minimum release is 2"), "{out}");
    // Junk planted far ahead never stops every gate; only the release right after the newest
    // can block.
    let junk = w.demo().join("policy/releases/99999");
    std::fs::create_dir_all(&junk).expect("junk");
    std::fs::write(junk.join("release.json"), "{ not json").expect("junk");
    assert_eq!(gate(&w, &[]).0, 0, "{}", gate(&w, &[]).1);
    std::fs::remove_dir_all(&junk).expect("rm junk");
    // Alex's approval is gone: the version needs an approver again.
    let alex = w.record(V, "approver-alex.approver@demo.bank");
    let alex_bytes = std::fs::read(&alex).expect("alex");
    std::fs::remove_file(&alex).expect("rm");
    std::fs::remove_file(format!("{}.sig", alex.display())).expect("rm sig");
    assert_eq!(gate(&w, &[]).0, 1);

    // Bob, the builder, makes a key of his own under the approver's name, adds it to the
    // folder's allowed_signers and signs a copy of alex's record with it.
    let bob = w.cli.data.path().join("bob-key");
    let out = w.cli.ok(&[
        "keys",
        "generate",
        bob.to_str().expect("p"),
        "--no-passphrase",
        "--as",
        "alex.approver@demo.bank",
    ]);
    let line = out.lines().last().expect("line").to_string();
    let mut folder_roster = std::fs::read_to_string(w.allowed()).expect("allowed");
    folder_roster.push_str(&line);
    folder_roster.push('\n');
    std::fs::write(w.allowed(), &folder_roster).expect("write");
    let mut rec: serde_json::Value = serde_json::from_slice(&alex_bytes).expect("json");
    rec["key_fingerprint"] = fingerprint(&bob).into();
    let mut bytes = serde_json::to_vec_pretty(&rec).expect("json");
    bytes.push(b'\n');
    std::fs::write(&alex, bytes).expect("write");
    ssh_sign(&bob, "countersign", &alex);
    let (code, out) = gate(&w, &[]);
    assert_ne!(
        code, 0,
        "the folder's allowed_signers made the gate pass: {out}"
    );

    // His own roster and policy as flags, and his policy seen by the local store.
    let own_roster = w.cli.data.path().join("bob-roster");
    std::fs::write(&own_roster, &line).expect("roster");
    let own_policy = w.cli.data.path().join("bob-policy.toml");
    std::fs::write(
        &own_policy,
        countersign_core::policy::DEFAULT_POLICY
            .replace("approver\"]", "approver\", \"validator\"]"),
    )
    .expect("policy");
    let (r, p) = (
        own_roster.display().to_string(),
        own_policy.display().to_string(),
    );
    let (code, out) = gate(&w, &["--allowed-signers", &r, "--policy", &p]);
    assert_ne!(
        code, 0,
        "his own --allowed-signers and --policy made the gate pass: {out}"
    );
    let o = w.cli.run(&[
        "--policy",
        &p,
        "review",
        "start",
        "models:/churn-propensity/1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("is not the policy of release 1")
            && text(&o).contains("nothing signed under it counts"),
        "drafting under an unreleased policy is allowed, and says so: {}",
        text(&o)
    );
    let (code, out) = gate(&w, &["--policy", &p]);
    assert_ne!(
        code, 0,
        "a policy in the local store made the gate pass: {out}"
    );
    let (code, out) = gate(&w, &["--allowed-signers", &r, "--policy", &p]);
    assert_ne!(code, 0, "{out}");

    // His own release 2 (his roster, signed by his own key) planted in the folder: refused,
    // and the gate does not fall back to release 1 while it is there.
    w.plant_release(2, folder_roster.as_bytes(), std::slice::from_ref(&bob));
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("which is not a key of root v1"), "{out}");

    // And with no root pinned nothing is trusted at all.
    let o = w
        .cli
        .command(&["gate", V])
        .env_remove("COUNTERSIGN_ROOT")
        .output()
        .expect("gate");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn what_the_review_relied_on_changing_makes_the_approval_stale_by_name() {
    let w = World::new();
    let model = w.demo().join("models/credit-limit-assignment.toml");
    let original = std::fs::read_to_string(&model).expect("model");
    let line_of = |key: &str| {
        original
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("{key} in the demo model"))
            .to_string()
    };
    for (key, value, named) in [
        ("owner", "\"eve@demo.bank\"", "inventory owner"),
        (
            "monitoring",
            "\"disabled\"",
            "inventory monitoring 'enabled' → 'disabled'",
        ),
        (
            "documentation_url",
            "\"https://wiki.demo.bank/elsewhere\"",
            "inventory documentation link",
        ),
        (
            "description",
            "\"Something else\"",
            "inventory description changed",
        ),
    ] {
        let line = line_of(key);
        std::fs::write(&model, original.replace(&line, &format!("{key} = {value}")))
            .expect("write");
        let (code, out) = gate(&w, &[]);
        assert_eq!(code, 1, "{key}: {out}");
        assert!(out.contains("stale") && out.contains(named), "{key}: {out}");
        std::fs::write(&model, &original).expect("restore");
        assert_eq!(gate(&w, &[]).0, 0, "{key} restored");
    }
    // The model's files: swapped, added, removed.
    let files = w.demo().join("artifacts/credit-limit-assignment/v3");
    let pkl = files.join("model.pkl");
    let weights = std::fs::read(&pkl).expect("model.pkl");
    std::fs::write(&pkl, b"other weights\n").expect("swap");
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("model file artifacts/credit-limit-assignment/v3/model.pkl changed"),
        "{out}"
    );
    std::fs::write(&pkl, &weights).expect("restore");
    assert_eq!(gate(&w, &[]).0, 0);
    std::fs::write(files.join("backdoor.py"), b"import os\n").expect("add");
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("model file artifacts/credit-limit-assignment/v3/backdoor.py was added"),
        "{out}"
    );
    std::fs::remove_file(files.join("backdoor.py")).expect("rm");
    std::fs::remove_file(files.join("MLmodel")).expect("rm");
    let (code, out) = gate(&w, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("model file artifacts/credit-limit-assignment/v3/MLmodel was removed"),
        "{out}"
    );

    // A model file that is a symbolic link is never followed: signing refuses to approve
    // bytes it cannot bind.
    let v = "models:/churn-propensity/2";
    let pkl = w.demo().join("artifacts/churn-propensity/v2/model.pkl");
    let target = w.cli.data.path().join("outside-weights");
    std::fs::write(&target, b"weights outside the platform\n").expect("target");
    std::fs::remove_file(&pkl).expect("rm");
    std::os::unix::fs::symlink(&target, &pkl).expect("symlink");
    countersign_e2e::complete_review(&w.cli, v, "vera.validator@demo.bank");
    let o = w.sign("vera.validator@demo.bank", v, "validator", "approve");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("model files the version names cannot be read")
            && text(&o).contains("artifacts/churn-propensity/v2/model.pkl"),
        "{}",
        text(&o)
    );
}

#[test]
fn one_platform_through_every_listed_path_and_no_other() {
    let w = World::new();
    // The folder mounted at a second path (a copy stands in for the second mount), both
    // listed in release 2; a third path is listed nowhere.
    let second = w.cli.data.path().join("mounted-elsewhere");
    let third = w.cli.data.path().join("unlisted");
    std::fs::create_dir_all(&second).expect("dir");
    std::fs::create_dir_all(&third).expect("dir");
    let (second, third) = (
        std::fs::canonicalize(&second).expect("second"),
        std::fs::canonicalize(&third).expect("third"),
    );
    let second_uri = format!("folder:{}", second.display());
    let r2 = w.cli.data.path().join("r2");
    assemble(&w, &r2, &[&demo_uri(&w), &second_uri], &[1, 2]);
    w.cli.ok(&["policy", "publish", r2.to_str().expect("p")]);
    countersign_e2e::copy_dir(&w.demo(), &second);
    countersign_e2e::copy_dir(&w.demo(), &third);
    assert_eq!(gate(&w, &[]).0, 0);
    let (code, out) = gate(&w, &["--platform", &second_uri]);
    assert_eq!(
        code, 0,
        "the same platform at its second listed path: {out}"
    );
    let third_uri = format!("folder:{}", third.display());
    let (code, out) = gate(&w, &["--platform", &third_uri]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "the platform {third_uri} is not governed by policy release 2"
        )),
        "{out}"
    );
}

#[test]
fn the_pack_verifies_from_the_root_down_and_any_changed_byte_fails_it() {
    let w = World::new();
    let pack = w.cli.data.path().join("pack");
    w.cli
        .ok(&["export", "audit-pack", V, "-o", pack.to_str().expect("p")]);
    let run = |dir: &Path| {
        let o = Command::new("bash")
            .arg(dir.join("VERIFY.txt"))
            .arg(root_file(&w))
            .output()
            .expect("bash");
        (o.status.success(), text(&o))
    };
    let (ok, out) = run(&pack);
    assert!(ok, "{out}");
    assert!(out.contains("All checks passed."), "{out}");
    // Without the auditor's own root, or with another root, it never passes: nothing in the
    // pack vouches for itself.
    let o = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .output()
        .expect("bash");
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("pass the trust root you pin"),
        "{}",
        text(&o)
    );
    let o = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg("0".repeat(64))
        .output()
        .expect("bash");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("the trust root is not the pinned one"),
        "{}",
        text(&o)
    );
    let o = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg("no-such-root.signers")
        .output()
        .expect("bash");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("neither a readable root file nor a SHA-256"),
        "{}",
        text(&o)
    );
    let verify = std::fs::read_to_string(pack.join("VERIFY.txt")).expect("VERIFY.txt");
    assert!(verify.contains("-n countersign-policy") && verify.contains("release_threshold"));
    let pdf = Command::new("pdftotext")
        .arg(pack.join("audit-pack.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let pdf = String::from_utf8_lossy(&pdf.stdout);
    assert!(
        pdf.contains("Release 1")
            && pdf.contains("risk-1@demo.bank, risk-2@demo.bank (2 of 2 required)"),
        "the PDF's policy section shows the release, its signers and the threshold: {pdf}"
    );
    // One byte changed in each file the chain rests on; the check that names it fails (the
    // pack's own hash list is rewritten to match, as a forger would).
    let validator = std::fs::read_dir(pack.join("approvals"))
        .expect("approvals")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "json") && p.to_string_lossy().contains("validator")
        })
        .expect("validator record");
    let validator_rel = validator
        .strip_prefix(&pack)
        .expect("inside")
        .display()
        .to_string();
    for (file, expect) in [
        (
            "trust/roots/1/root.signers",
            "the trust root is not the pinned one",
        ),
        (
            "policy/releases/1/release.json",
            "release 1: 0 valid signatures",
        ),
        (
            "policy/releases/1/signatures/risk-1@demo.bank.sig",
            "release 1: 1 valid signatures",
        ),
        (validator_rel.as_str(), "the signature does not verify"),
    ] {
        let copy = w.cli.data.path().join("pack-copy");
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).expect("dir");
        countersign_e2e::copy_dir(&pack, &copy);
        let path = copy.join(file);
        let mut bytes = std::fs::read(&path).expect("file");
        let edit = if file.ends_with(".json") && file.starts_with("approvals") {
            // A model file's hash in the record's artifact list.
            let t = String::from_utf8(bytes.clone()).expect("utf8");
            t.find("\"sha256\": \"").expect("an artifact hash") + 11
        } else if file.ends_with(".sig") {
            bytes.len() / 2
        } else {
            bytes.len() - 3
        };
        bytes[edit] = if bytes[edit] == b'a' { b'b' } else { b'a' };
        std::fs::write(&path, &bytes).expect("write");
        // The forger also fixes the file's line in VERIFY.txt's hash list.
        let v = std::fs::read_to_string(copy.join("VERIFY.txt")).expect("verify");
        let old =
            countersign_core::encoding::sha256_hex(&std::fs::read(pack.join(file)).expect("orig"));
        let new = countersign_core::encoding::sha256_hex(&bytes);
        std::fs::write(
            copy.join("VERIFY.txt"),
            v.replace(&format!("{old}  {file}\n"), &format!("{new}  {file}\n")),
        )
        .expect("write");
        let (ok, out) = run(&copy);
        assert!(!ok, "{file}: VERIFY.txt passed after a byte changed: {out}");
        assert!(out.contains(expect), "{file}: {out}");
    }
}
