use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    FieldError,
    platform::{
        entities::AuditRecord,
        ports::{AuditPosition, AuditQuery},
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AppError, Ports};

/// How far back `since` defaults to, and the furthest it may reach. The day-partitioned
/// walk (one Query per UTC day at most) is what this bounds.
pub const DEFAULT_LOOKBACK_DAYS: i64 = 30;
pub const MAX_LOOKBACK_DAYS: i64 = 366;

/// The admin view of the audit trail: newest first, filtered, paginated with signed
/// cursors bound to the filters that made them.
pub struct ListAuditRecords {
    pub user_id: Option<Uuid>,
    pub action: Option<String>,
    /// Explicit lower bound; default [`DEFAULT_LOOKBACK_DAYS`] ago. Checked by the caller
    /// to lie within [`MAX_LOOKBACK_DAYS`].
    pub since: Option<DateTime<Utc>>,
    pub limit: u32,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditRecordPage {
    pub records: Vec<AuditRecord>,
    pub next_cursor: Option<String>,
}

/// What a cursor carries (signed; the filters are bound through the seal's scope).
#[derive(Debug, Serialize, Deserialize)]
struct CursorState {
    /// Where the walk stopped.
    at: DateTime<Utc>,
    id: Uuid,
    /// The `since` the first page resolved, so a defaulted bound does not drift.
    since: DateTime<Utc>,
}

impl ListAuditRecords {
    pub async fn execute(self, ports: &Ports) -> Result<AuditRecordPage, AppError> {
        let now = ports.clock.now();
        let scope = self.scope();
        let resumed = match &self.cursor {
            Some(token) => Some(open(ports, &scope, token).await?),
            None => None,
        };
        let since = match &resumed {
            Some(state) => state.since,
            None => self
                .since
                .unwrap_or(now - Duration::days(DEFAULT_LOOKBACK_DAYS)),
        };
        let page = ports
            .platform
            .audit
            .list(&AuditQuery {
                user_id: self.user_id,
                action: self.action.clone(),
                since,
                until: now,
                limit: self.limit,
                after: resumed.map(|s| AuditPosition { at: s.at, id: s.id }),
            })
            .await?;
        let next_cursor = match page.next {
            Some(p) => {
                let state = CursorState {
                    at: p.at,
                    id: p.id,
                    since,
                };
                let payload = serde_json::to_vec(&state)
                    .map_err(|e| AppError::Internal(format!("cursor: {e}")))?;
                Some(
                    ports
                        .platform
                        .cursors
                        .seal(&scope, &payload)
                        .await
                        .map_err(AppError::Internal)?,
                )
            }
            None => None,
        };
        Ok(AuditRecordPage {
            records: page.records,
            next_cursor,
        })
    }

    /// The filters a cursor is bound to (not `limit`: page size may change between pages).
    fn scope(&self) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        format!(
            "audit/v1|user={}|action={}|since={}",
            opt(self.user_id.map(|u| u.to_string())),
            opt(self.action.clone()),
            opt(self.since.map(|s| s.to_rfc3339())),
        )
    }
}

async fn open(ports: &Ports, scope: &str, token: &str) -> Result<CursorState, AppError> {
    let invalid = || {
        AppError::validation(
            "The cursor is invalid, was altered, or belongs to a query with other filters.",
            vec![FieldError::new(
                "cursor",
                "invalid_cursor",
                "use the next_cursor of a page of this same query",
            )],
        )
    };
    let payload = ports
        .platform
        .cursors
        .open(scope, token)
        .await
        .map_err(AppError::Internal)?
        .ok_or_else(invalid)?;
    serde_json::from_slice(&payload).map_err(|_| invalid())
}
