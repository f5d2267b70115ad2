//! Signed approvals against real OpenSSH, on the demo folder platform: interop both ways
//! (key file, passphrase key, ssh-agent), mutation, forged and expired records, separation of
//! duties, and the gate per tier.

use countersign_e2e::{complete_review, ssh_keygen_verify, verify_json, Cli};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn demo() -> Cli {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    cli
}

fn dir(cli: &Cli) -> PathBuf {
    cli.data.path().join("demo")
}

fn key(cli: &Cli, who: &str) -> String {
    dir(cli)
        .join("keys")
        .join(who)
        .join("id_ed25519")
        .display()
        .to_string()
}

fn sign(
    cli: &Cli,
    who: &str,
    v: &str,
    role: &str,
    decision: &str,
    extra: &[&str],
) -> std::process::Output {
    let k = key(cli, who);
    let mut args = vec![
        "sign",
        v,
        "--role",
        role,
        "--decision",
        decision,
        "--key",
        &k,
        "--yes",
    ];
    args.extend_from_slice(extra);
    cli.run(&args)
}

fn approvals_dir(cli: &Cli, v: &str) -> PathBuf {
    let r = v.strip_prefix("models:/").expect("ref");
    let (name, ver) = r.rsplit_once('/').expect("ref");
    dir(cli)
        .join("reviews")
        .join(name)
        .join(ver)
        .join("approvals")
}

