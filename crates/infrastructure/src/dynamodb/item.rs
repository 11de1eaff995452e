//! Items as attribute maps, mapped to and from the private item structs through serde
//! (`serde_dynamo`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dashtam_domain::StoreError;
use serde::{Serialize, de::DeserializeOwned};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn to_item<T: Serialize>(what: &'static str, value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value)
        .map_err(|e| StoreError::Unavailable(format!("dynamodb: cannot serialise {what}: {e}")))
}

/// The serde message is left out on purpose: it may quote a field's value (a hash, an
/// email), and these messages end up in logs.
pub(crate) fn from_item<T: DeserializeOwned>(
    what: &'static str,
    item: Item,
) -> Result<T, StoreError> {
    serde_dynamo::from_item(item)
        .map_err(|_| StoreError::Unavailable(format!("dynamodb: corrupt item ({what})")))
}
