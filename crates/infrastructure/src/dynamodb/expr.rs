//! Expression attribute names and values, and the parameters of a Query.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// Expression attribute names and values, built fluently.
#[derive(Debug, Default, Clone)]
pub(crate) struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `#alias` → attribute name. Every attribute in an expression is aliased, so reserved
    /// words (`ttl`, `status`, ...) never bite.
    pub(crate) fn name(mut self, alias: &str, attribute: &str) -> Self {
        self.names.insert(alias.to_owned(), attribute.to_owned());
        self
    }

    pub(crate) fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }

    pub(crate) fn s(self, placeholder: &str, value: impl Into<String>) -> Self {
        self.value(placeholder, AttributeValue::S(value.into()))
    }

    pub(crate) fn n(self, placeholder: &str, value: impl ToString) -> Self {
        self.value(placeholder, AttributeValue::N(value.to_string()))
    }

    pub(crate) fn names_opt(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub(crate) fn values_opt(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// Parameters of a [`Table::query`](super::Table::query).
#[derive(Debug)]
pub(crate) struct QuerySpec {
    pub index: Option<&'static str>,
    pub key_condition: &'static str,
    pub expr: Expr,
    pub forward: bool,
    pub limit: Option<usize>,
}
