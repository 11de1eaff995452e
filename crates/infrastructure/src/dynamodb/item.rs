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

/// A `serde_json::Value` stored as JSON text: provider metadata is read back whole, never
/// queried inside, and text keeps it exact (no NULLs, no float numbers).
pub(crate) mod json_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::Error as _};
    use serde_json::Value;

    pub(crate) fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(value).map_err(S::Error::custom)?)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        serde_json::from_str(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Bytes stored as a DynamoDB Binary (`B`), not as a list of numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Blob;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("binary")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob(v))
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}
