//! The identity flows, driven through HTTP only.

use dashtam_domain::platform::events::{DomainEvent, EventPayload};
use uuid::Uuid;

use super::{ADMIN_EMAIL, PASSWORD, Resp, TestApp, Tokens};

impl TestApp {
    pub async fn register(&self, email: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/users",
            None,
            serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    /// The newest verification token mailed (as an event) to `email`.
    pub fn verification_token(&self, email: &str) -> Option<String> {
        self.published()
            .iter()
            .rev()
            .find_map(|e| match &e.payload {
                EventPayload::UserRegistrationSucceeded {
                    email: to,
                    verification_token,
                }
                | EventPayload::EmailVerificationRequestSucceeded {
                    email: to,
                    verification_token,
                } if to == email => Some(verification_token.clone()),
                _ => None,
            })
    }

    /// Every reset token mailed (as an event) to `email`, oldest first.
    pub fn reset_tokens(&self, email: &str) -> Vec<String> {
        self.published()
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::PasswordResetRequestSucceeded {
                    email: to,
                    reset_token,
                } if to == email => Some(reset_token.clone()),
                _ => None,
            })
            .collect()
    }

    pub async fn verify(&self, token: &str) -> Resp {
        self.post(
            "/api/v1/email-verifications",
            None,
            serde_json::json!({ "token": token }),
        )
        .await
    }

    /// Registers and verifies `email`; answers the user id.
    pub async fn signup(&self, email: &str) -> Uuid {
        let r = self.register(email, PASSWORD).await;
        r.expect(201);
        let id = r.body["id"].as_str().unwrap().parse().unwrap();
        let token = self
            .verification_token(&email.trim().to_lowercase())
            .expect("a verification token");
        self.verify(&token).await.expect(201);
        id
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/sessions",
            None,
            serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Tokens {
        let r = self.try_login(email, password).await;
        r.expect(201);
        Tokens::from(&r)
    }

    pub async fn try_refresh(&self, refresh: &str) -> Resp {
        self.post(
            "/api/v1/tokens",
            None,
            serde_json::json!({ "refresh_token": refresh }),
        )
        .await
    }

    pub async fn refresh(&self, refresh: &str) -> Tokens {
        let r = self.try_refresh(refresh).await;
        r.expect(201);
        Tokens::from(&r)
    }

    /// GET /users/me with `access`: the quickest "does this token still work".
    pub async fn me(&self, access: &str) -> Resp {
        self.get("/api/v1/users/me", Some(access)).await
    }

    /// A global token rotation by `admin` (an access token) with `body`.
    pub async fn rotate_globally(&self, admin: &str, body: serde_json::Value) -> Resp {
        self.post("/api/v1/admin/security/rotations", Some(admin), body)
            .await
    }

    /// The admin, signed up and logged in.
    pub async fn admin(&self) -> Tokens {
        self.signup(ADMIN_EMAIL).await;
        self.login(ADMIN_EMAIL, PASSWORD).await
    }

    /// Every event the use cases recorded in the outbox, in order.
    pub fn published(&self) -> Vec<DomainEvent> {
        self.store.pending_events(usize::MAX)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.published().iter().map(DomainEvent::name).collect()
    }

    /// Names of the events published after the first `skip`.
    pub fn names_since(&self, skip: usize) -> Vec<&'static str> {
        self.names().into_iter().skip(skip).collect()
    }

    pub fn event_count(&self) -> usize {
        self.published().len()
    }
}
