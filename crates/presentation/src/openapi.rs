use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, ResponseBuilder, Type,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::routes::{
    admin, admin_audit, admin_roles, email_verifications, events, jobs, password_resets, sessions,
    system, tokens, users,
};

/// The OpenAPI document: every route and schema, generated from the code.
#[derive(OpenApi)]
#[openapi(
    info(title = "Dashtam API", description = "Personal financial-data aggregation API. Errors are RFC 9457 problem details (application/problem+json). Every route is rate-limited per caller and route (docs/rate-limits.md): responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the bucket is full); a refused request is a 429 problem with retry_after and a Retry-After header."),
    paths(
        users::register, users::me,
        sessions::login, sessions::logout, sessions::list, sessions::get_one, sessions::revoke, sessions::revoke_others,
        tokens::refresh,
        email_verifications::verify, email_verifications::resend,
        password_resets::request_reset, password_resets::reset,
        admin::rotate_global, admin::rotate_user, admin::security_config,
        admin_roles::grant, admin_roles::revoke, admin_audit::list,
        system::root, system::health, system::openapi, system::docs,
        events::events,
        jobs::admin_jobs, jobs::health_jobs,
    ),
    components(schemas(crate::Problem)),
    modifiers(&BearerAuth, &RateLimited),
)]
pub struct ApiDoc;

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

/// Every operation may answer 429 (the rate limiter runs on every route).
struct RateLimited;

impl Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let seconds = |description: &str| {
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                )
                .description(Some(description))
                .build()
        };
        let response = ResponseBuilder::new()
            .description("Rate limit exceeded: retry after `retry_after` seconds")
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .header(
                "Retry-After",
                seconds("Seconds until a retry can succeed (at least 1)"),
            )
            .header("X-RateLimit-Limit", seconds("The policy's burst"))
            .header("X-RateLimit-Remaining", seconds("Always 0 here"))
            .header(
                "X-RateLimit-Reset",
                seconds("Seconds until the bucket is full again"),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                operation
                    .responses
                    .responses
                    .entry("429".to_owned())
                    .or_insert_with(|| response.clone().into());
            }
        }
    }
}
