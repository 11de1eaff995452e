//! Names the server accepts from a closed set, documented as `enum`s straight from where
//! the set is declared (the event registry, the roles), so the document cannot drift.

use dashtam_domain::{
    identity::entities::Role,
    platform::events::{REGISTRY, StreamCategory},
};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, RefOr, Type, schema::Schema},
};

fn names(values: impl IntoIterator<Item = &'static str>, example: &'static str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .examples([example])
        .into()
}

/// An event name of the registry, e.g. `UserLoginFailed`.
pub struct EventName;

impl PartialSchema for EventName {
    fn schema() -> RefOr<Schema> {
        names(REGISTRY.iter().map(|m| m.name), "UserLoginFailed")
    }
}

impl ToSchema for EventName {}

/// A live-stream category.
pub struct CategoryName;

impl PartialSchema for CategoryName {
    fn schema() -> RefOr<Schema> {
        names(StreamCategory::NAMES, "security")
    }
}

impl ToSchema for CategoryName {}

/// A role: `readonly`, `user` or `admin`.
pub struct RoleName;

impl PartialSchema for RoleName {
    fn schema() -> RefOr<Schema> {
        names(Role::ALL.map(Role::as_str), "readonly")
    }
}

impl ToSchema for RoleName {}
