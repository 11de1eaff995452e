//! `template.yaml` routes every event the registry says has a consumer: the email rule
//! lists exactly the email-sending events, the audit rule takes every audited one, and
//! both queues feed consumers that report partial batch failures.
//!
//! The template is read as text with a small indentation scanner (no YAML dependency);
//! it understands the subset the template uses: block mappings, `[a, b]` flow lists and
//! `- item` block lists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use dashtam_domain::events::REGISTRY;

#[derive(Debug, Clone)]
struct Line {
    number: usize,
    indent: usize,
    text: String,
}

fn lines(yaml: &str) -> Vec<Line> {
    yaml.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let text = strip_comment(raw).trim_end();
            let trimmed = text.trim_start();
            (!trimmed.is_empty()).then(|| Line {
                number: i + 1,
                indent: text.len() - trimmed.len(),
                text: trimmed.to_owned(),
            })
        })
        .collect()
}

/// Drops a `# comment` that is not inside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if i == 0 || line[..i].ends_with(' ') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').trim_matches('\'').to_owned()
}

/// The lines nested under `lines[at]`.
fn children(lines: &[Line], at: usize) -> &[Line] {
    let indent = lines[at].indent;
    let end = lines[at + 1..]
        .iter()
        .position(|l| l.indent <= indent)
        .map_or(lines.len(), |p| at + 1 + p);
    &lines[at + 1..end]
}

/// The index of the shallowest line `key: ...` in `lines`.
fn find_key(lines: &[Line], key: &str) -> Option<usize> {
    let prefix = format!("{key}:");
    let min = lines.iter().map(|l| l.indent).min()?;
    lines
        .iter()
        .position(|l| l.indent == min && l.text.starts_with(&prefix))
}

/// The value of `key` in `lines` as a list: `key: [a, b]`, `key: a`, or a block list.
fn list(lines: &[Line], key: &str) -> Option<Vec<String>> {
    list_at(lines, find_key(lines, key)?, key)
}

/// Like [`list`], for the `key:` line at `lines[at]`.
fn list_at(lines: &[Line], at: usize, key: &str) -> Option<Vec<String>> {
    let inline = lines[at].text[key.len() + 1..].trim();
    if let Some(flow) = inline.strip_prefix('[') {
        let flow = flow.strip_suffix(']').expect("a closed flow list");
        return Some(
            flow.split(',')
                .map(unquote)
                .filter(|s| !s.is_empty())
                .collect(),
        );
    }
    if !inline.is_empty() {
        return Some(vec![unquote(inline)]);
    }
    // Block list items may sit at the key's own indentation or deeper.
    let items = lines[at + 1..]
        .iter()
        .take_while(|l| l.indent >= lines[at].indent && l.text.starts_with("- "))
        .map(|l| unquote(&l.text[2..]))
        .collect();
    Some(items)
}

/// `Resources:` → name → the resource's lines (its own line first).
fn resources(lines: &[Line]) -> BTreeMap<String, Vec<Line>> {
    let at = lines
        .iter()
        .position(|l| l.indent == 0 && l.text == "Resources:")
        .expect("a Resources section");
    let body = children(lines, at);
    let indent = body.first().expect("resources").indent;
    let mut out = BTreeMap::new();
    for (i, l) in body.iter().enumerate() {
        if l.indent == indent {
            let name = l
                .text
                .strip_suffix(':')
                .expect("a resource name")
                .to_owned();
            let mut block = vec![l.clone()];
            block.extend_from_slice(children(body, i));
            out.insert(name, block);
        }
    }
    out
}

fn resource_type(block: &[Line]) -> String {
    let props = &block[1..];
    let at = find_key(props, "Type").expect("Type");
    unquote(&props[at].text["Type:".len()..])
}

/// An EventBridge rule as far as routing goes.
#[derive(Debug)]
struct Rule {
    name: String,
    sources: Vec<String>,
    /// `None`: the pattern does not filter on detail-type.
    detail_types: Option<Vec<String>>,
    pattern_keys: Vec<String>,
    targets: Vec<String>,
}

