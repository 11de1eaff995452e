//! The financial half's bundles, over the table or in memory: connections, OAuth states
//! and sync claims with the provider clients and the cipher (providers), accounts,
//! transactions, holdings and snapshots (portfolio), and import records with the
//! statement parser and the uploads bucket (imports).

use std::sync::Arc;

use dashtam_application::{
    ImportPorts, ImportSettings, PortfolioPorts, ProviderPorts, ProviderSettings,
};
use dashtam_domain::{
    imports::{StatementParser, UploadStore},
    providers::{CredentialCipher, OAuthProvider, ProviderClient},
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAccountRepository, DynamoConnectionRepository, DynamoHoldingRepository,
        DynamoImportRepository, DynamoOAuthStateRepository, DynamoSnapshotRepository,
        DynamoSyncClaims, DynamoTransactionRepository, Table,
    },
    imports::FileStatementParser,
    memory::{MemoryStore, MemorySyncQueue},
};

/// What reaches the providers: their clients and the cipher that seals credentials.
#[derive(Clone)]
pub struct ProviderClients {
    pub schwab: Arc<dyn ProviderClient>,
    pub schwab_oauth: Arc<dyn OAuthProvider>,
    pub alpaca: Arc<dyn ProviderClient>,
    pub cipher: Arc<dyn CredentialCipher>,
}

impl ProviderClients {
    /// Every client "not wired" (a test that never reaches a provider).
    pub fn unwired() -> Self {
        let unwired = ProviderPorts::unwired();
        Self {
            schwab: unwired.schwab,
            schwab_oauth: unwired.schwab_oauth,
            alpaca: unwired.alpaca,
            cipher: unwired.cipher,
        }
    }

    fn into_ports(self, settings: ProviderSettings, base: ProviderPorts) -> ProviderPorts {
        ProviderPorts {
            schwab: self.schwab,
            schwab_oauth: self.schwab_oauth,
            alpaca: self.alpaca,
            cipher: self.cipher,
            settings,
            ..base
        }
    }
}

pub fn portfolio_over_table(table: &Table) -> PortfolioPorts {
    PortfolioPorts {
        accounts: Arc::new(DynamoAccountRepository::from_table(table.clone())),
        transactions: Arc::new(DynamoTransactionRepository::from_table(table.clone())),
        holdings: Arc::new(DynamoHoldingRepository::from_table(table.clone())),
        snapshots: Arc::new(DynamoSnapshotRepository::from_table(table.clone())),
        sync_queue: PortfolioPorts::unwired().sync_queue,
    }
}

pub fn providers_over_table(
    table: &Table,
    clients: ProviderClients,
    settings: ProviderSettings,
) -> ProviderPorts {
    let base = ProviderPorts {
        connections: Arc::new(DynamoConnectionRepository::from_table(table.clone())),
        oauth_states: Arc::new(DynamoOAuthStateRepository::from_table(table.clone())),
        sync_claims: Arc::new(DynamoSyncClaims::from_table(table.clone())),
        ..ProviderPorts::unwired()
    };
    clients.into_ports(settings, base)
}

pub(super) fn portfolio_in_memory(
    store: &Arc<MemoryStore>,
    sync_queue: Arc<MemorySyncQueue>,
) -> PortfolioPorts {
    PortfolioPorts {
        accounts: store.clone(),
        transactions: store.clone(),
        holdings: store.clone(),
        snapshots: store.clone(),
        sync_queue,
    }
}

pub(super) fn providers_in_memory(
    store: &Arc<MemoryStore>,
    clients: ProviderClients,
    settings: ProviderSettings,
) -> ProviderPorts {
    let base = ProviderPorts {
        connections: store.clone(),
        oauth_states: store.clone(),
        sync_claims: store.clone(),
        ..ProviderPorts::unwired()
    };
    clients.into_ports(settings, base)
}

/// The statement parser: pure, the same in every mode.
fn statement_parser() -> Arc<dyn StatementParser> {
    Arc::new(FileStatementParser)
}

pub fn imports_over_table(
    table: &Table,
    uploads: Arc<dyn UploadStore>,
    settings: ImportSettings,
) -> ImportPorts {
    ImportPorts {
        imports: Arc::new(DynamoImportRepository::from_table(table.clone())),
        parser: statement_parser(),
        uploads,
        settings,
    }
}

pub(super) fn imports_in_memory(
    store: &Arc<MemoryStore>,
    uploads: Arc<dyn UploadStore>,
    parser: Option<Arc<dyn StatementParser>>,
) -> ImportPorts {
    ImportPorts {
        imports: store.clone(),
        parser: parser.unwrap_or_else(statement_parser),
        uploads,
        settings: ImportSettings::default(),
    }
}
