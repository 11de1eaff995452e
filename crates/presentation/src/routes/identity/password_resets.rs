use axum::extract::State;
use dashtam_application::identity::commands::{RequestPasswordReset, ResetPassword};
use dashtam_domain::platform::rate_limit::Policy;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ClientContext},
    schemas::{
        Validate,
        identity::users::{EmailRequest, MessageResponse, PasswordResetRequest},
        validate::WithEmail,
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(request_reset, Access::Public, Policy::AuthPasswordReset,),
        route!(reset, Access::Public, Policy::AuthPasswordReset),
    ]
}

/// Ask for a reset link (answers the same for every address).
#[utoipa::path(post, path = "/api/v1/password-reset-tokens", tag = "password reset", request_body = EmailRequest,
    responses((status = 201, body = MessageResponse), (status = 422, body = crate::Problem)))]
pub async fn request_reset(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<Created<MessageResponse>, ApiError> {
    let (email, _) = body.parsed()?;
    RequestPasswordReset { email, context }
        .execute(&state.ports)
        .await?;
    Ok(created(MessageResponse::new(
        "If an account with that email exists, a password reset link has been sent.",
    )))
}

/// Set a new password with the emailed token; every session ends.
#[utoipa::path(post, path = "/api/v1/password-resets", tag = "password reset", request_body = PasswordResetRequest,
    responses(
        (status = 201, body = MessageResponse),
        (status = 400, description = "Weak password or expired token", body = crate::Problem),
        (status = 404, description = "Unknown or used token", body = crate::Problem),
        (status = 422, body = crate::Problem),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> Result<Created<MessageResponse>, ApiError> {
    let body = body.validated()?;
    ResetPassword {
        token: body.token,
        new_password: body.new_password,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(MessageResponse::new(
        "Password has been reset successfully. Please create a new session.",
    )))
}
