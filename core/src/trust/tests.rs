use super::release::{self, GovernedPlatform};
use super::*;
use crate::signing::SigningKey;

struct Fixture {
    _dir: tempfile::TempDir,
    keys: Vec<SigningKey>,
    files: Vec<PolicyFile>,
}

fn key(dir: &Path, name: &str) -> SigningKey {
    let p = dir.join(name);
    crate::signing::generate(&p, name, None).unwrap();
    SigningKey::from_file(&p, None).unwrap()
}

fn add(files: &mut Vec<PolicyFile>, path: &str, bytes: &[u8]) {
    files.push(PolicyFile {
        path: path.into(),
        bytes: bytes.to_vec(),
        location: format!("test:{path}"),
    });
}

fn roster(k: &SigningKey) -> String {
    crate::signing::allowed_signers::line_for("vera@bank", k.public_key()) + "\n"
}

impl Fixture {
    /// Root v1 of keys r1..r3 (thresholds 2/2), and release 1 signed by `signers` of them.
    fn new(signers: &[usize]) -> (Self, Root) {
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<SigningKey> = (0..5).map(|i| key(dir.path(), &format!("k{i}"))).collect();
        let text = Root::render(
            1,
            2,
            2,
            None,
            &(0..3)
                .map(|i| (format!("risk-{i}@bank"), keys[i].public_key().clone()))
                .collect::<Vec<_>>(),
        );
        let root = Root::parse(text.as_bytes()).unwrap();
        let mut f = Self {
            _dir: dir,
            keys,
            files: Vec::new(),
        };
        add(&mut f.files, "roots/1/root.signers", text.as_bytes());
        let r = roster(&f.keys[3]);
        f.release(1, &root, signers, &r);
        (f, root)
    }

    fn release(&mut self, version: u64, root: &Root, signers: &[usize], roster: &str) -> Vec<u8> {
        let policy = crate::policy::DEFAULT_POLICY.as_bytes();
        let m = release::Manifest {
            kind: release::RELEASE_TYPE.into(),
            version,
            root_sha256: root.sha256.clone(),
            policy_version: "x".into(),
            files: [
                (
                    release::POLICY_FILE.to_string(),
                    crate::encoding::sha256_hex(policy),
                ),
                (
                    release::ROSTER_FILE.to_string(),
                    crate::encoding::sha256_hex(roster.as_bytes()),
                ),
            ]
            .into(),
            platforms: vec![GovernedPlatform {
                name: "prod".into(),
                uris: vec![
                    "http://127.0.0.1:5000".into(),
                    "http://localhost:5000".into(),
                ],
            }],
            created_at: "2026-12-01T00:00:00Z".into(),
        };
        let bytes = m.to_bytes();
        let p = format!("releases/{version}/");
        add(&mut self.files, &format!("{p}release.json"), &bytes);
        add(&mut self.files, &format!("{p}policy.toml"), policy);
        add(
            &mut self.files,
            &format!("{p}allowed_signers"),
            roster.as_bytes(),
        );
        for &i in signers {
            let sig = self.keys[i]
                .sign_in(crate::signing::POLICY_NAMESPACE, &bytes)
                .unwrap();
            add(
                &mut self.files,
                &format!("{p}signatures/k{i}.sig"),
                sig.as_bytes(),
            );
        }
        bytes
    }

    fn trust(&self, root: &Root) -> Result<Trust> {
        Trust::from_files(
            &RootPin::Sha256(root.sha256.clone()),
            &self.files,
            chrono::Utc::now(),
        )
    }
}

#[test]
fn a_release_needs_the_threshold_of_root_keys() {
    let (f, root) = Fixture::new(&[0]);
    let t = f.trust(&root).unwrap();
    assert!(t.releases.is_empty());
    let msg = t.newest().unwrap_err().to_string();
    assert!(msg.contains("release 1 has 1 of the 2 signatures"), "{msg}");
    assert!(
        msg.contains("signed by risk-0@bank; missing: any 1 of risk-1@bank, risk-2@bank"),
        "{msg}"
    );
    let (f, root) = Fixture::new(&[0, 2]);
    let t = f.trust(&root).unwrap();
    assert_eq!(
        t.newest().unwrap().signers,
        vec!["risk-0@bank", "risk-2@bank"]
    );
}

#[test]
fn the_same_key_twice_or_a_stranger_does_not_make_a_threshold() {
    let (mut f, root) = Fixture::new(&[0, 0, 4]);
    // One key signing twice (two files) counts once; key 4 is nobody's.
    let t = f.trust(&root).unwrap();
    assert!(t.releases.is_empty());
    assert!(
        t.refused.iter().any(|r| r.contains("not a key of root v1")),
        "{:?}",
        t.refused
    );
    // A builder's own release (roster naming him) signed by keys outside the root.
    let r = roster(&f.keys[4]);
    f.release(2, &root, &[3, 4], &r);
    assert!(f.trust(&root).unwrap().releases.is_empty());
}

