//! Responses as the tests read them, and the assertions every test shares.

use axum::http::{HeaderMap, StatusCode};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::Value;

use super::BASE_URL;

/// A response, body parsed as JSON when it is JSON (`Value::Null` otherwise).
#[derive(Debug)]
pub struct Resp {
    pub path: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// Asserts a 201 with the contract's token pair (login and refresh answer it).
    pub fn expect_token_pair(&self) {
        self.expect(201);
        let expected = ["access_token", "refresh_token", "token_type", "expires_in"];
        assert_eq!(self.keys(), expected.into(), "{}", self.text);
        assert_eq!(self.body["token_type"], "bearer");
        assert_eq!(self.body["expires_in"], 900);
    }

    /// The top-level field names of the JSON body.
    pub fn keys(&self) -> std::collections::BTreeSet<&str> {
        let fields = self.body.as_object().expect("a JSON object body");
        fields.keys().map(String::as_str).collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{} answered {}: {}",
            self.path,
            self.status,
            self.text
        );
        self
    }

    /// Asserts a complete RFC 9457 problem of `status` and `code`.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        let b = &self.body;
        assert_eq!(b["type"], format!("{BASE_URL}/errors/{code}"), "{b}");
        assert_eq!(b["status"], status, "{b}");
        assert!(
            b["title"].as_str().is_some_and(|t| !t.is_empty()),
            "title: {b}"
        );
        assert!(
            b["detail"].as_str().is_some_and(|t| !t.is_empty()),
            "detail: {b}"
        );
        assert_eq!(b["instance"], self.path.as_str(), "{b}");
        let trace = self.header("x-trace-id").expect("X-Trace-Id header");
        assert_eq!(b["trace_id"], trace, "{b}");
        if let Some(errors) = b.get("errors") {
            assert!(
                errors.as_array().is_some_and(|e| !e.is_empty()),
                "errors is left out when empty: {b}"
            );
        }
        self
    }

    /// 401 problem with the `WWW-Authenticate: Bearer` challenge.
    #[track_caller]
    pub fn unauthorized(&self) -> &Self {
        self.problem(401, "unauthorized");
        assert_eq!(self.header("www-authenticate"), Some("Bearer"));
        self
    }

    /// The `field` of each entry of the problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An access/refresh pair from login or refresh.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Tokens {
    pub(super) fn from(r: &Resp) -> Self {
        Self {
            access: r.body["access_token"].as_str().unwrap().to_owned(),
            refresh: r.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// The session id claim of the access token.
    pub fn session_id(&self) -> String {
        jwt_claims(&self.access)["session_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// The payload of a JWT, decoded without checking the signature.
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
        .expect("JSON claims")
}
