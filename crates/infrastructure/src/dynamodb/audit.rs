use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use dashtam_domain::{
    StoreError,
    platform::{
        entities::AuditRecord,
        ports::{AuditPage, AuditPosition, AuditQuery, AuditRepository},
    },
};
use uuid::Uuid;

use serde::{Deserialize, Serialize};

use super::{
    expr::{Expr, QuerySpec},
    keys::{AUDIT_SK, audit_day_gsi2pk, audit_pk, audit_user_gsi1pk},
    table::{Table, from_item, to_item},
    ts,
};

/// Queries one `list` call may make before it answers a (possibly short) page with a
/// cursor: bounds latency when a rare `action` or empty days make the walk long. 40 covers
/// the default 30-day window of empty days in one request.
pub const MAX_QUERIES_PER_PAGE: usize = 40;
/// Items read per Query when a filter may drop most of them.
const FILTERED_PAGE_ITEMS: usize = 100;
/// Sorts after every `<uuid>` character: `<ts>#~` bounds everything at `ts`.
const AFTER_ANY_ID: &str = "~";

/// The append-only audit trail: `AUDIT#<event id>` / `AUDIT`, one item per event.
///
/// There is no update or delete of audit items anywhere in this crate: `append` is a
/// conditional PutItem that refuses to overwrite.
#[derive(Debug, Clone)]
pub struct DynamoAuditRepository {
    table: Table,
}

