//! The policy parser and checker: any text is either refused with an error or loaded; a loaded
//! policy loads again from its own text with the same hash.
#![no_main]
use countersign_core::policy::LoadedPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = LoadedPolicy::from_text(text, None) {
        let again = LoadedPolicy::from_text(text, None).expect("a loaded policy loads again");
        assert_eq!(p.sha256, again.sha256);
        for tier in p.policy.tiers.keys() {
            for kind in [
                countersign_core::model::ModelKind::Classic,
                countersign_core::model::ModelKind::Prompt,
                countersign_core::model::ModelKind::Vendor,
            ] {
                let _ = p.checklist_for(tier, kind);
            }
        }
    }
});
