"""The CloudFormation side of provisioning: loading template.yaml (short tags included),
resolving the intrinsic functions it uses, the parameter values of an env, the order in
which resources refer to each other, and the function environment they produce.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account


# --------------------------------------------------------------------- loading


class CfnLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation short tags into their long form."""


def _construct_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        value = [logical_id, attribute]
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


# --------------------------------------------------------------------- resolving


class Unresolved(Exception):
    """A value refers to something this script does not create."""


NO_VALUE = object()
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": [],
}
SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def references(value: Any) -> set[str]:
    """Logical ids (resources or parameters) a value refers to."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if len(v) == 1:
                ((key, arg),) = v.items()
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    return
                if key == "Fn::GetAtt":
                    parts = arg.split(".", 1) if isinstance(arg, str) else arg
                    found.add(parts[0])
                    return
                if key == "Fn::Sub":
                    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                    for name in SUB_VAR.findall(text):
                        if not name.startswith("!") and name.split(".")[0] not in variables:
                            found.add(name.split(".")[0])
                    walk(variables)
                    return
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(value)
    return found


class Resolver:
    def __init__(self, template: dict[str, Any], parameters: dict[str, str]):
        self.parameters = parameters
        self.conditions = template.get("Conditions") or {}
        self.refs: dict[str, Any] = {}  # logical id -> what Ref gives
        self.attributes: dict[str, dict[str, Any]] = {}  # logical id -> GetAtt values

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name in PSEUDO:
            return PSEUDO[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.refs:
            return self.refs[name]
        raise Unresolved(name)

    def get_att(self, name: str, attribute: str) -> Any:
        try:
            return self.attributes[name][attribute]
        except KeyError:
            raise Unresolved(f"{name}.{attribute}") from None

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.conditions[name]))

    def sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".")[0] not in self.parameters:
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        return SUB_VAR.sub(replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition":
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self.function(key[4:], arg)
        out = {}
        for k, v in value.items():
            r = self.resolve(v)
            if r is not NO_VALUE:
                out[k] = r
        return out

    def function(self, name: str, arg: Any) -> Any:
        if name == "GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else self.resolve(arg)
            return self.get_att(parts[0], parts[1])
        if name == "Sub":
            if isinstance(arg, str):
                return self.sub(arg, {})
            return self.sub(arg[0], self.resolve(arg[1]))
        if name == "If":
            cond, yes, no = arg
            return self.resolve(yes if self.condition(cond) else no)
        args = self.resolve(arg)
        if name == "Join":
            sep, items = args
            return sep.join(str(i) for i in items)
        if name == "Select":
            index, items = args
            return items[int(index)]
        if name == "Split":
            sep, text = args
            return text.split(sep)
        if name == "Equals":
            return args[0] == args[1]
        if name == "Not":
            return not args[0]
        if name == "And":
            return all(args)
        if name == "Or":
            return any(args)
        if name == "ToJsonString":
            return json.dumps(args, separators=(",", ":"))
        if name == "GetAZs":
            return [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
        if name == "Base64":
            import base64

            return base64.b64encode(str(args).encode()).decode()
        raise Unresolved(f"Fn::{name}")


# --------------------------------------------------------------------- handlers


def parameter_values(template: dict[str, Any], env: str, overrides: dict[str, str]) -> dict[str, str]:
    values = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if "Default" in spec:
            values[name] = str(spec["Default"])
    values["Env"] = env
    values.update(overrides)
    values["AWS::StackName"] = f"dashtam-{env}"
    values["AWS::StackId"] = (
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/dashtam-{env}/local"
    )
    return values


def provision_order(resources: dict[str, Any], types: set[str]) -> list[str]:
    """The resources of `types`, each after those of them it refers to."""
    handled = {k for k, r in resources.items() if r.get("Type") in types}
    deps = {
        k: (references(resources[k].get("Properties") or {}) | set(_depends_on(resources[k])))
        & handled
        for k in handled
    }
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise SystemExit(f"provision: reference cycle: {' -> '.join(path + [node])}")
        state[node] = 1
        for dep in sorted(deps[node]):
            visit(dep, path + [node])
        state[node] = 2
        order.append(node)

    for node in sorted(handled):
        visit(node, [])
    return order


def _depends_on(resource: dict[str, Any]) -> list[str]:
    d = resource.get("DependsOn") or []
    return [d] if isinstance(d, str) else list(d)


def environment(template: dict[str, Any], resolver: Resolver, names: set[str]) -> dict[str, str]:
    """The function environment variables that point at provisioned resources."""
    variables = (
        ((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
    ).get("Variables") or {}
    provisioned = set(resolver.refs) | set(resolver.attributes)
    out = {}
    for name, expression in variables.items():
        try:
            value = resolver.resolve(expression)
        except Unresolved:
            continue  # refers to something not emulated (an API, a function)
        if value is NO_VALUE:
            continue
        if references(expression) & provisioned or str(value) in names:
            out[name] = str(value)
    return out