fn rules(res: &BTreeMap<String, Vec<Line>>) -> Vec<Rule> {
    res.iter()
        .filter(|(_, block)| resource_type(block) == "AWS::Events::Rule")
        .map(|(name, block)| {
            let body = &block[1..];
            let props_at = find_key(body, "Properties").expect("Properties");
            let props = children(body, props_at);
            let pattern_at = find_key(props, "EventPattern").expect("EventPattern");
            let pattern = children(props, pattern_at);
            let top = pattern.first().map_or(0, |l| l.indent);
            let pattern_keys = pattern
                .iter()
                .filter(|l| l.indent == top && !l.text.starts_with("- "))
                .filter_map(|l| l.text.split_once(':').map(|(k, _)| k.to_owned()))
                .collect();
            let targets_at = find_key(props, "Targets").expect("Targets");
            let targets = children(props, targets_at)
                .iter()
                .filter_map(|l| {
                    let arn = l.text.trim_start_matches("- ").strip_prefix("Arn:")?;
                    let target = arn.trim().strip_prefix("!GetAtt ")?;
                    Some(target.trim_end_matches(".Arn").to_owned())
                })
                .collect();
            Rule {
                name: name.clone(),
                sources: list(pattern, "source").expect("a source"),
                detail_types: list(pattern, "detail-type"),
                pattern_keys,
                targets,
            }
        })
        .collect()
}

fn template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rules that deliver to `queue`.
fn rules_to<'a>(rules: &'a [Rule], queue: &str) -> Vec<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.targets.iter().any(|t| t == queue))
        .collect()
}

/// Whether `rule` matches an event of `name` published by Dashtam.
fn matches(rule: &Rule, name: &str) -> bool {
    let source = dashtam_infrastructure::messaging::SOURCE;
    rule.sources.iter().any(|s| s == source)
        && rule
            .detail_types
            .as_ref()
            .is_none_or(|types| types.iter().any(|t| t == name))
        // Any other pattern key (detail, account, ...) could drop events.
        && rule
            .pattern_keys
            .iter()
            .all(|k| k == "source" || k == "detail-type")
}

#[test]
fn the_email_rule_lists_exactly_the_email_events() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let email_rules = rules_to(&rules, "EmailQueue");
    assert_eq!(email_rules.len(), 1, "{rules:#?}");
    let rule = email_rules[0];
    assert_eq!(rule.sources, ["dashtam"], "{rule:?}");

    let listed = rule
        .detail_types
        .clone()
        .expect("the email rule filters on detail-type");
    let listed_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(listed_set.len(), listed.len(), "duplicates in {listed:?}");
    let wanted: BTreeSet<&str> = REGISTRY
        .iter()
        .filter(|m| m.email.is_some())
        .map(|m| m.name)
        .collect();
    let missing: Vec<_> = wanted.difference(&listed_set).collect();
    let extra: Vec<_> = listed_set.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: detail-type must equal the registry's email events; add {missing:?}, remove {extra:?}",
        rule.name
    );
}

#[test]
fn every_audited_event_reaches_the_audit_queue() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let audit_rules = rules_to(&rules, "AuditQueue");
    assert!(!audit_rules.is_empty(), "no rule targets AuditQueue");
    // The audit rule takes the whole source, so new events need no template change.
    assert!(
        audit_rules
            .iter()
            .any(|r| r.sources == ["dashtam"] && r.detail_types.is_none()),
        "{audit_rules:#?}"
    );
    let unrouted: Vec<&str> = REGISTRY
        .iter()
        .filter(|m| m.audit)
        .map(|m| m.name)
        .filter(|name| !audit_rules.iter().any(|r| matches(r, name)))
        .collect();
    assert!(unrouted.is_empty(), "not routed to audit: {unrouted:?}");
}

#[test]
fn every_email_event_reaches_the_email_queue_and_nothing_else_does() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let email_rules = rules_to(&rules, "EmailQueue");
    for m in REGISTRY {
        let routed = email_rules.iter().any(|r| matches(r, m.name));
        assert_eq!(routed, m.email.is_some(), "{}", m.name);
    }
}

