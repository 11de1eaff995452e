//! Statement imports end to end: a QFX in the request (201, then every row skipped the
//! second time), a file with an error (400 naming the line, nothing written), the
//! formats, and a large CSV through an upload: the presigned PUT to the emulated S3, the
//! bucket's notification on the import queue, the worker, the import's status; while the
//! live stream carries the `import.*` frames.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const QFX: &str = "\nOFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261130120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>322271627<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20261101<DTEND>20261130\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261130235959[-5:EST]<TRNAMT>-4.50<FITID>f1<NAME>A&W #5567<MEMO>CARD PURCHASE</STMTTRN>\n<STMTTRN><TRNTYPE>DIRECTDEP<DTPOSTED>20261115<TRNAMT>2500.00<FITID>f2<NAME>ACME PAYROLL</STMTTRN>\n<STMTTRN><TRNTYPE>INT<DTPOSTED>20261101<TRNAMT>0.42<FITID>f3<NAME>INTEREST</STMTTRN>\n</BANKTRANLIST><LEDGERBAL><BALAMT>5123.45<DTASOF>20261130</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n";

/// A multipart form with a `file` part and text fields, as a browser sends it.
fn multipart(file_name: &str, content: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "dashtam-e2e-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn import(
    s: &LocalStack,
    bearer: &str,
    file_name: &str,
    content: &[u8],
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let (content_type, body) = multipart(file_name, content, fields);
    let resp = s
        .http
        .post(format!("{}/api/v1/imports", s.base))
        .bearer_auth(bearer)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn import_a_statement_repeat_it_refuse_a_bad_one_and_upload_a_large_one() {
    let s = start().await;
    s.signup("ada@example.com").await;
    let pair = s.login("ada@example.com", PASSWORD).await;
    let bearer = pair["access_token"].as_str().unwrap().to_owned();

    let mut stream = s
        .http
        .get(format!(
            "{}/api/v1/events?categories=import,portfolio",
            s.base
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    let (status, formats) = s
        .call(Method::GET, "/api/v1/imports/formats", None, None)
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = formats["formats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["qfx", "ofx", "csv"]);

    let (status, first) = import(&s, &bearer, "Statement.QFX", QFX.as_bytes(), &[]).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (
            &first["accounts_created"],
            &first["transactions_created"],
            &first["transactions_skipped"]
        ),
        (&json!(1), &json!(3), &json!(0)),
        "{first}"
    );
    let (status, again) = import(&s, &bearer, "statement.qfx", QFX.as_bytes(), &[]).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(
        (
            &again["transactions_created"],
            &again["transactions_skipped"]
        ),
        (&json!(0), &json!(3))
    );
    assert_eq!(first["connection_id"], again["connection_id"]);

    let (_, accounts) = s
        .call(Method::GET, "/api/v1/accounts", Some(&bearer), None)
        .await;
    let account = &accounts["accounts"][0];
    assert_eq!(account["account_number_masked"], "****6789");
    assert_eq!(account["balance_amount"], "5123.4500", "{accounts}");
    let account_id = account["id"].as_str().unwrap();
    let (_, transactions) = s
        .call(
            Method::GET,
            &format!("/api/v1/accounts/{account_id}/transactions"),
            Some(&bearer),
            None,
        )
        .await;
    let rows = transactions["transactions"].as_array().unwrap();
    let card = rows
        .iter()
        .find(|t| t["provider_transaction_id"] == "f1")
        .unwrap();
    assert_eq!(
        card["transaction_date"], "2026-11-30",
        "the statement's own date, not UTC's"
    );
    assert!(
        card["description"].as_str().unwrap().contains("A&W"),
        "{card}"
    );
    let interest = rows
        .iter()
        .find(|t| t["provider_transaction_id"] == "f3")
        .unwrap();
    assert_eq!(
        (&interest["transaction_type"], &interest["subtype"]),
        (&json!("income"), &json!("interest"))
    );

    // A CSV with a bad date on line 3: 400 naming it, nothing written.
    let bad = "date,description,amount\n2026-11-01,ONE,-1.00\n2026-13-45,TWO,-2.00\n";
    let (status, problem) = import(
        &s,
        &bearer,
        "bank.csv",
        bad.as_bytes(),
        &[("account_number", "555")],
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "file");
    assert_eq!(problem["errors"][0]["line"], 3, "{problem}");
    let (status, problem) = import(&s, &bearer, "statement.pdf", b"%PDF-1.7", &[]).await;
    assert_eq!(status, 415, "{problem}");
    let (_, accounts) = s
        .call(Method::GET, "/api/v1/accounts", Some(&bearer), None)
        .await;
    assert_eq!(
        accounts["total_count"], 1,
        "nothing new from the refused files"
    );

    // A large CSV through an upload.
    let mut csv = String::from("date,description,amount\n");
    for i in 0..1200 {
        csv.push_str(&format!(
            "2026-10-{:02},PURCHASE {i},-{}.{:02}\n",
            1 + i % 28,
            1 + i % 90,
            i % 100
        ));
    }
    let (status, started) = s
        .call(
            Method::POST,
            "/api/v1/import-uploads",
            Some(&bearer),
            Some(json!({"file_name": "big.csv", "account_number": "99887766", "account_type": "savings"})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let import_id = started["import_id"].as_str().unwrap().to_owned();
    let put = reqwest::Client::new()
        .put(started["upload_url"].as_str().unwrap())
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let (_, status) = s
            .call(
                Method::GET,
                &format!("/api/v1/imports/{import_id}"),
                Some(&bearer),
                None,
            )
            .await;
        if status["status"] == "completed" || status["status"] == "failed" {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the upload was not imported: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(status["status"], "completed", "{status}");
    assert_eq!(
        (&status["transactions_created"], &status["progress_percent"]),
        (&json!(1200), &json!(100))
    );

    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let wanted = [
        "import.started",
        "import.progress",
        "import.completed",
        "portfolio.balance.updated",
    ];
    while !wanted.iter().all(|w| text.contains(&format!("event: {w}"))) {
        assert!(Instant::now() < deadline, "missing live events: {text}");
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(text.contains("\"file_name\":\"big.csv\""), "{text}");
}
