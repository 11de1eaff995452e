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

/// An update expression that makes a stored item equal to `item` — `SET` for every
/// attribute it holds, `REMOVE` for each of `optional` it lacks (absent, never NULL) —
/// except the key and `skip` (attributes the store itself owns, such as a counter other
/// writers move). Aliases `#a<i>` / `:a<i>` and `#r<i>`; `version` is `#v = :next`, so a
/// condition can say `#v = :expected`.
pub(crate) fn rewrite(
    mut item: HashMap<String, AttributeValue>,
    skip: &[&str],
    optional: &[&str],
    mut expr: Expr,
) -> (String, Expr) {
    for k in ["PK", "SK"].iter().chain(skip) {
        item.remove(*k);
    }
    let mut names: Vec<String> = item.keys().cloned().collect();
    names.sort();
    let mut set = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let Some(value) = item.remove(name) else {
            continue;
        };
        if name == "version" {
            expr = expr.name("#v", name).value(":next", value);
            set.push("#v = :next".to_owned());
        } else {
            expr = expr
                .name(&format!("#a{i}"), name)
                .value(&format!(":a{i}"), value);
            set.push(format!("#a{i} = :a{i}"));
        }
    }
    let mut update = format!("SET {}", set.join(", "));
    let absent: Vec<&&str> = optional
        .iter()
        .filter(|o| !names.iter().any(|n| n == **o))
        .collect();
    if !absent.is_empty() {
        let mut remove = Vec::with_capacity(absent.len());
        for (i, name) in absent.iter().enumerate() {
            expr = expr.name(&format!("#r{i}"), name);
            remove.push(format!("#r{i}"));
        }
        update.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    (update, expr)
}
