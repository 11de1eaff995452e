#!/usr/bin/env python3
"""Create the data-plane resources of template.yaml on a local AWS emulator.

    python infra/provision.py --endpoint http://127.0.0.1:4566 --env local [--template template.yaml]

Reads the SAM/CloudFormation template, takes every resource of a type listed in
HANDLERS (DynamoDB tables, SQS queues and queue policies, EventBridge buses and
rules, Secrets Manager secrets, SES identities), orders them by the references
between them, resolves the intrinsic functions they use (Ref, GetAtt, Sub, Join,
Select, Split, If, ...) with `Env` set to --env, and creates them through boto3.
Other resource types (functions, APIs, IAM) are skipped. Re-running for the same
env is a no-op that keeps existing data and secrets.

Prints one JSON object: the Globals.Function.Environment.Variables of the template
that point at a provisioned resource (a Ref/GetAtt/Sub of one, or a value equal to
one's name), resolved to their local values. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import secrets
import string
import sys
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from cfn import (
    REGION,
    Resolver,
    Unresolved,
    environment,
    load_template,
    parameter_values,
    provision_order,
)


class Provisioner:
    def __init__(self, endpoint: str):
        config = Config(retries={"max_attempts": 3, "mode": "standard"})
        self._clients: dict[str, Any] = {}
        self._session = boto3.session.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name=REGION,
        )
        self._endpoint = endpoint
        self._config = config

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint, config=self._config
            )
        return self._clients[service]

    # Each handler takes the resolved Properties and returns (ref, attributes, names):
    # what Ref gives, what GetAtt gives, and the physical names of the resource.

    def dynamodb_table(self, p: dict[str, Any]):
        ddb = self.client("dynamodb")
        name = p["TableName"]
        try:
            table = ddb.describe_table(TableName=name)["Table"]
            log(f"table {name}: exists")
            have = {g["IndexName"] for g in table.get("GlobalSecondaryIndexes") or []}
            for index in p.get("GlobalSecondaryIndexes") or []:
                if index["IndexName"] in have:
                    continue
                # A GSI added to the template since this table was made.
                create = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
                if "ProvisionedThroughput" in index:
                    create["ProvisionedThroughput"] = index["ProvisionedThroughput"]
                ddb.update_table(
                    TableName=name,
                    AttributeDefinitions=p["AttributeDefinitions"],
                    GlobalSecondaryIndexUpdates=[{"Create": create}],
                )
                log(f"table {name}: index {index['IndexName']} added")
        except ClientError as e:
            if _code(e) != "ResourceNotFoundException":
                raise
            args: dict[str, Any] = {
                "TableName": name,
                "AttributeDefinitions": p["AttributeDefinitions"],
                "KeySchema": p["KeySchema"],
                "BillingMode": p.get("BillingMode", "PROVISIONED"),
            }
            for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                if p.get(key):
                    args[key] = p[key]
            if args["BillingMode"] == "PROVISIONED":
                args["ProvisionedThroughput"] = p["ProvisionedThroughput"]
            if p.get("StreamSpecification"):
                args["StreamSpecification"] = {
                    "StreamEnabled": True,
                    "StreamViewType": p["StreamSpecification"]["StreamViewType"],
                }
            if p.get("Tags"):
                args["Tags"] = p["Tags"]
            ddb.create_table(**args)
            ddb.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
            table = ddb.describe_table(TableName=name)["Table"]
            log(f"table {name}: created")
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                ddb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
        pitr = p.get("PointInTimeRecoverySpecification") or {}
        if pitr.get("PointInTimeRecoveryEnabled"):
            try:
                ddb.update_continuous_backups(
                    TableName=name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )
            except ClientError as e:  # an emulator may not have backups; nothing local needs them
                log(f"table {name}: point-in-time recovery not set ({_code(e)})")
        attributes = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            attributes["StreamArn"] = table["LatestStreamArn"]
        return name, attributes, {name}

    SQS_ATTRIBUTES = (
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "DelaySeconds",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "RedriveAllowPolicy",
        "RedrivePolicy",
        "SqsManagedSseEnabled",
        "VisibilityTimeout",
    )

    def sqs_queue(self, p: dict[str, Any]):
        sqs = self.client("sqs")
        name = p["QueueName"]
        attributes = {}
        for key in self.SQS_ATTRIBUTES:
            if key in p:
                attributes[key] = _sqs_value(p[key])
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            mutable = {k: v for k, v in attributes.items() if k != "FifoQueue"}
            if mutable:
                sqs.set_queue_attributes(QueueUrl=url, Attributes=mutable)
            log(f"queue {name}: exists")
        except ClientError as e:
            if _code(e) not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                raise
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            log(f"queue {name}: created")
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, {"Arn": arn, "QueueName": name, "QueueUrl": url}, {name}

    def sqs_queue_policy(self, p: dict[str, Any]):
        sqs = self.client("sqs")
        policy = json.dumps(p["PolicyDocument"])
        for url in p["Queues"]:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        log(f"queue policy on {', '.join(u.rsplit('/', 1)[-1] for u in p['Queues'])}: set")
        return None, {}, set()

    def event_bus(self, p: dict[str, Any]):
        events = self.client("events")
        name = p["Name"]
        try:
            arn = events.describe_event_bus(Name=name)["Arn"]
            log(f"event bus {name}: exists")
        except ClientError as e:
            if _code(e) != "ResourceNotFoundException":
                raise
            arn = events.create_event_bus(Name=name)["EventBusArn"]
            log(f"event bus {name}: created")
        return name, {"Arn": arn, "Name": name}, {name}

    def event_rule(self, p: dict[str, Any], targets: list[dict[str, Any]]):
        events = self.client("events")
        name = p["Name"]
        bus = p.get("EventBusName", "default")
        if bus.startswith("arn:"):
            bus = bus.rsplit("/", 1)[-1]
        args: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": p.get("State", "ENABLED")}
        if "EventPattern" in p:
            pattern = p["EventPattern"]
            args["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        for key in ("ScheduleExpression", "Description", "RoleArn"):
            if key in p:
                args[key] = p[key]
        arn = events.put_rule(**args)["RuleArn"]
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        log(f"rule {name} on {bus}: {len(targets)} target(s)")
        ref = name if bus == "default" else f"{bus}|{name}"
        return ref, {"Arn": arn}, {name}

    def secret(self, p: dict[str, Any]):
        sm = self.client("secretsmanager")
        name = p["Name"]
        try:
            arn = sm.describe_secret(SecretId=name)["ARN"]
            log(f"secret {name}: exists, kept")
        except ClientError as e:
            if _code(e) != "ResourceNotFoundException":
                raise
            value = p.get("SecretString")
            if value is None:
                value = generate_secret_string(p.get("GenerateSecretString") or {})
            args = {"Name": name, "SecretString": value}
            if p.get("Description"):
                args["Description"] = p["Description"]
            arn = sm.create_secret(**args)["ARN"]
            log(f"secret {name}: created")
        return arn, {"Id": arn}, {name, arn}

    def s3_bucket(self, p: dict[str, Any]):
        s3 = self.client("s3")
        name = p["BucketName"]
        try:
            s3.head_bucket(Bucket=name)
            log(f"bucket {name}: exists")
        except ClientError:
            s3.create_bucket(Bucket=name)
            log(f"bucket {name}: created")
        queues = (p.get("NotificationConfiguration") or {}).get("QueueConfigurations") or []
        if queues:
            # CloudFormation's shape → the API's.
            configurations = []
            for q in queues:
                rules = ((q.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
                configuration = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
                if rules:
                    configuration["Filter"] = {"Key": {"FilterRules": rules}}
                configurations.append(configuration)
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={"QueueConfigurations": configurations},
            )
            log(f"bucket {name}: {len(configurations)} queue notification(s)")
        return name, {"Arn": f"arn:aws:s3:::{name}"}, {name}

    def ses_identity(self, p: dict[str, Any]):
        ses = self.client("ses")
        identity = p["EmailIdentity"]
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        log(f"SES identity {identity}: verified")
        return identity, {}, {identity}


def generate_secret_string(spec: dict[str, Any]) -> str:
    """A local stand-in for GenerateSecretString, from Python's `secrets`."""
    length = int(spec.get("PasswordLength", 32))
    alphabet = ""
    if not spec.get("ExcludeLowercase"):
        alphabet += string.ascii_lowercase
    if not spec.get("ExcludeUppercase"):
        alphabet += string.ascii_uppercase
    if not spec.get("ExcludeNumbers"):
        alphabet += string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    if spec.get("IncludeSpace"):
        alphabet += " "
    excluded = set(spec.get("ExcludeCharacters", ""))
    alphabet = "".join(c for c in alphabet if c not in excluded)
    password = "".join(secrets.choice(alphabet) for _ in range(length))
    if "GenerateStringKey" in spec:
        document = json.loads(spec.get("SecretStringTemplate") or "{}")
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
    return password


