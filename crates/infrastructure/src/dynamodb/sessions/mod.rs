use std::collections::HashSet;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{RefreshToken, Session, User},
        ports::{EventsForCount, RefreshRotation, SessionRepository},
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};
use futures::{StreamExt, stream};
use uuid::Uuid;

use super::{
    expr::{Expr, QuerySpec},
    keys::{REFRESH_SK, SESSION_SK_PREFIX, USER_SK, key, refresh_pk, session_sk, user_pk},
    table::{Table, from_item, to_item},
    ts,
    users::UserItem,
};

mod items;

use items::RefreshTokenItem;
pub(crate) use items::SessionItem;

/// DynamoDB allows 100 actions per transaction; `create` needs two for itself and leaves
/// room for the events (an outbox and a feed item each).
const MAX_TX_EVICTIONS: usize = 40;
/// Revocations that commit in one transaction with their events.
const MAX_TX_REVOCATIONS: usize = 60;
/// Concurrent conditional updates in `revoke_all`.
const REVOKE_CONCURRENCY: usize = 8;

/// Sessions (`USER#<uid>` / `SESSION#<sid>`, so a user's sessions are one Query) and
/// refresh tokens (`REFRESH#<sha256>` / `REFRESH`, found by key from the presented token).
///
/// A revoked session keeps its item (with `revoked_at`) until TTL removes it at expiry;
/// its refresh tokens are dead because rotation requires the session to be unrevoked.
#[derive(Debug, Clone)]
pub struct DynamoSessionRepository {
    table: Table,
}

impl DynamoSessionRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }

    /// `SET revoked_at, revoked_reason` if the session exists and is not revoked yet.
    fn revoke_update(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Update, StoreError> {
        self.table.update(
            key(user_pk(user_id), &session_sk(session_id)),
            "SET #ra = :at, #rr = :reason",
            Some("attribute_exists(PK) AND attribute_not_exists(#ra)"),
            Expr::new()
                .name("#ra", "revoked_at")
                .name("#rr", "revoked_reason")
                .s(":at", ts::format(at))
                .s(":reason", reason),
        )
    }
}

