//! Connecting providers: the OAuth consent and its single-use state, API keys checked
//! before anything is stored, reconnects, renames, disconnects and token refreshes.

use std::sync::atomic::Ordering;

use dashtam_application::{
    AppError,
    portfolio::queries::ListAccounts,
    providers::{
        commands::{
            CompleteOAuth, Connecting, DisconnectProvider, OAuthFailure, RefreshProviderToken,
            UpdateConnection,
        },
        queries::{GetConnection, ListConnections},
    },
};
use dashtam_domain::providers::{ConnectionStatus, ProviderError, ProviderSlug};
use secrecy::SecretString;

use crate::{
    finance::{Finance, connect},
    support::Harness,
};

#[tokio::test]
async fn a_schwab_consent_connects_once_per_state() {
    let f = Finance::new();
    let user = f.user("ada@example.com").await;
    let state = f.start_schwab(&user, None).await;
    assert!(state.len() >= 43, "at least 256 random bits, URL-safe");
    let connection = f.callback("code-1", &state).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Active);
    assert!(connection.is_connected && !connection.needs_reauthentication);
    assert_eq!(connection.alias.as_deref(), Some("Main"));
    // The state was consumed: a replay connects nothing.
    let again = f.callback("code-2", &state).await;
    assert!(
        matches!(again, Err(AppError::Validation { .. })),
        "{again:?}"
    );
    assert_eq!(f.broker.exchanges.load(Ordering::SeqCst), 1);
    let names = f.recorded_names();
    assert!(names.contains(&"ProviderConnectionAttempted".to_owned()));
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "ProviderConnectionSucceeded")
            .count(),
        1
    );
    assert!(
        names.contains(&"ProviderConnectionFailed".to_owned()),
        "the replay is recorded: {names:?}"
    );
}

