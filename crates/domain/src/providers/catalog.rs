//! The providers Dashtam can connect, and how.

use serde::Serialize;

crate::named_enum! {
    pub enum ProviderSlug { Schwab = "schwab", Alpaca = "alpaca", ChaseFile = "chase_file" }
}

crate::named_enum! {
    pub enum CredentialType { OAuth2 = "oauth2", ApiKey = "api_key", FileImport = "file_import" }
}

crate::named_enum! {
    pub enum ProviderCategory { Brokerage = "brokerage", Bank = "bank" }
}

/// One entry of the public catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    pub slug: ProviderSlug,
    pub name: &'static str,
    pub category: ProviderCategory,
    pub credential_type: CredentialType,
    pub supports_holdings: bool,
    pub supports_transactions: bool,
}

pub const CATALOG: [ProviderInfo; 3] = [
    ProviderInfo {
        slug: ProviderSlug::Schwab,
        name: "Charles Schwab",
        category: ProviderCategory::Brokerage,
        credential_type: CredentialType::OAuth2,
        supports_holdings: true,
        supports_transactions: true,
    },
    ProviderInfo {
        slug: ProviderSlug::Alpaca,
        name: "Alpaca",
        category: ProviderCategory::Brokerage,
        credential_type: CredentialType::ApiKey,
        supports_holdings: true,
        supports_transactions: true,
    },
    ProviderInfo {
        slug: ProviderSlug::ChaseFile,
        name: "Chase Bank (File Import)",
        category: ProviderCategory::Bank,
        credential_type: CredentialType::FileImport,
        supports_holdings: false,
        supports_transactions: true,
    },
];

impl ProviderSlug {
    pub fn info(self) -> &'static ProviderInfo {
        match self {
            Self::Schwab => &CATALOG[0],
            Self::Alpaca => &CATALOG[1],
            Self::ChaseFile => &CATALOG[2],
        }
    }
}
