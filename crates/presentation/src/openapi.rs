//! The OpenAPI document, assembled from the route declarations: each route's operation
//! (its handler's `#[utoipa::path]`) completed by [`crate::contract`] with what the
//! declaration implies, and the schemas its operation references. No path is listed by
//! hand.

use std::sync::OnceLock;

use utoipa::{
    Modify, OpenApi,
    openapi::{
        HttpMethod,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::{Group, contract};

#[derive(OpenApi)]
#[openapi(
    info(title = "Dashtam API", description = "Personal financial-data aggregation API. Errors are RFC 9457 problem details (application/problem+json). Every route is rate-limited per caller and route (docs/rate-limits.md; each operation names its policy in `x-rate-limit-policy`): responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the bucket is full); a refused request is a 429 problem with retry_after and a Retry-After header."),
    components(schemas(
        crate::Problem,
        crate::problem::ProblemFieldError,
        crate::schemas::names::RoleName,
        crate::schemas::names::AccountTypeName,
        crate::schemas::names::AssetTypeName,
        crate::schemas::names::TransactionTypeName,
        crate::schemas::names::TransactionSubtypeName,
        crate::schemas::names::TransactionStatusName,
        crate::schemas::names::SnapshotSourceName,
        crate::schemas::names::CurrencyName,
        crate::schemas::names::ProviderSlugName,
        crate::schemas::names::ConnectionStatusName,
        crate::schemas::names::CredentialTypeName,
        crate::schemas::names::ProviderCategoryName,
        crate::schemas::names::FileFormatName,
        crate::schemas::names::CsvLayoutName,
        crate::schemas::names::ImportStatusName,
    )),
    modifiers(&BearerAuth),
)]
struct Base;

/// The OpenAPI document: every declared route and the schemas it uses.
pub struct ApiDoc;

impl OpenApi for ApiDoc {
    fn openapi() -> utoipa::openapi::OpenApi {
        let mut doc = Base::openapi();
        let components = doc.components.get_or_insert_with(Default::default);
        for route in Group::ALL.iter().flat_map(|g| g.routes()) {
            let method = http_method(&route.method);
            let (operation, schemas) = (route.openapi)();
            let operation = contract::complete(operation, route.access, route.policy);
            doc.paths
                .add_path_operation(route.path, vec![method], operation);
            components.schemas.extend(schemas);
        }
        doc
    }
}

/// The document as served (built once per process).
pub(crate) fn document() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::to_string(&ApiDoc::openapi()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "OpenAPI document does not serialise");
            "{}".to_owned()
        })
    })
    .clone()
}

fn http_method(m: &axum::http::Method) -> HttpMethod {
    match *m {
        axum::http::Method::POST => HttpMethod::Post,
        axum::http::Method::PUT => HttpMethod::Put,
        axum::http::Method::PATCH => HttpMethod::Patch,
        axum::http::Method::DELETE => HttpMethod::Delete,
        axum::http::Method::HEAD => HttpMethod::Head,
        axum::http::Method::OPTIONS => HttpMethod::Options,
        axum::http::Method::TRACE => HttpMethod::Trace,
        _ => HttpMethod::Get,
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
