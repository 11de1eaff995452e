//! The security config: default, then optimistic locking.

use chrono::Utc;
use dashtam_domain::{
    Conflict, StoreError,
    identity::{entities::SecurityConfig, ports::SecurityConfigRepository},
};

use crate::support::*;

#[tokio::test]
async fn security_config_defaults_then_locks_optimistically() {
    let db = Db::new().await;
    let repo = db.config();
    let now = Utc::now();

    let mut config = repo.get().await.unwrap();
    assert_eq!(config, SecurityConfig::default());

    let stale = config.clone();
    config.rotate("breach".into(), now);
    repo.save(&config, &[]).await.expect("create");
    let stored = repo.get().await.unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.global_min_token_version, 2);
    assert_eq!(stored.last_rotation_at, Some(now));
    assert_eq!(stored.last_rotation_reason.as_deref(), Some("breach"));

    // A second "create" from the default copy must not overwrite.
    assert_eq!(
        repo.save(&stale, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleSecurityConfig))
    );
    let mut next = stored.clone();
    next.rotate("again".into(), now);
    repo.save(&next, &[]).await.expect("update");
    assert_eq!(
        repo.save(&stored, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleSecurityConfig))
    );
    let last = repo.get().await.unwrap();
    assert_eq!((last.version, last.global_min_token_version), (2, 3));
}
