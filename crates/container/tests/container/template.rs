//! A small indentation scanner for `template.yaml` (no YAML dependency): block mappings,
//! `[a, b]` flow lists and `- item` block lists, the subset the template uses.

use std::{collections::BTreeMap, path::Path};

#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub indent: usize,
    pub text: String,
}

pub fn lines(yaml: &str) -> Vec<Line> {
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
pub fn strip_comment(line: &str) -> &str {
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

pub fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').trim_matches('\'').to_owned()
}

/// The lines nested under `lines[at]`.
pub fn children(lines: &[Line], at: usize) -> &[Line] {
    let indent = lines[at].indent;
    let end = lines[at + 1..]
        .iter()
        .position(|l| l.indent <= indent)
        .map_or(lines.len(), |p| at + 1 + p);
    &lines[at + 1..end]
}

/// The index of the shallowest line `key: ...` in `lines`.
pub fn find_key(lines: &[Line], key: &str) -> Option<usize> {
    let prefix = format!("{key}:");
    let min = lines.iter().map(|l| l.indent).min()?;
    lines
        .iter()
        .position(|l| l.indent == min && l.text.starts_with(&prefix))
}

/// The value of `key` in `lines` as a list: `key: [a, b]`, `key: a`, or a block list.
pub fn list(lines: &[Line], key: &str) -> Option<Vec<String>> {
    list_at(lines, find_key(lines, key)?, key)
}

/// Like [`list`], for the `key:` line at `lines[at]`.
pub fn list_at(lines: &[Line], at: usize, key: &str) -> Option<Vec<String>> {
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
pub fn resources(lines: &[Line]) -> BTreeMap<String, Vec<Line>> {
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

pub fn resource_type(block: &[Line]) -> String {
    let props = &block[1..];
    let at = find_key(props, "Type").expect("Type");
    unquote(&props[at].text["Type:".len()..])
}

/// An EventBridge rule as far as routing goes.
#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub sources: Vec<String>,
    /// `None`: the pattern does not filter on detail-type.
    pub detail_types: Option<Vec<String>>,
    pub pattern_keys: Vec<String>,
    pub targets: Vec<String>,
}

pub fn rules(res: &BTreeMap<String, Vec<Line>>) -> Vec<Rule> {
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

pub fn template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rules that deliver to `queue`.
pub fn rules_to<'a>(rules: &'a [Rule], queue: &str) -> Vec<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.targets.iter().any(|t| t == queue))
        .collect()
}

/// Whether `rule` matches an event of `name` published by Dashtam.
pub fn matches(rule: &Rule, name: &str) -> bool {
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
