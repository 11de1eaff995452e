//! In the child (`--import-child FORMAT PATH ENDPOINT TABLE`): the product's ports over
//! the stack's table (the production constructors, the real `FileStatementParser`), a
//! registered user, then `ImportFile` over the file twice — the import, and a repeat
//! that must skip every row — each timed, with its DynamoDB calls and the peak RSS after
//! it. Prints one JSON line; the process is the import's alone, so its peak is the
//! import's (the tokio runtime, the SDK, the file and its parsed rows included).

use std::{collections::BTreeMap, path::Path, sync::Arc, time::Instant};

use dashtam_application::{
    IdentitySettings, ImportSettings, PlatformPorts, Ports, Principal, ProviderSettings,
    identity::commands::RegisterUser,
    imports::commands::{ImportFile, ImportReport},
};
use dashtam_container::{
    ProviderClients, identity_over_table, imports_over_table, platform_over_table,
    portfolio_over_table, providers_over_table,
};
use dashtam_core::SystemClock;
use dashtam_domain::{
    identity::value_objects::Email,
    imports::{FileFormat, ImportHints},
    platform::events::EventContext,
};
use dashtam_infrastructure::{
    dynamodb::Table,
    memory::{InProcessQueue, MemoryMailbox, MemoryUploads, PlainComposer, RecordingPublisher},
    security::{HmacCursorSealer, JwtAccessTokens, StaticSigningKey},
};
use serde_json::json;
use uuid::Uuid;

use crate::{BoxError, calls::Calls, child::rss_kib};

pub const FLAG: &str = "--import-child";

fn context() -> EventContext {
    EventContext {
        ip_address: Some("203.0.113.9".into()),
        user_agent: Some("dashtam-import-bench".into()),
        trace_id: None,
    }
}

/// Every port an import touches, over `table`, built as the functions build them.
fn ports(table: &Table) -> Ports {
    let settings = ImportSettings {
        // A 50,000-row import on the emulator outlasts the function's lease.
        claim_lease: chrono::Duration::minutes(60),
        ..ImportSettings::default()
    };
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
            ProviderClients::unwired(),
            ProviderSettings {
                default_redirect_uri: "http://127.0.0.1/oauth/schwab/callback".to_owned(),
            },
        ),
        portfolio: portfolio_over_table(table),
        // The real parser; a request's file needs no uploads bucket.
        imports: imports_over_table(
            table,
            Arc::new(MemoryUploads::new("http://uploads.invalid")),
            settings,
        ),
        clock: Arc::new(SystemClock),
    }
}

/// A registered user (RegisterUser over the table) as the HTTP layer presents one.
async fn user(ports: &Ports) -> Result<Principal, BoxError> {
    let email = Email::parse(&format!("import-bench-{}@example.com", Uuid::now_v7()))
        .map_err(|e| format!("email: {e:?}"))?;
    let registered = RegisterUser {
        email,
        password: "Str0ng!Passw0rd".into(),
        context: context(),
    }
    .execute(ports)
    .await?;
    let user = ports
        .identity
        .users
        .find_by_id(registered.id)
        .await?
        .ok_or("the registered user is not stored")?;
    Ok(Principal {
        user_id: user.id,
        email: user.email.to_string(),
        session_id: Uuid::now_v7(),
        roles: user.roles.clone(),
        user,
    })
}

/// One `ImportFile` of `path`: the file read (untimed, as the HTTP layer hands it over),
/// then the use case timed.
async fn import_once(
    ports: &Ports,
    principal: &Principal,
    path: &Path,
    calls: &Calls,
) -> Result<(ImportReport, f64, BTreeMap<String, u64>), BoxError> {
    let bytes = std::fs::read(path)?;
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("the file has no name")?
        .to_owned();
    let command = ImportFile {
        principal: principal.clone(),
        file_name,
        bytes,
        hints: ImportHints::default(),
        context: context(),
    };
    calls.take();
    let started = Instant::now();
    let report = command.execute(ports).await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok((report, seconds, calls.take()))
}

pub async fn import_here(
    format: &str,
    path: &str,
    endpoint: &str,
    table: &str,
) -> Result<(), BoxError> {
    FileFormat::parse(format).ok_or("--import-child wants qfx, ofx or csv")?;
    let sdk = dashtam_testkit::sdk_config(endpoint).await;
    let calls = Calls::default();
    let ports = ports(&Table::new(calls.client(&sdk), table.to_owned()));
    let principal = user(&ports).await?;
    let path = Path::new(path);
    let before = rss_kib("VmRSS:").unwrap_or(0);

    let (first, first_seconds, first_calls) = import_once(&ports, &principal, path, &calls).await?;
    let peak_first = rss_kib("VmHWM:").unwrap_or(0);
    let (repeat, repeat_seconds, repeat_calls) =
        import_once(&ports, &principal, path, &calls).await?;
    let peak_repeat = rss_kib("VmHWM:").unwrap_or(0);

    let accounts: Vec<String> = ports
        .portfolio
        .accounts
        .list_for_user(principal.user_id)
        .await?
        .into_iter()
        .filter(|a| a.connection_id == first.connection_id)
        .map(|a| a.id.to_string())
        .collect();
    let run = |r: &ImportReport, seconds: f64, calls: &BTreeMap<String, u64>| {
        json!({
            "seconds": seconds,
            "calls": calls,
            "created": r.transactions_created,
            "skipped": r.transactions_skipped,
            "accounts_created": r.accounts_created,
        })
    };
    println!(
        "{}",
        json!({
            "first": run(&first, first_seconds, &first_calls),
            "repeat": run(&repeat, repeat_seconds, &repeat_calls),
            "rss_before_kib": before,
            "peak_rss_first_kib": peak_first,
            "peak_rss_repeat_kib": peak_repeat,
            "accounts": accounts,
        })
    );
    Ok(())
}
