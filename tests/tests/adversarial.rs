//! Adversarial approvals, table-driven: each attack starts from the same demo state — a
//! version whose gate passes with a genuine validator (vera) and approver (alex) — alters,
//! forges or replays approvals the way a bad actor would, and checks that the attacked
//! approval does not count, for the right reason, and that `gate` never exits 0.
//! docs/security.md names this test for each row.

use countersign_e2e::{copy_dir, restore_dir, Cli};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const V: &str = "models:/credit-limit-assignment/3";
const OTHER: &str = "models:/credit-limit-assignment/2";

struct World {
    cli: Cli,
    template: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let cli = Cli::new();
        cli.ok(&["demo", "--no-tui"]);
        let w = Self {
            cli,
            template: tempfile::tempdir().expect("template"),
        };
        copy_dir(w.cli.data.path(), w.template.path());
        w
    }

    fn restore(&self) {
        restore_dir(self.cli.data.path(), self.template.path());
    }

    fn demo(&self) -> PathBuf {
        self.cli.data.path().join("demo")
    }

    fn allowed(&self) -> PathBuf {
        self.demo().join("allowed_signers")
    }

    fn key(&self, who: &str) -> PathBuf {
        self.demo().join("keys").join(who).join("id_ed25519")
    }

    fn approvals(&self, v: &str) -> PathBuf {
        let (name, ver) = v
            .strip_prefix("models:/")
            .and_then(|r| r.rsplit_once('/'))
            .expect("ref");
        self.demo()
            .join("reviews")
            .join(name)
            .join(ver)
            .join("approvals")
    }

    fn record(&self, v: &str, stem: &str) -> PathBuf {
        self.approvals(v).join(format!("{stem}.json"))
    }

    fn gate(&self, v: &str, extra: &[&str]) -> i32 {
        let allowed = self.allowed().display().to_string();
        let mut args = vec!["--allowed-signers", allowed.as_str()];
        args.extend_from_slice(extra);
        args.extend(["gate", v]);
        self.cli.run(&args).status.code().unwrap_or(-1)
    }

    fn verify(&self, v: &str, extra: &[&str]) -> Value {
        let allowed = self.allowed().display().to_string();
        let mut args = vec!["--allowed-signers", allowed.as_str()];
        args.extend_from_slice(extra);
        args.extend(["verify", v, "--json"]);
        let o = self.cli.run(&args);
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!("verify --json: {e}: {}", String::from_utf8_lossy(&o.stderr))
        })
    }
}