#[test]
fn a_roster_sharing_a_root_key_is_refused() {
    let (mut f, root) = Fixture::new(&[]);
    let r = roster(&f.keys[1]);
    f.release(2, &root, &[0, 1], &r);
    let t = f.trust(&root).unwrap();
    assert!(t.releases.is_empty());
    assert!(
        t.refused
            .iter()
            .any(|r| r.contains("root keys never approve models")),
        "{:?}",
        t.refused
    );
}

#[test]
fn rotation_needs_the_old_threshold_and_keeps_old_releases() {
    let (mut f, root) = Fixture::new(&[0, 1]);
    let keys2: Vec<(String, ssh_key::PublicKey)> = [1usize, 2, 4]
        .iter()
        .map(|&i| (format!("risk-{i}@bank"), f.keys[i].public_key().clone()))
        .collect();
    let text2 = Root::render(2, 2, 2, Some((&root.sha256, Some(1))), &keys2);
    let root2 = Root::parse(text2.as_bytes()).unwrap();
    add(&mut f.files, "roots/2/root.signers", text2.as_bytes());
    let sign = |f: &mut Fixture, i: usize| {
        let sig = f.keys[i]
            .sign_in(crate::signing::ROOT_NAMESPACE, text2.as_bytes())
            .unwrap();
        add(
            &mut f.files,
            &format!("roots/2/signatures/k{i}.sig"),
            sig.as_bytes(),
        );
    };
    // Signed by one old key (0) and two new keys (1 is in both, 4): too few old keys.
    sign(&mut f, 4);
    sign(&mut f, 1);
    let t = f.trust(&root).unwrap();
    assert_eq!(t.chain.len(), 1, "{:?}", t.refused);
    assert!(
        t.refused
            .iter()
            .any(|r| r.contains("signed by 1 of the 2 keys of root v1")),
        "{:?}",
        t.refused
    );
    sign(&mut f, 0);
    let t = f.trust(&root).unwrap();
    assert_eq!(t.chain.len(), 2, "{:?}", t.refused);
    // Release 1 (under root v1) still verifies; release 2 under the old root is refused.
    assert_eq!(t.releases.len(), 1);
    let r = roster(&f.keys[3]);
    f.release(2, &root, &[0, 1], &r);
    let t = f.trust(&root).unwrap();
    assert_eq!(t.releases.len(), 1, "{:?}", t.refused);
    assert!(
        t.refused.iter().any(|r| r.contains("only up to release 1")),
        "{:?}",
        t.refused
    );
    f.release(3, &root2, &[2, 4], &r);
    let t = f.trust(&root).unwrap();
    assert_eq!(t.newest().unwrap().manifest.version, 3);
    // Pinning the new root by hash trusts the old root through its `previous` line.
    let t2 = f.trust(&root2).unwrap();
    assert_eq!(t2.chain.len(), 2);
    assert_eq!(t2.releases.len(), 2);
}

#[test]
fn platforms_are_named_by_any_listed_uri_and_others_are_refused() {
    let (f, root) = Fixture::new(&[0, 1]);
    let t = f.trust(&root).unwrap();
    assert_eq!(t.platform_name("http://127.0.0.1:5000").unwrap(), "prod");
    assert_eq!(t.platform_name("http://localhost:5000/").unwrap(), "prod");
    let e = t.platform_name("http://evil:5000").unwrap_err().to_string();
    assert!(
        e.contains("http://evil:5000 is not governed by policy release 1"),
        "{e}"
    );
}

#[test]
fn a_changed_file_or_manifest_breaks_the_release() {
    let (mut f, root) = Fixture::new(&[0, 1]);
    for file in f.files.iter_mut() {
        if file.path.ends_with("allowed_signers") {
            file.bytes.extend_from_slice(b"eve@bank ssh-ed25519 AAAA\n");
        }
    }
    let t = f.trust(&root).unwrap();
    assert!(t.releases.is_empty());
    assert!(
        t.refused
            .iter()
            .any(|r| r.contains("no allowed_signers with the SHA-256")),
        "{:?}",
        t.refused
    );
}

#[test]
fn roots_that_do_not_parse_are_explained() {
    for (text, want) in [
        ("root", "first line"),
        (
            "# countersign.root/v1\n# version: 1\n# release_threshold: 3\n# root_threshold: 1\n",
            "no keys",
        ),
    ] {
        let e = Root::parse(text.as_bytes()).unwrap_err();
        assert!(e.contains(want), "{e}");
    }
    let dir = tempfile::tempdir().unwrap();
    let k = key(dir.path(), "a");
    let text = Root::render(1, 2, 1, None, &[("a@x".into(), k.public_key().clone())]);
    assert!(Root::parse(text.as_bytes())
        .unwrap_err()
        .contains("between 1 and the number of keys"));
}
