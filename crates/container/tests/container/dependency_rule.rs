//! The dependency rule, checked on the resolved graph: the domain and the use cases do
//! not reach HTTP, AWS, async runtimes or concrete crypto, even transitively; the HTTP
//! layer does not reach the adapters.
use std::{
    collections::{BTreeMap, VecDeque},
    path::Path,
    process::Command,
    sync::OnceLock,
};

use serde_json::Value;

/// Crates the inner layers must not depend on, by exact name or as `<name>-*`/`<name>_*`.
const FORBIDDEN: &[&str] = &[
    "axum",
    "hyper",
    "reqwest",
    "tokio",
    "tower",
    "argon2",
    "jsonwebtoken",
    "serde_dynamo",
    "utoipa",
];
/// Name prefixes the inner layers must not depend on.
const FORBIDDEN_PREFIXES: &[&str] = &["aws-", "aws_", "lambda_"];

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN_PREFIXES.iter().any(|p| name.starts_with(p))
        || FORBIDDEN.iter().any(|f| {
            name == *f
                || name
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('_'))
        })
}

/// The package graph with normal (non-dev, non-build) edges only.
struct Graph {
    /// package id → name
    names: BTreeMap<String, String>,
    /// package id → ids of its normal dependencies
    normal: BTreeMap<String, Vec<String>>,
}

fn graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .current_dir(&root)
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
        let names = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_owned(),
                    p["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let normal = meta["resolve"]["nodes"]
            .as_array()
            .expect("a resolve graph")
            .iter()
            .map(|node| {
                let deps = node["deps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| {
                        d["dep_kinds"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|k| k["kind"].is_null())
                    })
                    .map(|d| d["pkg"].as_str().unwrap().to_owned())
                    .collect();
                (node["id"].as_str().unwrap().to_owned(), deps)
            })
            .collect();
        Graph { names, normal }
    })
}

impl Graph {
    fn id_of(&self, name: &str) -> &str {
        let ids: Vec<&String> = self
            .names
            .iter()
            .filter(|(_, n)| n.as_str() == name)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids.len(), 1, "exactly one package named {name}: {ids:?}");
        ids[0]
    }

    /// Every package reachable from `name` through normal edges, with the path to it
    /// (breadth first, so the path is a shortest one).
    fn closure(&self, name: &str) -> BTreeMap<String, Vec<String>> {
        let start = self.id_of(name).to_owned();
        let mut paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
        paths.insert(start.clone(), vec![name.to_owned()]);
        let mut queue = VecDeque::from([start]);
        while let Some(id) = queue.pop_front() {
            let path = paths[&id].clone();
            for dep in self.normal.get(&id).into_iter().flatten() {
                if !paths.contains_key(dep) {
                    let mut p = path.clone();
                    p.push(self.names[dep].clone());
                    paths.insert(dep.clone(), p);
                    queue.push_back(dep.clone());
                }
            }
        }
        paths
    }

    fn offending(&self, name: &str, bad: impl Fn(&str) -> bool) -> Vec<String> {
        let mut found: Vec<String> = self
            .closure(name)
            .into_iter()
            .filter(|(id, _)| bad(&self.names[id]))
            .map(|(_, path)| path.join(" -> "))
            .collect();
        found.sort();
        found
    }
}

#[test]
fn the_forbidden_list_matches_what_it_should() {
    for name in [
        "aws-sdk-dynamodb",
        "aws_lambda_events",
        "lambda_http",
        "lambda_runtime",
        "axum",
        "axum-core",
        "hyper",
        "hyper-util",
        "tokio",
        "tokio-macros",
        "tower",
        "tower-service",
        "argon2",
        "jsonwebtoken",
        "serde_dynamo",
        "utoipa",
        "reqwest",
    ] {
        assert!(is_forbidden(name), "{name}");
    }
    for name in ["serde", "tracing", "chrono", "uuid", "towel", "hyperx"] {
        assert!(!is_forbidden(name), "{name}");
    }
}

#[test]
fn domain_and_application_stay_free_of_frameworks_and_adapters() {
    let g = graph();
    for layer in ["dashtam-domain", "dashtam-application"] {
        let bad = g.offending(layer, is_forbidden);
        assert!(
            bad.is_empty(),
            "{layer} depends on forbidden crates:\n  {}",
            bad.join("\n  ")
        );
    }
}

#[test]
fn inner_layers_do_not_depend_on_outer_layers() {
    let g = graph();
    let outer = |inner: &str| -> Vec<&'static str> {
        match inner {
            "dashtam-core" => vec![
                "dashtam-domain",
                "dashtam-application",
                "dashtam-infrastructure",
                "dashtam-presentation",
                "dashtam-container",
            ],
            "dashtam-domain" => vec![
                "dashtam-application",
                "dashtam-infrastructure",
                "dashtam-presentation",
                "dashtam-container",
            ],
            "dashtam-application" => vec![
                "dashtam-infrastructure",
                "dashtam-presentation",
                "dashtam-container",
            ],
            "dashtam-infrastructure" => vec!["dashtam-presentation", "dashtam-container"],
            "dashtam-presentation" => vec!["dashtam-infrastructure", "dashtam-container"],
            _ => vec![],
        }
    };
    for inner in [
        "dashtam-core",
        "dashtam-domain",
        "dashtam-application",
        "dashtam-infrastructure",
        "dashtam-presentation",
    ] {
        let forbidden = outer(inner);
        let bad = g.offending(inner, |n| forbidden.contains(&n));
        assert!(
            bad.is_empty(),
            "{inner} depends on an outer layer:\n  {}",
            bad.join("\n  ")
        );
    }
}

#[test]
fn the_graph_is_what_the_test_thinks_it_is() {
    // Guards the test itself: a broken traversal would pass everything above.
    let g = graph();
    let app = g.closure("dashtam-application");
    let names: Vec<&str> = app.keys().map(|id| g.names[id].as_str()).collect();
    assert!(names.contains(&"dashtam-domain"), "{names:?}");
    assert!(names.contains(&"serde"), "{names:?}");
    // Dev-dependencies are not followed (application's tests use the adapters).
    assert!(!names.contains(&"dashtam-infrastructure"), "{names:?}");
    let container = g.offending("dashtam-container", is_forbidden);
    assert!(
        container.iter().any(|p| p.ends_with("-> axum")),
        "the container wires axum: {container:?}"
    );
}
