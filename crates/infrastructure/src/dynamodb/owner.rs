//! Whose item an id names, from the id alone: the GSI1 key every owned entity carries
//! (`CONNECTION#<id>`, `ACCOUNT#<id>`, `IMPORT#<id>`), so a route tells 403 from 404.

use dashtam_domain::StoreError;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    expr::{Expr, QuerySpec},
    table::Table,
};

/// The owner, all an owner lookup needs of an item.
#[derive(Debug, Deserialize)]
struct OwnerItem {
    user_id: Uuid,
}

/// One GSI1 Query, `Limit 1` (eventually consistent: an item written a moment ago may be
/// unknown for that moment).
pub(crate) async fn owner_by_gsi1(
    table: &Table,
    what: &'static str,
    gsi1pk: String,
    gsi1sk: &str,
) -> Result<Option<Uuid>, StoreError> {
    let found: Vec<OwnerItem> = table
        .query(
            what,
            QuerySpec {
                index: Some("GSI1"),
                key_condition: "GSI1PK = :pk AND GSI1SK = :sk",
                expr: Expr::new().s(":pk", gsi1pk).s(":sk", gsi1sk),
                forward: true,
                limit: Some(1),
            },
        )
        .await?;
    Ok(found.first().map(|o| o.user_id))
}
