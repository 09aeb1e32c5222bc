//! The monthly hazard list (隐患清单) an enterprise's principal signs. What is signed is the
//! canonical JSON of the items; its SHA-256 is the content hash; the signature covers the hash,
//! the signer and the time (电子签名法 §13: any later change to a field breaks verification).

use crate::money::Fen;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One line of the list, in the columns bureaus use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerItem {
    pub hazard_uid: String,
    pub description: String,
    pub location: String,
    pub grade: String,
    pub source: String,
    /// RFC 3339, UTC.
    pub discovered_at: String,
    pub measures: String,
    /// 资金.
    pub funds_fen: Fen,
    pub owner: String,
    pub deadline: Option<String>,
    pub state: String,
    pub verified_by: Option<String>,
    pub closed_at: Option<String>,
}

/// The exact bytes that are hashed and signed.
pub fn canonical(items: &[LedgerItem]) -> String {
    serde_json::to_string(items).expect("plain fields serialise")
}

pub fn content_hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// The message the signature covers.
pub fn signed_message(content_hash: &str, signer_id: i64, signed_at_us: i64, org_id: i64, period: &str) -> String {
    format!("anjian-ledger-v1\n{org_id}\n{period}\n{content_hash}\n{signer_id}\n{signed_at_us}")
}

/// A signed monthly hazard list of an organisation (append-only; a correction is a new version).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ledger {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub period: String,
    pub version: i32,
    pub items_json: String,
    pub item_count: i32,
    pub content_hash: String,
    pub signature: String,
    pub signed_by: i64,
    pub signer: String,
    pub signed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(desc: &str) -> LedgerItem {
        LedgerItem {
            hazard_uid: "h1".into(),
            description: desc.into(),
            location: "一号库房".into(),
            grade: "general".into(),
            source: "self_inspection".into(),
            discovered_at: "2022-08-15T02:00:00Z".into(),
            measures: "更换灭火器".into(),
            funds_fen: Fen::new(12_000).unwrap(),
            owner: "张三".into(),
            deadline: Some("2022-08-20T16:00:00Z".into()),
            state: "rectifying".into(),
            verified_by: None,
            closed_at: None,
        }
    }

    #[test]
    fn any_change_to_a_field_changes_the_hash() {
        let a = content_hash(&canonical(&[item("灭火器过期")]));
        assert_eq!(a, content_hash(&canonical(&[item("灭火器过期")])));
        assert_ne!(a, content_hash(&canonical(&[item("灭火器过期。")])));
        let mut changed = item("灭火器过期");
        changed.funds_fen = Fen::new(12_001).unwrap();
        assert_ne!(a, content_hash(&canonical(&[changed])));
    }
}
