//! A store that refuses for now answers 503 with `Retry-After`; one that fails answers
//! 500. Both are problems that never quote the cause, and the service recovers with it.

use dashtam_domain::StoreError;

use crate::support::{PASSWORD, TestApp};

const CAUSE: &str = "dynamodb GetItem (user): ProvisionedThroughputExceededException: slow down";

#[tokio::test]
async fn a_throttled_store_is_a_503_with_retry_after_and_a_failing_one_a_500() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let tokens = app.login("ada@example.com", PASSWORD).await;

    app.store
        .set_fault(Some(StoreError::Throttled(CAUSE.to_owned())));
    for r in [
        app.me(&tokens.access).await,
        app.try_login("ada@example.com", PASSWORD).await,
        app.try_refresh(&tokens.refresh).await,
    ] {
        r.problem(503, "service-unavailable");
        assert_eq!(r.header("retry-after"), Some("1"), "{}", r.text);
        assert_eq!(r.body["retry_after"], 1, "{}", r.text);
        assert!(!r.text.contains("Provisioned"), "{}", r.text);
    }

    app.store
        .set_fault(Some(StoreError::Unavailable(CAUSE.to_owned())));
    let r = app.me(&tokens.access).await;
    r.problem(500, "internal-server-error");
    assert_eq!(r.header("retry-after"), None);
    assert!(r.body.get("retry_after").is_none(), "{}", r.text);
    assert!(!r.text.contains("Provisioned"), "{}", r.text);

    app.store.set_fault(None);
    app.me(&tokens.access).await.expect(200);
}
