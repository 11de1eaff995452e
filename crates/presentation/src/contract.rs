//! What a route's declaration implies for its OpenAPI operation, added in one place so no
//! handler can forget it: the bearer requirement and its 401, the 403 of a permission,
//! the 422 (and 413/415) of a request with input, the 429 of the rate limiter, the 500 of
//! a fault, the 502 of a failed upstream, the 503 of a throttled store — and every problem response served as `application/problem+json` with the
//! [`crate::Problem`] schema.

use dashtam_domain::platform::rate_limit::Policy;
use utoipa::openapi::{
    ContentBuilder, Header, HeaderBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder,
    Type, extensions::ExtensionsBuilder, path::Operation, security::SecurityRequirement,
};

use crate::Access;

const PROBLEM_JSON: &str = "application/problem+json";

/// `operation` as the declaration (`access`, `policy`) makes it true.
pub(crate) fn complete(mut operation: Operation, access: Access, policy: Policy) -> Operation {
    if access != Access::Public {
        operation.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        add(&mut operation, "401", unauthorized());
    }
    if let Access::Permission(p) = access {
        add(
            &mut operation,
            "403",
            problem(&format!("The caller's roles do not grant `{}`", p.as_str())),
        );
    }
    let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if operation.request_body.is_some() || has_params {
        add(
            &mut operation,
            "422",
            problem("The request's shape is wrong (`errors` names each field)"),
        );
    }
    if operation.request_body.is_some() {
        add(
            &mut operation,
            "413",
            problem("The body is larger than 64 KiB"),
        );
        add(
            &mut operation,
            "415",
            problem("The body has a Content-Type other than JSON"),
        );
    }
    add(&mut operation, "429", rate_limited());
    add(
        &mut operation,
        "500",
        problem("An unexpected fault (quote the trace id)"),
    );
    // Token signing and verification read the key from Secrets Manager.
    let signs = matches!(policy, Policy::AuthLogin | Policy::AuthTokenRefresh);
    if access != Access::Public || signs {
        add(
            &mut operation,
            "502",
            problem("An upstream service (the signing key's secret store) failed"),
        );
    }
    add(&mut operation, "503", unavailable());
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        // A page (the OAuth callback's) answers its own failures in HTML, as declared.
        let page = response.content.contains_key("text/html");
        if status.starts_with(['4', '5']) && !page {
            as_problem(response);
            if status == "401" {
                // Every 401 carries the challenge, whoever wrote the annotation.
                response
                    .headers
                    .entry("WWW-Authenticate".to_owned())
                    .or_insert_with(challenge);
            }
        } else if status.starts_with('2') {
            limit_headers(response);
        }
    }
    let extensions = ExtensionsBuilder::new()
        .add("x-rate-limit-policy", policy.to_string())
        .build();
    match &mut operation.extensions {
        Some(e) => e.merge(extensions),
        None => operation.extensions = Some(extensions),
    }
    operation
}

fn add(operation: &mut Operation, status: &str, response: Response) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| response.into());
}

/// A problem response: whatever the handler's annotation said the body was, the body is
/// a problem document.
fn as_problem(response: &mut Response) {
    response.content.clear();
    response.content.insert(
        PROBLEM_JSON.to_owned(),
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
}

fn problem(description: &str) -> Response {
    let mut r = ResponseBuilder::new().description(description).build();
    as_problem(&mut r);
    r
}

fn unauthorized() -> Response {
    problem("Missing, invalid or expired bearer token, or the session has ended")
}

fn challenge() -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some("`Bearer`"))
        .build()
}

fn seconds(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        )
        .description(Some(description))
        .build()
}

fn rate_limited() -> Response {
    let mut r = problem("Rate limit exceeded: retry after `retry_after` seconds");
    for (name, description) in [
        (
            "Retry-After",
            "Seconds until a retry can succeed (at least 1)",
        ),
        ("X-RateLimit-Limit", "The policy's burst"),
        ("X-RateLimit-Remaining", "Always 0 here"),
        (
            "X-RateLimit-Reset",
            "Seconds until the bucket is full again",
        ),
    ] {
        r.headers.insert(name.to_owned(), seconds(description));
    }
    r
}

fn unavailable() -> Response {
    let mut r = problem("The data store is throttled or unavailable: retry after `Retry-After`");
    r.headers.insert(
        "Retry-After".to_owned(),
        seconds("Seconds to wait before retrying"),
    );
    r
}

/// The bucket's headers on an allowed response (absent when rate limiting is off).
fn limit_headers(r: &mut Response) {
    for (name, description) in [
        ("X-RateLimit-Limit", "The policy's burst"),
        (
            "X-RateLimit-Remaining",
            "Tokens left in the caller's bucket",
        ),
        (
            "X-RateLimit-Reset",
            "Seconds until the bucket is full again",
        ),
    ] {
        r.headers
            .entry(name.to_owned())
            .or_insert_with(|| seconds(description));
    }
}
