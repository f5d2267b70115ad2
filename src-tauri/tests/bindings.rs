//! The TypeScript types of every command's inputs and outputs are generated from the Rust types
//! (ts-rs) into `ui/src/bindings/` and committed. This test regenerates them and fails when the
//! committed files differ. Regenerate with
//! `UPDATE_BINDINGS=1 cargo test -p countersign-desktop --test bindings`.

use countersign_core::workspace::*;
use std::collections::BTreeMap;
use std::path::Path;
use ts_rs::{Config, TS};

fn generate(dir: &Path) {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    macro_rules! export {
        ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).expect(stringify!($t)); )* };
    }
    export!(
        WorkspaceInfo,
        countersign_core::settings::SettingsPage,
        countersign_core::settings::SettingsInput,
        countersign_core::workspace::IdentitySaved,
        InventoryPage,
        ModelPage,
        VersionPage,
        ReviewPage,
        ReviewSummary,
        AnswerInput,
        FindingInput,
        SignRequest,
        AttestRequest,
        countersign_core::attestation::Attested,
        countersign_core::attestation::AttestationCheck,
        ReportFormat,
        ErrorReport,
        countersign_core::approval::verify::Verification,
        countersign_core::approval::sign::Signed,
        countersign_core::lineage::DatasetUse,
        countersign_core::review::FindingStatus,
        countersign_core::review::FindingUpdate,
        countersign_core::export::portfolio::PortfolioReport,
        countersign_core::export::audit_pack::PackReport,
        countersign_core::platform::Progress,
        countersign_core::sync::SyncReport,
        QueueOptions,
        countersign_core::queue::Queue,
        Assigned,
    );
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                out.insert(name, std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let tmp = tempfile::tempdir().expect("tempdir");
    generate(tmp.path());
    let fresh = read_dir(tmp.path());
    assert!(fresh.len() > 20, "only {} files generated", fresh.len());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).expect("create ui/src/bindings");
        for (name, text) in &fresh {
            std::fs::write(committed.join(name), text).expect("write binding");
        }
        return;
    }
    let old = read_dir(&committed);
    let mut drift = Vec::new();
    for (name, text) in &fresh {
        match old.get(name) {
            None => drift.push(format!("{name}: missing from ui/src/bindings")),
            Some(t) if t != text => drift.push(format!("{name}: differs from the Rust type")),
            _ => {}
        }
    }
    for name in old.keys().filter(|n| !fresh.contains_key(*n)) {
        drift.push(format!("{name}: no Rust type generates it any more"));
    }
    assert!(
        drift.is_empty(),
        "ui/src/bindings has drifted from the Rust types:\n  {}\nRegenerate with \
         UPDATE_BINDINGS=1 cargo test -p countersign-desktop --test bindings",
        drift.join("\n  ")
    );
}
