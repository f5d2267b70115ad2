//! MLflow response decoders and converters: any bytes, for any endpoint, decode or fail with an
//! error; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((which, body)) = data.split_first() {
        countersign_core::platform::mlflow::fuzz_decode(*which, body);
    }
});