#[async_trait]
impl SessionRepository for DynamoSessionRepository {
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        evict: &[Session],
        reason: &str,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let t = &self.table;
        let at = session.created_at;
        let new_session = t.put(
            to_item("session", &SessionItem::new(session))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        let new_token = t.put(
            to_item("refresh token", &RefreshTokenItem::new(token))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;

        // One action per item and transaction: drop duplicates and the new session itself.
        let mut seen = HashSet::from([session.id]);
        let evict: Vec<&Session> = evict.iter().filter(|s| seen.insert(s.id)).collect();
        let (in_tx, overflow) = evict.split_at(evict.len().min(MAX_TX_EVICTIONS));

        let mut evictions: Vec<Update> = in_tx
            .iter()
            .map(|s| self.revoke_update(s.user_id, s.id, reason, at))
            .collect::<Result<_, _>>()?;
        loop {
            let mut items = vec![
                TransactWriteItem::builder()
                    .put(new_session.clone())
                    .build(),
                TransactWriteItem::builder().put(new_token.clone()).build(),
            ];
            items.extend(
                evictions
                    .iter()
                    .map(|u| TransactWriteItem::builder().update(u.clone()).build()),
            );
            let failed = t.commit("create session", items, events).await?.failed();
            if failed.is_empty() {
                break;
            }
            if failed.contains(&0) {
                return Err(StoreError::AlreadyExists(Existing::Session));
            }
            if failed.contains(&1) {
                return Err(StoreError::AlreadyExists(Existing::RefreshToken));
            }
            // Only evictions failed: those sessions were revoked (or removed) meanwhile,
            // which is what eviction wanted anyway. Retry without them; this terminates
            // because every round removes at least one.
            let mut index = 2;
            evictions.retain(|_| {
                let keep = !failed.contains(&index);
                index += 1;
                keep
            });
        }

        // Beyond one transaction's capacity (never with the tiers we have): best effort,
        // each still conditional.
        for s in overflow {
            let update = self.revoke_update(s.user_id, s.id, reason, at)?;
            t.update_if("session", update).await?;
        }
        Ok(())
    }

    async fn find(&self, user_id: Uuid, session_id: Uuid) -> Result<Option<Session>, StoreError> {
        Ok(self
            .table
            .get::<SessionItem>("session", user_pk(user_id), &session_sk(session_id))
            .await?
            .map(SessionItem::into_session))
    }

    /// One BatchGetItem of `USER#<uid>` / `SESSION#<sid>` and `USER#<uid>` / `PROFILE`.
    async fn find_with_user(
        &self,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<(Option<Session>, Option<User>), StoreError> {
        let items = self
            .table
            .batch_get(
                "session and user",
                vec![
                    key(user_pk(user_id), &session_sk(session_id)),
                    key(user_pk(user_id), USER_SK),
                ],
            )
            .await?;
        let (mut session, mut user) = (None, None);
        for item in items {
            let sk = item.get("SK").and_then(|v| v.as_s().ok()).cloned();
            match sk.as_deref() {
                Some(USER_SK) => {
                    user = Some(from_item::<UserItem>("user", item)?.into_user());
                }
                Some(_) => {
                    session = Some(from_item::<SessionItem>("session", item)?.into_session());
                }
                None => {
                    return Err(StoreError::Unavailable(
                        "dynamodb: corrupt item (session and user)".to_owned(),
                    ));
                }
            }
        }
        Ok((session, user))
    }

    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let items: Vec<SessionItem> = self
            .table
            .query(
                "session",
                QuerySpec {
                    index: None,
                    key_condition: "PK = :pk AND begins_with(SK, :prefix)",
                    expr: Expr::new()
                        .s(":pk", user_pk(user_id))
                        .s(":prefix", SESSION_SK_PREFIX),
                    // Session ids are UUIDv7: SK order is creation order.
                    forward: false,
                    limit: None,
                },
            )
            .await?;
        Ok(items.into_iter().map(SessionItem::into_session).collect())
    }

    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshToken>, StoreError> {
        Ok(self
            .table
            .get::<RefreshTokenItem>("refresh token", refresh_pk(hash), REFRESH_SK)
            .await?
            .map(RefreshTokenItem::into_token))
    }

    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation<'_>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let t = &self.table;
        let RefreshRotation { old, new, at } = rotation;
        let retire_old = t.update(
            key(refresh_pk(&old.hash), REFRESH_SK),
            "SET #rot = :at",
            Some("attribute_exists(PK) AND attribute_not_exists(#rot)"),
            Expr::new()
                .name("#rot", "rotated_at")
                .s(":at", ts::format(at)),
        )?;
        let store_new = t.put(
            to_item("refresh token", &RefreshTokenItem::new(new))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        let move_session = t.update(
            key(user_pk(old.user_id), &session_sk(old.session_id)),
            "SET #cur = :new, #last = :at",
            Some("#cur = :old AND attribute_not_exists(#ra) AND #exp > :at"),
            Expr::new()
                .name("#cur", "current_refresh_hash")
                .name("#last", "last_activity_at")
                .name("#ra", "revoked_at")
                .name("#exp", "expires_at")
                .s(":new", new.hash.as_str())
                .s(":old", old.hash.as_str())
                .s(":at", ts::format(at)),
        )?;
        let items = vec![
            TransactWriteItem::builder().update(retire_old).build(),
            TransactWriteItem::builder().put(store_new).build(),
            TransactWriteItem::builder().update(move_session).build(),
        ];
        if t.commit("rotate refresh token", items, events)
            .await?
            .is_committed()
        {
            Ok(())
        } else {
            Err(StoreError::Conflict(Conflict::RefreshRotated))
        }
    }

    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        let update = self.revoke_update(user_id, session_id, reason, at)?;
        self.table
            .update_with_events("session", update, events)
            .await
    }

    async fn revoke_all(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        reason: &str,
        at: DateTime<Utc>,
        events: EventsForCount<'_>,
    ) -> Result<u32, StoreError> {
        let mut targets: Vec<Session> = self
            .list_for_user(user_id)
            .await?
            .into_iter()
            .filter(|s| s.is_active(at) && Some(s.id) != keep)
            .collect();
        // Beyond one transaction (only a "pro" user with dozens of live sessions): the
        // surplus first, each update still conditional, so a concurrent revoke is never
        // counted twice. The rest commits together with the events below.
        let surplus = targets.split_off(targets.len().min(MAX_TX_REVOCATIONS));
        let results: Vec<Result<bool, StoreError>> = stream::iter(surplus)
            .map(|s| async move {
                let update = self.revoke_update(s.user_id, s.id, reason, at)?;
                self.table.update_if("session", update).await
            })
            .buffer_unordered(REVOKE_CONCURRENCY)
            .collect()
            .await;
        let mut revoked = 0u32;
        for r in results {
            if r? {
                revoked += 1;
            }
        }
        loop {
            let items = targets
                .iter()
                .map(|s| {
                    let update = self.revoke_update(s.user_id, s.id, reason, at)?;
                    Ok(TransactWriteItem::builder().update(update).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let count = revoked + u32::try_from(items.len()).unwrap_or(u32::MAX);
            let failed = self
                .table
                .commit("revoke sessions", items, &events(count))
                .await?
                .failed();
            if failed.is_empty() {
                return Ok(count);
            }
            // Those were revoked meanwhile by someone else: not ours to count. Every
            // round drops at least one, so this ends.
            let mut index = 0;
            targets.retain(|_| {
                let keep = !failed.contains(&index);
                index += 1;
                keep
            });
        }
    }
}
