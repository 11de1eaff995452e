//! Import records (created once, versioned saves with their events, owner) against
//! DynamoDB and memory.

use chrono::Utc;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    imports::{FileFormat, FileImport, ImportCounts, ImportHints, ImportSource, ImportStatus},
    platform::events::EventPayload,
    portfolio::{AccountType, Currency},
};
use uuid::Uuid;

use super::fin::{Fin, both};
use crate::support::event;

both!(import_records_are_versioned_owned_and_carry_events);

async fn import_records_are_versioned_owned_and_carry_events(fin: Fin) {
    let repo = &fin.imports;
    let user = Uuid::now_v7();
    let now = Utc::now();
    let hints = ImportHints {
        account_number: Some("0001234".into()),
        account_name: Some("Joint".into()),
        account_type: Some(AccountType::Savings),
        currency: Some(Currency::Eur),
        charges_positive: true,
    };
    let import = FileImport::new(
        user,
        "Chase1234_Activity.CSV",
        FileFormat::Csv,
        ImportSource::Upload,
        hints,
        now,
    );
    let created = progress(user, import.id);
    repo.create(&import, std::slice::from_ref(&created))
        .await
        .unwrap();
    assert!(fin.in_outbox(&created).await);
    assert_eq!(
        repo.create(&import, &[]).await,
        Err(StoreError::AlreadyExists(Existing::Import))
    );
    let stored = repo.find(user, import.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        FileImport {
            version: 1,
            ..import.clone()
        },
        "hints kept for the worker"
    );
    assert_eq!(repo.find(Uuid::now_v7(), import.id).await.unwrap(), None);
    assert_eq!(repo.owner_of(import.id).await.unwrap(), Some(user));
    assert_eq!(repo.owner_of(Uuid::now_v7()).await.unwrap(), None);

    let mut running = stored.clone();
    running.start(Uuid::now_v7(), 10, now);
    let counts = ImportCounts {
        accounts_created: 1,
        accounts_updated: 0,
        transactions_created: 4,
        transactions_skipped: 2,
    };
    running.progress(6, counts, now);
    let progressed = progress(user, import.id);
    repo.save(&running, std::slice::from_ref(&progressed))
        .await
        .unwrap();
    assert!(fin.in_outbox(&progressed).await);
    assert_eq!(
        repo.save(&stored, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleImport)),
        "the copy read before is stale"
    );
    let read = repo.find(user, import.id).await.unwrap().unwrap();
    assert_eq!(
        (read.status, read.records_processed, read.counts),
        (ImportStatus::Running, 6, counts)
    );
    assert_eq!(read.progress_percent(), 60);
    assert_eq!(read.version, 2);
}

fn progress(user: Uuid, import_id: Uuid) -> dashtam_domain::platform::events::DomainEvent {
    event(
        Some(user),
        EventPayload::FileImportProgress {
            import_id,
            file_name: "f.csv".into(),
            file_format: "csv".into(),
            progress_percent: 60,
            records_processed: 6,
            records_imported: 4,
        },
    )
}
