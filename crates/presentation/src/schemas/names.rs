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

/// Declares a schema-only type documenting a domain `named_enum!` as its names.
macro_rules! named {
    ($($(#[$doc:meta])* $schema:ident => $enum:ty, $example:literal;)*) => {$(
        $(#[$doc])*
        pub struct $schema;

        impl PartialSchema for $schema {
            fn schema() -> RefOr<Schema> {
                names(<$enum>::ALL.iter().map(|v| v.as_str()), $example)
            }
        }

        impl ToSchema for $schema {}
    )*};
}

named! {
    /// An account type, e.g. `brokerage`.
    AccountTypeName => dashtam_domain::portfolio::AccountType, "brokerage";
    /// An asset type, e.g. `equity`.
    AssetTypeName => dashtam_domain::portfolio::AssetType, "equity";
    /// A transaction type, e.g. `trade`.
    TransactionTypeName => dashtam_domain::portfolio::TransactionType, "trade";
    /// A transaction subtype, e.g. `buy`.
    TransactionSubtypeName => dashtam_domain::portfolio::TransactionSubtype, "buy";
    /// A transaction status, e.g. `settled`.
    TransactionStatusName => dashtam_domain::portfolio::TransactionStatus, "settled";
    /// What captured a snapshot, e.g. `account_sync`.
    SnapshotSourceName => dashtam_domain::portfolio::SnapshotSource, "account_sync";
    /// A currency of the whitelist, e.g. `USD`.
    CurrencyName => dashtam_domain::portfolio::Currency, "USD";
    /// A provider slug, e.g. `schwab`.
    ProviderSlugName => dashtam_domain::providers::ProviderSlug, "schwab";
    /// A connection status, e.g. `active`.
    ConnectionStatusName => dashtam_domain::providers::ConnectionStatus, "active";
    /// How a provider is connected, e.g. `oauth2`.
    CredentialTypeName => dashtam_domain::providers::CredentialType, "oauth2";
    /// A provider category, e.g. `brokerage`.
    ProviderCategoryName => dashtam_domain::providers::ProviderCategory, "brokerage";
    /// An import file format, e.g. `qfx`.
    FileFormatName => dashtam_domain::imports::FileFormat, "qfx";
    /// A CSV layout, e.g. `chase_checking`.
    CsvLayoutName => dashtam_domain::imports::CsvLayout, "chase_checking";
    /// Where an import stands, e.g. `completed`.
    ImportStatusName => dashtam_domain::imports::ImportStatus, "completed";
}
