use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, Role, SessionTier, User},
        ports::UserRepository,
        value_objects::Email,
    },
    platform::events::DomainEvent,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::Expr,
    keys::{EMAIL_SK, USER_SK, email_pk, user_pk},
    table::{Table, to_item},
    tokens::OneTimeTokenItem,
    ts,
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
            Some(0) => Err(StoreError::AlreadyExists(Existing::Email)),
            Some(1) => Err(StoreError::AlreadyExists(Existing::User)),
            Some(_) => Err(StoreError::AlreadyExists(Existing::Token)),
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
            Err(StoreError::Conflict(Conflict::StaleUser))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Stored shape. Fields are spelled out (rather than flattening the entity) so that the
// format is owned here: `None` is an absent attribute, timestamps go through [`ts`].
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct UserItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub id: Uuid,
    pub email: Email,
    pub password_hash: String,
    pub is_verified: bool,
    pub is_active: bool,
    pub failed_login_attempts: u32,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
    pub roles: BTreeSet<Role>,
    pub session_tier: SessionTier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sessions: Option<u32>,
    pub min_token_version: u64,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub mail_window_start: Option<DateTime<Utc>>,
    pub mails_in_window: u32,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub sessions_valid_from: Option<DateTime<Utc>>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl UserItem {
    /// The item as stored at `version`.
    pub(crate) fn new(u: &User, version: u64) -> Self {
        Self {
            PK: user_pk(u.id),
            SK: USER_SK.to_owned(),
            entity: "user".to_owned(),
            id: u.id,
            email: u.email.clone(),
            password_hash: u.password_hash.clone(),
            is_verified: u.is_verified,
            is_active: u.is_active,
            failed_login_attempts: u.failed_login_attempts,
            locked_until: u.locked_until,
            roles: u.roles.clone(),
            session_tier: u.session_tier,
            max_sessions: u.max_sessions,
            min_token_version: u.min_token_version,
            mail_window_start: u.mail_window_start,
            mails_in_window: u.mails_in_window,
            sessions_valid_from: u.sessions_valid_from,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version,
        }
    }

    pub(crate) fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
            is_verified: self.is_verified,
            is_active: self.is_active,
            failed_login_attempts: self.failed_login_attempts,
            locked_until: self.locked_until,
            roles: self.roles,
            session_tier: self.session_tier,
            max_sessions: self.max_sessions,
            min_token_version: self.min_token_version,
            mail_window_start: self.mail_window_start,
            mails_in_window: self.mails_in_window,
            sessions_valid_from: self.sessions_valid_from,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// `EMAIL#<email>` / `EMAIL`: makes the email unique and maps it to the user.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct EmailMarkerItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub user_id: Uuid,
}

impl EmailMarkerItem {
    pub(crate) fn new(email: &Email, user_id: Uuid) -> Self {
        Self {
            PK: email_pk(email),
            SK: EMAIL_SK.to_owned(),
            entity: "email".to_owned(),
            user_id,
        }
    }
}
