use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::routes::{
    admin, email_verifications, jobs, password_resets, sessions, system, tokens, users,
};

/// The OpenAPI document: every route and schema, generated from the code.
#[derive(OpenApi)]
#[openapi(
    info(title = "Dashtam API", description = "Personal financial-data aggregation API. Errors are RFC 9457 problem details (application/problem+json)."),
    paths(
        users::register, users::me,
        sessions::login, sessions::logout, sessions::list, sessions::get_one, sessions::revoke, sessions::revoke_others,
        tokens::refresh,
        email_verifications::verify, email_verifications::resend,
        password_resets::request_reset, password_resets::reset,
        admin::rotate_global, admin::rotate_user, admin::security_config,
        system::root, system::health, system::openapi, system::docs,
        jobs::admin_jobs, jobs::health_jobs,
    ),
    components(schemas(crate::Problem)),
    modifiers(&BearerAuth),
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
