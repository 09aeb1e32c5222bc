//! Issued papers (执法文书), append-only: each takes the next number of its bureau's sequence
//! for its kind and year, and names the hazards it concerns.

use crate::entity::paper::{self as row, Entity as Papers};
use crate::entity::paper_hazard::{self, Entity as PaperHazards};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::paper::{content_hash, number, Paper, PaperContent, PaperKind};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

/// A paper to issue; its number is taken when it is stored.
#[derive(Debug, Clone)]
pub struct NewPaper {
    pub uid: String,
    pub kind: PaperKind,
    pub bureau_id: i64,
    /// The bureau's 代字 the number is written with.
    pub doc_code: String,
    pub year: i32,
    /// A number already given elsewhere (a 挂牌督办 notice's, with its place in the year), kept
    /// as it is instead of taking the next.
    pub given: Option<(String, i32)>,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub inspection_id: Option<i64>,
    pub refers_to_id: Option<i64>,
    pub corrects: bool,
    pub content: PaperContent,
    pub issued_by: i64,
    pub issued_by_name: String,
}

fn scoped(scope: &Scope) -> Select<Papers> {
    Papers::find().filter(copied_paths(scope, row::Column::JurisdictionPath, row::Column::OrgPath, row::Column::OrgId))
}

/// Stores a paper with the next number of its sequence (or the number it was given) and links
/// its hazards. Two issued at once cannot take one number: the unique index refuses the second,
/// which is reported as a conflict for the caller to issue again; since the number is taken in
/// the transaction that stores the paper, a paper that fails leaves no gap.
pub async fn insert(db: &impl ConnectionTrait, p: NewPaper, now: DateTime<Utc>) -> Result<Paper> {
    let (seq, number) = match p.given.clone() {
        Some((number, seq)) => (seq, number),
        None => {
            let last: Option<Option<i32>> = Papers::find()
                .select_only()
                .column_as(row::Column::Seq.max(), "m")
                .filter(row::Column::BureauId.eq(p.bureau_id))
                .filter(row::Column::Kind.eq(p.kind.as_str()))
                .filter(row::Column::Year.eq(p.year))
                .into_tuple()
                .one(db)
                .await?;
            let seq = last.flatten().unwrap_or(0) + 1;
            (seq, number(&p.doc_code, p.kind, p.year, seq))
        }
    };
    let hash = content_hash(p.kind, &number, p.org_id, &p.content);
    let content = serde_json::to_string(&p.content).unwrap_or_default();
    let m = row::ActiveModel {
        id: NotSet,
        uid: Set(p.uid),
        kind: Set(p.kind.as_str().to_owned()),
        number: Set(number),
        bureau_id: Set(p.bureau_id),
        year: Set(p.year),
        seq: Set(seq),
        org_id: Set(p.org_id),
        jurisdiction_path: Set(p.jurisdiction_path),
        org_path: Set(p.org_path),
        inspection_id: Set(p.inspection_id),
        refers_to_id: Set(p.refers_to_id),
        corrects: Set(p.corrects),
        content: Set(content),
        content_hash: Set(hash),
        issued_by: Set(p.issued_by),
        issued_by_name: Set(p.issued_by_name),
        issued_at: Set(now),
    };
    let paper: Paper = match Papers::insert(m).exec_with_returning(db).await {
        Ok(r) => r.decode()?,
        Err(e) if e.to_string().to_lowercase().contains("unique") => {
            return Err(StoreError::Conflict("paper number taken meanwhile".into()))
        }
        Err(e) => return Err(e.into()),
    };
    let mut ids: Vec<i64> = paper.content.items.iter().map(|i| i.hazard_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        PaperHazards::insert_many(
            ids.into_iter()
                .map(|hazard_id| paper_hazard::ActiveModel { paper_id: Set(paper.id), hazard_id: Set(hazard_id) }),
        )
        .exec(db)
        .await?;
    }
    Ok(paper)
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Paper> {
    scoped(scope).filter(row::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Paper>> {
    Papers::find().filter(row::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Papers in a scope, newest first; of one enterprise when `org_id` is given.
pub async fn list(db: &impl ConnectionTrait, scope: &Scope, org_id: Option<i64>, limit: u64) -> Result<Vec<Paper>> {
    let mut q = scoped(scope);
    if let Some(o) = org_id {
        q = q.filter(row::Column::OrgId.eq(o));
    }
    q.order_by_desc(row::Column::Id).limit(limit).all(db).await?.decode()
}

/// The papers that name a hazard, oldest first.
pub async fn of_hazard(db: &impl ConnectionTrait, scope: &Scope, hazard_id: i64) -> Result<Vec<Paper>> {
    scoped(scope)
        .filter(
            row::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(paper_hazard::Column::PaperId)
                    .from(PaperHazards)
                    .and_where(paper_hazard::Column::HazardId.eq(hazard_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(row::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// The numbers of the papers naming each of these hazards, for a ledger's 执法文书 column.
pub async fn numbers_by_hazard(
    db: &impl ConnectionTrait,
    hazard_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for chunk in hazard_ids.chunks(500) {
        let links = PaperHazards::find().filter(paper_hazard::Column::HazardId.is_in(chunk.to_vec())).all(db).await?;
        let ids: Vec<i64> = links.iter().map(|l| l.paper_id).collect();
        let numbers: std::collections::HashMap<i64, String> = Papers::find()
            .select_only()
            .column(row::Column::Id)
            .column(row::Column::Number)
            .filter(row::Column::Id.is_in(ids))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for l in links {
            if let Some(n) = numbers.get(&l.paper_id) {
                out.entry(l.hazard_id).or_default().push(n.clone());
            }
        }
    }
    Ok(out)
}
