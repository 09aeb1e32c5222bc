//! Money (资金, 奖励): kept in fen (分), exact, never as a float. A form gives yuan with at most
//! two decimals, a spreadsheet a number; both become [`Fen`] here or are refused.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen, never negative: a fund spent on a hazard, a fee extracted, a reward.
/// It travels as the whole number of fen (`36050` is 360.50 yuan); a negative number is refused
/// when read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = i64))]
pub struct Fen(i64);

/// The largest amount taken from a form or a sheet: a trillion yuan is a typing error.
const MAX_YUAN: i64 = 1_000_000_000_000;

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// `None` for a negative amount.
    pub fn new(fen: i64) -> Option<Fen> {
        (fen >= 0).then_some(Fen(fen))
    }

    /// Whole yuan (a reward under the plan's rules).
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        (0..MAX_YUAN).contains(&yuan).then(|| Fen(yuan * 100))
    }

    /// Yuan as typed into a form: `360.5` → 36050 fen; an empty field is nothing spent. More
    /// than two decimals, a sign, a thousands separator or letters are refused.
    pub fn parse_yuan(text: &str) -> Option<Fen> {
        let s = text.trim();
        if s.is_empty() {
            return Some(Fen::ZERO);
        }
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || whole.len() > 12 || frac.len() > 2 || !digits(whole) || !digits(frac) {
            return None;
        }
        let fen: i64 = format!("{frac:0<2}").parse().ok()?;
        Some(Fen(whole.parse::<i64>().ok()? * 100 + fen))
    }

    /// Yuan as a spreadsheet or a JSON number holds them, rounded to the fen.
    pub fn from_yuan_f64(yuan: f64) -> Option<Fen> {
        (0.0..MAX_YUAN as f64).contains(&yuan).then(|| Fen((yuan * 100.0).round() as i64))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// For a spreadsheet's money cell, which is a number of yuan.
    pub fn yuan_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl TryFrom<i64> for Fen {
    type Error = String;
    fn try_from(fen: i64) -> Result<Fen, String> {
        Fen::new(fen).ok_or_else(|| format!("{fen}: an amount of money is not negative"))
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

/// Yuan with two decimals: `360.50`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_typed_into_a_form_are_kept_in_fen_exactly() {
        assert_eq!(Fen::parse_yuan("360.5"), Fen::new(36050));
        assert_eq!(Fen::parse_yuan(" 12 "), Fen::new(1200));
        assert_eq!(Fen::parse_yuan(""), Some(Fen::ZERO));
        for bad in ["1.234", "-1", "+1", "1,000", "1e3", ".5", "十元", "9999999999999"] {
            assert_eq!(Fen::parse_yuan(bad), None, "{bad}");
        }
        assert_eq!(Fen::new(36050).unwrap().to_string(), "360.50");
        assert_eq!(Fen::from_yuan_f64(0.1 + 0.2), Fen::new(30), "rounded to the fen, not truncated");
        assert_eq!(Fen::from_yuan_f64(-0.01), None);
        assert_eq!(Fen::from_yuan(2000), Fen::new(200_000));
    }

    #[test]
    fn it_travels_as_whole_fen_and_refuses_a_negative_amount() {
        assert_eq!(serde_json::to_string(&Fen::new(36050).unwrap()).unwrap(), "36050");
        assert_eq!(serde_json::from_str::<Fen>("36050").unwrap(), Fen::new(36050).unwrap());
        assert!(serde_json::from_str::<Fen>("-1").is_err());
    }

    proptest! {
        #[test]
        fn what_is_shown_reads_back_as_the_same_amount(fen in 0i64..100_000_000_000_000) {
            let f = Fen::new(fen).unwrap();
            prop_assert_eq!(Fen::parse_yuan(&f.to_string()), Some(f));
        }
    }
}
