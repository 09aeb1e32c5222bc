//! Two admins for the accounts that hold the reporters' secrets, and a signing secret that an
//! admin's reset does not hand over.
//!
//! `account_requests`: a security admin's request to create (or reset) a tip custodian, which a
//! system admin approves or refuses; the request, the decision and who made each are kept.
//! `users.signing_secret_hash`: the secret a principal signs the hazard ledger with, once set
//! (until then, the login password); `users.signing_secret_required`: set by an admin's reset of
//! an account that signs, so that the next signature needs a secret the principal chose after it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_account_approvals"
    }
}

#[derive(DeriveIden)]
enum AccountRequests {
    Table,
    Id,
    Action,
    TargetUserId,
    Username,
    DisplayName,
    Role,
    OrgId,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    Decision,
    UserId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    SigningSecretHash,
    SigningSecretRequired,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccountRequests::Table)
                .col(pk_auto(AccountRequests::Id).big_integer())
                .col(string(AccountRequests::Action))
                .col(big_integer_null(AccountRequests::TargetUserId))
                .col(string_null(AccountRequests::Username))
                .col(string_null(AccountRequests::DisplayName))
                .col(string(AccountRequests::Role))
                .col(big_integer_null(AccountRequests::OrgId))
                .col(big_integer(AccountRequests::RequestedBy))
                .col(timestamp_with_time_zone(AccountRequests::RequestedAt))
                .col(big_integer_null(AccountRequests::DecidedBy))
                .col(timestamp_with_time_zone_null(AccountRequests::DecidedAt))
                .col(string_null(AccountRequests::Decision))
                .col(big_integer_null(AccountRequests::UserId))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Users::Table).add_column(string_null(Users::SigningSecretHash)).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(boolean(Users::SigningSecretRequired).default(false))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
