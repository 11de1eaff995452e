//! template.yaml's operational resources, checked for every function and queue the
//! template declares (not a list kept here), so a new function or queue fails with what
//! it still needs: a memory parameter, a log group with the retention parameter, errors
//! and throttles alarms, a DLQ depth alarm, all notifying the alarm topic.
//!
//! The template is read as text with the scanner in `template.rs`.
use std::collections::BTreeMap;

use crate::template::*;

type Resources = BTreeMap<String, Vec<Line>>;

/// The value of the first `key: value` line anywhere in `block`.
fn value<'a>(block: &'a [Line], key: &str) -> Option<&'a str> {
    let prefix = format!("{key}:");
    block
        .iter()
        .find_map(|l| l.text.trim_start_matches("- ").strip_prefix(&prefix))
        .map(str::trim)
}

fn has(block: &[Line], text: &str) -> bool {
    block.iter().any(|l| l.text.contains(text))
}

fn of_type<'a>(res: &'a Resources, ty: &str) -> Vec<(&'a String, &'a Vec<Line>)> {
    res.iter().filter(|(_, b)| resource_type(b) == ty).collect()
}

/// The names declared under the top-level `Parameters:`.
fn parameters(lines: &[Line]) -> Vec<String> {
    let at = lines
        .iter()
        .position(|l| l.indent == 0 && l.text == "Parameters:")
        .expect("a Parameters section");
    let body = children(lines, at);
    let indent = body.first().expect("parameters").indent;
    body.iter()
        .filter(|l| l.indent == indent)
        .filter_map(|l| l.text.strip_suffix(':').map(str::to_owned))
        .collect()
}

/// The alarms on `metric` whose dimension is `dimension` (`!Ref X`, `!GetAtt X.QueueName`).
fn alarms_on<'a>(res: &'a Resources, metric: &str, dimension: &str) -> Vec<&'a String> {
    of_type(res, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, b)| value(b, "MetricName") == Some(metric))
        .filter(|(_, b)| has(b, &format!("Value: {dimension} }}")))
        .map(|(name, _)| name)
        .collect()
}

fn setup() -> (Vec<Line>, Resources) {
    let lines = lines(&template());
    let res = resources(&lines);
    (lines, res)
}

#[test]
fn every_queue_with_a_dlq_has_a_depth_alarm() {
    let (_, res) = setup();
    let mut dlqs = Vec::new();
    for (queue, block) in of_type(&res, "AWS::SQS::Queue") {
        if let Some(target) = value(block, "deadLetterTargetArn") {
            let dlq = target
                .trim_start_matches("!GetAtt ")
                .trim_end_matches(".Arn");
            dlqs.push((queue.clone(), dlq.to_owned()));
        }
    }
    assert!(dlqs.len() >= 2, "found too few queues with a DLQ: {dlqs:?}");
    for (queue, dlq) in dlqs {
        let dimension = format!("!GetAtt {dlq}.QueueName");
        let alarms = alarms_on(&res, "ApproximateNumberOfMessagesVisible", &dimension);
        assert!(
            alarms.iter().any(|a| {
                let b = &res[*a];
                value(b, "Threshold") == Some("0")
                    && value(b, "ComparisonOperator") == Some("GreaterThanThreshold")
            }),
            "{queue}'s DLQ {dlq} needs an alarm (e.g. {dlq}DepthAlarm): AWS/SQS \
             ApproximateNumberOfMessagesVisible, Dimensions [{{ Name: QueueName, Value: \
             {dimension} }}], Threshold 0, GreaterThanThreshold, AlarmActions [!Ref AlarmTopicArn]"
        );
    }
}

