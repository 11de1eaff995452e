"""Sizing and cost model: from the measured DynamoDB calls of each request kind
(infra/measurements/dynamodb-calls.json, written by the round-trip test) and the measured
CPU time of each typical request (infra/measurements/sizing.json, scripts/sizing.sh),
with the memory sizes template.yaml deploys, prints the README's sizing and cost tables.

    .venv/bin/python infra/cost.py                 # print the tables (markdown)
    .venv/bin/python infra/cost.py --write-readme  # replace them in README.md

Prices: us-east-1 list prices, arm64 Lambda, on-demand DynamoDB, HTTP API, standard SQS.
What is not measured here is an assumption and is printed with the tables.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from cfn import load_template

ROOT = Path(__file__).resolve().parent.parent
MEASURED = ROOT / "infra" / "measurements"
BEGIN, END = "<!-- cost.py: begin -->", "<!-- cost.py: end -->"

PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_s": 0.0000133334,  # arm64
    "api_request": 1.00 / 1e6,  # HTTP API, first 300 million a month
    "wru": 0.625 / 1e6,
    "rru": 0.125 / 1e6,
    "eventbridge_event": 1.00 / 1e6,  # custom bus; delivery to targets is free
    "sqs_request": 0.40 / 1e6,  # standard queue, beyond the free million
    "ses_email": 0.10 / 1e3,
}
# Waits this machine cannot measure (the emulator's latency says nothing about AWS's):
# typical in-region p50s from Lambda, stated, not measured.
WAIT_MS = {"dynamodb": 4.0, "eventbridge": 15.0, "ses": 40.0}
FULL_CPU_MB = 1769
# Event path at low traffic: each event its own invocation and SQS batch (the worst case;
# full batches of 10 divide the consumers' invocations and SQS receives/deletes by 10).
BATCH = 1

# Request kind -> (function of template.yaml, measured sizing kind, label).
HTTP_KINDS = {
    "login": ("Sessions", "login", "`POST /api/v1/sessions` (login)"),
    "refresh": ("Tokens", "refresh", "`POST /api/v1/tokens` (refresh)"),
    "read": ("Users", "read", "`GET /api/v1/users/me` (authenticated read)"),
    "register": ("Users", "register", "`POST /api/v1/users` (registration)"),
}


def memory_defaults(template: dict) -> dict[str, int]:
    return {
        name[: -len("Memory")]: int(spec["Default"])
        for name, spec in template["Parameters"].items()
        if name.endswith("Memory")
    }


def units(calls: list[dict]) -> tuple[float, float]:
    """(RRU, WRU) of a request's DynamoDB calls. Reads: 4 KB units (strongly consistent 1,
    eventually 0.5), sized by the response; writes: 1 KB units sized by the request per
    item (an upper bound: the request also carries names and expressions), doubled in a
    transaction (condition checks included)."""
    rru = wru = 0.0
    for c in calls:
        op, items = c["op"], max(c["items"], 1)
        if op in ("GetItem", "Query", "BatchGetItem"):
            per_read = 1.0 if c["consistent"] else 0.5
            if op == "Query":
                rru += per_read * max(1, math.ceil(c["response_bytes"] / 4096))
            else:
                per_item = max(1, math.ceil(c["response_bytes"] / items / 4096))
                rru += per_read * items * per_item
        elif op == "TransactWriteItems":
            wru += 2 * items * max(1, math.ceil(c["request_bytes"] / items / 1024))
        elif op in ("PutItem", "UpdateItem", "DeleteItem"):
            wru += max(1, math.ceil(c["request_bytes"] / 1024))
    return rru, wru


def duration_ms(cpu_ms: float, memory_mb: int, waits_ms: float) -> float:
    """Lambda duration: the CPU time stretched by the CPU share of the memory size, plus
    the time spent waiting on AWS calls."""
    return cpu_ms * max(1.0, FULL_CPU_MB / memory_mb) + waits_ms


def lambda_cost(memory_mb: int, ms: float) -> tuple[float, float]:
    """(GB-s, dollars) of one invocation; billed per started millisecond."""
    gb_s = memory_mb / 1024 * math.ceil(ms) / 1000
    return gb_s, PRICE["lambda_request"] + gb_s * PRICE["lambda_gb_s"]


def cpu_ms(sizing: dict, kind: str) -> float:
    """CPU time per request on a full core: the lowest of the runs (CPU time does not
    grow with the quota, but a busy neighbour's cache and memory traffic inflates it)."""
    return min(run[kind]["cpu_ms"] for run in sizing["runs"].values())


def model(template: dict, calls: dict, sizing: dict) -> dict:
    memory = memory_defaults(template)
    runs = sizing["runs"]
    rows = {}
    for kind, (function, measured, label) in HTTP_KINDS.items():
        mb = memory[function]
        cpu = cpu_ms(sizing, measured)
        n_calls = len(calls[kind])
        ms = duration_ms(cpu, mb, n_calls * WAIT_MS["dynamodb"])
        gb_s, lam = lambda_cost(mb, ms)
        rru, wru = units(calls[kind])
        limited = runs.get(str(mb), {}).get(measured)
        rows[kind] = {
            "label": label,
            "function": function,
            "memory_mb": mb,
            "cpu_ms": cpu,
            "limited_p50_ms": limited["p50_ms"] if limited else None,
            "dynamodb_calls": n_calls,
            "p50_ms": ms,
            "gb_s": gb_s,
            "api_requests": 1,
            "rru": rru,
            "wru": wru,
            "eventbridge": 0,
            "sqs": 0,
            "ses": 0,
            "lambda_usd": lam,
        }
    # One event through the outbox to both consumers: relay (PutEvents, then its
    # DeleteItem), audit consumer (one put), email consumer (claim, SES, complete).
    gb_s = lam = 0.0
    ev_calls = calls["relay"] + calls["audit_consumer"] + calls["email_consumer"]
    for function, waits in [
        ("OutboxRelay", WAIT_MS["eventbridge"] + len(calls["relay"]) * WAIT_MS["dynamodb"]),
        ("AuditConsumer", len(calls["audit_consumer"]) * WAIT_MS["dynamodb"]),
        ("EmailConsumer", WAIT_MS["ses"] + len(calls["email_consumer"]) * WAIT_MS["dynamodb"]),
    ]:
        g, c = lambda_cost(memory[function], waits)
        gb_s += g / BATCH
        lam += c / BATCH
    rru, wru = units(ev_calls)
    rows["event"] = {
        "label": "one event through the outbox to both consumers (a registration: audited and mailed)",
        "function": "OutboxRelay + AuditConsumer + EmailConsumer",
        "memory_mb": None,
        "dynamodb_calls": len(ev_calls),
        "gb_s": gb_s,
        "api_requests": 0,
        "rru": rru,
        "wru": wru,
        "eventbridge": 1,
        # Per queue: EventBridge's SendMessage, the poller's ReceiveMessage and DeleteMessage.
        "sqs": 2 * (1 + 2 / BATCH),
        "ses": 1,
        "lambda_usd": lam,
    }
    for r in rows.values():
        r["usd"] = {
            "Lambda": r["lambda_usd"],
            "API Gateway": r["api_requests"] * PRICE["api_request"],
            "DynamoDB": r["rru"] * PRICE["rru"] + r["wru"] * PRICE["wru"],
            "EventBridge": r["eventbridge"] * PRICE["eventbridge_event"],
            "SQS": r["sqs"] * PRICE["sqs_request"],
        }
        r["total"] = sum(r["usd"].values())
        r["ses_usd"] = r["ses"] * PRICE["ses_email"]
    return rows


def render(rows: dict, sizing: dict, memory: dict[str, int]) -> str:
    m = 1e6
    out = [
        f"Sizing ({sizing['method']}; measured {sizing['measured']}, load average "
        f"{sizing['load_average']:.1f} on {sizing['cpus']} CPUs):",
        "",
        "| function | memory | typical request | CPU on a full core | p50 under the memory's CPU limit (measured) | DynamoDB calls | expected p50 on Lambda | cost per million requests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, r in rows.items():
        if kind == "event":
            continue
        limited = f"{r['limited_p50_ms']:.2f} ms" if r["limited_p50_ms"] is not None else "—"
        out.append(
            f"| {r['function']}Function | {r['memory_mb']} MB | {r['label']} | {r['cpu_ms']:.2f} ms "
            f"| {limited} | {r['dynamodb_calls']} | {r['p50_ms']:.1f} ms | ${r['total'] * m:.2f} |"
        )
    out += [
        "",
        "argon2id verification and the authenticated read (`GET /api/v1/users/me`) under each "
        "memory size's CPU limit, measured (p50 and mean of back-to-back requests), beside the "
        "computed time: the full-core CPU time (the lowest of the runs) scaled by 1769/MB:",
        "",
        "| memory | CPU share | argon2id verify p50 | mean | computed | read p50 | read mean | computed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mb, run in sorted(sizing["runs"].items(), key=lambda kv: int(kv[0])):
        ratio = max(1.0, FULL_CPU_MB / int(mb))
        v, r = run["argon2_verify"], run["read"]
        out.append(
            f"| {mb} MB | {min(1.0, int(mb) / FULL_CPU_MB):.1%} | {v['p50_ms']:.1f} ms | {v['mean_ms']:.1f} ms "
            f"| {cpu_ms(sizing, 'argon2_verify') * ratio:.1f} ms | {r['p50_ms'] * 1e3:.0f} µs "
            f"| {r['mean_ms'] * 1e3:.0f} µs | {cpu_ms(sizing, 'read') * ratio * 1e3:.0f} µs |"
        )
    others = ", ".join(f"{f} {mb} MB" for f, mb in sorted(memory.items()))
    out += ["", f"Every function's memory (template defaults): {others}.", ""]
    out += [
        "Cost per million requests of each kind (us-east-1 list prices):",
        "",
        "| per million | Lambda GB-s | API Gateway requests | DynamoDB RRU | DynamoDB WRU | EventBridge events | SQS requests | Lambda $ | API Gateway $ | DynamoDB $ | EventBridge $ | SQS $ | total $ |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.values():
        u = r["usd"]
        out.append(
            f"| {r['label']} | {r['gb_s'] * m:,.0f} | {r['api_requests'] * m:,.0f} | {r['rru'] * m:,.0f} "
            f"| {r['wru'] * m:,.0f} | {r['eventbridge'] * m:,.0f} | {r['sqs'] * m:,.0f} "
            f"| {u['Lambda'] * m:.2f} | {u['API Gateway'] * m:.2f} | {u['DynamoDB'] * m:.2f} "
            f"| {u['EventBridge'] * m:.2f} | {u['SQS'] * m:.2f} | **{r['total'] * m:.2f}** |"
        )
    ev = rows["event"]
    out += [
        "",
        f"Besides: the event's email costs ${ev['ses_usd'] * m:,.0f} per million at SES's price; "
        "CloudWatch Logs ingestion, storage, and idle SQS long polls are not per request and "
        "not included.",
        f"Assumed, not measured: AWS call waits (DynamoDB {WAIT_MS['dynamodb']:.0f} ms, "
        f"PutEvents {WAIT_MS['eventbridge']:.0f} ms, SES {WAIT_MS['ses']:.0f} ms per call); "
        f"the event path at low traffic (one invocation and one SQS batch per event; full "
        f"batches of 10 cut its Lambda and SQS figures); the SDK's own CPU per call (the "
        f"CPU times are of our code over in-memory adapters).",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the model as JSON")
    args = parser.parse_args(argv)
    template = load_template(ROOT / "template.yaml")
    calls = json.loads((MEASURED / "dynamodb-calls.json").read_text())
    sizing = json.loads((MEASURED / "sizing.json").read_text())
    rows = model(template, calls, sizing)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    text = render(rows, sizing, memory_defaults(template))
    if not args.write_readme:
        sys.stdout.write(text)
        return 0
    readme = ROOT / "README.md"
    body = readme.read_text()
    start, end = body.find(BEGIN), body.find(END)
    if start < 0 or end < start:
        print(f"cost.py: README.md has no {BEGIN} ... {END} block", file=sys.stderr)
        return 1
    readme.write_text(body[: start + len(BEGIN)] + "\n" + text + body[end:])
    print("cost.py: README.md tables updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