/// Signs `path` with ssh-keygen into `path.sig` (namespace `ns`).
fn ssh_sign(key: &Path, ns: &str, path: &Path) {
    let st = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f"])
        .arg(key)
        .args(["-n", ns])
        .stdin(std::fs::File::open(path).expect("record"))
        .stdout(std::fs::File::create(format!("{}.sig", path.display())).expect("sig"))
        .stderr(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

fn fingerprint(key: &Path) -> String {
    let o = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .expect("ssh-keygen -lf");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_string()
}

/// Writes a record edited from alex's genuine approval, signed with `key` (namespace
/// countersign), in place of alex's.
fn forge_approver(w: &World, key: &Path, edit: impl Fn(&mut Value)) {
    let alex = w.record(V, "approver-alex.approver@demo.bank");
    let mut rec: Value = serde_json::from_slice(&std::fs::read(&alex).expect("alex")).expect("j");
    edit(&mut rec);
    std::fs::remove_file(&alex).expect("rm");
    std::fs::remove_file(format!("{}.sig", alex.display())).expect("rm sig");
    let stem = format!(
        "approver-{}",
        rec["signer"].as_str().expect("signer").to_lowercase()
    );
    let path = w.record(V, &stem);
    let mut bytes = serde_json::to_vec_pretty(&rec).expect("json");
    bytes.push(b'\n');
    std::fs::write(&path, bytes).expect("write");
    ssh_sign(key, "countersign", &path);
}

/// A policy with extra roster lines; returns its path and hash.
fn policy_with(w: &World, roster: &str) -> (String, String) {
    let base = countersign_core::policy::DEFAULT_POLICY;
    let text = format!("{base}{roster}");
    let path = w.cli.data.path().join("policy-attack.toml");
    std::fs::write(&path, &text).expect("policy");
    let sha = countersign_core::policy::LoadedPolicy::from_text(&text, None)
        .expect("policy loads")
        .sha256;
    (path.display().to_string(), sha)
}

fn set_allowed_line(w: &World, principal: &str, edit: impl Fn(&str) -> Option<String>) {
    let text = std::fs::read_to_string(w.allowed()).expect("allowed");
    let out: Vec<String> = text
        .lines()
        .filter_map(|l| {
            if l.starts_with(&format!("{principal} ")) {
                edit(l)
            } else {
                Some(l.to_string())
            }
        })
        .collect();
    std::fs::write(w.allowed(), out.join("\n") + "\n").expect("write allowed");
}

/// What an attack does: returns the version to check, the global flags to verify with, and
/// the reason the attacked approval must be refused for (None: verification itself must fail
/// with an error, e.g. an allowed_signers file Countersign will not half-read).
type Attack = fn(&World) -> (&'static str, Vec<String>, Option<&'static str>);

fn copied_onto_another_version(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    let (src, dst) = (w.approvals(V), w.approvals(OTHER));
    std::fs::create_dir_all(&dst).expect("dir");
    for f in std::fs::read_dir(&src).expect("src").flatten() {
        std::fs::copy(f.path(), dst.join(f.file_name())).expect("copy");
    }
    (
        OTHER,
        vec![],
        Some("the record is for models:/credit-limit-assignment/3, not models:/credit-limit-assignment/2"),
    )
}

fn key_removed_from_allowed_signers(
    w: &World,
) -> (&'static str, Vec<String>, Option<&'static str>) {
    set_allowed_line(w, "alex.approver@demo.bank", |_| None);
    (
        V,
        vec![],
        Some("signer 'alex.approver@demo.bank' is not in allowed_signers"),
    )
}

fn valid_before_passed(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    set_allowed_line(w, "alex.approver@demo.bank", |l| {
        Some(l.replacen(
            "namespaces=\"countersign\"",
            "namespaces=\"countersign\",valid-before=\"20250101\"",
            1,
        ))
    });
    (
        V,
        vec![],
        Some("the key of 'alex.approver@demo.bank' expired on 2025-01-01"),
    )
}

fn wildcard_principal(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    set_allowed_line(w, "alex.approver@demo.bank", |l| {
        Some(l.replacen("alex.approver@demo.bank", "*@demo.bank", 1))
    });
    (V, vec![], None)
}

fn other_namespace(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    let rec = w.record(V, "approver-alex.approver@demo.bank");
    ssh_sign(&w.key("alex.approver@demo.bank"), "git", &rec);
    (V, vec![], Some("namespace 'git'"))
}

fn one_key_two_principals(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    // Vera gets a second principal on her own key and the approver role under it.
    let vera = w.key("vera.validator@demo.bank");
    let text = std::fs::read_to_string(w.allowed()).expect("allowed");
    let vera_line = text
        .lines()
        .find(|l| l.starts_with("vera.validator@demo.bank "))
        .expect("vera's line");
    let mut all = text.clone();
    all.push_str(&vera_line.replacen("vera.validator@demo.bank", "vera.approver@demo.bank", 1));
    all.push('\n');
    std::fs::write(w.allowed(), all).expect("allowed");
    let (policy, sha) = policy_with(w, "\"vera.approver@demo.bank\" = [\"approver\"]\n");
    let fp = fingerprint(&vera);
    forge_approver(w, &vera, |r| {
        r["signer"] = "vera.approver@demo.bank".into();
        r["key_fingerprint"] = fp.clone().into();
        r["policy_sha256"] = sha.clone().into();
    });
    (
        V,
        vec!["--policy".into(), policy],
        Some("independence broken"),
    )
}

fn owner_under_another_case(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    // The model's owner, with a key of her own, signs as approver under a principal spelled
    // with other capitals; the owner tag on the platform gets stray spaces and capitals too.
    let model = w.demo().join("models/credit-limit-assignment.toml");
    let text = std::fs::read_to_string(&model).expect("model file");
    let owner_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("owner"))
        .expect("owner line")
        .to_string();
    let email = owner_line
        .split('<')
        .nth(1)
        .and_then(|r| r.split('>').next())
        .expect("owner e-mail")
        .to_string();
    std::fs::write(
        &model,
        text.replace(
            &owner_line,
            &format!("owner = \"  {}  \"", email.to_uppercase()),
        ),
    )
    .expect("model");
    let principal = {
        let (user, host) = email.split_once('@').expect("e-mail");
        format!("{}@{}", user.to_uppercase(), host)
    };
    let key = w.cli.data.path().join("owner-key");
    let out = w.cli.ok(&[
        "keys",
        "generate",
        key.to_str().expect("p"),
        "--no-passphrase",
        "--as",
        &principal,
    ]);
    let mut allowed = std::fs::read_to_string(w.allowed()).expect("allowed");
    allowed.push_str(out.lines().last().expect("line"));
    allowed.push('\n');
    std::fs::write(w.allowed(), allowed).expect("allowed");
    let (policy, sha) = policy_with(w, &format!("\"{principal}\" = [\"approver\"]\n"));
    let fp = fingerprint(&key);
    forge_approver(w, &key, |r| {
        r["signer"] = principal.clone().into();
        r["key_fingerprint"] = fp.clone().into();
        r["policy_sha256"] = sha.clone().into();
    });
    (
        V,
        vec!["--policy".into(), policy],
        Some("owner of the model"),
    )
}

fn backdated(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    // Alex signs, with his own valid key, a record dated before the version existed.
    forge_approver(w, &w.key("alex.approver@demo.bank"), |r| {
        r["signed_at"] = "2020-01-01T00:00:00Z".into();
    });
    (V, vec![], Some("before the version existed"))
}

fn postdated(w: &World) -> (&'static str, Vec<String>, Option<&'static str>) {
    forge_approver(w, &w.key("alex.approver@demo.bank"), |r| {
        r["signed_at"] = "2099-01-01T00:00:00Z".into();
    });
    (V, vec![], Some("in the future"))
}

#[test]
fn no_forged_altered_or_replayed_approval_ever_counts() {
    let w = World::new();
    assert_eq!(
        w.gate(V, &[]),
        0,
        "the untouched demo version passes the gate"
    );
    // verify --all checks exactly the versions that have approvals, and finds them all sound.
    let with_approvals: Vec<String> = std::fs::read_dir(w.demo().join("reviews"))
        .expect("reviews")
        .flatten()
        .flat_map(|m| std::fs::read_dir(m.path()).into_iter().flatten().flatten())
        .filter(|v| v.path().join("approvals").is_dir())
        .map(|v| v.path().display().to_string())
        .collect();
    let all = w.cli.run(&["verify", "--all", "--json"]);
    let all: Value = serde_json::from_slice(&all.stdout).expect("verify --all --json");
    let all = all.as_array().expect("a list");
    assert_eq!(all.len(), with_approvals.len(), "{with_approvals:?}");
    assert!(all.iter().all(|v| v["approvals"]
        .as_array()
        .is_some_and(|a| a.iter().all(|c| c["counts"] == true))));
    let table: &[(&str, Attack)] = &[
        (
            "another version's approvals copied onto this one",
            copied_onto_another_version,
        ),
        (
            "a signature by a key removed from allowed_signers",
            key_removed_from_allowed_signers,
        ),
        ("a valid-before date passed", valid_before_passed),
        ("a principal with a wildcard", wildcard_principal),
        ("a namespace other than countersign", other_namespace),
        (
            "one person in both roles under two principals on one key",
            one_key_two_principals,
        ),
        (
            "the owner under another case and whitespace of her e-mail",
            owner_under_another_case,
        ),
        (
            "a record backdated to before the version existed",
            backdated,
        ),
        ("a record dated in the future", postdated),
    ];
    let mut failures = Vec::new();
    for (name, attack) in table {
        w.restore();
        let (v, flags, reason) = attack(&w);
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let code = w.gate(v, &flags);
        if code == 0 {
            failures.push(format!("{name}: the gate passed"));
            continue;
        }
        match reason {
            None => {
                if code != 2 {
                    failures.push(format!(
                        "{name}: gate exit {code}, expected 2 (an error, not a verdict)"
                    ));
                }
            }
            Some(reason) => {
                let ver = w.verify(v, &flags);
                let attacked: Vec<&Value> = ver["approvals"]
                    .as_array()
                    .expect("approvals")
                    .iter()
                    .filter(|a| a["counts"] != true)
                    .collect();
                if !attacked
                    .iter()
                    .any(|a| a["reasons"].to_string().contains(reason))
                {
                    failures.push(format!(
                        "{name}: no refused approval gives the reason {reason:?}: {ver}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