# Name properties CloudFormation fills in when a template leaves them out.
GENERATED_NAMES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::Rule": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::S3::Bucket": "BucketName",
}

HANDLERS: dict[str, Callable[..., Any]] = {
    "AWS::DynamoDB::Table": Provisioner.dynamodb_table,
    "AWS::SQS::Queue": Provisioner.sqs_queue,
    "AWS::SQS::QueuePolicy": Provisioner.sqs_queue_policy,
    "AWS::Events::EventBus": Provisioner.event_bus,
    "AWS::Events::Rule": Provisioner.event_rule,
    "AWS::SecretsManager::Secret": Provisioner.secret,
    "AWS::SES::EmailIdentity": Provisioner.ses_identity,
    "AWS::S3::Bucket": Provisioner.s3_bucket,
}


# --------------------------------------------------------------------- driver


def log(message: str) -> None:
    print(f"provision: {message}", file=sys.stderr)


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _sqs_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


# Every emulated stack's Schwab is the sandbox brokerage (crates/sandbox), whose app key and
# secret are these fixed, public values; every other secret is generated.
LOCAL_SECRETS = {
    "SchwabOAuthSecret": json.dumps({"client_id": "sandbox-client", "client_secret": "sandbox-secret"}),
}


def provision(template: dict[str, Any], endpoint: str, env: str, overrides: dict[str, str]):
    resolver = Resolver(template, parameter_values(template, env, overrides))
    provisioner = Provisioner(endpoint)
    resources = template.get("Resources") or {}
    names: set[str] = set()
    skipped = sorted({r.get("Type", "?") for r in resources.values()} - set(HANDLERS))
    if skipped:
        log(f"not emulated: {', '.join(skipped)}")

    for logical_id in provision_order(resources, set(HANDLERS)):
        resource = resources[logical_id]
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        handler = HANDLERS[resource["Type"]]
        raw = dict(resource.get("Properties") or {})
        name_property = GENERATED_NAMES.get(resource["Type"])
        if name_property and name_property not in raw:
            # CloudFormation would make <stack>-<logical id>-<random>; locally, stable.
            generated = f"dashtam-{env}-{logical_id}"
            if resource["Type"] == "AWS::SQS::Queue" and raw.get("FifoQueue") is True:
                generated += ".fifo"
            raw[name_property] = generated
        if logical_id in LOCAL_SECRETS:
            raw.pop("GenerateSecretString", None)
            raw["SecretString"] = LOCAL_SECRETS[logical_id]
        try:
            if resource["Type"] == "AWS::Events::Rule":
                # A target the emulator cannot have (a Lambda function, ...) is left out.
                targets = []
                for target in raw.pop("Targets", None) or []:
                    try:
                        targets.append(resolver.resolve(target))
                    except Unresolved as e:
                        log(f"{logical_id}: target {target.get('Id')} skipped (refers to {e})")
                result = handler(provisioner, resolver.resolve(raw), targets)
            else:
                result = handler(provisioner, resolver.resolve(raw))
        except Unresolved as e:
            raise SystemExit(f"provision: {logical_id} refers to {e}, which is not emulated")
        ref, attributes, physical_names = result
        if ref is not None:
            resolver.refs[logical_id] = ref
        resolver.attributes[logical_id] = attributes
        names |= {str(n) for n in physical_names}
        if ref is not None:
            names.add(str(ref))
    return resolver, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:4566")
    parser.add_argument("--env", required=True, help="value of the template's Env parameter")
    parser.add_argument(
        "--template",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "template.yaml",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a template parameter (repeatable)",
    )
    args = parser.parse_args(argv)
    overrides = dict(p.split("=", 1) for p in args.param)
    template = load_template(args.template)
    resolver, names = provision(template, args.endpoint, args.env, overrides)
    json.dump(environment(template, resolver, names), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