impl DynamoAuditRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl AuditRepository for DynamoAuditRepository {
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError> {
        let item = AuditItem::new(record).map_err(|e| {
            StoreError::Unavailable(format!("dynamodb: cannot serialise audit context: {e}"))
        })?;
        let put = self.table.put(
            to_item("audit record", &item)?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        self.table.put_if("audit record", put).await
    }

    /// Query on GSI1 (`AUDITUSER#<uid>`, sorted by `<created_at>#<id>`), newest first.
    /// GSIs are eventually consistent: a record appended a moment ago may be missing.
    async fn list_for_user(
        &self,
        user_id: Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let items: Vec<AuditItem> = self
            .table
            .query(
                "audit record",
                QuerySpec {
                    index: Some("GSI1"),
                    key_condition: "GSI1PK = :pk",
                    expr: Expr::new().s(":pk", audit_user_gsi1pk(user_id)),
                    forward: false,
                    limit: Some(usize::try_from(limit).unwrap_or(usize::MAX)),
                },
            )
            .await?;
        items
            .into_iter()
            .map(|i| {
                i.into_record().map_err(|_| {
                    StoreError::Unavailable("dynamodb: corrupt item (audit context)".to_owned())
                })
            })
            .collect()
    }

    /// Newest first by walking one partition — GSI1 `AUDITUSER#<uid>` with a user, else
    /// GSI2 `AUDIT#<day>` from the newest day back to `since`'s — with the key condition
    /// `SK BETWEEN <since> AND <position>` and `action` as a FilterExpression. The position
    /// is always the last item *examined* (returned, filtered out, or the start of a
    /// finished day), so a cursor continues exactly where this page stopped.
    async fn list(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        let limit = q.limit as usize;
        if limit == 0 {
            return Ok(AuditPage::default());
        }
        let mut walk = Walk {
            table: &self.table,
            query: q,
            lo: ts::format(q.since),
            position: q.after,
            records: Vec::new(),
            queries: 0,
        };
        if let Some(user_id) = q.user_id {
            let done = walk
                .partition("GSI1", "GSI1PK", "GSI1SK", audit_user_gsi1pk(user_id))
                .await?;
            return Ok(walk.page(done));
        }
        let first_day = match q.after {
            // A nil id means "before this instant": that instant's day is finished.
            Some(p) if p.id.is_nil() => (p.at - Duration::nanoseconds(1)).date_naive(),
            Some(p) => p.at.date_naive(),
            None => q.until.date_naive(),
        };
        let last_day = q.since.date_naive();
        let mut day = first_day;
        while day >= last_day {
            if !walk
                .partition("GSI2", "GSI2PK", "GSI2SK", audit_day_gsi2pk(day))
                .await?
            {
                return Ok(walk.page(false));
            }
            walk.position = Some(AuditPosition {
                at: start_of(day),
                id: Uuid::nil(),
            });
            match day.pred_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        Ok(walk.page(true))
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn sort_key(p: &AuditPosition) -> String {
    format!("{}#{}", ts::format(p.at), p.id)
}

fn parse_sort_key(sk: &str) -> Option<AuditPosition> {
    let (at, id) = sk.split_once('#')?;
    Some(AuditPosition {
        at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id: id.parse().ok()?,
    })
}

/// The state of one `list` call.
struct Walk<'a> {
    table: &'a Table,
    query: &'a AuditQuery,
    lo: String,
    position: Option<AuditPosition>,
    records: Vec<AuditRecord>,
    queries: usize,
}

impl Walk<'_> {
    fn full(&self) -> bool {
        self.records.len() >= self.query.limit as usize
    }

    /// `finished`: the whole walk reached its end, so there is no next page.
    fn page(self, finished: bool) -> AuditPage {
        AuditPage {
            next: if finished { None } else { self.position },
            records: self.records,
        }
    }

    /// Reads one partition from the position down to `since`. Answers true when the
    /// partition is exhausted, false when the page is full or the query budget is spent.
    async fn partition(
        &mut self,
        index: &'static str,
        pk_attr: &'static str,
        sk_attr: &'static str,
        pk: String,
    ) -> Result<bool, StoreError> {
        let filtered = self.query.action.is_some();
        // Each Query restarts from the position (no ExclusiveStartKey): the position is
        // what a cursor carries, so one mechanism serves within a request and across pages.
        loop {
            if self.full() || self.queries >= MAX_QUERIES_PER_PAGE {
                return Ok(false);
            }
            let hi = match &self.position {
                Some(p) => sort_key(p),
                None => format!("{}#{AFTER_ANY_ID}", ts::format(self.query.until)),
            };
            let mut expr = Expr::new()
                .name("#pk", pk_attr)
                .name("#sk", sk_attr)
                .s(":pk", pk.clone())
                .s(":lo", self.lo.clone())
                .s(":hi", hi.clone());
            if let Some(action) = &self.query.action {
                expr = expr.name("#action", "action").s(":action", action.clone());
            }
            let remaining = self.query.limit as usize - self.records.len();
            // +1: BETWEEN is inclusive and the item at the position itself is skipped.
            let page_items = if filtered {
                FILTERED_PAGE_ITEMS
            } else {
                remaining + 1
            };
            self.queries += 1;
            let spec = QuerySpec {
                index: Some(index),
                key_condition: "#pk = :pk AND #sk BETWEEN :lo AND :hi",
                expr,
                forward: false,
                limit: None,
            };
            let filter = filtered.then_some("#action = :action");
            let (items, last) = self
                .table
                .query_page("audit record", &spec, filter, Some(page_items), None)
                .await?;
            for item in items {
                let sk = item.get(sk_attr).and_then(|v| v.as_s().ok()).cloned();
                if sk.as_deref() == Some(hi.as_str()) {
                    continue;
                }
                let record = from_item::<AuditItem>("audit record", item)?
                    .into_record()
                    .map_err(|_| {
                        StoreError::Unavailable("dynamodb: corrupt item (audit context)".to_owned())
                    })?;
                self.position = Some(AuditPosition {
                    at: record.created_at,
                    id: record.id,
                });
                self.records.push(record);
                if self.full() {
                    return Ok(false);
                }
            }
            match last {
                Some(k) if !k.is_empty() => {
                    // Items the filter dropped were examined too: move past them.
                    let p = k
                        .get(sk_attr)
                        .and_then(|v: &AttributeValue| v.as_s().ok())
                        .and_then(|sk| parse_sort_key(sk))
                        .ok_or_else(|| {
                            StoreError::Unavailable("dynamodb: corrupt item (audit key)".to_owned())
                        })?;
                    self.position = Some(p);
                }
                _ => return Ok(true),
            }
        }
    }
}

/// `AUDIT#<event id>` / `AUDIT`. GSI1 lists a user's records newest first; GSI2 partitions
/// all records by UTC day (`AUDIT#<yyyy-mm-dd>`) for an "everything, newest first" view.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct AuditItem {
    pub PK: String,
    pub SK: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI1PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI1SK: Option<String>,
    pub GSI2PK: String,
    pub GSI2SK: String,
    pub entity: String,
    pub id: Uuid,
    pub event_id: Uuid,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Kept as a JSON string: a DynamoDB map would not round-trip every JSON value
    /// (number precision, empty-vs-null), and nothing queries inside it.
    pub context: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
}

impl AuditItem {
    pub(crate) fn new(r: &AuditRecord) -> Result<Self, serde_json::Error> {
        let sort = format!("{}#{}", ts::format(r.created_at), r.id);
        Ok(Self {
            PK: audit_pk(r.event_id),
            SK: AUDIT_SK.to_owned(),
            GSI1PK: r.user_id.map(audit_user_gsi1pk),
            GSI1SK: r.user_id.map(|_| sort.clone()),
            GSI2PK: audit_day_gsi2pk(r.created_at.date_naive()),
            GSI2SK: sort,
            entity: "audit".to_owned(),
            id: r.id,
            event_id: r.event_id,
            action: r.action.clone(),
            user_id: r.user_id,
            resource_type: r.resource_type.clone(),
            resource_id: r.resource_id.clone(),
            ip_address: r.ip_address.clone(),
            user_agent: r.user_agent.clone(),
            context: serde_json::to_string(&r.context)?,
            created_at: r.created_at,
        })
    }

    pub(crate) fn into_record(self) -> Result<AuditRecord, serde_json::Error> {
        Ok(AuditRecord {
            id: self.id,
            event_id: self.event_id,
            action: self.action,
            user_id: self.user_id,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            ip_address: self.ip_address,
            user_agent: self.user_agent,
            context: serde_json::from_str(&self.context)?,
            created_at: self.created_at,
        })
    }
}
