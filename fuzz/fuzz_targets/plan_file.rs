//! A plan file (TOML) as an operator or another bureau hands it over: parsing and linting take
//! any text without panicking, and linting finds a parse error exactly when parsing fails.
#![no_main]

use anjian_domain::plan::{lint, Plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = Plan::parse(text);
    let findings = lint(text);
    if parsed.is_err() {
        assert!(!findings.is_empty(), "a plan that does not parse has a finding");
    }
});
