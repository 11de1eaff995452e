//! The system under test: every port over an emulated stack's table (the production
//! constructors), DynamoDB calls counted by an SDK interceptor, the real Schwab client
//! and OAuth against the sandbox child, AES-GCM sealing the credentials, and the timing
//! decorators around the provider fetch and the transaction repository.

use std::sync::Arc;

use dashtam_application::{IdentitySettings, ImportPorts, PlatformPorts, Ports, ProviderSettings};
use dashtam_container::{
    ProviderClients, identity_over_table, platform_over_table, portfolio_over_table,
    providers_over_table,
};
use dashtam_core::{SecretString, SystemClock};
use dashtam_infrastructure::{
    dynamodb::Table,
    memory::{InProcessQueue, MemoryMailbox, PlainComposer, RecordingPublisher},
    providers::schwab::{SchwabClient, SchwabConfig, SchwabOAuth},
    security::{AesGcmCipher, HmacCursorSealer, JwtAccessTokens, StaticSigningKey},
};

use crate::timed::{Phases, TimedProvider, TimedTransactions};

pub const REDIRECT_URI: &str = "http://127.0.0.1/oauth/schwab/callback";

pub use dashtam_testkit::DynamoCalls as Calls;

/// A DynamoDB client for the stack whose every call `calls` counts.
pub fn counted_client(sdk: &dashtam_testkit::SdkConfig, calls: &Calls) -> aws_sdk_dynamodb::Client {
    calls.client(sdk)
}

/// Every port the flow needs over `table`, the providers pointed at `schwab_base`.
pub fn ports(table: &Table, schwab_base: &str, phases: &Arc<Phases>) -> Ports {
    let schwab = SchwabConfig::new(
        "sandbox-client",
        SecretString::from("sandbox-secret".to_owned()),
    )
    .with_base_url(schwab_base);
    let cipher = AesGcmCipher::from_secret(&SecretString::from("5e".repeat(32)))
        .expect("a 64-character passphrase is a valid credentials key");
    let clients = ProviderClients {
        schwab: Arc::new(TimedProvider {
            inner: Arc::new(SchwabClient::new(schwab.clone()).expect("the Schwab client")),
            phases: phases.clone(),
        }),
        schwab_oauth: Arc::new(SchwabOAuth::new(schwab).expect("the Schwab OAuth client")),
        cipher: Arc::new(cipher),
        ..ProviderClients::unwired()
    };
    let mut portfolio = portfolio_over_table(table);
    portfolio.transactions = Arc::new(TimedTransactions {
        inner: portfolio.transactions,
        phases: phases.clone(),
    });
    Ports {
        identity: identity_over_table(
            table,
            Arc::new(JwtAccessTokens::with_fixed_key("k".repeat(64), 900)),
            IdentitySettings::default(),
        ),
        platform: PlatformPorts {
            cursors: Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(
                "c".repeat(64),
            )))),
            events: Arc::new(RecordingPublisher::default()),
            email: Arc::new(MemoryMailbox::default()),
            email_composer: Arc::new(PlainComposer),
            queues: InProcessQueue::new(),
            ..platform_over_table(table)
        },
        providers: providers_over_table(
            table,
            clients,
            ProviderSettings {
                default_redirect_uri: REDIRECT_URI.to_owned(),
            },
        ),
        portfolio,
        imports: ImportPorts::unwired(),
        clock: Arc::new(SystemClock),
    }
}