#[test]
fn both_queues_feed_consumers_that_report_partial_batch_failures() {
    let res = resources(&lines(&template()));
    for (queue, binary) in [
        ("AuditQueue", "dashtam-audit-consumer"),
        ("EmailQueue", "dashtam-email-consumer"),
    ] {
        let consumers: Vec<(&String, &Vec<Line>)> = res
            .iter()
            .filter(|(_, block)| {
                block
                    .iter()
                    .any(|l| l.text == format!("Queue: !GetAtt {queue}.Arn"))
            })
            .collect();
        assert_eq!(consumers.len(), 1, "{queue} has one consumer");
        let (name, block) = consumers[0];
        assert!(
            block.iter().any(|l| l.text == format!("Binary: {binary}")),
            "{name} runs {binary}"
        );
        // Nested under Events → <event> → Properties.
        let types = block
            .iter()
            .position(|l| l.text.starts_with("FunctionResponseTypes:"))
            .and_then(|i| list_at(block, i, "FunctionResponseTypes"))
            .unwrap_or_default();
        assert!(
            types.iter().any(|t| t == "ReportBatchItemFailures"),
            "{name} must report batch item failures (line {})",
            block[0].number
        );
    }
}

/// Nothing reaches the bus but through the outbox relay: it is the one function that may
/// publish, it reads the table's stream (new outbox items only), and it reports batch
/// item failures so a failed publish is retried rather than dropped.
#[test]
fn the_outbox_relay_is_the_only_publisher_and_reads_the_table_stream() {
    let res = resources(&lines(&template()));
    let publishers: Vec<&String> = res
        .iter()
        .filter(|(_, block)| block.iter().any(|l| l.text == "Action: events:PutEvents"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(publishers, ["OutboxRelayFunction"]);
    let relay = &res["OutboxRelayFunction"];
    let has = |text: &str| relay.iter().any(|l| l.text == text);
    assert!(has("Binary: dashtam-outbox-relay"));
    assert!(has("Type: DynamoDB"));
    assert!(has("Stream: !GetAtt Table.StreamArn"));
    assert!(
        has("MaximumRetryAttempts: -1"),
        "retried until the records expire"
    );
    assert!(
        relay
            .iter()
            .any(|l| l.text.contains(r#""eventName": ["INSERT"]"#) && l.text.contains("OUTBOX#")),
        "only new outbox items trigger it"
    );
    let types = relay
        .iter()
        .position(|l| l.text.starts_with("FunctionResponseTypes:"))
        .and_then(|i| list_at(relay, i, "FunctionResponseTypes"))
        .unwrap_or_default();
    assert_eq!(types, ["ReportBatchItemFailures"]);
}

/// Every event meant for the live stream names a category the stream serves (the audit
/// and email consumers are checked against the bus rules above).
#[test]
fn every_stream_and_email_consumer_of_the_registry_is_wired() {
    for m in REGISTRY {
        if let Some(stream) = m.stream {
            let category = stream.split('.').next().unwrap_or_default();
            assert!(
                dashtam_presentation::routes::events::CATEGORIES.contains(&category),
                "{}: live-stream type {stream} has no served category",
                m.name
            );
        }
    }
    let names: Vec<&str> = REGISTRY.iter().map(|m| m.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "event names are unique");
}

// ---- the scanner itself ----------------------------------------------------------------

#[test]
fn the_scanner_reads_the_shapes_the_template_uses() {
    let yaml = "\
Resources:
  A:
    Type: AWS::Events::Rule # a comment
    Properties:
      EventPattern:
        source: [dashtam]
        detail-type:
        - One
        - \"Two\"
      Targets:
        - Id: q
          Arn: !GetAtt Q.Arn
  B:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source:
          - dashtam
        detail: { kind: [x] }
      Targets:
        - Arn: !GetAtt R.Arn
";
    let res = resources(&lines(yaml));
    let rules = rules(&res);
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].sources, ["dashtam"]);
    assert_eq!(
        rules[0].detail_types.as_deref(),
        Some(&["One".to_owned(), "Two".to_owned()][..])
    );
    assert_eq!(rules[0].targets, ["Q"]);
    assert!(matches(&rules[0], "One") && !matches(&rules[0], "Three"));
    assert_eq!(rules[1].sources, ["dashtam"]);
    assert_eq!(rules[1].detail_types, None);
    assert_eq!(rules[1].targets, ["R"]);
    assert!(
        !matches(&rules[1], "One"),
        "a detail filter may drop events"
    );
}
