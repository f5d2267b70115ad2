//! The allowed_signers parser: any text parses or is refused with a line number inside it.
#![no_main]
use countersign_core::signing::allowed_signers::AllowedSigners;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err((line, _)) = AllowedSigners::parse(text) {
        assert!(line >= 1 && line <= text.lines().count().max(1));
    }
});
