//! The OpenAPI document tells the truth about what the routes answer (the fuzzed half of
//! this is `scripts/contract-test.sh`): problems as `application/problem+json`, the
//! statuses the gate and the extractors produce, the constraints the server enforces.

use serde_json::Value;

use crate::support::TestApp;

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op));
        }
    }
    out
}

#[tokio::test]
async fn every_operation_documents_what_it_can_answer() {
    let app = TestApp::new();
    let doc = app.get("/openapi.json", None).await.body;
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        for status in ["429", "500"] {
            assert!(responses.contains_key(status), "{method} {path}: {status}");
        }
        if op.get("security").is_some() {
            let r = &responses["401"];
            assert!(
                r["headers"]["WWW-Authenticate"].is_object(),
                "{method} {path}"
            );
        }
        if op.get("requestBody").is_some() || op.get("parameters").is_some() {
            assert!(responses.contains_key("422"), "{method} {path}: 422");
        }
        for (status, r) in responses {
            let content = r["content"].as_object();
            // The OAuth callback page answers its own failures in HTML.
            let page = content.is_some_and(|c| c.contains_key("text/html"));
            if status.starts_with(['4', '5']) && !page {
                let content = content.unwrap();
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem"
                );
            }
        }
        assert!(op["x-rate-limit-policy"].is_string(), "{method} {path}");
    }
    let page = &doc["paths"]["/oauth/{provider_slug}/callback"]["get"]["responses"];
    for status in ["200", "400", "404", "502"] {
        assert!(
            page[status]["content"]["text/html"].is_object(),
            "callback page {status}"
        );
    }
    // `errors` is left out when empty, so it is not required.
    let problem = &doc["components"]["schemas"]["Problem"];
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!required.contains(&"errors"), "{problem}");
}

#[tokio::test]
async fn request_schemas_carry_the_constraints_the_server_enforces() {
    let app = TestApp::new();
    let doc = app.get("/openapi.json", None).await.body;
    let schemas = &doc["components"]["schemas"];
    let token = &schemas["TokenRequest"]["properties"]["token"];
    assert_eq!(token["pattern"], "^[0-9a-fA-F]{64}$");
    assert_eq!(
        (token["minLength"].as_u64(), token["maxLength"].as_u64()),
        (Some(64), Some(64))
    );
    let email = &schemas["RegisterRequest"]["properties"]["email"];
    assert_eq!(email["format"], "email");
    assert_eq!(email["maxLength"], 255);
    let password = &schemas["RegisterRequest"]["properties"]["password"];
    assert_eq!(
        (
            password["minLength"].as_u64(),
            password["maxLength"].as_u64()
        ),
        (Some(8), Some(128))
    );

    // `active_only` is a boolean query parameter, and the server refuses anything else.
    let list = &doc["paths"]["/api/v1/sessions"]["get"]["parameters"][0];
    assert_eq!(list["in"], "query");
    assert_eq!(list["schema"]["type"], "boolean");
    app.signup("ada@example.com").await;
    let ada = app.login("ada@example.com", crate::support::PASSWORD).await;
    app.get("/api/v1/sessions?active_only=1", Some(&ada.access))
        .await
        .problem(422, "validation-failed");
    app.get("/api/v1/sessions?active_only=false", Some(&ada.access))
        .await
        .expect(200);
    // A blank reason is refused as the documented pattern says.
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/admin/security/rotations",
            Some(&admin.access),
            serde_json::json!({"reason": " \t "}),
        )
        .await;
    r.problem(422, "validation-failed");
    assert_eq!(r.error_fields(), ["reason"]);
}
