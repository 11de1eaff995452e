//! Where the provider sends the user back after consent: a JSON callback for clients
//! that catch the redirect themselves, and the browser's page.

use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use dashtam_application::providers::commands::{CompleteOAuth, OAuthFailure};
use dashtam_domain::{platform::rate_limit::Policy, providers::ProviderSlug};

use crate::routes::{Created, created, route};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, ApiQuery, ClientContext},
    schemas::providers::connections::{CallbackQuery, ConnectionResponse},
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(complete, Access::Public, Policy::ProviderConnect),
        route!(browser_callback, Access::Public, Policy::ProviderConnect),
    ]
}

/// Complete an OAuth consent with the provider's `code` and our `state`.
#[utoipa::path(post, path = "/api/v1/providers/callback", tag = "providers", params(CallbackQuery),
    responses(
        (status = 201, body = ConnectionResponse),
        (status = 400, description = "Unknown, used or expired state; the provider declined", body = crate::Problem),
        (status = 502, description = "The provider refused to exchange the code", body = crate::Problem),
    ))]
pub async fn complete(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Result<Created<ConnectionResponse>, ApiError> {
    let view = command(q, None, context)
        .execute(&state.ports)
        .await
        .map_err(dashtam_application::AppError::from)?;
    Ok(created(view.into()))
}

/// The browser's landing page after the provider's consent: "Connection Successful" or
/// the failure by name.
#[utoipa::path(get, path = "/oauth/{provider_slug}/callback", tag = "providers",
    params(("provider_slug" = crate::schemas::names::ProviderSlugName, Path), CallbackQuery),
    responses(
        (status = 200, description = "Connection Successful (HTML)", content_type = "text/html"),
        (status = 400, description = "Declined, missing code or state, invalid or expired state, provider mismatch (HTML)", content_type = "text/html"),
        (status = 404, description = "Unknown provider (HTML)", content_type = "text/html"),
        (status = 502, description = "Token exchange failed (HTML)", content_type = "text/html"),
    ))]
pub async fn browser_callback(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiPath(provider_slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Response {
    let Some(slug) = ProviderSlug::parse(&provider_slug) else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown provider",
            "No such provider connects here.",
        );
    };
    match command(q, Some(slug), context).execute(&state.ports).await {
        Ok(view) => page(
            StatusCode::OK,
            "Connection Successful",
            &format!(
                "{} is connected{}. You can close this window and return to Dashtam.",
                slug.info().name,
                view.alias
                    .map(|a| format!(" as \u{201c}{a}\u{201d}"))
                    .unwrap_or_default()
            ),
        ),
        Err(failure) => failure_page(failure),
    }
}

fn command(
    q: CallbackQuery,
    provider_slug: Option<ProviderSlug>,
    context: dashtam_domain::platform::events::EventContext,
) -> CompleteOAuth {
    CompleteOAuth {
        code: q.code,
        state: q.state,
        provider_slug,
        provider_error: q.error.map(|e| (e, q.error_description)),
        context,
    }
}

fn failure_page(failure: OAuthFailure) -> Response {
    let (status, title, detail) = match failure {
        OAuthFailure::Denied(why) => (
            StatusCode::BAD_REQUEST,
            "Connection Denied",
            format!("The provider did not grant access: {why}"),
        ),
        OAuthFailure::MissingCode => (
            StatusCode::BAD_REQUEST,
            "Missing Authorization Code",
            "The provider sent no authorization code. Start the connection again.".into(),
        ),
        OAuthFailure::MissingState => (
            StatusCode::BAD_REQUEST,
            "Missing State",
            "The callback carries no state. Start the connection again from Dashtam.".into(),
        ),
        OAuthFailure::InvalidState => (
            StatusCode::BAD_REQUEST,
            "Invalid or Expired State",
            "This link was already used, has expired (10 minutes), or was not issued by Dashtam. Start the connection again.".into(),
        ),
        OAuthFailure::ProviderMismatch => (
            StatusCode::BAD_REQUEST,
            "Provider Mismatch",
            "This consent was started for another provider.".into(),
        ),
        OAuthFailure::ExchangeFailed(_) => (
            StatusCode::BAD_GATEWAY,
            "Token Exchange Failed",
            "The provider refused to exchange the authorization code. Start the connection again.".into(),
        ),
        OAuthFailure::App(e) => {
            let error = ApiError::from(e);
            return page(crate::problem::status_of(error.code), "Connection Failed", &error.detail);
        }
    };
    page(status, title, &detail)
}

fn page(status: StatusCode, title: &str, detail: &str) -> Response {
    let (title, detail) = (escape(title), escape(detail));
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Dashtam</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"font-family:system-ui;max-width:36rem;margin:4rem auto\">\
         <h1>{title}</h1><p>{detail}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

/// The provider's `error_description` is attacker-controlled: escaped before it is shown.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
