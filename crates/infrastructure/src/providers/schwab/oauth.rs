//! Schwab's OAuth 2 authorization-code flow (providers.md §1.1): consent at
//! `/v1/oauth/authorize`, code exchange and refresh at `/v1/oauth/token` with HTTP Basic
//! client authentication and form bodies.

use std::time::Duration;

use async_trait::async_trait;
use dashtam_core::{ExposeSecret as _, SecretString};
use dashtam_domain::providers::{OAuthProvider, OAuthTokens, ProviderError};
use http::StatusCode;
use serde::Deserialize;

use super::config::SchwabConfig;
use crate::providers::http::{ProviderHttp, ProviderRequest, Reply};

/// Refresh tokens lapse 7 days after the original consent; refreshing does not extend them.
pub const REFRESH_TOKEN_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// Schwab's access tokens live 30 minutes; used when a response omits `expires_in`.
const DEFAULT_EXPIRES_IN: u64 = 1800;

/// [`OAuthProvider`] for Schwab.
#[derive(Debug, Clone)]
pub struct SchwabOAuth {
    config: SchwabConfig,
    http: ProviderHttp,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl SchwabOAuth {
    pub fn new(config: SchwabConfig) -> Result<Self, ProviderError> {
        let http = ProviderHttp::new("schwab", config.timeouts, config.retry)?;
        Ok(Self { config, http })
    }

    async fn token(
        &self,
        op: &'static str,
        form: &[(&str, &str)],
    ) -> Result<OAuthTokens, ProviderError> {
        let url = self.config.url("/v1/oauth/token");
        let request = ProviderRequest::post(url)
            .basic(
                &self.config.client_id,
                self.config.client_secret.expose_secret(),
            )
            .form(form);
        let reply = self.http.send(op, &request).await?;
        if !reply.is_success() {
            return Err(refused(op, &reply));
        }
        let t: TokenResponse = reply.json("schwab token response")?;
        Ok(OAuthTokens {
            access_token: SecretString::from(t.access_token),
            refresh_token: t
                .refresh_token
                .filter(|r| !r.is_empty())
                .map(SecretString::from),
            expires_in: Duration::from_secs(t.expires_in.unwrap_or(DEFAULT_EXPIRES_IN)),
        })
    }
}

/// A non-2xx token answer. 400/401 are Schwab refusing the grant or the client (the user
/// must consent again); Akamai's HTML 403 is the gateway, not a verdict on the grant.
fn refused(op: &str, reply: &Reply) -> ProviderError {
    match reply.status {
        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED => {
            let body: Option<OAuthErrorBody> = serde_json::from_slice(&reply.body).ok();
            let error = body
                .as_ref()
                .and_then(|b| b.error.as_deref())
                .unwrap_or("refused");
            // Schwab wraps the real reason in the description of `unsupported_token_type`.
            let wrapped = body
                .as_ref()
                .and_then(|b| b.error_description.as_deref())
                .filter(|d| d.contains("refresh_token_authentication_error"))
                .map(|_| " (refresh_token_authentication_error)")
                .unwrap_or("");
            ProviderError::Rejected(format!("schwab {op}: {}{wrapped}", short(error)))
        }
        StatusCode::FORBIDDEN => {
            ProviderError::Unavailable(format!("schwab {op}: HTTP 403 from the gateway"))
        }
        s => ProviderError::InvalidResponse(format!("schwab {op}: unexpected HTTP {}", s.as_u16())),
    }
}

/// An OAuth error code is a short token like `invalid_grant`; anything else is cut.
fn short(code: &str) -> &str {
    if code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        code
    } else {
        "refused"
    }
}

#[async_trait]
impl OAuthProvider for SchwabOAuth {
    /// `{base}/v1/oauth/authorize?client_id&redirect_uri&response_type=code&state`, every
    /// value form-encoded; no scope (Schwab grants `api` whatever is asked).
    fn authorization_url(&self, state: &str, redirect_uri: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("state", state)
            .finish();
        format!("{}?{query}", self.config.url("/v1/oauth/authorize"))
    }

    fn refresh_token_lifetime(&self) -> chrono::Duration {
        REFRESH_TOKEN_LIFETIME
    }

    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<OAuthTokens, ProviderError> {
        self.token(
            "code exchange",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ],
        )
        .await
    }

    async fn refresh(&self, refresh_token: &SecretString) -> Result<OAuthTokens, ProviderError> {
        self.token(
            "refresh",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
            ],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn oauth() -> SchwabOAuth {
        let config = SchwabConfig::new("app key", SecretString::from("s".to_owned()))
            .with_base_url("https://api.example.com");
        SchwabOAuth::new(config).unwrap()
    }

    #[test]
    fn the_authorize_url_is_encoded_and_has_no_scope() {
        let url = oauth().authorization_url(
            "a+b/c=",
            "https://app.example.com/oauth/schwab/callback?x=1",
        );
        assert_eq!(
            url,
            "https://api.example.com/v1/oauth/authorize?client_id=app+key\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fschwab%2Fcallback%3Fx%3D1\
             &response_type=code&state=a%2Bb%2Fc%3D"
        );
        assert!(!url.contains("scope"));
        assert_eq!(oauth().refresh_token_lifetime(), chrono::Duration::days(7));
    }

    #[test]
    fn refusals_name_the_code_only() {
        let reply = |status, body: &'static str| Reply {
            status,
            body: Bytes::from_static(body.as_bytes()),
        };
        let e = refused(
            "refresh",
            &reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"unsupported_token_type","error_description":"400 Bad Request: \"{\\\"error_description\\\":\\\"Exception while authenticating refresh token [tokenDigest=abc]\\\",\\\"error\\\":\\\"refresh_token_authentication_error\\\"}\""}"#,
            ),
        );
        assert_eq!(
            e,
            ProviderError::Rejected(
                "schwab refresh: unsupported_token_type (refresh_token_authentication_error)"
                    .into()
            )
        );
        let e = refused(
            "code exchange",
            &reply(StatusCode::UNAUTHORIZED, r#"{"error":"invalid_client"}"#),
        );
        assert_eq!(
            e,
            ProviderError::Rejected("schwab code exchange: invalid_client".into())
        );
        let e = refused(
            "refresh",
            &reply(StatusCode::BAD_REQUEST, "<html>token=secret</html>"),
        );
        assert_eq!(e, ProviderError::Rejected("schwab refresh: refused".into()));
        assert!(matches!(
            refused(
                "refresh",
                &reply(StatusCode::FORBIDDEN, "<html>Access Denied</html>")
            ),
            ProviderError::Unavailable(_)
        ));
    }
}
