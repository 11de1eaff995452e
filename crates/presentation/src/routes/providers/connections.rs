use axum::{Json, extract::State, http::StatusCode};
use dashtam_application::providers::{
    commands::{
        ConnectProvider, Connecting, DisconnectProvider, RefreshProviderToken, UpdateConnection,
    },
    queries::{GetConnection, ListConnections},
};
use dashtam_core::ErrorCode;
use dashtam_domain::{
    identity::entities::Permission, platform::rate_limit::Policy, providers::ProviderSlug,
};
use secrecy::SecretString;
use uuid::Uuid;

use crate::routes::{Created, created, route};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ApiPath, ApiQuery, Authenticated, ClientContext, OptionalJson},
    schemas::{
        Validate,
        providers::connections::{
            AuthorizationResponse, CatalogResponse, ConnectRequest, ConnectResponse,
            ConnectionListResponse, ConnectionResponse, ListConnectionsQuery, TokenRefreshRequest,
            TokenRefreshResponse, UpdateConnectionRequest,
        },
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadProviders);
    let write = Access::Permission(Permission::WriteProviders);
    vec![
        route!(catalog, Access::Public, Policy::ApiRead),
        route!(list, read, Policy::ApiRead),
        route!(connect, write, Policy::ProviderConnect),
        route!(get_one, read, Policy::ApiRead),
        route!(update, write, Policy::ApiWrite),
        route!(disconnect, write, Policy::ApiWrite),
        route!(refresh_token, write, Policy::ProviderSync),
    ]
}

/// The providers Dashtam can connect, and how.
#[utoipa::path(get, path = "/api/v1/provider-catalog", tag = "providers",
    responses((status = 200, body = CatalogResponse)))]
pub async fn catalog() -> Json<CatalogResponse> {
    Json(CatalogResponse::all())
}

/// The caller's provider connections.
#[utoipa::path(get, path = "/api/v1/providers", tag = "providers", params(ListConnectionsQuery),
    responses((status = 200, body = ConnectionListResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(q): ApiQuery<ListConnectionsQuery>,
) -> Result<Json<ConnectionListResponse>, ApiError> {
    let list = ListConnections {
        principal: &principal,
        active_only: q.active_only.unwrap_or(false),
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}

/// Connect a provider. Schwab answers with the consent URL to send the browser to;
/// Alpaca's API keys are checked with Alpaca before anything is stored.
#[utoipa::path(post, path = "/api/v1/providers", tag = "providers", request_body = ConnectRequest,
    responses(
        (status = 201, description = "Schwab: the consent URL; Alpaca: the connection",
            body = ConnectResponse),
        (status = 400, description = "Keys refused by the provider, or a provider that connects by file", body = crate::Problem),
        (status = 403, description = "The connection to reconnect belongs to another user", body = crate::Problem),
        (status = 404, description = "Unknown provider slug, or unknown connection", body = crate::Problem),
        (status = 409, description = "The connection to reconnect is not expired, revoked or failed", body = crate::Problem),
    ))]
pub async fn connect(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<ConnectRequest>,
) -> Result<Created<ConnectResponse>, ApiError> {
    let body = body.validated()?;
    let slug = ProviderSlug::parse(&body.provider_slug).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "Unknown provider {:?}: see GET /api/v1/provider-catalog",
                body.provider_slug
            ),
        )
    })?;
    if slug == ProviderSlug::Alpaca {
        let missing: Vec<_> = [("api_key", &body.api_key), ("api_secret", &body.api_secret)]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| dashtam_domain::FieldError::new(f, "missing", "required for alpaca"))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::invalid(missing));
        }
    }
    let connecting = ConnectProvider {
        principal,
        provider_slug: slug,
        alias: body.alias,
        redirect_uri: body.redirect_uri,
        api_key: body.api_key.map(SecretString::from),
        api_secret: body.api_secret.map(SecretString::from),
        connection_id: body.connection_id,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(match connecting {
        Connecting::Authorize {
            authorization_url,
            state,
            expires_in,
        } => ConnectResponse::Authorization(AuthorizationResponse {
            authorization_url,
            state,
            expires_in,
        }),
        Connecting::Connected(view) => ConnectResponse::Connection(view.into()),
    }))
}

/// One of the caller's connections.
#[utoipa::path(get, path = "/api/v1/providers/{id}", tag = "providers", params(("id" = Uuid, Path)),
    responses((status = 200, body = ConnectionResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConnectionResponse>, ApiError> {
    let view = GetConnection {
        principal: &principal,
        connection_id: id,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(view.into()))
}

/// Rename a connection.
#[utoipa::path(patch, path = "/api/v1/providers/{id}", tag = "providers", params(("id" = Uuid, Path)),
    request_body = UpdateConnectionRequest,
    responses((status = 200, body = ConnectionResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateConnectionRequest>,
) -> Result<Json<ConnectionResponse>, ApiError> {
    let body = body.validated()?;
    let view = UpdateConnection {
        principal,
        connection_id: id,
        alias: body.alias,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(view.into()))
}

/// Disconnect: credentials erased, the connection and its accounts' history kept.
#[utoipa::path(delete, path = "/api/v1/providers/{id}", tag = "providers", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn disconnect(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    DisconnectProvider {
        principal,
        connection_id: id,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refresh an OAuth connection's access token now.
#[utoipa::path(post, path = "/api/v1/providers/{id}/token-refreshes", tag = "providers",
    params(("id" = Uuid, Path)), request_body(content = Option<TokenRefreshRequest>),
    responses(
        (status = 201, body = TokenRefreshResponse),
        (status = 400, description = "An API-key connection has no token", body = crate::Problem),
        (status = 409, description = "The provider refused the refresh: reconnect", body = crate::Problem),
    ))]
pub async fn refresh_token(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<TokenRefreshRequest>,
) -> Result<Created<TokenRefreshResponse>, ApiError> {
    let refreshed = RefreshProviderToken {
        principal,
        connection_id: id,
        force: body.force.unwrap_or(true),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(refreshed.into()))
}
