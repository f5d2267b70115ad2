//! Fail closed (docs/security.md): what an insider with write access to the platform plants,
//! moves or deletes may block a release, never help one, and never runs code on an auditor's
//! machine. Each test starts from the demo version whose gate passes with a genuine validator
//! (vera) and approver (alex).

use countersign_e2e::{World, DEMO_V};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const V: &str = DEMO_V;

/// `gate` with the demo's allowed_signers: (exit code, stdout + stderr).
fn gate_text(w: &World, v: &str, extra: &[&str]) -> (i32, String) {
    let allowed = w.allowed().display().to_string();
    let mut args = vec!["--allowed-signers", allowed.as_str()];
    args.extend_from_slice(extra);
    args.extend(["gate", v]);
    let o = w.cli.run(&args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Victor (a validator the roster lists, with his own key) signs a reject of `V`.
fn victor_rejects(w: &World) {
    let o = w.sign("victor.validator@demo.bank", V, "validator", "reject");
    assert!(
        o.status.success(),
        "victor's reject: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn reject_record(w: &World) -> PathBuf {
    w.record(V, "validator-victor.validator@demo.bank")
}

fn model_file(w: &World) -> PathBuf {
    w.demo().join("models/credit-limit-assignment.toml")
}

#[test]
fn a_reject_blocks_whatever_is_done_to_it() {
    let w = World::new();
    assert_eq!(gate_text(&w, V, &[]).0, 0, "the untouched demo passes");
    victor_rejects(&w);
    let (code, text) = gate_text(&w, V, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("validator victor.validator@demo.bank rejected it"),
        "{text}"
    );

    // The builder moves the model's owner onto the rejecting validator: the builder rule
    // discards victor's approvals, not his objection.
    let m = model_file(&w);
    let text = std::fs::read_to_string(&m).expect("model");
    let owner = text
        .lines()
        .find(|l| l.trim_start().starts_with("owner"))
        .expect("owner")
        .to_string();
    std::fs::write(
        &m,
        text.replace(&owner, "owner = \"victor.validator@demo.bank\""),
    )
    .expect("write");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("rejected it"), "{out}");
    std::fs::write(&m, &text).expect("restore owner");

    // One byte of the reject's signature changed.
    let sig = PathBuf::from(format!("{}.sig", reject_record(&w).display()));
    let good_sig = std::fs::read(&sig).expect("sig");
    let mut bad = good_sig.clone();
    let i = bad.len() / 2;
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    std::fs::write(&sig, &bad).expect("write");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "an altered reject signature passed: {out}");
    assert!(out.contains("signature does not verify blocks"), "{out}");

    // The signature removed.
    std::fs::remove_file(&sig).expect("rm sig");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "a reject without signature passed: {out}");
    assert!(out.contains("no signature"), "{out}");

    // The whole reject deleted: this machine's ledger saw it, so it still blocks.
    std::fs::remove_file(reject_record(&w)).expect("rm record");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "a deleted reject passed: {out}");
    assert!(out.contains("gone from the platform"), "{out}");
}

#[test]
fn planted_junk_blocks_and_never_helps() {
    let w = World::new();
    /// (file name, record bytes, signature bytes, the reason the gate must give)
    type Plant<'a> = (&'a str, &'a [u8], Option<&'a [u8]>, &'a str);
    let cases: &[Plant] = &[
        (
            "junk.json",
            b"not json at all",
            None,
            "cannot be read blocks",
        ),
        (
            "approver-nobody.json",
            b"{\"type\":\"countersign.approval/v1\"}",
            Some(b"x"),
            "cannot be read blocks",
        ),
    ];
    for (name, json, sig, why) in cases {
        w.restore();
        let p = w.approvals(V).join(name);
        std::fs::write(&p, json).expect("plant");
        if let Some(s) = sig {
            std::fs::write(format!("{}.sig", p.display()), s).expect("plant sig");
        }
        let (code, out) = gate_text(&w, V, &[]);
        assert_ne!(code, 0, "{name}: the gate passed: {out}");
        assert!(out.contains(why), "{name}: {out}");
    }
    // A genuine record without its signature (the .sig was lost) blocks too.
    w.restore();
    let alex = w.record(V, "approver-alex.approver@demo.bank");
    std::fs::remove_file(format!("{}.sig", alex.display())).expect("rm");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("signature does not verify blocks"), "{out}");
}