fn gate(cli: &Cli, v: &str) -> (i32, String) {
    let o = cli.run(&["gate", v]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn countersign_signatures_verify_with_ssh_keygen_and_back() {
    let cli = demo();
    let v = "models:/claims-triage/1";
    complete_review(&cli, v, "vera.validator@demo.bank");
    let o = sign(
        &cli,
        "vera.validator@demo.bank",
        v,
        "validator",
        "approve",
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("ssh-keygen -Y verify -f allowed_signers -I vera.validator@demo.bank -n countersign -s validator-vera.validator@demo.bank.json.sig < validator-vera.validator@demo.bank.json"), "{out}");
    let record = approvals_dir(&cli, v).join("validator-vera.validator@demo.bank.json");
    let allowed = dir(&cli).join("allowed_signers");
    assert!(ssh_keygen_verify(
        &allowed,
        "vera.validator@demo.bank",
        &record
    ));
    // The record is exactly DESIGN §2.
    let rec: Value =
        serde_json::from_slice(&std::fs::read(&record).expect("record")).expect("json");
    assert_eq!(rec["type"], "countersign.approval/v2");
    assert_eq!(
        rec["model"]["platform"], "demo",
        "the platform's governed name"
    );
    assert_eq!(
        rec["policy_release_sha256"].as_str().map(str::len),
        Some(64),
        "{rec}"
    );
    assert!(rec["inventory"]["owner"].is_string(), "{rec}");
    assert!(
        rec["artifacts"]["files"].as_array().is_some_and(|f| f
            .iter()
            .any(|f| f["path"].as_str().is_some_and(|p| p.ends_with("model.pkl")))),
        "the model's files are bound: {rec}"
    );
    assert_eq!(rec["role"], "validator");
    assert_eq!(rec["tier"], "2");
    assert_eq!(rec["model"]["name"], "claims-triage");
    let keygen_fp = Command::new("ssh-keygen")
        .args(["-lf", &key(&cli, "vera.validator@demo.bank")])
        .output()
        .expect("ssh-keygen -lf");
    assert!(
        String::from_utf8_lossy(&keygen_fp.stdout)
            .contains(rec["key_fingerprint"].as_str().expect("fp")),
        "fingerprint matches ssh-keygen -lf"
    );

    // Now the other way: ssh-keygen signs the record, Countersign verifies it.
    let sig = PathBuf::from(format!("{}.sig", record.display()));
    std::fs::remove_file(&sig).expect("rm sig");
    let st = Command::new("ssh-keygen")
        .args([
            "-Y",
            "sign",
            "-f",
            &key(&cli, "vera.validator@demo.bank"),
            "-n",
            "countersign",
        ])
        .stdin(std::fs::File::open(&record).expect("record"))
        .stdout(std::fs::File::create(&sig).expect("sig"))
        .status()
        .expect("ssh-keygen -Y sign");
    assert!(st.success());
    let ver = verify_json(&cli, v);
    assert_eq!(ver["approvals"][0]["counts"], true, "{ver}");
    // Tier 2 also needs an approver: the gate says so.
    let (code, text) = gate(&cli, v);
    assert_eq!(code, 1);
    assert!(
        text.contains("tier 2 needs an approver approval; there is none"),
        "{text}"
    );
    let o = sign(
        &cli,
        "alex.approver@demo.bank",
        v,
        "approver",
        "approve",
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(gate(&cli, v).0, 0);
    // `verify --explain` prints the one command that checks it by hand.
    let explain = cli.ok(&["verify", v, "--explain"]);
    assert!(
        explain.contains("ssh-keygen -Y verify -f")
            && explain.contains("-I alex.approver@demo.bank -n countersign"),
        "{explain}"
    );
    // …and that command, run as printed, verifies the approval with stock OpenSSH.
    let cmd = explain
        .lines()
        .find(|l| l.contains("-I alex.approver@demo.bank"))
        .and_then(|l| l.split_once("check by hand: "))
        .map(|(_, c)| c.to_string())
        .expect("command");
    let o = Command::new("bash")
        .args(["-c", &cmd])
        .output()
        .expect("bash");
    assert!(
        o.status.success()
            && String::from_utf8_lossy(&o.stdout)
                .contains("Good \"countersign\" signature for alex.approver@demo.bank"),
        "{cmd}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(cli.ok(&["ledger", "verify"]).contains("chain intact"));
}

#[test]
fn passphrase_keys_and_ssh_agent() {
    let cli = demo();
    let d = dir(&cli);
    // Victor gets a new, passphrase-protected key; allowed_signers is updated to it.
    let pass = cli.data.path().join("pass.txt");
    std::fs::write(&pass, "correct horse\n").expect("pass");
    let newkey = cli.data.path().join("victor_key");
    let out = cli.ok(&[
        "keys",
        "generate",
        newkey.to_str().expect("p"),
        "--passphrase-file",
        pass.to_str().expect("p"),
        "--as",
        "victor.validator@demo.bank",
    ]);
    let line = out.lines().last().expect("line").to_string();
    assert!(
        line.starts_with("victor.validator@demo.bank namespaces=\"countersign\" ssh-ed25519 "),
        "{line}"
    );
    let allowed = d.join("allowed_signers");
    let text = std::fs::read_to_string(&allowed).expect("allowed");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("victor."))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + &line
        + "\n";
    std::fs::write(&allowed, text).expect("write");
    // The risk function releases the changed roster.
    countersign_e2e::demo_release(&cli, None);
    let shown = cli.ok(&[
        "keys",
        "--key",
        newkey.to_str().expect("p"),
        "--passphrase-file",
        pass.to_str().expect("p"),
    ]);
    let fp = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&newkey)
        .output()
        .expect("ssh-keygen");
    let fp = String::from_utf8_lossy(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .expect("fp")
        .to_string();
    assert!(
        shown.contains(&fp),
        "countersign keys shows the ssh-keygen fingerprint {fp}: {shown}"
    );

    // A wrong passphrase says so; no terminal and no passphrase says how to give one.
    let wrong = cli.data.path().join("wrong.txt");
    std::fs::write(&wrong, "nope").expect("wrong");
    let v = "models:/kyc-name-screening/1";
    complete_review(&cli, v, "victor.validator@demo.bank");
    let o = cli.run(&[
        "sign",
        v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        newkey.to_str().expect("p"),
        "--passphrase-file",
        wrong.to_str().expect("p"),
        "--yes",
    ]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("wrong passphrase"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = cli
        .command(&[
            "sign",
            v,
            "--role",
            "validator",
            "--decision",
            "approve",
            "--key",
            newkey.to_str().expect("p"),
            "--yes",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--passphrase-file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!String::from_utf8_lossy(&o.stderr).contains("correct horse"));
    let o = cli.run(&[
        "sign",
        v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        newkey.to_str().expect("p"),
        "--passphrase-file",
        pass.to_str().expect("p"),
        "--yes",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(ssh_keygen_verify(
        &allowed,
        "victor.validator@demo.bank",
        &approvals_dir(&cli, v).join("validator-victor.validator@demo.bank.json")
    ));

    // ssh-agent: a real agent holds alex's key; Countersign signs through it.
    let sock = cli.data.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a"])
        .arg(&sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ssh-agent");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !sock.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "ssh-agent did not create its socket"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let added = Command::new("ssh-add")
        .arg(key(&cli, "alex.approver@demo.bank"))
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .expect("ssh-add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let o = cli
        .command(&[
            "sign",
            v,
            "--role",
            "approver",
            "--decision",
            "approve",
            "--agent",
            "--yes",
        ])
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .expect("sign");
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(ssh_keygen_verify(
        &allowed,
        "alex.approver@demo.bank",
        &approvals_dir(&cli, v).join("approver-alex.approver@demo.bank.json")
    ));
    assert_eq!(gate(&cli, v).0, 0);
}

#[test]
fn flipping_any_byte_or_swapping_the_key_never_counts() {
    let cli = demo();
    let v = "models:/churn-propensity/1"; // signed by vera in the demo
    let rec_path = approvals_dir(&cli, v).join("validator-vera.validator@demo.bank.json");
    let sig_path = PathBuf::from(format!("{}.sig", rec_path.display()));
    let record = std::fs::read(&rec_path).expect("record");
    let sig = std::fs::read(&sig_path).expect("sig");
    let allowed = countersign_core::signing::allowed_signers::AllowedSigners::load(
        &dir(&cli).join("allowed_signers"),
    )
    .expect("allowed");
    let now = chrono_now();
    assert!(countersign_core::signing::verify(
        &allowed,
        "vera.validator@demo.bank",
        &record,
        &sig,
        now
    )
    .is_ok());
    for i in 0..record.len() {
        let mut r = record.clone();
        r[i] ^= 0x01;
        assert!(
            countersign_core::signing::verify(&allowed, "vera.validator@demo.bank", &r, &sig, now)
                .is_err(),
            "flipping record byte {i} still verifies"
        );
    }
    for i in 0..sig.len() {
        let mut s = sig.clone();
        s[i] ^= 0x01;
        if s == sig {
            continue;
        }
        assert!(
            countersign_core::signing::verify(
                &allowed,
                "vera.validator@demo.bank",
                &record,
                &s,
                now
            )
            .is_err(),
            "flipping signature byte {i} still verifies"
        );
    }
    // Through the CLI: an altered record and an altered signature, each with its reason.
    // The tier lowered from 3 to 1 in the record: still JSON, no longer what was signed.
    let altered = String::from_utf8_lossy(&record)
        .replacen("\"tier\": \"3\"", "\"tier\": \"1\"", 1)
        .into_bytes();
    assert_ne!(altered, record);
    std::fs::write(&rec_path, &altered).expect("write");
    let ver = verify_json(&cli, v);
    assert_eq!(ver["approvals"][0]["counts"], false);
    assert!(
        ver["approvals"][0]["reasons"]
            .to_string()
            .contains("the record or the signature was altered"),
        "{ver}"
    );
    assert_eq!(gate(&cli, v).0, 1);
    std::fs::write(&rec_path, &record).expect("restore");
    assert_eq!(gate(&cli, v).0, 0);
    // allowed_signers now holds another key for vera.
    let allowed_path = dir(&cli).join("allowed_signers");
    let text = std::fs::read_to_string(&allowed_path).expect("allowed");
    let alex_key = text
        .lines()
        .find(|l| l.starts_with("alex."))
        .expect("alex")
        .split_once(' ')
        .expect("line")
        .1
        .to_string();
    let swapped: String = text
        .lines()
        .map(|l| {
            if l.starts_with("vera.") {
                format!("vera.validator@demo.bank {alex_key}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&allowed_path, swapped).expect("write");
    // Written to the folder only, it changes nothing: the roster is the release's.
    assert_eq!(
        gate(&cli, v).0,
        0,
        "the folder's allowed_signers is not trusted"
    );
    countersign_e2e::demo_release(&cli, None);
    let ver = verify_json(&cli, v);
    assert!(
        ver["approvals"][0]["reasons"]
            .to_string()
            .contains("which allowed_signers does not list for 'vera.validator@demo.bank'"),
        "{ver}"
    );
    assert_eq!(gate(&cli, v).0, 1);
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[test]
fn separation_of_duties_is_enforced_at_sign_time() {
    let cli = demo();
    // Bob built the demo versions; the roster makes him a validator, yet he may not sign.
    let v = "models:/sepsis-early-warning/1";
    complete_review(&cli, v, "vera.validator@demo.bank");
    let o = sign(
        &cli,
        "bob.builder@demo.bank",
        v,
        "validator",
        "approve",
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'bob.builder@demo.bank' is the creator of the version; the builder of a model never approves it"), "{err}");
    // Alex is not a validator.
    let o = sign(
        &cli,
        "alex.approver@demo.bank",
        v,
        "validator",
        "approve",
        &[],
    );
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("does not give 'alex.approver@demo.bank' the role validator"));
    // Vera validates; she may not also approve a tier-1 model.
    assert!(sign(
        &cli,
        "vera.validator@demo.bank",
        v,
        "validator",
        "approve",
        &[]
    )
    .status
    .success());
    let o = sign(
        &cli,
        "vera.validator@demo.bank",
        v,
        "approver",
        "approve",
        &["--as", "vera.validator@demo.bank"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("already signed as validator")
            && err.contains("needs a different person for each role"),
        "{err}"
    );
    // An incomplete review cannot be approved, but can be rejected.
    let w = "models:/mortgage-lgd/1";
    cli.ok(&["review", "start", w]);
    let o = sign(
        &cli,
        "victor.validator@demo.bank",
        w,
        "validator",
        "approve",
        &[],
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the review is not complete"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = sign(
        &cli,
        "victor.validator@demo.bank",
        w,
        "validator",
        "reject",
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, text) = gate(&cli, w);
    assert_eq!(code, 1);
    assert!(
        text.contains("validator victor.validator@demo.bank rejected it"),
        "{text}"
    );
    // Conditional approvals need conditions and a future expiry.
    let o = sign(
        &cli,
        "alex.approver@demo.bank",
        v,
        "approver",
        "approve_with_conditions",
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("needs at least one --condition") && err.contains("needs --expires"),
        "{err}"
    );
    let o = sign(
        &cli,
        "alex.approver@demo.bank",
        v,
        "approver",
        "approve_with_conditions",
        &[
            "--condition",
            "Back-test again after Q1",
            "--expires",
            "2099-01-31",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        gate(&cli, v).0,
        0,
        "tier 1 with validator + a different approver passes"
    );
}

/// A record written straight onto the platform, signed by a real key with ssh-keygen.
fn forge(cli: &Cli, v: &str, stem: &str, edit: impl Fn(&mut Value), signer_key: &str) {
    let template = approvals_dir(cli, "models:/retail-pd-scorecard/2")
        .join("validator-vera.validator@demo.bank.json");
    let mut rec: Value =
        serde_json::from_slice(&std::fs::read(template).expect("template")).expect("json");
    edit(&mut rec);
    let dir = approvals_dir(cli, v);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{stem}.json"));
    let mut bytes = serde_json::to_vec_pretty(&rec).expect("json");
    bytes.push(b'\n');
    std::fs::write(&path, &bytes).expect("write");
    let st = Command::new("ssh-keygen")
        .args([
            "-Y",
            "sign",
            "-f",
            &key(cli, signer_key),
            "-n",
            "countersign",
        ])
        .stdin(std::fs::File::open(&path).expect("rec"))
        .stdout(std::fs::File::create(format!("{}.sig", path.display())).expect("sig"))
        .stderr(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

#[test]
fn forged_copied_and_expired_records_never_count() {
    let cli = demo();
    // Vera's approval of retail-pd-scorecard v2 copied onto v3.
    let v3 = "models:/retail-pd-scorecard/3";
    let src = approvals_dir(&cli, "models:/retail-pd-scorecard/2");
    let dst = approvals_dir(&cli, v3);
    std::fs::create_dir_all(&dst).expect("dir");
    for f in [
        "validator-vera.validator@demo.bank.json",
        "validator-vera.validator@demo.bank.json.sig",
    ] {
        std::fs::copy(src.join(f), dst.join(f)).expect("copy");
    }
    let ver = verify_json(&cli, v3);
    let reasons = ver["approvals"][0]["reasons"].to_string();
    assert!(
        reasons.contains(
            "the record is for models:/retail-pd-scorecard/2, not models:/retail-pd-scorecard/3"
        ),
        "{reasons}"
    );
    assert!(reasons.contains("stale"), "{reasons}");
    assert_eq!(gate(&cli, v3).0, 1);

    // The builder forges his own approval (a valid signature with his own key).
    let v = "models:/ifrs9-ecl-staging/2";
    forge(
        &cli,
        v,
        "validator-bob.builder@demo.bank",
        |r| {
            r["model"]["name"] = "ifrs9-ecl-staging".into();
            r["model"]["version"] = "2".into();
            r["signer"] = "bob.builder@demo.bank".into();
        },
        "bob.builder@demo.bank",
    );
    let ver = verify_json(&cli, v);
    let reasons = ver["approvals"][0]["reasons"].to_string();
    assert!(
        reasons.contains("is the creator of the version: a builder's approval never counts"),
        "{reasons}"
    );
    assert!(
        reasons.contains("signed with key"),
        "the key named in the record is vera's: {reasons}"
    );

    // An expired conditional approval, validly signed.
    let v = "models:/churn-propensity/2";
    forge(
        &cli,
        v,
        "validator-vera.validator@demo.bank",
        |r| {
            r["model"]["name"] = "churn-propensity".into();
            r["model"]["version"] = "2".into();
            r["tier"] = "3".into();
            r["decision"] = "approve_with_conditions".into();
            r["conditions"] = serde_json::json!(["re-validate after Q1"]);
            r["expires_at"] = "2026-01-31T00:00:00Z".into();
        },
        "vera.validator@demo.bank",
    );
    let ver = verify_json(&cli, v);
    let reasons = ver["approvals"][0]["reasons"].to_string();
    assert!(
        reasons.contains("expired on 2026-01-31T00:00:00Z"),
        "{reasons}"
    );
    assert_eq!(gate(&cli, v).0, 1);

    // A record in another namespace, or by a signer not in allowed_signers.
    let allowed = countersign_core::signing::allowed_signers::AllowedSigners::load(
        &dir(&cli).join("allowed_signers"),
    )
    .expect("allowed");
    let rec = b"{}\n";
    let other_ns = Command::new("ssh-keygen")
        .args([
            "-Y",
            "sign",
            "-f",
            &key(&cli, "vera.validator@demo.bank"),
            "-n",
            "git",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(rec)?;
            c.wait_with_output()
        })
        .expect("sign");
    let why = countersign_core::signing::verify(
        &allowed,
        "vera.validator@demo.bank",
        rec,
        &other_ns.stdout,
        chrono_now(),
    )
    .unwrap_err();
    assert!(why.contains("namespace 'git'"), "{why}");
    // Unsupported allowed_signers content is rejected, never half-read: a release of it is
    // refused, and planted in the folder it is never read.
    let (before, _) = gate(&cli, "models:/churn-propensity/1");
    std::fs::write(dir(&cli).join("allowed_signers"), "*@demo.bank ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOgHIr4PjAW3RdZIdJ9oaxYKc/JPqlaLKyo/S5AbqECH\n").expect("write");
    let (code, _) = gate(&cli, "models:/churn-propensity/1");
    assert_eq!(
        code, before,
        "the folder's allowed_signers is never what the gate trusts"
    );
    let o = cli.run(&[
        "--policy",
        &countersign_e2e::workspace_root()
            .join("policies/default.toml")
            .display()
            .to_string(),
        "--allowed-signers",
        &dir(&cli).join("allowed_signers").display().to_string(),
        "policy",
        "release",
        "-o",
        &cli.data.path().join("bad-release").display().to_string(),
        "--name",
        "demo",
        "--uri",
        "folder:/x",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("allowed_signers line 1") && err.contains("pattern"),
        "{err}"
    );
}

#[test]
fn a_script_never_signs_without_yes() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/mortgage-lgd/1";
    cli.ok(&["review", "start", v]);
    let k = key(&cli, "victor.validator@demo.bank");
    // `echo y | countersign sign …`: standard input is a pipe, not a person.
    let mut child = cli
        .command(&[
            "sign",
            v,
            "--role",
            "validator",
            "--decision",
            "reject",
            "--key",
            &k,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let _ = stdin.write_all(b"y\n");
    }
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "signed without --yes: {err}");
    assert!(err.contains("pass --yes"), "{err}");
    assert!(
        !approvals_dir(&cli, v)
            .join("validator-victor.validator@demo.bank.json")
            .exists(),
        "a record was written"
    );
}

/// The principal of a demo model's owner (`Zoë Adams <zoe.adams@demo.bank>` → the address).
fn owner_of(cli: &Cli, v: &str) -> String {
    let shown = cli.json(&["show", v, "--json"]);
    countersign_core::demo::demo_owner(shown["model"]["owner"].as_str().expect("an owner"))
}

fn attestations_dir(cli: &Cli, v: &str) -> PathBuf {
    approvals_dir(cli, v).with_file_name("attestations")
}

fn files_in(d: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .map(|r| r.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn only_the_owner_attests_and_what_they_sign_verifies_with_ssh_keygen() {
    let cli = demo();
    let v = "models:/claims-triage/1";
    let owner = owner_of(&cli, v);
    let dir_a = attestations_dir(&cli, v);
    assert!(files_in(&dir_a).is_empty(), "the demo attested {v} already");

    // A validator is not the owner: refused with the reason, nothing written.
    let o = cli.run(&[
        "attest",
        v,
        "--key",
        &key(&cli, "vera.validator@demo.bank"),
        "--yes",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is not the owner of claims-triage"), "{err}");
    assert!(files_in(&dir_a).is_empty());

    // A script never attests without --yes, even when it pipes "y".
    let mut child = cli
        .command(&["attest", v, "--key", &key(&cli, &owner)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let _ = stdin.write_all(b"y\n");
    }
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("pass --yes"), "{err}");
    assert!(files_in(&dir_a).is_empty());

    // A note that would repaint a terminal is refused before anything is signed, shown back.
    let o = cli.run(&[
        "attest",
        v,
        "--key",
        &key(&cli, &owner),
        "--yes",
        "--note",
        "fine\u{1b}[2J\u{1b}[31mAPPROVED",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("--note") && !err.contains('\u{1b}'), "{err}");
    assert!(files_in(&dir_a).is_empty());

    // The owner attests; stock OpenSSH checks it with the command Countersign printed.
    let made = cli.json(&[
        "attest",
        v,
        "--key",
        &key(&cli, &owner),
        "--yes",
        "--note",
        "Checked the routing rules with claims operations.",
        "--json",
    ]);
    assert_eq!(made["record"]["type"], "countersign.attestation/v1");
    assert_eq!(made["record"]["signer"], owner.as_str());
    let record = PathBuf::from(made["location"].as_str().expect("location"));
    assert_eq!(record.parent(), Some(dir_a.as_path()));
    assert!(ssh_keygen_verify(
        &dir(&cli).join("allowed_signers"),
        &owner,
        &record
    ));
    std::fs::copy(
        dir(&cli).join("allowed_signers"),
        dir_a.join("allowed_signers"),
    )
    .expect("copy roster");
    let cmd = made["verify_command"].as_str().expect("command");
    let out = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(&dir_a)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{cmd}: {out:?}");
    std::fs::remove_file(dir_a.join("allowed_signers")).expect("rm");
    let listed = cli.ok(&["attest", v, "--list"]);
    assert!(
        listed.contains(&format!("COUNTS attestation by {owner}")),
        "{listed}"
    );

    // The owner never signs a decision.
    let o = sign(&cli, &owner, v, "validator", "approve", &[]);
    assert!(!o.status.success(), "the owner signed a validation");
    assert!(files_in(&approvals_dir(&cli, v)).is_empty());

    // An insider edits the note of the signed record: it stops counting.
    let text = std::fs::read_to_string(&record).expect("record");
    std::fs::write(&record, text.replace("claims operations", "nobody")).expect("edit");
    let judged = cli.json(&["attest", v, "--list", "--json"]);
    let checks = judged["attestations"].as_array().expect("list");
    assert_eq!(checks.len(), 1, "{judged}");
    assert_eq!(checks[0]["counts"], false);
    assert!(
        checks[0]["reasons"].to_string().contains("bad signature"),
        "{judged}"
    );
    std::fs::write(&record, text).expect("restore");

    // The same signed files planted beside another version never count there.
    let other = "models:/claims-triage/2";
    let planted = attestations_dir(&cli, other);
    std::fs::create_dir_all(&planted).expect("mkdir");
    for f in files_in(&dir_a) {
        std::fs::copy(&f, planted.join(f.file_name().expect("name"))).expect("plant");
    }
    let judged = cli.json(&["attest", other, "--list", "--json"]);
    let checks = judged["attestations"].as_array().expect("list");
    assert!(
        !checks.is_empty() && checks.iter().all(|c| c["counts"] == false),
        "{judged}"
    );
    assert!(
        judged.to_string().contains("not models:/claims-triage/2"),
        "{judged}"
    );
}

#[test]
fn the_queue_asks_the_owner_to_attest_when_the_cadence_comes_round() {
    let cli = demo();
    let far = (chrono_now() + chrono::Duration::days(800))
        .format("%Y-%m-%d")
        .to_string();
    let q = cli.json(&["queue", "--as-of", &far, "--json"]);
    let items = q["items"].as_array().expect("items");
    let due: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["reasons"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["kind"] == "attestation_due"))
        })
        .collect();
    assert!(!due.is_empty(), "no attestation due by {far}: {q}");
    let item = due[0];
    let owner = countersign_core::demo::demo_owner(item["owner"].as_str().expect("owner"));
    let reason = item["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["kind"] == "attestation_due")
        .expect("reason");
    assert!(
        reason["detail"]
            .as_str()
            .is_some_and(|d| d.contains("countersign attest")),
        "{reason}"
    );
    // The owner's own queue holds it, and nothing of other owners'.
    let mine = cli.json(&["queue", "--mine", "--as", &owner, "--as-of", &far, "--json"]);
    let mine_items = mine["items"].as_array().expect("items");
    assert!(
        mine_items
            .iter()
            .any(|i| i["version_ref"] == item["version_ref"]),
        "{mine}"
    );
    assert!(
        mine_items.iter().all(|i| i["owner"] == item["owner"]),
        "{mine}"
    );
    // Once attested, the cadence counts from today's attestation.
    let v = item["version_ref"].as_str().expect("ref").to_string();
    cli.ok(&["attest", &v, "--key", &key(&cli, &owner), "--yes"]);
    let today = chrono_now().format("%Y-%m-%d").to_string();
    let again = cli.json(&["queue", "--as-of", &far, "--json"]);
    let detail = again["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["version_ref"] == v.as_str())
        .flat_map(|i| i["reasons"].as_array().cloned().unwrap_or_default())
        .find(|r| r["kind"] == "attestation_due")
        .map(|r| r["detail"].to_string())
        .unwrap_or_default();
    assert!(
        detail.contains(&format!("last attested on {today}")),
        "{detail}"
    );
}
