//! Attachment rows; the files are in the blob store.

use crate::entity::attachment::{self, Entity as Attachments};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::attachment::Attachment;

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub owner_type: &'static str,
    pub owner_id: i64,
    pub role: String,
    pub org: crate::orgs::Org,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_by: i64,
}

pub async fn insert(db: &impl ConnectionTrait, n: NewAttachment, now: DateTime<Utc>) -> Result<Attachment> {
    attachment::ActiveModel {
        owner_type: Set(n.owner_type.to_owned()),
        owner_id: Set(n.owner_id),
        role: Set(n.role),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        content_type: Set(n.content_type),
        size: Set(n.size),
        sha256: Set(n.sha256),
        width: Set(n.width),
        height: Set(n.height),
        created_by: Set(n.created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn of_owner(db: &impl ConnectionTrait, owner_type: &str, owner_id: i64) -> Result<Vec<Attachment>> {
    of_owners(db, owner_type, &[owner_id]).await
}

/// The attachments of many records of one type in one read, oldest first.
pub async fn of_owners(db: &impl ConnectionTrait, owner_type: &str, owner_ids: &[i64]) -> Result<Vec<Attachment>> {
    Attachments::find()
        .filter(attachment::Column::OwnerType.eq(owner_type))
        .filter(attachment::Column::OwnerId.is_in(owner_ids.iter().copied()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Attachment> {
    Attachments::find_by_id(id)
        .filter(copied_paths(
            scope,
            attachment::Column::JurisdictionPath,
            attachment::Column::OrgPath,
            attachment::Column::OrgId,
        ))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
}