/// Every hostile string an insider can put in a record or a file name: command substitution,
/// backticks, both quotes, `;`, `|`, newlines, control characters and ESC. Each tries to
/// create `canary` (an absolute path) when a shell runs it.
fn hostile(canary: &Path) -> Vec<String> {
    let c = canary.display();
    vec![
        format!("$(touch {c}-1)"),
        format!("`touch {c}-2`"),
        format!("x'; touch {c}-3; echo '"),
        format!("x\"; touch {c}-4; echo \""),
        format!("x | touch {c}-5"),
        format!("a\ntouch {c}-6\n# "),
        format!("a\r\u{1b}[2Kb\u{7}\u{1b}]52;c;dG91Y2g=\u{7}; touch {c}-7"),
        format!("'\n$(touch {c}-8)\n'"),
    ]
}

fn canaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("canary"))
        .collect()
}

/// `bash VERIFY.txt ROOT` with the root the demo's CLI pins.
fn run_verify_txt(cli: &countersign_e2e::Cli, pack: &Path) -> (bool, String) {
    let o = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg(cli.pinned().expect("a pinned root"))
        .current_dir(pack)
        .output()
        .expect("bash");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

#[test]
fn verify_txt_never_runs_platform_text_and_checks_every_record() {
    let w = World::new();
    let trap = tempfile::tempdir().expect("trap dir");
    let canary = trap.path().join("canary");
    let alex = w.record(V, "approver-alex.approver@demo.bank");
    let genuine: Value = serde_json::from_slice(&std::fs::read(&alex).expect("alex")).expect("j");
    let sig = std::fs::read(format!("{}.sig", alex.display())).expect("sig");
    // Records whose signer, version, name and fingerprint are hostile, under hostile file
    // names, each with a signature beside it.
    for (i, h) in hostile(&canary).iter().enumerate() {
        let mut rec = genuine.clone();
        rec["signer"] = h.clone().into();
        rec["key_fingerprint"] = h.clone().into();
        rec["model"]["name"] = h.clone().into();
        rec["model"]["version"] = h.clone().into();
        let file_name: String = h.replace(['/', '\n', '\r'], "_");
        let p = w.approvals(V).join(format!("{i}{file_name}.json"));
        let mut bytes = serde_json::to_vec_pretty(&rec).expect("json");
        bytes.push(b'\n');
        std::fs::write(&p, bytes).expect("plant");
        std::fs::write(format!("{}.sig", p.display()), &sig).expect("plant sig");
    }
    // A record that does not parse, and one without a signature.
    std::fs::write(w.approvals(V).join("zz-junk.json"), b"{ not json").expect("junk");
    let mut nosig = genuine.clone();
    nosig["signer"] = "vera.validator@demo.bank".into();
    std::fs::write(
        w.approvals(V).join("zz-nosig.json"),
        serde_json::to_vec_pretty(&nosig).expect("json"),
    )
    .expect("nosig");
    let pack = w.cli.data.path().join("hostile-pack");
    let o = w.cli.run(&[
        "--allowed-signers",
        w.allowed().to_str().expect("p"),
        "export",
        "audit-pack",
        V,
        "-o",
        pack.to_str().expect("p"),
    ]);
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The pack's names are Countersign's own.
    for e in std::fs::read_dir(pack.join("approvals"))
        .expect("approvals")
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        assert!(
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c)),
            "pack file name {n:?}"
        );
    }
    let script = std::fs::read_to_string(pack.join("VERIFY.txt")).expect("VERIFY.txt");
    assert!(
        !script.chars().any(|c| c.is_control() && c != '\n'),
        "control characters reached VERIFY.txt"
    );
    let (ok, out) = run_verify_txt(&w.cli, &pack);
    assert!(
        canaries(trap.path()).is_empty(),
        "VERIFY.txt ran planted code: {:?}\n{out}",
        canaries(trap.path())
    );
    assert!(!ok, "VERIFY.txt passed a pack with bad records:\n{out}");
    assert!(
        out.contains("the record cannot be read as an approval record"),
        "{out}"
    );
    assert!(out.contains("has no signature"), "{out}");
    assert!(out.contains("the signature does not verify"), "{out}");
    assert!(!out.contains("All checks passed"), "{out}");
    // The gate refuses the version as well, and verify, ls and show print no raw control
    // character of the platform's.
    assert_ne!(w.gate(V, &[]), 0);
    let allowed = w.allowed().display().to_string();
    for args in [
        vec!["--allowed-signers", allowed.as_str(), "verify", V],
        vec![
            "--allowed-signers",
            allowed.as_str(),
            "verify",
            V,
            "--explain",
        ],
    ] {
        let o = w.cli.run(&args);
        let raw = [o.stdout.clone(), o.stderr.clone()].concat();
        assert!(
            !raw.iter().any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r'),
            "{args:?} wrote raw control bytes: {}",
            String::from_utf8_lossy(&raw)
        );
        let text = String::from_utf8_lossy(&raw);
        assert!(
            !text.lines().any(|l| l.starts_with("touch ")),
            "{args:?}: a planted newline started a line: {text}"
        );
    }
    assert!(canaries(trap.path()).is_empty());
}

