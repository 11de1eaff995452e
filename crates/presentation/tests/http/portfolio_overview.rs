//! The net-worth series and the summary in process: a new user's empty series (one point
//! per day), the summary with no accounts, and the bad inputs as RFC 9457 problems.

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn an_empty_portfolio_has_a_flat_series_and_an_empty_summary() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    let r = app
        .get(
            "/api/v1/portfolio/net-worth?start_date=2026-01-01&end_date=2026-01-07&currency=eur",
            Some(&t.access),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["currency"], "EUR");
    assert_eq!(r.body["start"], "2026-01-01");
    assert_eq!(r.body["end"], "2026-01-07");
    let points = r.body["points"].as_array().unwrap();
    assert_eq!(points.len(), 7);
    assert_eq!(
        points[0]["net_worth"], "0.0000",
        "money as fixed-place strings"
    );
    assert_eq!(points[0]["accounts"], 0);
    assert_eq!(r.body["change_amount"], "0.0000");
    assert!(r.body["change_percent"].is_null());
    let r = app.get("/api/v1/portfolio/summary", Some(&t.access)).await;
    r.expect(200);
    assert_eq!(r.body["currencies"], serde_json::json!([]));
    assert!(r.body["as_of"].as_str().unwrap().ends_with('Z'));
    app.get("/api/v1/portfolio/summary", None)
        .await
        .unauthorized();
}

#[tokio::test]
async fn bad_ranges_and_currencies_are_problems_that_say_why() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    for (query, field, needle) in [
        (
            "start_date=2026-02-01&end_date=2026-01-01",
            "start_date",
            "start_date must not be after end_date",
        ),
        (
            "start_date=2019-01-01&end_date=2026-01-01",
            "end_date",
            "at most 5 years",
        ),
        (
            "currency=XYZ",
            "currency",
            "Currency 'XYZ' is not supported",
        ),
    ] {
        let r = app
            .get(
                &format!("/api/v1/portfolio/net-worth?{query}"),
                Some(&t.access),
            )
            .await;
        r.problem(400, "command_validation_failed");
        assert!(
            r.body["detail"].as_str().unwrap().contains(needle),
            "{query}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    // A malformed date is refused by the query's own parsing.
    let r = app
        .get(
            "/api/v1/portfolio/net-worth?start_date=yesterday",
            Some(&t.access),
        )
        .await;
    assert!([400, 422].contains(&r.status.as_u16()), "{}", r.text);
}
