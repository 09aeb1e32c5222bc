//! 辖区: the city and its county-level areas, as the plan lists them.

use crate::entity::jurisdiction::{self, Entity as Jurisdictions};
use crate::rows::Decode;
use crate::Result;
use anjian_domain::scope::path_of;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::org::Jurisdiction;

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Jurisdiction>> {
    Jurisdictions::find().order_by_asc(jurisdiction::Column::Path).all(db).await?.decode()
}

pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<Jurisdiction>> {
    Jurisdictions::find().filter(jurisdiction::Column::Code.eq(code)).one(db).await?.decode()
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Jurisdiction>> {
    Jurisdictions::find_by_id(id).one(db).await?.decode()
}

/// Inserts a jurisdiction if its code is new, or renames it; parents must come first.
/// Returns the row and whether anything changed.
pub async fn upsert(
    db: &impl ConnectionTrait,
    code: &str,
    name: &str,
    level: &str,
    parent_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Jurisdiction, bool)> {
    if let Some(existing) = by_code(db, code).await? {
        if existing.name == name {
            return Ok((existing, false));
        }
        let mut am: jurisdiction::ActiveModel = existing.into();
        am.name = Set(name.to_owned());
        return Ok((am.update(db).await?.decode()?, true));
    }
    let parent = match parent_code {
        Some(p) => Some(by_code(db, p).await?.ok_or(crate::StoreError::NotFound)?),
        None => None,
    };
    let row = jurisdiction::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        level: Set(level.to_owned()),
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        path: Set(String::new()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let path = match &parent {
        Some(p) => format!("{}{}/", p.path, row.id),
        None => path_of(&[row.id]),
    };
    let mut am: jurisdiction::ActiveModel = row.into();
    am.path = Set(path);
    Ok((am.update(db).await?.decode()?, true))
}
