use axum::extract::State;
use dashtam_application::identity::commands::{RequestVerificationEmail, VerifyEmail};
use dashtam_domain::platform::rate_limit::Policy;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ClientContext},
    schemas::{
        Validate,
        identity::users::{EmailRequest, MessageResponse, TokenRequest},
        validate::WithEmail,
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(verify, Access::Public, Policy::AuthPasswordReset),
        route!(resend, Access::Public, Policy::AuthPasswordReset),
    ]
}

/// Verify an email with the token from the verification email.
#[utoipa::path(post, path = "/api/v1/email-verifications", tag = "email verification", request_body = TokenRequest,
    responses(
        (status = 201, body = MessageResponse),
        (status = 400, description = "Token expired", body = crate::Problem),
        (status = 404, description = "Unknown or used token", body = crate::Problem),
        (status = 422, body = crate::Problem),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Created<MessageResponse>, ApiError> {
    let body = body.validated()?;
    VerifyEmail {
        token: body.token,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(MessageResponse::new(
        "Email verified successfully. You can now create a session.",
    )))
}

/// Send a new verification email (answers the same for every address).
#[utoipa::path(post, path = "/api/v1/email-verification-tokens", tag = "email verification", request_body = EmailRequest,
    responses((status = 201, body = MessageResponse), (status = 422, body = crate::Problem)))]
pub async fn resend(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<Created<MessageResponse>, ApiError> {
    let (email, _) = body.parsed()?;
    RequestVerificationEmail { email, context }
        .execute(&state.ports)
        .await?;
    Ok(created(MessageResponse::new(
        "If an unverified account with that email exists, a verification email has been sent.",
    )))
}
