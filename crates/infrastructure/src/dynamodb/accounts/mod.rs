//! Accounts: `USER#<uid>` / `ACCOUNT#<aid>` (a user's accounts are one Query, oldest
//! first), unique per `(connection, provider account id)` through a marker item written
//! in the same transaction, indexed by `GSI1PK = ACCOUNT#<aid>` for `owner_of`.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::DomainEvent,
    portfolio::{Account, AccountRepository, AccountSyncWrite},
};
use uuid::Uuid;

use super::{
    chunks::{Group, commit_chunked},
    connections::save_connection_put,
    expr::{Expr, QuerySpec, rewrite},
    keys::{ACCOUNT_GSI1SK, ACCOUNT_SK_PREFIX, account_pk, account_sk, key, user_pk},
    owner::owner_by_gsi1,
    snapshots::snapshot_put,
    table::{Table, to_item},
};

mod items;

pub(crate) use items::AccountItem;
use items::{AccountKeyItem, COUNT, OPTIONAL};

#[derive(Debug, Clone)]
pub struct DynamoAccountRepository {
    table: Table,
}

impl DynamoAccountRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

/// The UpdateItem that saves `account` over the copy it was read at (`version` + 1):
/// every attribute but `transaction_count`, which only inserts move.
pub(crate) fn save_account_update(table: &Table, account: &Account) -> Result<Update, StoreError> {
    let item = to_item("account", &AccountItem::new(account))?;
    let (update, expr) = rewrite(
        item,
        &[COUNT],
        &OPTIONAL,
        Expr::new().n(":expected", account.version),
    );
    table.update(
        key(user_pk(account.user_id), &account_sk(account.id)),
        &update,
        Some("attribute_exists(PK) AND #v = :expected"),
        expr,
    )
}

/// The account and its marker, each `attribute_not_exists(PK)`.
fn create_group(table: &Table, account: &Account) -> Result<Group, StoreError> {
    let put = |item| table.put(item, Some("attribute_not_exists(PK)"), Expr::new());
    Ok(Group {
        items: vec![
            TransactWriteItem::builder()
                .put(put(to_item("account key", &AccountKeyItem::new(account))?)?)
                .build(),
            TransactWriteItem::builder()
                .put(put(to_item("account", &AccountItem::new(account))?)?)
                .build(),
        ],
        failure: StoreError::AlreadyExists(Existing::Account),
    })
}

fn update_groups(table: &Table, accounts: &[Account]) -> Result<Vec<Group>, StoreError> {
    accounts
        .iter()
        .map(|a| {
            let update = save_account_update(table, a)?;
            Ok(Group::one(
                TransactWriteItem::builder().update(update).build(),
                StoreError::Conflict(Conflict::StaleAccount),
            ))
        })
        .collect()
}

#[async_trait]
impl AccountRepository for DynamoAccountRepository {
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Account>, StoreError> {
        let items: Vec<AccountItem> = self
            .table
            .query(
                "account",
                QuerySpec {
                    index: None,
                    // `ACCOUNT#` never matches the `ACCTKEY#` markers.
                    key_condition: "PK = :pk AND begins_with(SK, :prefix)",
                    expr: Expr::new()
                        .s(":pk", user_pk(user_id))
                        .s(":prefix", ACCOUNT_SK_PREFIX),
                    forward: true,
                    limit: None,
                },
            )
            .await?;
        Ok(items.into_iter().map(AccountItem::into_account).collect())
    }

    async fn find(&self, user_id: Uuid, account_id: Uuid) -> Result<Option<Account>, StoreError> {
        Ok(self
            .table
            .get::<AccountItem>("account", user_pk(user_id), &account_sk(account_id))
            .await?
            .map(AccountItem::into_account))
    }

    async fn owner_of(&self, account_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        owner_by_gsi1(
            &self.table,
            "account owner",
            account_pk(account_id),
            ACCOUNT_GSI1SK,
        )
        .await
    }

    /// Request order: creates (marker + item), updates, snapshots, then the connection
    /// and the events — so when several conditions fail, a concurrent creation is what
    /// the caller hears. Beyond 100 actions it is split (see [`commit_chunked`]): the
    /// connection and the events commit last, only after everything else did.
    async fn commit_sync(&self, write: AccountSyncWrite<'_>) -> Result<(), StoreError> {
        let t = &self.table;
        let mut body = write
            .created
            .iter()
            .map(|a| create_group(t, a))
            .collect::<Result<Vec<_>, _>>()?;
        body.extend(update_groups(t, write.updated)?);
        for s in write.snapshots {
            body.push(Group::one(
                TransactWriteItem::builder()
                    .put(snapshot_put(t, s)?)
                    .build(),
                StoreError::Unavailable("dynamodb: snapshot write failed".to_owned()),
            ));
        }
        let tail = vec![Group::one(
            TransactWriteItem::builder()
                .put(save_connection_put(t, write.connection)?)
                .build(),
            StoreError::Conflict(Conflict::StaleConnection),
        )];
        commit_chunked(t, "account sync", body, tail, write.events).await
    }

    async fn save_all(
        &self,
        accounts: &[Account],
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let body = update_groups(&self.table, accounts)?;
        commit_chunked(&self.table, "save accounts", body, Vec::new(), events).await
    }
}
