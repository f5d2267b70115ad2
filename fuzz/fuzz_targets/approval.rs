//! Approval verification: a demo portfolio with real signed approvals; the fuzzer rewrites one
//! approval's record and/or signature file. Whatever it writes, no approval counts unless its
//! record is byte-for-byte one that was genuinely signed.
#![no_main]
use countersign_core::approval::verify::verify_version;
use countersign_core::platform::Platform;
use countersign_core::policy::LoadedPolicy;
use countersign_core::session::Session;
use countersign_core::trust::{RootPin, Trust};
use countersign_core::uri::VersionRef;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

struct World {
    _dir: tempfile::TempDir,
    session: Session,
    platform: Box<dyn Platform>,
    trust: Trust,
    record: PathBuf,
    genuine: Vec<String>,
    version: VersionRef,
}

static WORLD: OnceLock<Mutex<World>> = OnceLock::new();

fn approvals_of(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            approvals_of(&p, out);
        } else if p.extension().is_some_and(|x| x == "json")
            && p.parent().is_some_and(|d| d.ends_with("approvals"))
        {
            out.push(p);
        }
    }
}

fn world() -> &'static Mutex<World> {
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = dir.path().join("demo");
        countersign_core::demo::generate(&demo, &countersign_core::inventory::today())
            .expect("demo");
        let uri = format!("folder:{}", demo.display());
        let config = countersign_core::config::Config::resolve(&countersign_core::config::Flags {
            data_dir: Some(dir.path().to_path_buf()),
            platform: Some(uri.clone()),
            ..Default::default()
        })
        .expect("config");
        let mut session = Session::open(&config).expect("session");
        let policy = LoadedPolicy::default_policy().expect("policy");
        let platform = session.open_platform(&policy).expect("platform");
        countersign_core::sync::sync(
            platform.as_ref(),
            &mut session.store,
            Default::default(),
            &mut |_| {},
        )
        .expect("sync");
        countersign_core::demo::generate_keys(&demo).expect("keys");
        let root =
            countersign_core::demo::generate_trust(&demo, &dir.path().join("trust"), &policy)
                .expect("trust");
        let trust = Trust::load(&RootPin::File(root), platform.as_ref()).expect("trust");
        countersign_core::demo::seed_approvals(&session, &demo, &trust).expect("approvals");
        let mut files = Vec::new();
        approvals_of(&demo.join("reviews"), &mut files);
        files.sort();
        let record = files.first().cloned().expect("a signed demo approval");
        let genuine = files
            .iter()
            .map(|f| countersign_core::encoding::sha256_hex(&std::fs::read(f).expect("read")))
            .collect();
        // reviews/NAME/VERSION/approvals/FILE
        let vdir = record
            .parent()
            .and_then(|p| p.parent())
            .expect("version dir");
        let version = VersionRef {
            name: vdir
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .expect("name"),
            version: vdir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .expect("version"),
        };
        Mutex::new(World {
            _dir: dir,
            session,
            platform,
            trust,
            record,
            genuine,
            version,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world().lock().expect("world");
    let sig = w.record.with_extension("json.sig");
    let good_record = std::fs::read(&w.record).expect("record");
    let good_sig = std::fs::read(&sig).expect("sig");
    // First byte: what to replace; the rest: the new content (record, then signature after a
    // NUL byte when both are replaced).
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let (new_record, new_sig) = match mode % 3 {
        0 => (rest.to_vec(), good_sig.clone()),
        1 => (good_record.clone(), rest.to_vec()),
        _ => match rest.iter().position(|b| *b == 0) {
            Some(i) => (rest[..i].to_vec(), rest[i + 1..].to_vec()),
            None => (rest.to_vec(), Vec::new()),
        },
    };
    std::fs::write(&w.record, &new_record).expect("write record");
    std::fs::write(&sig, &new_sig).expect("write sig");
    let result = verify_version(
        &w.session.store,
        w.platform.as_ref(),
        &w.trust,
        &w.version,
        &mut |_| {},
    );
    std::fs::write(&w.record, &good_record).expect("restore record");
    std::fs::write(&sig, &good_sig).expect("restore sig");
    if let Ok(v) = result {
        for c in &v.approvals {
            if c.counts {
                assert!(
                    w.genuine.contains(&c.record_sha256),
                    "a record that was never signed counts: {:?}",
                    c.location
                );
            }
        }
    }
});
