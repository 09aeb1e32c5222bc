//! 执法文书: the written papers a bureau serves on an enterprise — the record of a site
//! inspection, the order to rectify by a deadline, the opinion after re-inspecting, the notice
//! of 挂牌督办. Each is numbered in its bureau's sequence for its kind and year, filled from the
//! records once and kept as issued (its content hashed); a correction is a new paper naming the
//! one it corrects, never an edit.

use crate::org::string_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// Which paper.
    PaperKind {
        SiteRecord => "site_record",
        RectificationOrder => "rectification_order",
        ReviewOpinion => "review_opinion",
        SupervisionNotice => "supervision_notice",
    }
}

impl PaperKind {
    /// The word a paper's number carries for its kind (晋市工信**责改**〔2026〕第 3 号).
    pub fn code(self) -> &'static str {
        match self {
            PaperKind::SiteRecord => "检记",
            PaperKind::RectificationOrder => "责改",
            PaperKind::ReviewOpinion => "复查",
            PaperKind::SupervisionNotice => "督",
        }
    }
}

/// A paper's number: the bureau's 代字, the kind, the year, its place in the year.
pub fn number(doc_code: &str, kind: PaperKind, year: i32, seq: i32) -> String {
    format!("{doc_code}{}〔{year}〕第{seq}号", kind.code())
}

/// One hazard as a paper lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperItem {
    pub hazard_id: i64,
    /// The hazard's number (编号).
    pub hazard_uid: String,
    pub description: String,
    pub location: String,
    /// The grade's name (一般隐患, 重大隐患).
    pub grade: String,
    /// The rectification deadline, as a date (2026-12-20).
    pub deadline: Option<String>,
    /// On a review: whether it was found fixed.
    pub fixed: Option<bool>,
}

/// What a paper says, filled from the records when it is issued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperContent {
    pub bureau: String,
    pub enterprise: String,
    pub address: String,
    pub county: String,
    /// When the inspection (or the review) took place, as a local date and time.
    pub at: String,
    /// Where: the site, or the enterprise's premises.
    pub place: String,
    pub inspectors: Vec<String>,
    /// The items checked and how each went (a site record), each as [item, result].
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<String>>))]
    pub checked: Vec<(String, String)>,
    pub items: Vec<PaperItem>,
    /// What the bureau requires or concludes, in its own words.
    pub text: String,
    /// The paper this one follows from (the order a review reviews) or corrects, by number.
    pub refers_to: Option<String>,
    /// A notice of a major hazard (重大事故隐患挂牌督办通知书) rather than of an overdue one.
    #[serde(default)]
    pub major: bool,
}

/// An issued paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paper {
    pub id: i64,
    pub uid: String,
    pub kind: PaperKind,
    pub number: String,
    pub bureau_id: i64,
    pub year: i32,
    pub seq: i32,
    /// The enterprise it is served on.
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub inspection_id: Option<i64>,
    /// The paper this one follows from (a review's order) or corrects.
    pub refers_to_id: Option<i64>,
    /// Whether it corrects `refers_to_id` (rather than following from it).
    pub corrects: bool,
    pub content: PaperContent,
    /// SHA-256 of the kind, number, enterprise and content as issued.
    pub content_hash: String,
    pub issued_by: i64,
    pub issued_by_name: String,
    pub issued_at: DateTime<Utc>,
}

/// The hash a paper carries: anything changed in its words, number or addressee changes it.
pub fn content_hash(kind: PaperKind, number: &str, org_id: i64, content: &PaperContent) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str());
    h.update([0]);
    h.update(number);
    h.update([0]);
    h.update(org_id.to_string());
    h.update([0]);
    h.update(serde_json::to_vec(content).unwrap_or_default());
    hex::encode(h.finalize())
}

impl Paper {
    /// Whether the stored words are those that were issued.
    pub fn intact(&self) -> bool {
        content_hash(self.kind, &self.number, self.org_id, &self.content) == self.content_hash
    }
}

/// Why a paper cannot be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An order lists open hazards, each with a deadline.
    NothingToOrder,
    NoDeadline,
    /// A review comes after the order's deadline, unless everything on it is already fixed.
    BeforeDeadline,
    /// A review reviews an order of the same enterprise.
    NotAnOrder,
    /// A correction corrects a paper of the same kind and enterprise.
    CorrectsAnother,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NothingToOrder => "paper_nothing_to_order",
            Refusal::NoDeadline => "paper_hazard_without_deadline",
            Refusal::BeforeDeadline => "paper_review_before_deadline",
            Refusal::NotAnOrder => "paper_not_an_order",
            Refusal::CorrectsAnother => "paper_corrects_another",
        }
    }
}

