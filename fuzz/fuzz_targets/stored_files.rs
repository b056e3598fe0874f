#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wpconnect_core::fuzz::stored_files(data));
