//! The import routes in process: the multipart form (parts in any order, the 5 MB cap
//! with its pointer to uploads, a body that is no form), the fields' checks, the formats,
//! an upload started, and what a file with an error answers.

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use serde_json::{Value, json};

use crate::support::*;

const BOUNDARY: &str = "x-dashtam-test-boundary";

/// A form: text `fields` first or last, then (or before) the `file` part.
fn form(file: Option<(&str, &[u8])>, fields: &[(&str, &str)], file_first: bool) -> Vec<u8> {
    let mut text = Vec::new();
    for (name, value) in fields {
        text.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let mut part = Vec::new();
    if let Some((file_name, content)) = file {
        part.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\r\n").as_bytes(),
        );
        part.extend_from_slice(content);
        part.extend_from_slice(b"\r\n");
    }
    let mut body = if file_first {
        [part, text].concat()
    } else {
        [text, part].concat()
    };
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_form(token: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

const CSV: &str = "Date,Description,Amount\n2026-11-02,COFFEE,-4.50\n11/03/2026,REFUND,12.00\n";

async fn signed_in(app: &TestApp) -> String {
    app.signup("ada@example.com").await;
    app.login("ada@example.com", PASSWORD).await.access
}

#[tokio::test]
async fn a_csv_with_its_account_in_the_form_is_imported_once_whatever_the_part_order() {
    let app = TestApp::new();
    let token = signed_in(&app).await;
    let fields = [
        ("account_number", "0099887766"),
        ("account_type", "Savings"),
        ("currency", "usd"),
    ];
    let first = app
        .send(post_form(
            &token,
            form(Some(("bank.CSV", CSV.as_bytes())), &fields, true),
        ))
        .await;
    first.expect(201);
    assert_eq!(first.body["transactions_created"], 2, "{}", first.text);
    assert!(first.body["import_id"].is_string() && first.body["connection_id"].is_string());
    let again = app
        .send(post_form(
            &token,
            form(Some(("bank.csv", CSV.as_bytes())), &fields, false),
        ))
        .await;
    again.expect(201);
    assert_eq!(
        (
            &again.body["transactions_created"],
            &again.body["transactions_skipped"]
        ),
        (&json!(0), &json!(2))
    );

    let accounts = app.get("/api/v1/accounts", Some(&token)).await;
    assert_eq!(
        accounts.body["accounts"][0]["account_type"], "savings",
        "{}",
        accounts.text
    );
    let status = app
        .get(
            &format!(
                "/api/v1/imports/{}",
                first.body["import_id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    status.expect(200);
    assert_eq!(
        (&status.body["status"], &status.body["progress_percent"]),
        (&json!("completed"), &json!(100))
    );
}

#[tokio::test]
async fn the_form_and_its_fields_are_checked_before_anything_is_read() {
    let app = TestApp::new();
    let token = signed_in(&app).await;
    let problem = |r: &Resp, status: u16| {
        r.expect(status);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{}",
            r.text
        );
        r.body.clone()
    };

    // No account anywhere: the form's field is named.
    let r = app
        .send(post_form(
            &token,
            form(Some(("bank.csv", CSV.as_bytes())), &[], true),
        ))
        .await;
    assert_eq!(problem(&r, 400)["errors"][0]["field"], "account_number");
    let r = app
        .send(post_form(
            &token,
            form(
                Some(("bank.csv", CSV.as_bytes())),
                &[("account_number", "1"), ("account_type", "piggy_bank")],
                true,
            ),
        ))
        .await;
    assert_eq!(problem(&r, 400)["errors"][0]["field"], "account_type");
    let r = app
        .send(post_form(
            &token,
            form(
                Some(("bank.csv", CSV.as_bytes())),
                &[("account_number", "1"), ("currency", "XYZ")],
                true,
            ),
        ))
        .await;
    assert_eq!(
        problem(&r, 400)["errors"][0]["code"],
        "unsupported_currency"
    );
    let r = app
        .send(post_form(
            &token,
            form(None, &[("account_number", "1")], true),
        ))
        .await;
    assert_eq!(problem(&r, 400)["errors"][0]["code"], "missing_file");
    let r = app
        .send(post_form(
            &token,
            form(Some(("statement.pdf", b"%PDF")), &[], true),
        ))
        .await;
    problem(&r, 415);
    let r = app
        .send(post_form(&token, form(Some(("empty.ofx", b"")), &[], true)))
        .await;
    assert_eq!(problem(&r, 400)["errors"][0]["code"], "empty_file");

    // Not a form at all.
    let mut json_body = raw_post(
        "/api/v1/imports",
        Some("application/json"),
        r#"{"file":"x"}"#,
    );
    json_body.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    problem(&app.send(json_body).await, 415);

    // Over 5 MB: 413, pointing at the upload route.
    let big = vec![b'a'; 5 * 1024 * 1024 + 1];
    let r = app
        .send(post_form(&token, form(Some(("big.csv", &big)), &[], true)))
        .await;
    let body = problem(&r, 413);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/import-uploads"),
        "{body}"
    );

    assert_eq!(
        app.get("/api/v1/accounts", Some(&token)).await.body["total_count"],
        0
    );
    let anonymous = app
        .send(raw_post(
            "/api/v1/imports",
            Some("multipart/form-data; boundary=x"),
            "",
        ))
        .await;
    problem(&anonymous, 401);
}

#[tokio::test]
async fn a_bad_line_is_named_and_nothing_is_written() {
    let app = TestApp::new();
    let token = signed_in(&app).await;
    let mut csv = String::from("date,description,amount\n");
    for day in 1..=5 {
        csv.push_str(&format!("2026-11-0{day},ROW {day},-1.00\n"));
    }
    csv.push_str("2026-02-30,BAD DAY,-1.00\n");
    let r = app
        .send(post_form(
            &token,
            form(
                Some(("bank.csv", csv.as_bytes())),
                &[("account_number", "42")],
                true,
            ),
        ))
        .await;
    r.expect(400);
    let error = &r.body["errors"][0];
    assert_eq!(
        (&error["field"], &error["line"], &error["code"]),
        (&json!("file"), &json!(7), &json!("bad_date")),
        "{}",
        r.text
    );
    assert!(r.body["detail"].as_str().unwrap().contains("line 7"));
    assert_eq!(
        app.get("/api/v1/accounts", Some(&token)).await.body["total_count"],
        0
    );
}

#[tokio::test]
async fn formats_are_public_and_an_upload_answers_its_url() {
    let app = TestApp::new();
    let formats = app.get("/api/v1/imports/formats", None).await;
    formats.expect(200);
    let layouts: Vec<&str> = formats.body["csv_layouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["layout"].as_str().unwrap())
        .collect();
    assert_eq!(layouts, ["chase_checking", "chase_card", "generic"]);
    assert_eq!(formats.body["formats"][0]["extensions"], json!([".qfx"]));

    let token = signed_in(&app).await;
    let started = app
        .post(
            "/api/v1/import-uploads",
            Some(&token),
            json!({"file_name": "year.ofx", "account_type": "checking"}),
        )
        .await;
    started.expect(201);
    let id = started.body["import_id"].as_str().unwrap();
    assert!(
        started.body["upload_url"].as_str().unwrap().ends_with(id),
        "{}",
        started.text
    );
    assert_eq!(started.body["expires_in"], 900);
    let pending = app
        .get(&format!("/api/v1/imports/{id}"), Some(&token))
        .await;
    assert_eq!(pending.body["status"], "pending");
    let refused = app
        .post(
            "/api/v1/import-uploads",
            Some(&token),
            json!({"file_name": "year.xlsx"}),
        )
        .await;
    refused.expect(415);
    let unknown = app
        .get(
            &format!("/api/v1/imports/{}", uuid::Uuid::now_v7()),
            Some(&token),
        )
        .await;
    unknown.expect(404);
    let _: Value = unknown.body;
}
