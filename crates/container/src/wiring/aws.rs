//! The AWS side of the wiring: one SDK configuration, the clients built from it, and
//! the ports of each context over them.

use std::{sync::Arc, time::Duration};

use aws_config::timeout::TimeoutConfig;
use dashtam_application::{PlatformPorts, Unwired};
use dashtam_domain::{
    imports::UploadStore,
    platform::ports::{CursorSealer, EmailSender, EventPublisher, QueueMetrics, QueueRole},
    portfolio::SyncQueue,
};
use dashtam_infrastructure::{
    dynamodb::Table,
    email::{FanoutEmailSender, MailboxEmailSender, SesEmailSender},
    messaging::{EventBridgePublisher, SqsQueueMetrics, SqsSyncQueue, WatchedQueue},
    secrets::SecretsManagerSource,
    security::{HmacCursorSealer, JwtAccessTokens, SigningKeySource},
    uploads::S3Uploads,
};

use super::{
    Signing,
    identity::ACCESS_TOKEN_TTL_SECONDS,
    platform::{Templates, platform_over_table},
};
use crate::{
    Config,
    tls::{TrustRoots, aws_http_client},
};

/// A connection must open within this, an attempt answer within this (it covers the
/// local consumers' 2 s SQS long polls), and a call with its retries end within this:
/// a call that hangs fails, is logged and retried by its caller, and an HTTP function
/// answers before its 10 s Lambda timeout.
const AWS_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const AWS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
const AWS_OPERATION_TIMEOUT: Duration = Duration::from_secs(8);
/// Reading an uploaded file of up to the upload limit.
const UPLOAD_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// The one AWS SDK configuration of a process: region and credentials from the
/// environment, the trusted roots, and the timeouts above. Every AWS client is built
/// from it.
pub async fn sdk_config(roots: TrustRoots) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(AWS_CONNECT_TIMEOUT)
        .operation_attempt_timeout(AWS_ATTEMPT_TIMEOUT)
        .operation_timeout(AWS_OPERATION_TIMEOUT)
        .build();
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(timeouts);
    if let Some(client) = aws_http_client(roots) {
        loader = loader.http_client(client);
    }
    loader.load().await
}

/// The AWS clients a function may need, all from one SDK configuration. Building them
/// does no network I/O (cold start); the JWT key is read from Secrets Manager on first use.
pub(super) struct Aws {
    sdk: aws_config::SdkConfig,
}

impl Aws {
    pub(super) async fn load(config: &Config) -> Self {
        Self::from_sdk(sdk_config(config.tls_roots).await)
    }

    pub(super) fn from_sdk(sdk: aws_config::SdkConfig) -> Self {
        Self { sdk }
    }

    pub(super) fn sdk(&self) -> &aws_config::SdkConfig {
        &self.sdk
    }

    pub(super) fn table(&self, config: &Config) -> Table {
        Table::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            config.table.clone(),
        )
    }

    /// The platform bundle over `table` with what the function chose: the cursor key,
    /// the bus and email (the rest: the table's items, the templates, the queues).
    pub(super) fn platform(
        &self,
        config: &Config,
        table: &Table,
        cursors: Arc<dyn CursorSealer>,
        events: Arc<dyn EventPublisher>,
        email: Arc<dyn EmailSender>,
    ) -> PlatformPorts {
        PlatformPorts {
            cursors,
            events,
            email,
            email_composer: Arc::new(Templates {
                app_url: config.app_url.clone(),
            }),
            queues: self.queues(config),
            ..platform_over_table(table)
        }
    }

    /// The queues the jobs health reports. Building the SQS client does no I/O; the
    /// queues are read only by the health routes.
    fn queues(&self, config: &Config) -> Arc<dyn QueueMetrics> {
        let watched = [
            ("audit", QueueRole::Queue, &config.audit_queue_url),
            ("audit", QueueRole::DeadLetter, &config.audit_dlq_url),
            ("email", QueueRole::Queue, &config.email_queue_url),
            ("email", QueueRole::DeadLetter, &config.email_dlq_url),
            ("sync", QueueRole::Queue, &config.sync_queue_url),
            ("sync", QueueRole::DeadLetter, &config.sync_dlq_url),
            ("imports", QueueRole::Queue, &config.imports.queue_url),
            ("imports", QueueRole::DeadLetter, &config.imports.dlq_url),
        ]
        .into_iter()
        .filter_map(|(name, role, url)| {
            url.as_ref().map(|url| WatchedQueue {
                name: name.to_owned(),
                role,
                url: url.clone(),
            })
        })
        .collect();
        Arc::new(SqsQueueMetrics::new(self.sdk.clone(), watched))
    }

    /// The JWT signing secret (read once, on first use) signs access tokens and, through
    /// a derived key, pagination cursors.
    pub(super) fn signing(&self, config: &Config) -> Signing {
        let key: Arc<dyn SigningKeySource> = Arc::new(SecretsManagerSource::new(
            aws_sdk_secretsmanager::Client::new(&self.sdk),
            config.jwt_secret_id.clone(),
        ));
        Signing {
            access_tokens: Arc::new(JwtAccessTokens::new(key.clone(), ACCESS_TOKEN_TTL_SECONDS)),
            cursors: Arc::new(HmacCursorSealer::new(key)),
        }
    }

    /// The queue of scheduled syncs (unwired when no URL is configured).
    pub(super) fn sync_queue(&self, config: &Config) -> Arc<dyn SyncQueue> {
        match &config.sync_queue_url {
            Some(url) => Arc::new(SqsSyncQueue::new(
                aws_sdk_sqs::Client::new(&self.sdk),
                url.clone(),
            )),
            None => Arc::new(Unwired("sync queue (DASHTAM_SYNC_QUEUE_URL)")),
        }
    }

    /// The uploads bucket. Reads of large files get a longer operation timeout than the
    /// table's calls.
    pub(super) fn uploads(&self, config: &Config) -> Arc<dyn UploadStore> {
        let Some(bucket) = config.imports.uploads_bucket.clone() else {
            return Arc::new(Unwired("the uploads bucket (DASHTAM_UPLOADS_BUCKET)"));
        };
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(AWS_CONNECT_TIMEOUT)
            .operation_timeout(UPLOAD_READ_TIMEOUT)
            .build();
        let s3 = aws_sdk_s3::config::Builder::from(&self.sdk)
            .timeout_config(timeouts)
            .force_path_style(config.imports.s3_path_style)
            .build();
        Arc::new(S3Uploads::new(aws_sdk_s3::Client::from_conf(s3), bucket))
    }

    pub(super) fn events(&self, config: &Config) -> Arc<dyn EventPublisher> {
        Arc::new(EventBridgePublisher::new(
            aws_sdk_eventbridge::Client::new(&self.sdk),
            config.event_bus.clone(),
        ))
    }

    pub(super) fn email(&self, config: &Config) -> Arc<dyn EmailSender> {
        let ses: Arc<dyn EmailSender> = Arc::new(SesEmailSender::new(
            aws_sdk_sesv2::Client::new(&self.sdk),
            config.email_from.clone(),
        ));
        match &config.mailbox_dir {
            Some(dir) => Arc::new(FanoutEmailSender::new(vec![
                ses,
                Arc::new(MailboxEmailSender::new(dir.clone())),
            ])),
            None => ses,
        }
    }
}