#[tokio::test]
async fn two_callbacks_with_one_state_at_once_connect_exactly_once() {
    let f = Finance::new();
    let user = f.user("ada@example.com").await;
    let state = f.start_schwab(&user, None).await;
    let (a, b) = tokio::join!(f.callback("code-a", &state), f.callback("code-b", &state));
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
    let list = ListConnections {
        principal: &user,
        active_only: false,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(list.total_count, 1);
}

#[tokio::test]
async fn a_callback_fails_by_name_and_changes_nothing() {
    let f = Finance::new();
    let user = f.user("ada@example.com").await;
    let complete =
        |code: Option<&str>, state: Option<String>, slug, error: Option<&str>| CompleteOAuth {
            code: code.map(Into::into),
            state,
            provider_slug: Some(slug),
            provider_error: error.map(|e| (e.to_owned(), Some("User said no".to_owned()))),
            context: Harness::ctx(),
        };
    let run = |c: CompleteOAuth| c.execute(&f.ports);

    let missing_state = run(complete(Some("c"), None, ProviderSlug::Schwab, None)).await;
    assert!(matches!(missing_state, Err(OAuthFailure::MissingState)));
    let unknown = run(complete(
        Some("c"),
        Some("nope".into()),
        ProviderSlug::Schwab,
        None,
    ))
    .await;
    assert!(matches!(unknown, Err(OAuthFailure::InvalidState)));

    let state = f.start_schwab(&user, None).await;
    let mismatch = run(complete(
        Some("c"),
        Some(state.clone()),
        ProviderSlug::Alpaca,
        None,
    ))
    .await;
    assert!(matches!(mismatch, Err(OAuthFailure::ProviderMismatch)));

    let state = f.start_schwab(&user, None).await;
    let denied = run(complete(
        None,
        Some(state),
        ProviderSlug::Schwab,
        Some("access_denied"),
    ))
    .await;
    assert!(matches!(denied, Err(OAuthFailure::Denied(ref m)) if m == "User said no"));

    let state = f.start_schwab(&user, None).await;
    let no_code = run(complete(None, Some(state), ProviderSlug::Schwab, None)).await;
    assert!(matches!(no_code, Err(OAuthFailure::MissingCode)));

    let state = f.start_schwab(&user, None).await;
    let refused = run(complete(
        Some("bad-code"),
        Some(state),
        ProviderSlug::Schwab,
        None,
    ))
    .await;
    assert!(matches!(refused, Err(OAuthFailure::ExchangeFailed(_))));

    let state = f.start_schwab(&user, None).await;
    f.clock.advance(chrono::Duration::minutes(11));
    let expired = run(complete(Some("c"), Some(state), ProviderSlug::Schwab, None)).await;
    assert!(matches!(expired, Err(OAuthFailure::InvalidState)));

    let list = ListConnections {
        principal: &user,
        active_only: false,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(list.total_count, 0, "no failure stored a connection");
}

#[tokio::test]
async fn alpaca_keys_are_checked_before_anything_is_stored() {
    let f = Finance::new();
    let user = f.user("ada@example.com").await;
    let with_keys = |key: &str| {
        let mut c = connect(&user, ProviderSlug::Alpaca, None);
        c.api_key = Some(SecretString::from(key.to_owned()));
        c.api_secret = Some(SecretString::from("secret".to_owned()));
        c
    };
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::Rejected("401".into()));
    let refused = with_keys("bad").execute(&f.ports).await;
    assert!(
        matches!(refused, Err(AppError::Validation { .. })),
        "{refused:?}"
    );
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::Unavailable("connect timeout".into()));
    let down = with_keys("good").execute(&f.ports).await;
    assert!(matches!(down, Err(AppError::Upstream(_))), "{down:?}");
    let list = ListConnections {
        principal: &user,
        active_only: false,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(list.total_count, 0);

    let Connecting::Connected(c) = with_keys("good").execute(&f.ports).await.unwrap() else {
        panic!("API keys connect at once")
    };
    assert_eq!(
        (c.status, c.provider_slug),
        (ConnectionStatus::Active, ProviderSlug::Alpaca)
    );
    let refresh = RefreshProviderToken {
        principal: user.clone(),
        connection_id: c.id,
        force: true,
        context: Harness::ctx(),
    }
    .execute(&f.ports)
    .await;
    assert!(
        matches!(refresh, Err(AppError::Validation { .. })),
        "API keys have no token"
    );
}

#[tokio::test]
async fn an_expired_connection_reconnects_in_place_and_an_active_one_does_not() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    let again = connect(&user, ProviderSlug::Schwab, Some(connection.id))
        .execute(&f.ports)
        .await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // The refresh token lapses after 7 days: the connection expires.
    f.clock.advance(chrono::Duration::days(8));
    let sync = f.sync_accounts(&user, connection.id, true).await;
    assert!(
        matches!(sync, Err(AppError::Conflict(ref m)) if m.contains("reauthentication")),
        "{sync:?}"
    );
    let expired = GetConnection {
        principal: &user,
        connection_id: connection.id,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(expired.status, ConnectionStatus::Expired);
    assert!(expired.needs_reauthentication);

    let state = f.start_schwab(&user, Some(connection.id)).await;
    let back = f.callback("code-2", &state).await.unwrap();
    assert_eq!(
        (back.id, back.status),
        (connection.id, ConnectionStatus::Active)
    );
    let accounts = ListAccounts {
        principal: &user,
        connection_id: Some(connection.id),
        active_only: false,
        account_type: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(accounts.total_count, 2, "the same accounts");
}

#[tokio::test]
async fn rename_and_disconnect_keep_the_history() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    let renamed = UpdateConnection {
        principal: user.clone(),
        connection_id: connection.id,
        alias: Some("Joint".into()),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(renamed.alias.as_deref(), Some("Joint"));
    let disconnect = || DisconnectProvider {
        principal: user.clone(),
        connection_id: connection.id,
        context: Harness::ctx(),
    };
    disconnect().execute(&f.ports).await.unwrap();
    disconnect().execute(&f.ports).await.unwrap();
    let c = GetConnection {
        principal: &user,
        connection_id: connection.id,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(
        (c.status, c.is_connected, c.alias.as_deref()),
        (ConnectionStatus::Disconnected, false, Some("Joint"))
    );
    let accounts = ListAccounts {
        principal: &user,
        connection_id: None,
        active_only: false,
        account_type: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!((accounts.total_count, accounts.active_count), (2, 0));
    let names = f.recorded_names();
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "ProviderDisconnectionSucceeded")
            .count(),
        1
    );
    let sync = f.sync_accounts(&user, connection.id, true).await;
    assert!(
        matches!(sync, Err(AppError::Conflict(ref m)) if m.contains("disconnected")),
        "{sync:?}"
    );
}

#[tokio::test]
async fn another_users_connection_is_forbidden_and_an_unknown_one_not_found() {
    let f = Finance::new();
    let (_, connection) = f.schwab("ada@example.com").await;
    let eve = f.user("eve@example.com").await;
    let get = |id| {
        GetConnection {
            principal: &eve,
            connection_id: id,
        }
        .execute(&f.ports)
    };
    assert!(matches!(
        get(connection.id).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        get(uuid::Uuid::now_v7()).await,
        Err(AppError::NotFound(_))
    ));
    let sync = f.sync_accounts(&eve, connection.id, true).await;
    assert!(matches!(sync, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn a_token_refresh_really_refreshes() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    let before = dashtam_core::Clock::now(f.clock.as_ref());
    f.clock.advance(chrono::Duration::minutes(10));
    let refreshed = RefreshProviderToken {
        principal: user.clone(),
        connection_id: connection.id,
        force: true,
        context: Harness::ctx(),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert!(refreshed.refreshed);
    assert_eq!(refreshed.expires_at, before + chrono::Duration::minutes(40));
    assert_eq!(f.broker.refreshes.load(Ordering::SeqCst), 1);
    assert!(
        f.recorded_names()
            .contains(&"ProviderTokenRefreshSucceeded".to_owned())
    );
}
