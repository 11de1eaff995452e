//! A statement row's own values (`TRNTYPE`, `NAME`, `MEMO`, `DTPOSTED`, a CSV row's
//! columns, …), held as compact JSON text until the row becomes a transaction.
//!
//! A parsed file holds every row at once, and a `serde_json` map costs about 1 KB a row
//! (tree nodes, a `String` and a `Value` per entry): 50,000 rows of an OFX file held that
//! way were most of the import's memory. The same values as JSON text take the text's own
//! length (about 150 bytes a row); they become a `Value` again one chunk of rows at a time,
//! when the import turns the chunk into transactions. Nothing is dropped: the text is the
//! map, every key and value of it.

use std::fmt;

use serde_json::{Map, Value};

#[derive(Clone, PartialEq, Eq)]
pub struct RowMetadata(Box<str>);

impl RowMetadata {
    /// The map as compact JSON text.
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self::from(Value::Object(map))
    }

    /// The values as a `serde_json` value again (an object, as the row's map was).
    pub fn to_value(&self) -> Value {
        // The text was written by `Value`'s own serializer, so it reads back; were it ever
        // not JSON, the row keeps it as a string rather than losing it.
        serde_json::from_str(&self.0).unwrap_or_else(|_| Value::String(self.0.to_string()))
    }

    /// One value, by key (`None` when the row has no such value).
    pub fn get(&self, key: &str) -> Option<Value> {
        match self.to_value() {
            Value::Object(mut map) => map.remove(key),
            _ => None,
        }
    }

    /// The JSON text itself.
    pub fn as_json(&self) -> &str {
        &self.0
    }
}

impl Default for RowMetadata {
    /// No values: `{}`.
    fn default() -> Self {
        Self("{}".into())
    }
}

impl From<Value> for RowMetadata {
    fn from(value: Value) -> Self {
        // `Value`'s `Display` is its compact JSON text (infallible, unlike `to_string` of
        // an arbitrary `Serialize`).
        Self(value.to_string().into_boxed_str())
    }
}

/// Compares the values, not the text (key order and spacing aside).
impl PartialEq<Value> for RowMetadata {
    fn eq(&self, other: &Value) -> bool {
        self.to_value() == *other
    }
}

impl fmt::Debug for RowMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keeps_every_value_and_reads_back_the_same_map() {
        let value = json!({
            "trntype": "DEBIT",
            "name": "A&W \"root beer\" #5567",
            "memo": "",
            "dtposted": "20240131120000[-5:EST]",
            "payee_city": "Zoë's town\n",
        });
        let Value::Object(map) = value.clone() else {
            unreachable!("an object literal")
        };
        let metadata = RowMetadata::from_map(map);
        assert_eq!(metadata.to_value(), value);
        assert_eq!(metadata, value);
        assert_eq!(metadata.get("memo"), Some(json!("")));
        assert_eq!(metadata.get("fitid"), None);
        assert!(!metadata.as_json().contains(": "), "compact text");
    }

    #[test]
    fn is_much_smaller_than_the_map() {
        let metadata = RowMetadata::from(json!({
            "trntype": "DEBIT", "dtposted": "20240131120000[0:GMT]", "name": "AMAZON MKTPL",
            "memo": "Card purchase 1234",
        }));
        assert!(
            metadata.as_json().len() < 120,
            "{}",
            metadata.as_json().len()
        );
        assert_eq!(RowMetadata::default().to_value(), json!({}));
    }
}
