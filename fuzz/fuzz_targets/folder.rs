//! The folder platform: a model file and a run file with any content are read through the real
//! platform (files on disk); the result is an inventory or an error naming the file.
#![no_main]
use countersign_core::model::TagNames;
use countersign_core::platform::folder::FolderPlatform;
use countersign_core::platform::{FetchRequest, Platform};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let root = ROOT.get_or_init(|| {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(d.path().join("models")).expect("models");
        std::fs::create_dir_all(d.path().join("runs")).expect("runs");
        d
    });
    // Model file, then (after a NUL byte) a run file.
    let (model, run) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    std::fs::write(root.path().join("models/m.toml"), model).expect("write model");
    std::fs::write(root.path().join("runs/r.toml"), run).expect("write run");
    let p = FolderPlatform::new(root.path().to_path_buf(), TagNames::default());
    let mut sink = |_| {};
    let result = p.fetch(FetchRequest {
        have_run: &|_| false,
        have_logged_model: &|_| false,
        progress: &mut sink,
    });
    if let Err(e) = result {
        let msg = e.to_string();
        assert!(msg.contains(".toml") || msg.contains("models"), "{msg}");
    }
});
