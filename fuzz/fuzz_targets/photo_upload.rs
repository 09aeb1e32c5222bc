//! An uploaded photo (hazard evidence, a tip's photos): any bytes are refused or re-encoded into
//! a JPEG or PNG that decodes again at the size it claims.
#![no_main]

use anjian_store::images::clean;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = clean(data) {
        let again = image::load_from_memory(&c.bytes).expect("a cleaned image decodes");
        assert_eq!((again.width(), again.height()), (c.width, c.height));
    }
});