#[test]
fn every_function_has_a_memory_parameter_a_log_group_with_retention_and_alarms() {
    let (lines, res) = setup();
    let params = parameters(&lines);
    let functions = of_type(&res, "AWS::Serverless::Function");
    assert!(functions.len() >= 12, "found too few functions");
    let mut missing = Vec::new();
    for (function, block) in functions {
        let stem = function.trim_end_matches("Function");
        match value(block, "MemorySize").and_then(|v| v.strip_prefix("!Ref ")) {
            Some(p) if params.iter().any(|q| q == p) => {}
            _ => missing.push(format!(
                "{function}: MemorySize: !Ref {stem}Memory, with a {stem}Memory parameter"
            )),
        }
        let group = value(block, "LogGroup").and_then(|v| v.strip_prefix("!Ref "));
        let retained = group.and_then(|g| res.get(g)).is_some_and(|g| {
            resource_type(g) == "AWS::Logs::LogGroup"
                && value(g, "RetentionInDays") == Some("!Ref LogRetentionDays")
        });
        if !retained {
            missing.push(format!(
                "{function}: LoggingConfig: {{ LogGroup: !Ref {stem}LogGroup }}, and {stem}LogGroup \
                 (AWS::Logs::LogGroup, RetentionInDays: !Ref LogRetentionDays)"
            ));
        }
        for metric in ["Errors", "Throttles"] {
            if alarms_on(&res, metric, &format!("!Ref {function}")).is_empty() {
                missing.push(format!(
                    "{function}: {stem}{metric}Alarm (AWS/Lambda {metric}, Dimensions \
                     [{{ Name: FunctionName, Value: !Ref {function} }}])"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "copy an existing function's block (e.g. UsersFunction's); missing:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_alarm_notifies_the_alarm_topic() {
    let (lines, res) = setup();
    assert!(parameters(&lines).iter().any(|p| p == "AlarmTopicArn"));
    let alarms = of_type(&res, "AWS::CloudWatch::Alarm");
    assert!(!alarms.is_empty());
    for (name, block) in alarms {
        assert_eq!(
            value(block, "AlarmActions"),
            Some("[!Ref AlarmTopicArn]"),
            "{name}"
        );
    }
}

#[test]
fn event_source_functions_reserve_concurrency_and_the_stream_relay_has_an_age_alarm() {
    let (_, res) = setup();
    for (function, block) in of_type(&res, "AWS::Serverless::Function") {
        let from_queue = has(block, "Type: SQS");
        let from_stream = has(block, "Type: DynamoDB");
        if from_queue || from_stream {
            assert!(
                value(block, "ReservedConcurrentExecutions").is_some(),
                "{function} must not be starved by (or starve) the API: ReservedConcurrentExecutions"
            );
        }
        if from_queue {
            assert!(
                has(block, "MaximumConcurrency"),
                "{function}: ScalingConfig MaximumConcurrency (pollers never invoke into throttling)"
            );
        }
        if from_stream {
            assert!(
                !alarms_on(&res, "IteratorAge", &format!("!Ref {function}")).is_empty(),
                "{function} reads a stream: it needs an IteratorAge alarm"
            );
        }
    }
}

#[test]
fn the_api_is_throttled_and_its_5xx_alarmed_and_the_table_protected() {
    let (lines, res) = setup();
    let api = &res["HttpApi"];
    assert_eq!(
        value(api, "ThrottlingBurstLimit"),
        Some("!Ref ApiThrottlingBurstLimit")
    );
    assert_eq!(
        value(api, "ThrottlingRateLimit"),
        Some("!Ref ApiThrottlingRateLimit")
    );
    assert!(!alarms_on(&res, "5xx", "!Ref HttpApi").is_empty());

    let table = &res["Table"];
    assert_eq!(
        value(table, "DeletionProtectionEnabled"),
        Some("!Ref TableDeletionProtection")
    );
    assert_eq!(
        value(table, "PointInTimeRecoveryEnabled"),
        Some("!Ref TablePointInTimeRecovery")
    );
    // Both on unless a deploy says otherwise.
    for param in ["TableDeletionProtection", "TablePointInTimeRecovery"] {
        let at = lines
            .iter()
            .position(|l| l.indent == 2 && l.text == format!("{param}:"))
            .unwrap();
        assert_eq!(value(children(&lines, at), "Default"), Some("\"true\""));
    }
}
