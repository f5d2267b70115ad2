use super::*;
use crate::config::Flags;

/// The configuration read from `path` (when it exists) under `env`, as the CLI would.
fn at(path: &Path, env: &[(&str, &str)]) -> Config {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let text = std::fs::read_to_string(path).ok();
    let mut c = Config::from_sources(
        &Flags::default(),
        &lookup,
        text.as_deref().map(|t| (path, t)),
    )
    .expect("config");
    c.file_looked_for = Some(path.to_path_buf());
    c
}

fn setting<'a>(p: &'a SettingsPage, name: &str) -> &'a EditableSetting {
    p.settings.iter().find(|s| s.name == name).expect(name)
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for d in ["inventory", "data"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        for f in ["root.signers", "id_ed25519"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        Fixture { dir }
    }
    fn p(&self, rel: &str) -> String {
        self.dir.path().join(rel).display().to_string()
    }
    fn config(&self) -> PathBuf {
        self.dir.path().join("config/countersign/config.toml")
    }
}

#[test]
fn a_first_run_saves_every_setting_the_cli_then_reads() {
    let f = Fixture::new();
    let data = f.p("data");
    let page = at(&f.config(), &[("HOME", &data)]).settings_page();
    assert!(page.needs_setup && !page.file_exists, "{page:?}");
    let input = SettingsInput {
        platform: Some(format!("folder:{}", f.p("inventory"))),
        identity: Some(" vera@bank.example ".into()),
        root: Some(f.p("root.signers")),
        signing_key: Some(f.p("id_ed25519")),
        data_dir: Some(data.clone()),
    };
    let written = at(&f.config(), &[]).save_settings(&input).unwrap();
    assert_eq!(written, f.config());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let c = at(&f.config(), &[]);
    assert_eq!(
        c.platform.value.as_deref(),
        Some(format!("folder:{}", f.p("inventory")).as_str())
    );
    assert_eq!(c.identity.value.as_deref(), Some("vera@bank.example"));
    assert_eq!(c.root.value.as_deref(), Some(f.p("root.signers").as_str()));
    assert_eq!(
        c.signing_key.value,
        KeyChoice::File(PathBuf::from(f.p("id_ed25519")))
    );
    assert_eq!(c.data_dir.value, PathBuf::from(&data));
    let page = c.settings_page();
    assert!(!page.needs_setup && page.file_exists);
    assert!(page
        .settings
        .iter()
        .all(|s| s.file_decides && matches!(s.origin, Origin::File(_))));
}

#[test]
fn every_other_line_is_kept_and_an_empty_value_removes_the_setting() {
    let f = Fixture::new();
    let path = f.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = "# mine\nidentity = \"old@bank.example\" # was\nlog = \"info\"\n[http]\nattempts = 3\n# root = \"commented\"\n";
    std::fs::write(&path, text).unwrap();
    at(&path, &[])
        .save_settings(&SettingsInput {
            identity: Some(String::new()),
            signing_key: Some("agent".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\nlog = \"info\"\nsigning_key = \"agent\"\n[http]\nattempts = 3\n# root = \"commented\"\n"
    );
    let c = at(&path, &[]);
    assert_eq!(c.identity.value, None);
    assert_eq!(c.signing_key.value, KeyChoice::Agent);
    assert_eq!(c.http.attempts, 3);
}

#[test]
fn bad_values_are_refused_by_name_and_nothing_is_written() {
    let f = Fixture::new();
    let path = f.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let original = "log = \"info\"\n";
    std::fs::write(&path, original).unwrap();
    let cases: Vec<(SettingsInput, &str)> = vec![
        (
            SettingsInput {
                platform: Some("http://olga:hunter2@mlflow:5000".into()),
                ..Default::default()
            },
            "credentials do not go into the config file",
        ),
        (
            SettingsInput {
                platform: Some(format!("folder:{}", f.p("nowhere"))),
                ..Default::default()
            },
            "there is no folder",
        ),
        (
            SettingsInput {
                platform: Some("folder:inventory".into()),
                ..Default::default()
            },
            "absolute path",
        ),
        (
            SettingsInput {
                platform: Some("ftp://x".into()),
                ..Default::default()
            },
            "http(s)://HOST:PORT",
        ),
        (
            SettingsInput {
                identity: Some("v\u{0435}ra@bank.example".into()),
                ..Default::default()
            },
            "identity",
        ),
        (
            SettingsInput {
                identity: Some("vera@bank.example\nplatform = \"http://evil\"".into()),
                ..Default::default()
            },
            "identity",
        ),
        (
            SettingsInput {
                root: Some("sha256:abc".into()),
                ..Default::default()
            },
            "64 hexadecimal digits",
        ),
        (
            SettingsInput {
                root: Some(f.p("missing.signers")),
                ..Default::default()
            },
            "no such file",
        ),
        (
            SettingsInput {
                signing_key: Some("id_ed25519".into()),
                ..Default::default()
            },
            "absolute path",
        ),
        (
            SettingsInput {
                data_dir: Some(f.p("root.signers")),
                ..Default::default()
            },
            "not a folder",
        ),
        (
            SettingsInput {
                data_dir: Some(format!("{}\u{1b}[2J", f.p("data"))),
                ..Default::default()
            },
            "control character",
        ),
        // One bad value among good ones: nothing at all is written.
        (
            SettingsInput {
                identity: Some("ann@bank.example".into()),
                root: Some("sha256:zz".into()),
                ..Default::default()
            },
            "64 hexadecimal digits",
        ),
    ];
    for (input, want) in cases {
        let e = at(&path, &[])
            .save_settings(&input)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{input:?}: {e}");
        assert!(
            !e.contains("hunter2"),
            "the password reached the message: {e}"
        );
        assert!(
            !e.contains('\u{1b}'),
            "an escape reached the message: {e:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            original,
            "{input:?}"
        );
    }
}

#[test]
fn the_page_says_when_the_environment_overrides_the_file() {
    let f = Fixture::new();
    let path = f.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "platform = \"folder:/from/file\"\n").unwrap();
    let c = at(
        &path,
        &[(
            "COUNTERSIGN_PLATFORM",
            "http://olga:hunter2@env-mlflow:5000",
        )],
    );
    let page = c.settings_page();
    let platform = setting(&page, "platform");
    assert!(!platform.file_decides, "{platform:?}");
    assert_eq!(platform.origin, Origin::Env("COUNTERSIGN_PLATFORM".into()));
    let shown = platform.value.as_deref().unwrap_or_default();
    assert!(
        shown.contains("env-mlflow") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(setting(&page, "identity").file_decides);
}

#[test]
fn no_platform_set_is_an_error_a_window_can_point_at_its_settings_for() {
    let d = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(&d.path().join("countersign.db")).unwrap();
    let e = crate::session::resolve_platform(None, &store).unwrap_err();
    assert_eq!(e.missing_setting(), Some("platform"), "{e}");
    let report = crate::workspace::ErrorReport::from(e);
    assert_eq!(report.setting.as_deref(), Some("platform"));
    // Any other bad platform is the user's text, not a missing setting.
    let e = crate::uri::PlatformUri::parse("ftp://x").unwrap_err();
    assert_eq!(e.missing_setting(), None);
}