#[test]
fn a_hostile_model_name_stays_inert_in_verify_txt_and_paths() {
    let w = World::new();
    // The name cannot hold '/', so its canaries are relative: VERIFY.txt runs in the pack.
    let text = std::fs::read_to_string(model_file(&w)).expect("model");
    let name = "evil$(touch canary-n)`touch canary-b`'\"; touch canary-s | x\\".to_string();
    let first = text
        .lines()
        .find(|l| l.starts_with("name"))
        .expect("name line")
        .to_string();
    let toml_name = name.replace('\\', "\\\\").replace('"', "\\\"");
    let owner = text
        .lines()
        .find(|l| l.trim_start().starts_with("owner"))
        .expect("owner line")
        .to_string();
    std::fs::write(
        w.demo().join("models/evil.toml"),
        text.replace(&first, &format!("name = \"{toml_name}\""))
            .replace(
                &owner,
                "owner = \"x\\u001b]52;c;dG91Y2g=\\u0007\\u001b[2J\\r\\n  COUNTS fake\\u202e\"",
            ),
    )
    .expect("evil model");
    w.cli.ok(&["sync"]);
    let v = format!("models:/{name}/3");
    // ls and show write the owner's control characters as visible escapes, never raw.
    for args in [vec!["ls"], vec!["show", v.as_str()]] {
        let o = w.cli.run(&args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let raw = [o.stdout.clone(), o.stderr.clone()].concat();
        assert!(
            !raw.iter().any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r'),
            "{args:?} wrote raw control bytes"
        );
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("\\e]52;c;"), "{args:?}: {text}");
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("COUNTS")),
            "{text}"
        );
        assert!(!text.contains('\u{202e}'), "{text}");
    }
    // --json stays exact JSON: the owner round-trips byte for byte.
    let shown = w.cli.json(&["show", &v, "--json"]);
    assert_eq!(
        shown["model"]["owner"],
        "x\u{1b}]52;c;dG91Y2g=\u{7}\u{1b}[2J\r\n  COUNTS fake\u{202e}"
    );
    let pack = w.cli.data.path().join("evil-pack");
    w.cli.ok(&[
        "--allowed-signers",
        w.allowed().to_str().expect("p"),
        "export",
        "audit-pack",
        &v,
        "-o",
        pack.to_str().expect("p"),
    ]);
    let (ok, out) = run_verify_txt(&w.cli, &pack);
    assert!(ok, "an unreviewed pack verifies: {out}");
    assert!(canaries(&pack).is_empty(), "{out}");
    assert!(canaries(w.cli.data.path()).is_empty(), "{out}");
    // A name that tries to climb out of the folder is refused as a reference.
    let o = w.cli.run(&["show", "models:/../3"]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_policy_tag_names_are_honoured_everywhere() {
    let w = World::new();
    // A policy that renames every tag; the model gets the renamed tags, and a stray
    // `risk_tier = "3"` that the default names would read.
    let base = countersign_core::policy::DEFAULT_POLICY;
    let renamed = base
        .replace("owner = \"owner\"", "owner = \"mrm_owner\"")
        .replace(
            "business_purpose = \"business_purpose\"",
            "business_purpose = \"mrm_purpose\"",
        )
        .replace("risk_tier = \"risk_tier\"", "risk_tier = \"mrm_tier\"")
        .replace(
            "next_review_date = \"next_review_date\"",
            "next_review_date = \"mrm_next_review\"",
        )
        .replace(
            "monitoring = \"monitoring\"",
            "monitoring = \"mrm_monitoring\"",
        )
        .replace(
            "llm_provider = \"llm_provider\"",
            "llm_provider = \"mrm_provider\"",
        )
        .replace("model_kind = \"model_kind\"", "model_kind = \"mrm_kind\"");
    assert_ne!(renamed, base, "the default policy's [tags] changed shape");
    let policy = w.cli.data.path().join("renamed.toml");
    std::fs::write(&policy, &renamed).expect("policy");
    let m = model_file(&w);
    let text = std::fs::read_to_string(&m).expect("model");
    let tier_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("risk_tier"))
        .expect("risk_tier tag")
        .to_string();
    let owner_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("owner"))
        .expect("owner tag")
        .to_string();
    let tier = tier_line.split('"').nth(1).expect("tier value").to_string();
    assert_ne!(tier, "3");
    let edited = text
        .replace(
            &tier_line,
            &format!("risk_tier = \"3\"\nmrm_tier = \"{tier}\""),
        )
        .replace(
            &owner_line,
            &format!(
                "{}\n{}",
                owner_line,
                owner_line.replacen("owner", "mrm_owner", 1)
            ),
        );
    // Every other inventory tag also under its renamed key, as a team moving to the renamed
    // policy would tag its models.
    let mut edited = edited;
    for (from, to) in [
        ("business_purpose", "mrm_purpose"),
        ("monitoring", "mrm_monitoring"),
        ("next_review_date", "mrm_next_review"),
    ] {
        if let Some(line) = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{from} =")))
        {
            edited = edited.replace(line, &format!("{line}\n{}", line.replacen(from, to, 1)));
        }
    }
    std::fs::write(&m, edited).expect("model");
    let p = policy.display().to_string();
    w.cli.ok(&["--policy", &p, "sync"]);
    let shown = w.cli.json(&["--policy", &p, "show", V, "--json"]);
    assert_eq!(
        shown["model"]["risk_tier"],
        tier.as_str(),
        "the policy's tier tag is read: {shown}"
    );
    // The gate reads the tier the released policy names: the approvals, signed for that
    // tier, count.
    w.release(Some(&policy));
    let (code, out) = gate_text(&w, V, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("tier {tier}")), "{out}");
    assert!(!out.contains("tier 3"), "{out}");
    // Under the default names, the stray tag is what is read: the renamed policy is what
    // makes the difference.
    w.cli.ok(&["sync"]);
    let shown = w.cli.json(&["show", V, "--json"]);
    assert_eq!(shown["model"]["risk_tier"], "3", "{shown}");
    w.release(None);
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("now tier 3"), "{out}");
}

