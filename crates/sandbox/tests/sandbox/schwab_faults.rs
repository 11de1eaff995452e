use dashtam_sandbox::Profile;

use crate::common::{clock, json, sandbox, tokens, trader};

#[tokio::test]
async fn fault_profiles_answer_429_500_and_slowly() {
    let sb = sandbox(&clock()).await;
    let (limited, _) = tokens(&sb, Profile::RateLimited).await;
    let (status, headers, body) = trader(&sb, &limited, "/accounts/accountNumbers").await;
    assert_eq!(
        (status, headers["retry-after"].to_str().unwrap()),
        (429, "1")
    );
    assert_eq!(json(&body)["errors"][0]["status"], 429);
    let (down, _) = tokens(&sb, Profile::Unavailable).await;
    assert_eq!(trader(&sb, &down, "/accounts").await.0, 500);
    let (slow, _) = tokens(&sb, Profile::Slow).await;
    let started = std::time::Instant::now();
    assert_eq!(trader(&sb, &slow, "/userPreference").await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    let (empty, _) = tokens(&sb, Profile::Empty).await;
    let (_, _, body) = trader(&sb, &empty, "/accounts?fields=positions").await;
    assert_eq!(
        json(&body)[0]["securitiesAccount"]["positions"],
        serde_json::json!([])
    );
    let c = sb.counters();
    assert_eq!(
        (
            c.schwab_account_numbers,
            c.schwab_accounts,
            c.schwab_user_preference
        ),
        (1, 2, 1)
    );
    assert_eq!(c.schwab_trader(), 4);
}
