//! One resolved configuration: flags > environment > config file > defaults, each value with
//! where it came from (`countersign config show`), secrets shown as `(set)`.

use countersign_e2e::Cli;
use serde_json::Value;

fn setting<'a>(shown: &'a Value, name: &str) -> &'a Value {
    shown["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no setting {name}: {shown}"))
}

#[test]
fn config_show_explains_every_setting_and_its_origin() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "platform = \"folder:/from/the/file\"\nidentity = \"file@bank.example\"\npolicy = \"policy.toml\"\nlog = \"info\"\n[http]\nattempts = 7\n",
    )
    .expect("config");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = cli.command(args);
        c.env("COUNTERSIGN_CONFIG", &file)
            .env("MLFLOW_TRACKING_PASSWORD", "pw-CONFIG-SECRET-77")
            .env_remove("COUNTERSIGN_IDENTITY")
            .env_remove("COUNTERSIGN_HTTP_ATTEMPTS");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().expect("run");
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            !out.contains("pw-CONFIG-SECRET-77"),
            "a secret was shown: {out}"
        );
        out
    };
    let file_origin = format!("file {}", file.display());
    // The file alone.
    let shown: Value =
        serde_json::from_str(&run(&["config", "show", "--json"], &[])).expect("json");
    assert_eq!(shown["schema"], "countersign.config/v1");
    assert_eq!(setting(&shown, "identity")["value"], "file@bank.example");
    assert_eq!(setting(&shown, "identity")["origin"]["kind"], "file");
    assert_eq!(
        setting(&shown, "platform")["value"],
        "folder:/from/the/file"
    );
    assert_eq!(
        setting(&shown, "policy")["value"],
        dir.path().join("policy.toml").display().to_string(),
        "relative paths are relative to the file"
    );
    assert_eq!(setting(&shown, "http.attempts")["value"], "7");
    assert_eq!(setting(&shown, "log")["value"], "info");
    assert_eq!(setting(&shown, "mlflow.password")["value"], "(set)");
    assert_eq!(setting(&shown, "mlflow.password")["origin"]["kind"], "env");
    assert_eq!(
        setting(&shown, "data_dir")["origin"]["name"],
        "COUNTERSIGN_DATA_DIR"
    );
    // The environment beats the file; a flag beats both.
    let shown: Value = serde_json::from_str(&run(
        &["config", "show", "--json"],
        &[
            ("COUNTERSIGN_IDENTITY", "env@bank.example"),
            ("COUNTERSIGN_HTTP_ATTEMPTS", "2"),
        ],
    ))
    .expect("json");
    assert_eq!(setting(&shown, "identity")["value"], "env@bank.example");
    assert_eq!(
        setting(&shown, "identity")["origin"]["name"],
        "COUNTERSIGN_IDENTITY"
    );
    assert_eq!(setting(&shown, "http.attempts")["value"], "2");
    let text = run(
        &["--as", "flag@bank.example", "config", "show"],
        &[("COUNTERSIGN_IDENTITY", "env@bank.example")],
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("identity"))
        .expect("identity line");
    assert!(
        line.contains("flag@bank.example") && line.contains("flag --as"),
        "{line}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("http.attempts"))
        .expect("attempts line");
    assert!(
        line.contains(&file_origin) || line.contains("env "),
        "{line}"
    );
}

#[test]
fn a_broken_config_file_is_named_with_the_keys_it_takes() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "platfrom = \"folder:/x\"\n").expect("config");
    let o = cli
        .command(&["config", "show"])
        .env("COUNTERSIGN_CONFIG", &file)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains(&file.display().to_string())
            && err.contains("platfrom")
            && err.contains("keys:"),
        "{err}"
    );
    // The gate says the same, with its own exit code for errors.
    let o = cli
        .command(&["gate", "models:/x/1"])
        .env("COUNTERSIGN_CONFIG", &file)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn keys_generate_writes_the_key_plain_keys_then_finds() {
    let cli = Cli::new();
    let home = tempfile::tempdir().expect("home");
    let run = |args: &[&str]| {
        cli.command(args)
            .env("HOME", home.path())
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("COUNTERSIGN_KEY")
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .output()
            .expect("run")
    };
    let o = run(&[
        "--as",
        "vera@bank.example",
        "keys",
        "generate",
        "--no-passphrase",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let generated = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        generated.contains("vera@bank.example ssh-ed25519")
            || generated.contains("vera@bank.example namespaces"),
        "{generated}"
    );
    let o = run(&["--as", "vera@bank.example", "keys"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.contains("countersign_ed25519"), "{shown}");
    assert!(!shown.contains("YOUR-IDENTITY"), "{shown}");
}
