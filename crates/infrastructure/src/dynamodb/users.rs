use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use dashtam_domain::{
    StoreError,
    entities::{OneTimeToken, User},
    events::DomainEvent,
    ports::UserRepository,
    value_objects::Email,
};
use uuid::Uuid;

use super::{
    items::{EMAIL_SK, EmailMarkerItem, OneTimeTokenItem, USER_SK, UserItem, email_pk, user_pk},
    table::{Expr, Table, to_item},
};

/// Users (`USER#<id>` / `PROFILE`) and their email markers (`EMAIL#<email>` / `EMAIL`).
#[derive(Debug, Clone)]
pub struct DynamoUserRepository {
    table: Table,
}

impl DynamoUserRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

const NOT_EXISTS: &str = "attribute_not_exists(PK)";

/// The Put that saves `user` over the copy it was read at: stored version becomes
/// `user.version + 1`, only if the stored one is still `user.version`.
pub(crate) fn save_user_put(table: &Table, user: &User) -> Result<Put, StoreError> {
    let item = to_item("user", &UserItem::new(user, user.version.saturating_add(1)))?;
    table.put(
        item,
        Some("attribute_exists(PK) AND #v = :expected"),
        Expr::new()
            .name("#v", "version")
            .n(":expected", user.version),
    )
}

#[async_trait]
impl UserRepository for DynamoUserRepository {
    async fn create(
        &self,
        user: &User,
        verification: &OneTimeToken,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let t = &self.table;
        let user_item = to_item("user", &UserItem::new(user, user.version))?;
        let marker = to_item("email marker", &EmailMarkerItem::new(&user.email, user.id))?;
        let token = to_item("one-time token", &OneTimeTokenItem::new(verification))?;
        let items = vec![
            TransactWriteItem::builder()
                .put(t.put(marker, Some(NOT_EXISTS), Expr::new())?)
                .build(),
            TransactWriteItem::builder()
                .put(t.put(user_item, Some(NOT_EXISTS), Expr::new())?)
                .build(),
            TransactWriteItem::builder()
                .put(t.put(token, Some(NOT_EXISTS), Expr::new())?)
                .build(),
        ];
        match t
            .commit("create user", items, events)
            .await?
            .failed()
            .first()
        {
            None => Ok(()),
            Some(0) => Err(StoreError::AlreadyExists("email")),
            Some(1) => Err(StoreError::AlreadyExists("user")),
            Some(_) => Err(StoreError::AlreadyExists("token")),
        }
    }

    async fn find_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(self
            .table
            .get::<UserItem>("user", user_pk(id), USER_SK)
            .await?
            .map(UserItem::into_user))
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(marker) = self
            .table
            .get::<EmailMarkerItem>("email marker", email_pk(email), EMAIL_SK)
            .await?
        else {
            return Ok(None);
        };
        let user = self.find_by_id(marker.user_id).await?;
        match user {
            Some(u) if &u.email == email => Ok(Some(u)),
            Some(_) | None => {
                // Marker and user are written in one transaction, so this is not expected.
                tracing::warn!(user_id = %marker.user_id, "email marker points to a missing or different user");
                Ok(None)
            }
        }
    }

    async fn save(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let put = save_user_put(&self.table, user)?;
        if self.table.put_with_events("user", put, events).await? {
            Ok(())
        } else {
            Err(StoreError::Conflict("user"))
        }
    }
}