#[test]
fn a_version_that_is_not_ready_never_passes_and_cannot_be_signed() {
    let w = World::new();
    let m = model_file(&w);
    let text = std::fs::read_to_string(&m).expect("model");
    for status in ["FAILED_REGISTRATION", "PENDING_REGISTRATION"] {
        // Version 3's block is the third `status = "READY"` in the file.
        let mut n = 0;
        let edited: String = text
            .split_inclusive('\n')
            .map(|l| {
                if l.trim() == "status = \"READY\"" {
                    n += 1;
                    if n == 3 {
                        return format!("status = \"{status}\"\n");
                    }
                }
                l.to_string()
            })
            .collect();
        assert_eq!(n, 3, "the demo model has three versions");
        std::fs::write(&m, edited).expect("write");
        let (code, out) = gate_text(&w, V, &[]);
        assert_eq!(code, 1, "{status}: {out}");
        assert!(
            out.contains(&format!("registration status is {status}, not READY")),
            "{out}"
        );
        let o = w.sign("victor.validator@demo.bank", V, "validator", "approve");
        assert!(!o.status.success(), "{status}: signed");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("not READY"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn verify_txt_binds_every_record_to_this_pack_and_version() {
    let w = World::new();
    let allowed = w.allowed().display().to_string();
    let export = |name: &str| {
        let pack = w.cli.data.path().join(name);
        w.cli.ok(&[
            "--allowed-signers",
            &allowed,
            "export",
            "audit-pack",
            V,
            "-o",
            pack.to_str().expect("p"),
        ]);
        pack
    };
    let (ok, out) = run_verify_txt(&w.cli, &export("honest"));
    assert!(ok, "{out}");
    // The platform's review.json edited after signing (a note rewritten): the pack carries
    // it, but no record binds it.
    let review = w.approvals(V).parent().expect("dir").join("review.json");
    let text = std::fs::read_to_string(&review).expect("review");
    std::fs::write(
        &review,
        text.replacen("\"note\": \"", "\"note\": \"INSIDER-EDITED ", 1),
    )
    .expect("edit");
    let (ok, out) = run_verify_txt(&w.cli, &export("edited-review"));
    assert!(!ok, "{out}");
    assert!(
        out.contains("does not bind this pack's review.json"),
        "{out}"
    );
    // Another version's genuine record copied in.
    w.restore();
    let other = w.approvals("models:/credit-limit-assignment/2");
    if let Some(src) = std::fs::read_dir(w.demo().join("reviews"))
        .expect("reviews")
        .flatten()
        .flat_map(|m| std::fs::read_dir(m.path()).into_iter().flatten().flatten())
        .map(|v| v.path().join("approvals"))
        .find(|a| a.is_dir() && *a != w.approvals(V) && *a != other)
    {
        let rec = std::fs::read_dir(&src)
            .expect("approvals")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"))
            .expect("a record");
        std::fs::copy(&rec, w.approvals(V).join("validator-zz.json")).expect("copy");
        std::fs::copy(
            format!("{}.sig", rec.display()),
            w.approvals(V).join("validator-zz.json.sig"),
        )
        .expect("copy sig");
        let (ok, out) = run_verify_txt(&w.cli, &export("copied"));
        assert!(!ok, "{out}");
        assert!(out.contains("is not about this version"), "{out}");
    }
}

#[test]
fn symbolic_links_in_the_folder_platform_are_never_followed() {
    let w = World::new();
    let secret_dir = tempfile::tempdir().expect("secret");
    let secret = secret_dir.path().join("id_ed25519");
    std::fs::write(
        &secret,
        "-----BEGIN OPENSSH PRIVATE KEY----- READER-SECRET-31337",
    )
    .expect("secret");
    let alex = w.record(V, "approver-alex.approver@demo.bank");
    std::fs::copy(&alex, w.approvals(V).join("zz.json")).expect("copy");
    std::os::unix::fs::symlink(&secret, w.approvals(V).join("zz.json.sig")).expect("link");
    std::os::unix::fs::symlink(&secret, w.approvals(V).join("yy.json")).expect("link");
    let (code, out) = gate_text(&w, V, &[]);
    assert_ne!(code, 0, "{out}");
    let pack = w.cli.data.path().join("linked-pack");
    w.cli.ok(&[
        "--allowed-signers",
        w.allowed().to_str().expect("p"),
        "export",
        "audit-pack",
        V,
        "-o",
        pack.to_str().expect("p"),
    ]);
    for e in std::fs::read_dir(pack.join("approvals"))
        .expect("approvals")
        .flatten()
    {
        let bytes = std::fs::read(e.path()).expect("read");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("READER-SECRET-31337"),
            "{} holds the reader's secret",
            e.path().display()
        );
    }
    // A superseded folder that is a link out of the platform: signing refuses to move the
    // old review through it, and nothing outside changes.
    w.restore();
    let victim = tempfile::tempdir().expect("victim");
    std::fs::write(victim.path().join("evidence.json"), "ORIGINAL").expect("victim");
    let dir = w.approvals(V).parent().expect("dir").to_path_buf();
    std::os::unix::fs::symlink(victim.path(), dir.join("superseded")).expect("link");
    let _ = w.cli.run(&["review", "start", V]);
    // Whether the sign is refused or not, nothing outside may change.
    let _ = w.sign("victor.validator@demo.bank", V, "validator", "reject");
    assert_eq!(
        std::fs::read_to_string(victim.path().join("evidence.json")).expect("victim"),
        "ORIGINAL"
    );
    assert_eq!(std::fs::read_dir(victim.path()).expect("victim").count(), 1);
}

#[test]
fn the_gate_resolves_an_alias_on_the_platform_now() {
    let w = World::new();
    // MLflow's own alias URI works wherever models:/NAME/VERSION does.
    let (code, out) = gate_text(&w, "models:/credit-limit-assignment@challenger", &[]);
    assert_eq!(code, 0, "challenger is v3, approved: {out}");
    assert!(out.contains("models:/credit-limit-assignment/3"), "{out}");
    let (code, out) = gate_text(&w, "models:/credit-limit-assignment@champion", &[]);
    assert_eq!(code, 1, "champion is v2, not approved: {out}");
    // The builder moves `challenger` to the unapproved v2 on the platform, after the last
    // sync: the gate checks v2 (what the alias names now), not the store's v3.
    let m = model_file(&w);
    let text = std::fs::read_to_string(&m).expect("model");
    std::fs::write(&m, text.replace("challenger = \"3\"", "challenger = \"2\"")).expect("alias");
    let (code, out) = gate_text(&w, "models:/credit-limit-assignment@challenger", &[]);
    assert_eq!(code, 1, "a moved alias still passed: {out}");
    assert!(out.contains("models:/credit-limit-assignment/2"), "{out}");
    // An unknown alias is an error naming the aliases there are (gate exit 2).
    let (code, out) = gate_text(&w, "models:/credit-limit-assignment@nope", &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("its aliases: challenger, champion"), "{out}");
}
