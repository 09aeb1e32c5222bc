//! A plan moved to another year: the same campaign run again (a bureau reusing last year's plan,
//! or the demo running the seed plan in this year's calendar). Every date literal moves by the
//! same number of years; 02-29 becomes 02-28 where the target year has none.

use chrono::{Datelike, NaiveDate};

/// `text` with every `YYYY-MM-DD` moved by `years`.
pub fn redate(text: &str, years: i32) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 10 <= b.len() {
        let looks = b[i..i + 10]
            .iter()
            .enumerate()
            .all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() })
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        if looks {
            if let Ok(d) = NaiveDate::parse_from_str(&text[i..i + 10], "%Y-%m-%d") {
                let y = d.year() + years;
                let moved = NaiveDate::from_ymd_opt(y, d.month(), d.day())
                    .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), d.day() - 1))
                    .expect("a day earlier always exists");
                out.push_str(&text[copied..i]);
                out.push_str(&moved.format("%Y-%m-%d").to_string());
                i += 10;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    #[test]
    fn every_date_moves_and_nothing_else_changes() {
        let src = include_str!("../../../../plans/jincheng-2022.toml");
        let moved = redate(src, 4);
        let p = Plan::parse(&moved).expect("still a plan");
        assert_eq!(p.plan.starts.get_ref().0, NaiveDate::from_ymd_opt(2026, 6, 23).unwrap());
        assert_eq!(p.plan.ends.get_ref().0, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(p.rules.len(), Plan::parse(src).unwrap().rules.len());
        assert!(crate::plan::lint(&moved).iter().all(|f| f.severity != crate::plan::Severity::Error));
        assert_eq!(redate("a 2024-02-29 b 12022-01-01 c", 1), "a 2025-02-28 b 12022-01-01 c");
        assert_eq!(redate("2022-13-01", 1), "2022-13-01", "not a date, left alone");
    }
}
