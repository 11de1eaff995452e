//! The system under test: the production adapters over an emulated stack's table and
//! sync queue (every call counted), the real Alpaca client against the sandbox, AES-GCM.

use std::sync::Arc;

use chrono::Utc;
use dashtam_application::{IdentityPorts, ImportPorts, PlatformPorts, Ports, ProviderSettings};
use dashtam_container::{
    ProviderClients, platform_over_table, portfolio_over_table, providers_over_table,
};
use dashtam_core::{SecretString, SystemClock};
use dashtam_domain::providers::{
    CredentialCipher, Credentials, Grant, ProviderConnection, ProviderSlug,
};
use dashtam_infrastructure::{
    dynamodb::Table,
    memory::{InProcessQueue, RecordingPublisher},
    messaging::SqsSyncQueue,
    providers::alpaca::{AlpacaClient, AlpacaConfig},
    security::AesGcmCipher,
};
use futures::{StreamExt, stream};
use uuid::Uuid;

use crate::{
    BoxError,
    calls::{Calls, SqsCalls},
};

pub struct Bench {
    pub ports: Ports,
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    cipher: Arc<AesGcmCipher>,
}

impl Bench {
    pub fn new(
        stack: &dashtam_testkit::Stack,
        sandbox: &dashtam_sandbox::Sandbox,
        dynamo: &Calls,
        sqs_calls: &SqsCalls,
    ) -> Self {
        let dynamo_client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&stack.sdk)
                .interceptor(dynamo.clone())
                .build(),
        );
        let sqs = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::config::Builder::from(&stack.sdk)
                .interceptor(sqs_calls.clone())
                .build(),
        );
        let queue_url = stack.var("DASHTAM_SYNC_QUEUE_URL").to_owned();
        let table = Table::new(dynamo_client, stack.var("DASHTAM_TABLE").to_owned());
        let cipher = Arc::new(
            AesGcmCipher::from_secret(&SecretString::from("5e".repeat(32)))
                .expect("a 64-character passphrase is a valid credentials key"),
        );
        let alpaca = AlpacaConfig::default().with_base_url(sandbox.alpaca_base());
        let clients = ProviderClients {
            alpaca: Arc::new(AlpacaClient::new(alpaca).expect("the Alpaca client")),
            cipher: cipher.clone(),
            ..ProviderClients::unwired()
        };
        let mut portfolio = portfolio_over_table(&table);
        portfolio.sync_queue = Arc::new(SqsSyncQueue::new(sqs.clone(), &queue_url));
        let ports = Ports {
            identity: IdentityPorts::unwired(),
            platform: PlatformPorts {
                events: Arc::new(RecordingPublisher::default()),
                queues: InProcessQueue::new(),
                ..platform_over_table(&table)
            },
            providers: providers_over_table(&table, clients, ProviderSettings::default()),
            portfolio,
            imports: ImportPorts::unwired(),
            clock: Arc::new(SystemClock),
        };
        Self {
            ports,
            sqs,
            queue_url,
            cipher,
        }
    }

    /// `n` active Alpaca connections of `n` users, 8 writes in flight.
    pub async fn seed(&self, n: usize) -> Result<(), BoxError> {
        let credentials = Credentials::ApiKey {
            key_id: SecretString::from("sandbox-key".to_owned()),
            secret: SecretString::from("sandbox-secret".to_owned()),
        };
        let sealed = self.cipher.seal(&credentials)?;
        let results: Vec<Result<(), BoxError>> = stream::iter(0..n)
            .map(|_| {
                let sealed = sealed.clone();
                async move {
                    let now = Utc::now();
                    let mut c = ProviderConnection::pending(
                        Uuid::now_v7(),
                        Uuid::now_v7(),
                        ProviderSlug::Alpaca,
                        None,
                        now,
                    );
                    c.connect(
                        Grant {
                            sealed,
                            access_expires_at: None,
                            refresh_expires_at: None,
                        },
                        now,
                    )?;
                    self.ports.providers.connections.create(&c, &[]).await?;
                    Ok(())
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
        results.into_iter().collect()
    }
}
