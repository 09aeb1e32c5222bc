//! A telemetry batch as a gateway posts it or publishes it over MQTT (JSON array or NDJSON): any
//! bytes are read without panicking, every line of NDJSON is either taken or counted as
//! malformed (none vanishes), and every value taken is finite.
#![no_main]

use anjian_app::warehouses::parse_batch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (readings, malformed) = parse_batch(data);
    let text = String::from_utf8_lossy(data);
    let text = text.trim_start();
    if !text.starts_with('[') {
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(readings.len() + malformed, lines);
    } else {
        match serde_json::from_str::<Vec<serde_json::Value>>(text) {
            Ok(items) => assert_eq!(readings.len() + malformed, items.len()),
            Err(_) => assert_eq!((readings.len(), malformed), (0, 1), "a broken array is one malformed batch"),
        }
    }
    assert!(readings.iter().all(|r| r.value.is_finite()));
});