/// An order's hazards: at least one, each open with a deadline.
pub fn check_order(items: &[PaperItem]) -> Result<(), Refusal> {
    if items.is_empty() {
        return Err(Refusal::NothingToOrder);
    }
    if items.iter().any(|i| i.deadline.is_none()) {
        return Err(Refusal::NoDeadline);
    }
    Ok(())
}

/// A review of `order` on `today` (local date, 2026-12-20): after its last deadline, or once
/// every hazard on it is fixed.
pub fn check_review(order: &Paper, org_id: i64, today: &str, all_fixed: bool) -> Result<(), Refusal> {
    if order.kind != PaperKind::RectificationOrder || order.org_id != org_id {
        return Err(Refusal::NotAnOrder);
    }
    let last = order.content.items.iter().filter_map(|i| i.deadline.as_deref()).max().unwrap_or("");
    if !all_fixed && today <= last {
        return Err(Refusal::BeforeDeadline);
    }
    Ok(())
}

/// A correction names a paper of the same kind served on the same enterprise.
pub fn check_correction(old: &Paper, kind: PaperKind, org_id: i64) -> Result<(), Refusal> {
    if old.kind != kind || old.org_id != org_id {
        return Err(Refusal::CorrectsAnother);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(deadline: Option<&str>) -> PaperItem {
        PaperItem {
            hazard_id: 1,
            hazard_uid: "H1".into(),
            description: "灭火器过期".into(),
            location: "仓库".into(),
            grade: "一般隐患".into(),
            deadline: deadline.map(str::to_owned),
            fixed: None,
        }
    }

    fn order(items: Vec<PaperItem>) -> Paper {
        let content = PaperContent { items, ..Default::default() };
        let number = number("晋市工信", PaperKind::RectificationOrder, 2026, 3);
        Paper {
            id: 1,
            uid: "u".into(),
            kind: PaperKind::RectificationOrder,
            content_hash: content_hash(PaperKind::RectificationOrder, &number, 7, &content),
            number,
            bureau_id: 1,
            year: 2026,
            seq: 3,
            org_id: 7,
            jurisdiction_path: "/1/".into(),
            org_path: "/7/".into(),
            inspection_id: None,
            refers_to_id: None,
            corrects: false,
            content,
            issued_by: 1,
            issued_by_name: "王".into(),
            issued_at: Utc::now(),
        }
    }

    #[test]
    fn numbers_name_bureau_kind_year_and_place() {
        assert_eq!(number("晋市工信", PaperKind::RectificationOrder, 2026, 12), "晋市工信责改〔2026〕第12号");
        assert_eq!(number("泽州工信", PaperKind::ReviewOpinion, 2027, 1), "泽州工信复查〔2027〕第1号");
    }

    #[test]
    fn an_order_needs_hazards_with_deadlines() {
        assert_eq!(check_order(&[]), Err(Refusal::NothingToOrder));
        assert_eq!(check_order(&[item(Some("2026-12-20")), item(None)]), Err(Refusal::NoDeadline));
        assert_eq!(check_order(&[item(Some("2026-12-20"))]), Ok(()));
    }

    #[test]
    fn a_review_waits_for_the_last_deadline_unless_all_is_fixed() {
        let o = order(vec![item(Some("2026-12-10")), item(Some("2026-12-20"))]);
        assert_eq!(check_review(&o, 7, "2026-12-15", false), Err(Refusal::BeforeDeadline));
        assert_eq!(check_review(&o, 7, "2026-12-20", false), Err(Refusal::BeforeDeadline));
        assert_eq!(check_review(&o, 7, "2026-12-21", false), Ok(()));
        assert_eq!(check_review(&o, 7, "2026-12-15", true), Ok(()));
        assert_eq!(check_review(&o, 8, "2026-12-21", false), Err(Refusal::NotAnOrder));
    }

    #[test]
    fn any_change_to_an_issued_paper_shows() {
        let mut p = order(vec![item(Some("2026-12-20"))]);
        assert!(p.intact());
        p.content.items[0].deadline = Some("2027-01-20".into());
        assert!(!p.intact());
    }

    #[test]
    fn a_correction_stays_with_its_kind_and_enterprise() {
        let o = order(vec![item(Some("2026-12-20"))]);
        assert_eq!(check_correction(&o, PaperKind::RectificationOrder, 7), Ok(()));
        assert_eq!(check_correction(&o, PaperKind::ReviewOpinion, 7), Err(Refusal::CorrectsAnother));
        assert_eq!(check_correction(&o, PaperKind::RectificationOrder, 8), Err(Refusal::CorrectsAnother));
    }
}
