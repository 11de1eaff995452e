//! Every route of the route tables reaches, through template.yaml's API Gateway routes,
//! the Lambda function that serves its group — so a route added to a group is deployed
//! with it, not answered 404 by another function.

use std::{collections::BTreeMap, path::Path};

use dashtam_presentation::Group;

/// One API Gateway route of the template: method (`ANY` too), path, the function's binary.
#[derive(Debug)]
struct GatewayRoute {
    method: String,
    path: Option<String>,
    binary: String,
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The HttpApi events of each function, read line by line (the template keeps each
/// event's properties on one line: `{ ApiId: !Ref HttpApi, Method: M, Path: P }`).
fn gateway_routes() -> Vec<GatewayRoute> {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let mut binary = None;
    let mut routes = Vec::new();
    for line in template.lines() {
        let line = line.trim();
        if let Some(b) = line.strip_prefix("Binary:") {
            binary = Some(b.trim().to_owned());
        }
        if line.contains("ApiId: !Ref HttpApi") && line.starts_with("Properties:") {
            // `Properties: { a: x, b: y }`: the braces of `{proxy+}` are inside quotes.
            let inner = line
                .trim_start_matches("Properties:")
                .trim()
                .trim_start_matches('{')
                .trim_end_matches('}');
            let field = |key: &str| {
                inner
                    .split(", ")
                    .map(str::trim)
                    .find_map(|p| p.strip_prefix(key))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            };
            routes.push(GatewayRoute {
                method: field("Method:").unwrap_or_else(|| "ANY".into()),
                path: field("Path:"),
                binary: binary.clone().unwrap(),
            });
        }
    }
    assert!(
        routes.len() > 5,
        "template parsing found too little: {routes:?}"
    );
    routes
}

/// The binaries deployed behind a response-streaming function URL instead of the HTTP
/// API (API Gateway buffers responses, so the live stream has its own URL).
fn streaming_binaries() -> Vec<String> {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let mut binary = None;
    let mut out = Vec::new();
    for line in template.lines().map(str::trim) {
        if let Some(b) = line.strip_prefix("Binary:") {
            binary = Some(b.trim().to_owned());
        }
        if line == "InvokeMode: RESPONSE_STREAM" {
            out.extend(binary.clone());
        }
    }
    out
}

/// Which group each function binary serves, from `functions/<name>/src/main.rs`.
fn group_of_binary() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("functions")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(main) = std::fs::read_to_string(dir.join("src/main.rs")) else {
            continue;
        };
        // `main` names its group's routes function: `routes::groups::email_verifications`.
        if let Some(at) = main.find("groups::") {
            let function: String = main[at + 8..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let group = Group::ALL
                .into_iter()
                .map(|g| format!("{g:?}"))
                .find(|g| snake(g) == function)
                .unwrap_or_else(|| panic!("{function} names no group"));
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.insert(format!("dashtam-{name}"), group);
        }
    }
    out
}

/// `EmailVerifications` → `email_verifications`.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// API Gateway's match of a route template against a table path; `Some(true)` when only
/// the greedy `{proxy+}` matched (lower priority than any non-greedy route).
fn matches(gateway: &str, path: &str) -> Option<bool> {
    let g: Vec<&str> = gateway.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    for (i, seg) in g.iter().enumerate() {
        if seg.ends_with("+}") {
            return (p.len() > i).then_some(true);
        }
        let s = p.get(i)?;
        if !(seg.starts_with('{') || seg == s) {
            return None;
        }
    }
    (g.len() == p.len()).then_some(false)
}

#[test]
fn the_live_stream_has_its_own_streaming_function() {
    let groups = group_of_binary();
    let streaming = streaming_binaries();
    assert_eq!(streaming, ["dashtam-events"]);
    assert_eq!(groups["dashtam-events"], "Events");
}

#[test]
fn every_route_is_deployed_on_the_function_of_its_group() {
    let gateway = gateway_routes();
    let groups = group_of_binary();
    let streaming = streaming_binaries();
    for group in Group::ALL {
        let name = format!("{group:?}");
        if streaming
            .iter()
            .any(|b| groups.get(b).is_some_and(|g| *g == name))
        {
            continue;
        }
        for route in group.routes() {
            let method = route.method.as_str();
            let mut candidates: Vec<(bool, &GatewayRoute)> = gateway
                .iter()
                .filter(|g| g.method == method || g.method == "ANY")
                .filter_map(|g| Some((matches(g.path.as_deref()?, route.path)?, g)))
                .collect();
            candidates.sort_by_key(|(greedy, g)| (*greedy, g.method == "ANY"));
            let target = match candidates.first() {
                Some((_, g)) => &g.binary,
                // API Gateway's $default route (the system function).
                None => &gateway.iter().find(|g| g.path.is_none()).unwrap().binary,
            };
            assert_eq!(
                groups.get(target).map(String::as_str),
                Some(format!("{group:?}").as_str()),
                "{method} {} is routed to {target}",
                route.path
            );
        }
    }
}
