#!/usr/bin/env python3
"""Proves offline that template.yaml deploys and is wired as it says, without Docker or an AWS account.

    ./kickoff deploy-check            (or: python3 infra/deploy-check/deploy_check.py --help)

Steps: build the Lambda jars (only when sources are newer than them), look inside each jar for the handler the
template names, upload the jars to S3 in moto, translate the SAM template to CloudFormation with
aws-sam-translator (the library SAM CLI and CloudFormation's own transform use), lint the result with cfn-lint,
create the stack in moto's CloudFormation (moto's server on 127.0.0.1, in this process), then compare what moto
created against what the template declares, resource by resource, with boto3.

Everything expected is derived from the template: every function, queue, table, event source, schedule and role
in it is checked, including the ones added after this script was written. On top of "deployed as declared" it
holds Kickoff's wiring rules (partial batch responses, FilterCriteria on streams, dead-letter queues with alarms,
triggers going through the SnapStart alias, IAM policies naming only what a function references). What moto does
not model (aliases and SnapStart, the HTTP API and its routes, alarms, TTL, PITR, SSE, arm64, tracing, logging
config) is asserted on the translated template instead.

Exit status: 0 when every assertion holds, 1 when one fails, 2 when the check cannot run (a missing tool, a
failed build).
"""
from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import logging
import os
import re
import struct
import subprocess
import sys
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
BUCKET = "kickoff-deploy-check"

# What moto's CloudFormation does not create; checked on the translated template (see check_translated_only).
NOT_IN_MOTO = {"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Route",
               "AWS::ApiGatewayV2::Integration", "AWS::CloudWatch::Alarm", "AWS::Lambda::Alias", "AWS::Lambda::Version"}
# Findings cfn-lint makes on SAM's own policy templates, not on anything Kickoff wrote: SQSPollerPolicy lists
# sqs:ChangeMessageVisibilityBatch and sqs:DeleteMessageBatch, which IAM authorizes as their single-message actions.
SAM_LINT_NOISE = [("W3037", re.compile(r"^'(changemessagevisibilitybatch|deletemessagebatch)' is not one of"))]
# AWS managed policies SAM attaches, and when a function may carry each.
MANAGED = {
    "service-role/AWSLambdaBasicExecutionRole": "logs",
    "AWSXrayWriteOnlyAccess": "tracing",
    "service-role/AWSLambdaSQSQueueExecutionRole": "sqs",
    "service-role/AWSLambdaDynamoDBExecutionRole": "dynamodb",
}


class UsageError(Exception):
    """The check could not run (as opposed to a failed assertion)."""


# ------------------------------------------------------------------------------------------------ the report

@dataclass
class Report:
    quiet: bool = False
    out: object = sys.stdout
    checks: int = 0
    failures: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    section_name: str = ""
    timings: list = field(default_factory=list)

    def section(self, name: str) -> None:
        self.section_name = name
        self._print(f"\n{name}")

    def check(self, condition: bool, what: str, why_not: str = "") -> bool:
        self.checks += 1
        if condition:
            self._print(f"  ok    {what}")
        else:
            text = f"{what}: {why_not}" if why_not else what
            self.failures.append(f"{self.section_name}: {text}")
            self._print(f"  FAIL  {text}")
        return condition

    def same(self, expected, actual, what: str) -> bool:
        ok = matches(expected, actual)
        return self.check(ok, f"{what} = {show(actual if ok else expected)}",
                          "" if ok else f"deployed {show(actual)}")

    def note(self, text: str) -> None:
        self._print(f"  note  {text}")

    def warn(self, text: str) -> None:
        self.warnings.append(f"{self.section_name}: {text}")
        self._print(f"  WARN  {text}")

    def step(self, name: str, started: float, detail: str) -> None:
        elapsed = time.monotonic() - started
        self.timings.append((name, elapsed))
        self._print(f"  {name:<10} {detail}  ({elapsed:.1f} s)")

    def _print(self, line: str) -> None:
        if not self.quiet:
            print(line, file=self.out, flush=True)


def show(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


class Unmodeled(str):
    """A value moto cannot give (a reference to a resource it does not create): it matches any non-empty text."""


def matches(expected, actual) -> bool:
    if isinstance(expected, Unmodeled):
        return actual is not None and str(actual) != ""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            matches(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, str) and "\0" in expected:  # text with unmodeled parts inside (see Resolver.sub)
        pattern = ".+".join(re.escape(p) for p in expected.split("\0"))
        return actual is not None and re.fullmatch(pattern, str(actual)) is not None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return str(expected).lower() == str(actual).lower()
    if expected is None or actual is None:
        return expected is None and actual is None
    return str(expected) == str(actual)


# ------------------------------------------------------------------------------------------------ templates

def load_sam(path: Path) -> dict:
    from samtranslator.yaml_helper import yaml_parse
    return yaml_parse(path.read_text())


def sam_functions(sam: dict) -> dict:
    """Each AWS::Serverless::Function's properties with Globals applied (what SAM does before translating)."""
    globals_ = (sam.get("Globals") or {}).get("Function") or {}
    out = {}
    for logical, resource in sam["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = copy.deepcopy(globals_)
        for key, value in (resource.get("Properties") or {}).items():
            if isinstance(value, dict) and isinstance(props.get(key), dict) and key != "Events":
                merged = copy.deepcopy(props[key])
                merged.update(value)
                if key == "Environment":
                    merged["Variables"] = {**(props[key].get("Variables") or {}), **(value.get("Variables") or {})}
                props[key] = merged
            else:
                props[key] = copy.deepcopy(value)
        out[logical] = props
    return out


def translate(sam: dict, parameters: dict) -> dict:
    from samtranslator.translator.transform import transform

    class NoIamCalls:  # the translator asks IAM for managed policy ARNs only for policies given by name
        def load(self):
            return {}

    return transform(copy.deepcopy(sam), dict(parameters), NoIamCalls())


def without_aliases(sam: dict) -> dict:
    """The template moto can create: moto cannot make AWS::Lambda::Alias, so no AutoPublishAlias (nor SnapStart,
    which only applies to published versions). Both are asserted on the full translation instead."""
    sam = copy.deepcopy(sam)
    for section in [(sam.get("Globals") or {}).get("Function") or {}] + [
            r.get("Properties") or {} for r in sam["Resources"].values() if r.get("Type") == "AWS::Serverless::Function"]:
        for key in ("AutoPublishAlias", "SnapStart", "DeploymentPreference", "ProvisionedConcurrencyConfig",
                    "AutoPublishAliasAllProperties", "AutoPublishCodeSha256"):
            section.pop(key, None)
    return sam


def references(value) -> set:
    """Logical IDs a template value refers to (Ref, GetAtt, and names inside Sub)."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text, variables = (inner[0], inner[1]) if isinstance(inner, list) else (inner, {})
                for name in re.findall(r"\$\{([^}!][^}]*)}", text):
                    if name not in variables:
                        found.add(name.split(".")[0])
                found |= references(variables)
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return {f for f in found if not f.startswith("AWS::")}


# ------------------------------------------------------------------------------------------------ jars

def class_file(data: bytes) -> dict:
    """The parts of a class file the check needs: version, access, names of this and super class, methods."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a class file")
    major = struct.unpack(">H", data[6:8])[0]
    count = struct.unpack(">H", data[8:10])[0]
    pos, pool, i = 10, {}, 1
    sizes = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2, 17: 4, 18: 4, 19: 2, 20: 2}
    while i < count:
        tag = data[pos]
        if tag == 1:
            length = struct.unpack(">H", data[pos + 1:pos + 3])[0]
            pool[i] = data[pos + 3:pos + 3 + length].decode("utf-8", "replace")
            pos += 3 + length
        elif tag == 7:
            pool[i] = ("class", struct.unpack(">H", data[pos + 1:pos + 3])[0])
            pos += 3
        else:
            pos += 1 + sizes[tag]
        i += 2 if tag in (5, 6) else 1

    def class_name(index):
        return pool[pool[index][1]].replace("/", ".") if index else None

    access, this, sup, interfaces = struct.unpack(">HHHH", data[pos:pos + 8])
    pos += 8 + 2 * interfaces

    def members(pos):
        n = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        out = []
        for _ in range(n):
            flags, name, desc, attributes = struct.unpack(">HHHH", data[pos:pos + 8])
            pos += 8
            for _ in range(attributes):
                pos += 6 + struct.unpack(">I", data[pos + 2:pos + 6])[0]
            out.append((flags, pool[name], pool[desc]))
        return out, pos

    _, pos = members(pos)  # fields
    methods, _ = members(pos)
    return {"major": major, "access": access, "name": class_name(this), "super": class_name(sup), "methods": methods}


class Jar:
    """A jar's class entries, opened once per run (reading a shaded jar's 13,000-entry directory is the slow part):
    every class's bytecode version, read from the first bytes of its entry, and any class's bytes on demand."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as jar:
            self.entries = {i.filename: i for i in jar.infolist() if i.filename.endswith(".class")}
        self.versions, self.versioned = {}, {}
        with open(path, "rb") as raw:
            for name, info in self.entries.items():
                if name.endswith("module-info.class"):
                    continue  # a module descriptor: not loaded from the class path
                head = self._read(raw, info, 8)
                major = struct.unpack(">H", head[6:8])[0] if len(head) >= 8 else 0
                variant = re.match(r"META-INF/versions/(\d+)/", name)
                if variant:  # a multi-release jar's variant: loaded only by Java N or newer
                    self.versioned[name] = (int(variant.group(1)), major)
                else:
                    self.versions[name] = major

    @staticmethod
    def _read(raw, info, limit=None) -> bytes:
        raw.seek(info.header_offset)
        name_length, extra_length = struct.unpack("<HH", raw.read(30)[26:30])
        raw.seek(info.header_offset + 30 + name_length + extra_length)
        if limit is None:
            data = raw.read(info.compress_size)
            return zlib.decompress(data, -15) if info.compress_type == zipfile.ZIP_DEFLATED else data
        data = raw.read(min(info.compress_size, 4096))
        return zlib.decompressobj(-15).decompress(data, limit) if info.compress_type == zipfile.ZIP_DEFLATED \
            else data[:limit]

    def read(self, name: str) -> bytes:
        with open(self.path, "rb") as raw:
            return self._read(raw, self.entries[name])


_JARS: dict = {}


def open_jar(path: Path) -> Jar:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _JARS:
        _JARS[key] = Jar(path)
    return _JARS[key]


def java_release(runtime: str):
    m = re.fullmatch(r"java(\d+)(\.al2)?", str(runtime))
    return int(m.group(1)) if m else None


def check_handler(report: Report, logical: str, props: dict, jar: Path) -> None:
    handler = str(props.get("Handler"))
    runtime = str(props.get("Runtime"))
    release = java_release(runtime)
    if release is None:
        report.note(f"{logical}: runtime {runtime} is not Java; its code is not inspected")
        return
    if not report.check(jar.is_file(), f"{logical}: CodeUri {jar.relative_to(ROOT) if jar.is_relative_to(ROOT) else jar} exists",
                        "no such file (build it: ./kickoff build)"):
        return
    archive = open_jar(jar)
    versions = archive.versions
    too_new = {n: v for n, v in versions.items() if v > 44 + release}
    too_new.update({n: v for n, (java, v) in archive.versioned.items() if java <= release and v > 44 + release})
    report.check(not too_new, f"{logical}: all {len(versions)} classes in {jar.name} run on {runtime} "
                              f"(class file version <= {44 + release})",
                 f"{len(too_new)} need a newer Java, e.g. {sorted(too_new.items())[:3]}")
    m = re.fullmatch(r"([\w.$]+)::(\w+)", handler)
    if not report.check(m is not None, f"{logical}: Handler {handler} has the form package.Class::method",
                        "Lambda's Java runtime needs Class::method (or a class implementing RequestHandler)"):
        return
    class_name, method = m.groups()
    entry = class_name.replace(".", "/") + ".class"
    if not report.check(entry in versions, f"{logical}: handler class {class_name} is in {jar.name}",
                        f"no {entry} in the jar: Lambda would fail every invocation with ClassNotFoundException"):
        return
    info = class_file(archive.read(entry))
    public, abstract = 0x0001, 0x0400 | 0x0200
    report.check(info["access"] & public and not info["access"] & abstract,
                 f"{logical}: {class_name} is a public concrete class",
                 "Lambda cannot instantiate it")
    report.check(any(n == "<init>" and d == "()V" and f & public for f, n, d in info["methods"]),
                 f"{logical}: {class_name} has a public no-argument constructor", "Lambda cannot instantiate it")
    chain, found, current = [], None, info
    while current is not None and found is None:
        chain.append(current["name"])
        found = next((current["name"] for f, n, _ in current["methods"] if n == method and f & public), None)
        sup = current["super"]
        sup_entry = sup.replace(".", "/") + ".class" if sup else None
        current = class_file(archive.read(sup_entry)) if sup_entry and sup_entry in versions else None
    report.check(found is not None, f"{logical}: public method {method} found"
                 + (f" (declared by {found})" if found and found != class_name else ""),
                 f"no public {method} in {' -> '.join(chain)}")


def jars_needing_build(functions: dict, code_root: Path) -> list:
    """CodeUri jars that are missing or older than any source of the functions (or the root pom)."""
    jars = [code_root / str(p["CodeUri"]) for p in functions.values()
            if isinstance(p.get("CodeUri"), str) and not str(p["CodeUri"]).startswith("s3://")]
    missing = [j for j in jars if not j.is_file()]
    if missing or not jars:
        return missing
    oldest = min(j.stat().st_mtime for j in jars)
    sources = [code_root / "pom.xml"] + [p for p in (code_root / "functions").rglob("*")
                                         if p.is_file() and "target" not in p.relative_to(code_root).parts]
    return jars if any(s.stat().st_mtime > oldest for s in sources if s.exists()) else []


def build(functions: dict, code_root: Path, report: Report) -> None:
    started = time.monotonic()
    stale = jars_needing_build(functions, code_root)
    if not stale:
        report.step("build", started, f"{len(functions)} jars are newer than their sources: reused")
        return
    modules = sorted({str(Path(str(p["CodeUri"])).parent.parent) for p in functions.values()
                      if isinstance(p.get("CodeUri"), str) and "/target/" in str(p["CodeUri"])})
    command = ["./mvnw", "-B", "-q", "-DskipTests", "package", "-pl", ",".join(modules), "-am"]
    report._print(f"  build      {len(stale)} jar(s) missing or older than their sources: {' '.join(command)}")
    result = subprocess.run(command, cwd=code_root)
    if result.returncode != 0:
        raise UsageError(f"the build failed ({' '.join(command)} exited {result.returncode})")
    report.step("build", started, "jars built")


# ------------------------------------------------------------------------------------------------ moto

def quiet_libraries() -> None:
    """moto says, once per resource, what its CloudFormation skips (the report says it once), werkzeug logs every
    request, and the translator complains about metrics it was never asked to publish."""
    for noisy in ("moto", "werkzeug", "samtranslator", "botocore.credentials"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message=r"Tried to parse .* but it's not supported by moto")


class Moto:
    """moto's server (the WSGI app behind moto_server) on 127.0.0.1 in a daemon thread of this process: it ends
    with the process on every exit path, so nothing is left listening after a failure or an interrupt."""

    def __init__(self):
        quiet_libraries()
        from moto.server import ThreadedMotoServer
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        _, port = self.server.get_host_and_port()
        # "localhost", not 127.0.0.1: moto reads a TemplateURL from its own S3 only when the URL says localhost.
        self.endpoint = f"http://localhost:{port}"
        self.session, self.clients = None, {}

    def client(self, service: str):
        if service not in self.clients:
            import boto3
            if self.session is None:
                self.session = boto3.session.Session(aws_access_key_id="deploycheck",
                                                     aws_secret_access_key="deploycheck", region_name=REGION)
            self.clients[service] = self.session.client(service, endpoint_url=self.endpoint)
        return self.clients[service]

    def stop(self):
        self.server.stop()


EMPTY_ZIP = b"PK\x05\x06" + b"\0" * 18


def package(moto: Moto, sam: dict, code_root: Path, placeholder: bool = False) -> tuple[dict, int]:
    """What `sam deploy` does to CodeUri: upload each jar (keyed by its MD5, uploaded once) and point at S3."""
    s3 = moto.client("s3")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    sam = copy.deepcopy(sam)
    uploaded = 0
    for resource in sam["Resources"].values():
        props = resource.get("Properties") or {}
        if resource.get("Type") != "AWS::Serverless::Function" or not isinstance(props.get("CodeUri"), str) \
                or props["CodeUri"].startswith("s3://"):
            continue
        path = code_root / props["CodeUri"]
        body = EMPTY_ZIP if placeholder else path.read_bytes()
        key = hashlib.md5(body).hexdigest() + path.suffix
        try:
            s3.head_object(Bucket=BUCKET, Key=key)
        except Exception:  # not there yet
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            uploaded += 1
        props["CodeUri"] = f"s3://{BUCKET}/{key}"
    return sam, uploaded


def lint(template: dict) -> tuple[list, list]:
    from cfnlint.api import lint as cfn_lint
    findings, ignored = [], []
    for match in cfn_lint(json.dumps(template, indent=1), regions=[REGION]):
        line = f"{match.rule.id} line {match.linenumber}: {match.message}"
        if any(match.rule.id == rule and pattern.search(match.message) for rule, pattern in SAM_LINT_NOISE):
            ignored.append(line)
        else:
            findings.append(line)
    return findings, ignored


def deploy(moto: Moto, template: dict, stack: str, parameters: dict) -> dict:
    s3, cfn = moto.client("s3"), moto.client("cloudformation")
    key = f"{stack}/template.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(template).encode())
    cfn.create_stack(StackName=stack, TemplateURL=f"{moto.endpoint}/{BUCKET}/{key}",
                     Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()],
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    deadline = time.monotonic() + 120
    while True:
        description = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not description["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return description
        time.sleep(0.2)


# ------------------------------------------------------------------------------------------------ resolving

class Resolver:
    """Evaluates CloudFormation intrinsics against the stack moto created: the value each property should have."""

    def __init__(self, moto: Moto, template: dict, stack: str, parameters: dict, physical: dict):
        self.moto, self.template, self.stack, self.physical = moto, template, stack, physical
        self.parameters = {}
        for name, spec in (template.get("Parameters") or {}).items():
            self.parameters[name] = str(parameters.get(name, spec.get("Default", "")))
        self.account = moto.client("sts").get_caller_identity()["Account"]
        self._cache = {}

    def ref(self, name: str):
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": self.account, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": self.stack, "AWS::NoValue": None}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical:
            return self.physical[name]
        return Unmodeled(name)

    def type_of(self, logical: str):
        return (self.template["Resources"].get(logical) or {}).get("Type")

    def get_att(self, logical: str, attribute: str):
        key = (logical, attribute)
        if key in self._cache:
            return self._cache[key]
        kind, physical = self.type_of(logical), self.physical.get(logical)
        value = Unmodeled(f"{logical}.{attribute}")
        if physical:
            if kind == "AWS::SQS::Queue":
                name = physical.rsplit("/", 1)[1]
                value = {"Arn": f"arn:aws:sqs:{REGION}:{self.account}:{name}", "QueueName": name,
                         "QueueUrl": physical}.get(attribute, value)
            elif kind == "AWS::DynamoDB::Table":
                table = self.moto.client("dynamodb").describe_table(TableName=physical)["Table"]
                value = {"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn")}.get(attribute, value)
            elif kind == "AWS::Lambda::Function" and attribute == "Arn":
                value = self.moto.client("lambda").get_function(FunctionName=physical)["Configuration"]["FunctionArn"]
            elif kind == "AWS::IAM::Role" and attribute == "Arn":
                value = self.moto.client("iam").get_role(RoleName=physical)["Role"]["Arn"]
            elif kind == "AWS::Events::Rule" and attribute == "Arn":
                value = self.moto.client("events").describe_rule(Name=physical)["Arn"]
            elif kind == "AWS::SNS::Topic" and attribute == "TopicArn":
                value = physical
            elif kind == "AWS::KMS::Key" and attribute in ("Arn", "KeyId"):
                # The physical ID of a key is its key ID (moto's DescribeKey fails on keys its CloudFormation made).
                key_id = physical.rsplit("/", 1)[-1]
                value = f"arn:aws:kms:{REGION}:{self.account}:key/{key_id}" if attribute == "Arn" else key_id
        self._cache[key] = value
        return value

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template["Conditions"][name]))

    def sub(self, text: str, variables: dict):
        def one(m):
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                v = self.value(variables[name])
            elif "." in name and not name.startswith("AWS::"):
                v = self.get_att(*name.split(".", 1))
            else:
                v = self.ref(name)
            return "\0" if isinstance(v, Unmodeled) else str(v)
        return re.sub(r"\$\{([^}]+)}", one, text)

    def value(self, v):
        if isinstance(v, list):
            return [r for r in (self.value(x) for x in v) if r is not NO_VALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (key, arg), = v.items()
            if key == "Ref":
                r = self.ref(arg)
                return NO_VALUE if r is None else r
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Sub":
                return self.sub(*(arg if isinstance(arg, list) else [arg, {}]))
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Equals":
                return str(self.value(arg[0])) == str(self.value(arg[1]))
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(a) for a in arg)
            if key == "Fn::Or":
                return any(self.value(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Join":
                parts = [self.value(p) for p in self.value(arg[1])]
                return str(arg[0]).join("\0" if isinstance(p, Unmodeled) else str(p) for p in parts)
            if key == "Fn::Select":
                return self.value(arg[1])[int(self.value(arg[0]))]
            if key == "Fn::Split":
                return str(self.value(arg[1])).split(arg[0])
        return {k: r for k, r in ((k, self.value(x)) for k, x in v.items()) if r is not NO_VALUE}


NO_VALUE = object()


# ------------------------------------------------------------------------------------------------ the check

@dataclass
class Options:
    template: Path = ROOT / "template.yaml"
    code_root: Path | None = None
    stack: str = "kickoff"
    parameters: dict = field(default_factory=dict)
    build: bool = True
    lint: bool = True
    quiet: bool = False
    # For the check's own tests: upload an empty zip in place of each jar (moto never runs the code, and 125 MB of
    # jars make each deployment slow); the handler checks still read the real jars.
    placeholder_code: bool = False


def run(options: Options, moto: Moto | None = None, out=sys.stdout) -> Report:
    report = Report(quiet=options.quiet, out=out)
    code_root = options.code_root or options.template.parent
    own_moto = moto is None
    started_all = time.monotonic()
    report._print(f"Kickoff deploy check: {options.template} -> moto (offline), stack {options.stack}")
    sam = load_sam(options.template)
    functions = sam_functions(sam)
    report.section("Preparing")
    if options.build:
        build(functions, code_root, report)
    try:
        started = time.monotonic()
        if own_moto:
            moto = Moto()
        report.step("moto", started, f"moto's server on {moto.endpoint}")
        started = time.monotonic()
        packaged, uploaded = package(moto, sam, code_root, options.placeholder_code)
        report.step("package", started, f"{len(functions)} {'placeholders' if options.placeholder_code else 'jars'} "
                                        f"in s3://{BUCKET} ({uploaded} uploaded)")

        started = time.monotonic()
        try:
            full = translate(packaged, options.parameters)
            deployable = translate(without_aliases(packaged), options.parameters)
        except Exception as e:  # the translator's InvalidDocumentException lists every problem
            report.check(False, "SAM translates the template", str(e))
            return report
        report.step("translate", started, f"SAM -> CloudFormation: {len(full['Resources'])} resources "
                                          f"({len(deployable['Resources'])} without aliases, for moto)")
        if options.lint:
            started = time.monotonic()
            findings, ignored = lint(full)
            report.step("lint", started, f"cfn-lint on the translation: {len(findings)} finding(s)"
                        + (f", {len(ignored)} on SAM's own SQSPollerPolicy ignored (W3037)" if ignored else ""))
            for finding in findings:
                report.check(False, "cfn-lint", finding)

        started = time.monotonic()
        try:
            stack = deploy(moto, deployable, options.stack, options.parameters)
        except Exception as e:  # moto refuses some templates outright (an unresolvable reference, say)
            report.check(False, "the stack is created", f"CreateStack was refused: {e}")
            return report
        status = stack["StackStatus"]
        report.step("deploy", started, f"CloudFormation in moto: {status}")
        if not report.check(status == "CREATE_COMPLETE", f"the stack is created ({status})",
                            stack.get("StackStatusReason") or ""):
            for event in moto.client("cloudformation").describe_stack_events(StackName=options.stack)["StackEvents"]:
                if "FAILED" in event.get("ResourceStatus", ""):
                    report.note(f"{event.get('LogicalResourceId')}: {event.get('ResourceStatusReason')}")
            return report

        started = time.monotonic()
        Checker(report, moto, options, sam, functions, full, deployable, stack, code_root).run()
        report.step("inspect", started, "done")
    finally:
        if own_moto and moto is not None:
            moto.stop()
        report._print(f"\n{report.checks} checks, {len(report.failures)} failed, {len(report.warnings)} warning(s)"
                      f" in {time.monotonic() - started_all:.1f} s")
        for failure in report.failures:
            report._print(f"  FAILED  {failure}")
    return report


class Checker:
    def __init__(self, report, moto, options, sam, functions, full, deployable, stack, code_root):
        self.r, self.moto, self.options = report, moto, options
        self.sam, self.functions, self.full, self.deployable = sam, functions, full, deployable
        self.code_root = code_root
        self.stack_name = options.stack
        cfn = moto.client("cloudformation")
        summaries = cfn.list_stack_resources(StackName=self.stack_name)["StackResourceSummaries"]
        self.physical = {s["LogicalResourceId"]: s.get("PhysicalResourceId")
                         for s in summaries if s.get("LogicalResourceId")}
        self.outputs = {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs") or []}
        self.resolve = Resolver(moto, deployable, self.stack_name, options.parameters, self.physical)
        self.lam, self.sqs, self.ddb = moto.client("lambda"), moto.client("sqs"), moto.client("dynamodb")
        self.iam, self.events = moto.client("iam"), moto.client("events")
        self.resources = deployable["Resources"]

    def of_type(self, kind, template=None):
        return {k: v for k, v in (template or self.deployable)["Resources"].items() if v["Type"] == kind}

    def run(self):
        self.r.section("Resources")
        self.coverage()
        for logical in self.functions:
            self.r.section(f"Function {logical}")
            self.function(logical)
        self.r.section("Event sources")
        self.event_sources()
        self.r.section("Queues")
        self.queues()
        self.r.section("Tables")
        self.tables()
        self.r.section("Schedules")
        self.schedules()
        self.r.section("KMS keys")
        self.kms_keys()
        self.r.section("HTTP API (translated template: moto does not create HTTP APIs)")
        self.http_apis()
        self.r.section("IAM")
        self.roles()
        self.r.section("Outputs")
        self.check_outputs()

    # -- resources moto did and did not create

    def coverage(self):
        created = [k for k, v in self.resources.items() if self.physical.get(k)]
        skipped = sorted(k for k, v in self.resources.items() if not self.physical.get(k))
        self.r.note(f"{len(created)} of the {len(self.resources)} resources have a physical ID in moto")
        for k in skipped:
            kind = self.resources[k]["Type"]
            if kind == "AWS::Lambda::Permission":
                via_events = self.resources[k]["Properties"].get("Principal") == "events.amazonaws.com"
                self.r.note(f"{k} ({kind}): no ID in moto; checked " + (
                    "through the function's resource policy" if via_events else "on the translated template"))
            elif kind in NOT_IN_MOTO:
                self.r.note(f"{k} ({kind}): not created by moto; checked on the translated template")
            else:
                self.r.warn(f"{k} ({kind}) is not created by moto and this check has no assertion for it: it is only "
                            "translated and linted")
        inspected = {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Lambda::EventSourceMapping", "AWS::SQS::Queue",
                     "AWS::DynamoDB::Table", "AWS::Events::Rule", "AWS::Lambda::Permission", "AWS::KMS::Key"}
        for k in created:
            if self.resources[k]["Type"] not in inspected:
                self.r.warn(f"{k} ({self.resources[k]['Type']}) is created, but this check has no assertion on its "
                            "properties yet")

    # -- KMS keys

    def kms_keys(self):
        """Each key rotates, outlives the stack (deleting it would make what it sealed unreadable), and its key policy
        only lets the account's IAM decide (functions get their grants from their roles, checked under IAM)."""
        keys = self.of_type("AWS::KMS::Key")
        if not keys:
            self.r.note("no KMS keys")
        kms = self.moto.client("kms")
        for logical, resource in keys.items():
            props = resource["Properties"]
            self.r.check(props.get("EnableKeyRotation") is True, f"{logical} rotates its key material yearly")
            self.r.check(resource.get("DeletionPolicy") == "Retain", f"{logical} is retained when the stack is deleted")
            statements = (props.get("KeyPolicy") or {}).get("Statement") or []
            principals = [str(st.get("Principal")) for st in statements]
            self.r.check(bool(statements) and all(":root" in p for p in principals),
                         f"{logical}'s key policy names only the account root (IAM decides)", str(principals))
            physical = self.physical.get(logical)
            if physical:
                listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}
                self.r.check(physical.rsplit("/", 1)[-1] in listed, f"{logical} exists in moto's KMS")

    # -- functions

    def function(self, logical):
        sam_props = self.functions[logical]
        translated = self.resources[logical]["Properties"]
        full = self.full["Resources"][logical]["Properties"]
        jar = self.code_root / str(sam_props.get("CodeUri"))
        check_handler(self.r, logical, {**translated, "Handler": sam_props.get("Handler")}, jar)

        name = self.physical.get(logical)
        if not self.r.check(bool(name), f"{logical} exists in moto", "not created"):
            return
        config = self.lam.get_function_configuration(FunctionName=name)
        for key, default in (("Handler", None), ("Runtime", None), ("MemorySize", 128), ("Timeout", 3)):
            self.r.same(self.resolve.value(translated.get(key, default)), config.get(key), f"{key}")
        self.r.same(self.resolve.value(translated["Role"]), config.get("Role"), "Role (its own execution role)")

        expected = self.resolve.value((translated.get("Environment") or {}).get("Variables") or {})
        actual = (config.get("Environment") or {}).get("Variables") or {}
        self.r.check(expected.keys() == actual.keys(), f"environment: {len(actual)} variables, as declared",
                     f"declared {sorted(expected)}, deployed {sorted(actual)}")
        raw = (translated.get("Environment") or {}).get("Variables") or {}
        for variable in sorted(expected):
            targets = sorted(references(raw.get(variable)) & self.resources.keys())
            what = f"{variable} = {show(actual.get(variable))}"
            if targets:
                what += f" ({', '.join(targets)})"
            ok = matches(expected[variable], actual.get(variable))
            self.r.check(ok, what, f"declared {show(expected[variable])}")
            for target in targets:
                self.exists(variable, target, actual.get(variable))

        # What moto drops: compare the translation with what the SAM template asked for.
        self.r.same(sam_props.get("Architectures", ["x86_64"]), full.get("Architectures", ["x86_64"]),
                    "Architectures (translated)")
        if "Tracing" in sam_props:
            self.r.same(self.resolve.value(sam_props["Tracing"]),
                        self.resolve.value((full.get("TracingConfig") or {}).get("Mode")), "tracing mode (translated)")
        if "LoggingConfig" in sam_props:
            self.r.same(self.resolve.value(sam_props["LoggingConfig"]), self.resolve.value(full.get("LoggingConfig")),
                        "LoggingConfig (translated)")
        if "SnapStart" in sam_props:
            self.r.same(sam_props["SnapStart"], full.get("SnapStart"), "SnapStart (translated)")
        alias = sam_props.get("AutoPublishAlias")
        if alias:
            self.alias(logical, self.resolve.value(alias), bool(sam_props.get("SnapStart")))

    def exists(self, variable, target, value):
        kind = self.resolve.type_of(target)
        try:
            if kind == "AWS::SQS::Queue":
                self.sqs.get_queue_attributes(QueueUrl=value, AttributeNames=["QueueArn"])
            elif kind == "AWS::DynamoDB::Table":
                self.ddb.describe_table(TableName=value)
            else:
                return
            self.r.check(True, f"{variable} names the {kind.split('::')[-1].lower()} {target} that exists")
        except Exception as e:
            self.r.check(False, f"{variable} names an existing {kind}", f"{value}: {e}")

    def alias(self, logical, alias_name, snapstart):
        resources = self.full["Resources"]
        aliases = {k: v for k, v in resources.items() if v["Type"] == "AWS::Lambda::Alias"
                   and v["Properties"].get("FunctionName") == {"Ref": logical}}
        ok = self.r.check(len(aliases) == 1 and next(iter(aliases.values()))["Properties"]["Name"] == alias_name,
                          f"alias {alias_name} published on each deploy (translated)", f"aliases: {list(aliases)}")
        if not ok:
            return
        alias_id, alias = next(iter(aliases.items()))
        version = (alias["Properties"].get("FunctionVersion") or {}).get("Fn::GetAtt", [None])[0]
        self.r.check(resources.get(version, {}).get("Type") == "AWS::Lambda::Version"
                     and resources[version]["Properties"].get("FunctionName") == {"Ref": logical},
                     f"{alias_id} points at a published version of {logical}"
                     + (" (SnapStart snapshots it)" if snapstart else ""))
        # Everything that invokes the function must go through the alias: $LATEST has no SnapStart snapshot.
        bare = []
        for k, v in resources.items():
            p = v.get("Properties") or {}
            if v["Type"] in ("AWS::Lambda::EventSourceMapping", "AWS::Lambda::Permission"):
                if p.get("FunctionName") == {"Ref": logical} or p.get("FunctionName") == {"Fn::GetAtt": [logical, "Arn"]}:
                    bare.append(k)
            elif v["Type"] == "AWS::Events::Rule":
                bare += [k for t in p.get("Targets") or [] if logical in references(t.get("Arn"))]
            elif v["Type"] == "AWS::ApiGatewayV2::Api" and re.search(r"\$\{" + logical + r"(\.Arn)?}", json.dumps(p)):
                bare.append(k)
        self.r.check(not bare, f"every trigger of {logical} invokes alias {alias_name} (translated)",
                     f"{bare} invoke the unpublished function, which SnapStart does not snapshot")

    # -- event sources

    def event_sources(self):
        mappings = self.of_type("AWS::Lambda::EventSourceMapping")
        names = {self.physical[f] for f in self.functions if self.physical.get(f)}
        deployed = []
        for name in names:
            deployed += self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        self.r.check(len(deployed) == len(mappings), f"{len(mappings)} event source mappings, as declared",
                     f"moto has {len(deployed)}")
        for logical, resource in mappings.items():
            self.mapping(logical, resource["Properties"])

    def mapping(self, logical, props):
        uuid = self.physical.get(logical)
        if not self.r.check(bool(uuid), f"{logical} exists"):
            return
        m = self.lam.get_event_source_mapping(UUID=uuid)
        function = next(iter(references(props["FunctionName"])))
        function = function if function in self.functions else self.resources[function]["Properties"]["FunctionName"]["Ref"]
        self.r.check(m["FunctionArn"] == self.resolve.get_att(function, "Arn"), f"{logical} invokes {function}",
                     m["FunctionArn"])
        source = self.resolve.value(props["EventSourceArn"])
        source_id = next(iter(references(props["EventSourceArn"])), None)
        self.r.same(source, m.get("EventSourceArn"), f"{logical} reads {source_id}")
        for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition", "FunctionResponseTypes",
                    "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
                    "ParallelizationFactor", "TumblingWindowInSeconds"):
            if key in props:
                self.r.same(self.resolve.value(props[key]), m.get(key), f"{logical} {key}")
        if "ScalingConfig" in props:
            self.r.same(self.resolve.value(props["ScalingConfig"]), m.get("ScalingConfig"), f"{logical} ScalingConfig")
        if "DestinationConfig" in props:
            expected = self.resolve.value(props["DestinationConfig"])
            expected.get("OnFailure", {}).pop("Type", None)
            self.r.same(expected, m.get("DestinationConfig"), f"{logical} DestinationConfig")
        if "FilterCriteria" in props:
            declared = sorted(json.dumps(json.loads(f["Pattern"]), sort_keys=True)
                              for f in props["FilterCriteria"].get("Filters", []))
            deployed = sorted(json.dumps(json.loads(f["Pattern"]), sort_keys=True)
                              for f in (m.get("FilterCriteria") or {}).get("Filters", []))
            self.r.check(declared == deployed, f"{logical} FilterCriteria: {len(deployed)} patterns, as declared",
                         f"declared {declared}, deployed {deployed}")

        timeout = int(self.resolve.value(self.resources[function]["Properties"].get("Timeout", 3)))
        kind = self.resolve.type_of(source_id)
        if kind == "AWS::SQS::Queue":
            self.sqs_rules(logical, m, source_id, timeout)
        elif kind == "AWS::DynamoDB::Table":
            self.stream_rules(logical, m)

    def sqs_rules(self, logical, m, queue, timeout):
        self.r.check("ReportBatchItemFailures" in (m.get("FunctionResponseTypes") or []),
                     f"{logical}: partial batch responses (ReportBatchItemFailures)",
                     "without it Lambda ignores the handler's batchItemFailures and retries the whole batch")
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.physical[queue], AttributeNames=["All"])["Attributes"]
        visibility = int(attributes.get("VisibilityTimeout", 30))
        self.r.check(visibility >= 6 * timeout,
                     f"{logical}: {queue}'s visibility timeout {visibility} s >= 6 x the function's {timeout} s",
                     "AWS's rule for Lambda event sources: a message must not reappear while a retry may still run")
        redrive = json.loads(attributes.get("RedrivePolicy") or "{}")
        dlq = redrive.get("deadLetterTargetArn")
        queues = {self.resolve.get_att(q, "Arn"): q for q in self.of_type("AWS::SQS::Queue")}
        self.r.check(dlq in queues, f"{logical}: {queue} dead-letters to {queues.get(dlq, dlq)} "
                                    f"after {redrive.get('maxReceiveCount')} receives",
                     "no RedrivePolicy to a queue of this stack: a poison message would be retried until it expires")
        concurrency = (m.get("ScalingConfig") or {}).get("MaximumConcurrency")
        if concurrency is not None:
            self.r.check(2 <= int(concurrency) <= 1000, f"{logical}: at most {concurrency} concurrent invocations")

    def stream_rules(self, logical, m):
        filters = (m.get("FilterCriteria") or {}).get("Filters") or []
        valid = True
        for f in filters:
            try:
                valid &= isinstance(json.loads(f["Pattern"]), dict)
            except ValueError:
                valid = False
        self.r.check(bool(filters) and valid, f"{logical}: FilterCriteria ({len(filters)} patterns) keep writes that "
                                             "cannot be events away from the function",
                     "no FilterCriteria: every write to the table would invoke the function (and be paid for)")
        self.r.check(m.get("BisectBatchOnFunctionError") is True, f"{logical}: a failing batch is bisected",
                     "BisectBatchOnFunctionError is not true: one bad record fails its whole batch")
        retries = m.get("MaximumRetryAttempts")
        self.r.check(retries is not None and int(retries) >= 0, f"{logical}: retries are bounded ({retries})",
                     "MaximumRetryAttempts unset (-1: forever): one bad record would hold its shard for 24 hours")
        destination = ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        queues = {self.resolve.get_att(q, "Arn"): q for q in self.of_type("AWS::SQS::Queue")}
        self.r.check(destination in queues, f"{logical}: records given up on go to {queues.get(destination, destination)}",
                     "no on-failure destination in this stack: skipped records would leave no trace")
        self.r.check("ReportBatchItemFailures" in (m.get("FunctionResponseTypes") or []),
                     f"{logical}: partial batch responses (ReportBatchItemFailures)")

    # -- queues and their alarms

    def queues(self):
        queues = self.of_type("AWS::SQS::Queue")
        dead_letter = {}
        for logical, resource in queues.items():
            props = resource.get("Properties") or {}
            url = self.physical.get(logical)
            if not self.r.check(bool(url), f"{logical} exists"):
                continue
            attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "DelaySeconds",
                        "MaximumMessageSize", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication"):
                if key in props:
                    self.r.same(self.resolve.value(props[key]), attributes.get(key), f"{logical} {key}")
            if "RedrivePolicy" in props:
                expected = self.resolve.value(props["RedrivePolicy"])
                deployed = json.loads(attributes.get("RedrivePolicy") or "{}")
                self.r.same(expected, deployed, f"{logical} RedrivePolicy")
                target = next(iter(references(props["RedrivePolicy"]) & queues.keys()), None)
                dead_letter[target] = logical
        destinations = {}
        for resource in self.of_type("AWS::Lambda::EventSourceMapping").values():
            on_failure = ((resource["Properties"].get("DestinationConfig") or {}).get("OnFailure") or {})
            for target in references(on_failure.get("Destination")):
                destinations[target] = "failure destination"
        for dlq, source in sorted(dead_letter.items()):
            self.retention(dlq, source)
        for logical in sorted(set(dead_letter) | set(destinations)):
            self.alarmed(logical, "dead-letter queue of " + dead_letter[logical] if logical in dead_letter
                         else destinations[logical])

    def retention(self, dlq, source):
        def retention_of(q):
            return int(self.resolve.value((self.resources[q].get("Properties") or {}).get("MessageRetentionPeriod", 345600)))
        self.r.check(retention_of(dlq) >= retention_of(source),
                     f"{dlq} keeps messages at least as long as {source} ({retention_of(dlq)} s >= {retention_of(source)} s)",
                     "a dead-lettered message keeps its first enqueue time: a shorter retention deletes it early")

    def alarmed(self, queue, role):
        alarms = [k for k, v in self.of_type("AWS::CloudWatch::Alarm", self.full).items()
                  if v["Properties"].get("Namespace") == "AWS/SQS"
                  and any(d.get("Name") == "QueueName" and queue in references(d.get("Value"))
                          for d in v["Properties"].get("Dimensions") or [])]
        self.r.check(bool(alarms), f"{queue} ({role}) has an alarm (translated): {', '.join(alarms) or '-'}",
                     "nothing would tell a human that work was given up on")
        for alarm in alarms:
            p = self.full["Resources"][alarm]["Properties"]
            actions = self.resolve.value(p.get("AlarmActions", []))
            actions = [] if actions is NO_VALUE else actions
            self.r.note(f"{alarm}: {p.get('MetricName')} {p.get('ComparisonOperator')} {p.get('Threshold')}, "
                        f"actions {actions if actions else 'none (AlarmTopicArn empty)'}")

    # -- tables

    def tables(self):
        for logical, resource in self.of_type("AWS::DynamoDB::Table").items():
            props = resource.get("Properties") or {}
            name = self.physical.get(logical)
            if not self.r.check(bool(name), f"{logical} exists"):
                continue
            table = self.ddb.describe_table(TableName=name)["Table"]
            self.r.same(props.get("KeySchema"), table.get("KeySchema"), f"{logical} KeySchema")
            self.r.check(sorted(map(json.dumps, props.get("AttributeDefinitions", []))) ==
                         sorted(map(json.dumps, table.get("AttributeDefinitions", []))),
                         f"{logical} AttributeDefinitions ({len(table.get('AttributeDefinitions', []))})")
            declared = {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in props.get("GlobalSecondaryIndexes", [])}
            deployed = {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in table.get("GlobalSecondaryIndexes", [])}
            self.r.same(json.loads(json.dumps(declared)), json.loads(json.dumps(deployed)),
                        f"{logical} global secondary indexes")
            if "BillingMode" in props:
                self.r.same(props["BillingMode"], (table.get("BillingModeSummary") or {}).get("BillingMode"),
                            f"{logical} BillingMode")
            if "StreamSpecification" in props:
                self.r.same({"StreamEnabled": True, **props["StreamSpecification"]}, table.get("StreamSpecification"),
                            f"{logical} stream")
            sam_table = self.sam["Resources"][logical].get("Properties") or {}
            full = self.full["Resources"][logical]
            for key in ("TimeToLiveSpecification", "PointInTimeRecoverySpecification", "SSESpecification"):
                if key in sam_table:
                    self.r.same(sam_table[key], full["Properties"].get(key), f"{logical} {key} (translated)")
            for key in ("DeletionPolicy", "UpdateReplacePolicy"):
                if key in self.sam["Resources"][logical]:
                    self.r.same(self.sam["Resources"][logical][key], full.get(key), f"{logical} {key} (translated)")

    # -- schedules

    def schedules(self):
        rules = self.of_type("AWS::Events::Rule")
        if not rules:
            self.r.note("no EventBridge rules")
        for logical, resource in rules.items():
            props = resource["Properties"]
            name = self.physical.get(logical)
            if not self.r.check(bool(name), f"{logical} exists"):
                continue
            rule = self.events.describe_rule(Name=name)
            for key in ("ScheduleExpression", "State", "Description", "EventPattern"):
                if key in props:
                    expected = self.resolve.value(props[key])
                    actual = rule.get(key)
                    if key == "EventPattern":
                        expected, actual = json.dumps(expected, sort_keys=True), json.dumps(json.loads(actual), sort_keys=True)
                    self.r.same(expected, actual, f"{logical} {key}")
            targets = {t["Id"]: t for t in self.events.list_targets_by_rule(Rule=name)["Targets"]}
            self.r.check(len(targets) == len(props.get("Targets", [])), f"{logical}: {len(targets)} target(s), as declared")
            for target in props.get("Targets", []):
                deployed = targets.get(target["Id"], {})
                function = next(iter(references(target["Arn"])), None)
                self.r.same(self.resolve.value(target["Arn"]), deployed.get("Arn"), f"{logical} -> {function}")
                for key in ("RetryPolicy", "Input", "DeadLetterConfig"):
                    if key in target:
                        self.r.same(self.resolve.value(target[key]), deployed.get(key), f"{logical} target {key}")
                if self.resolve.type_of(function) == "AWS::Lambda::Function":
                    self.permitted(function, "events.amazonaws.com", rule["Arn"], logical)

    def permitted(self, function, principal, source_arn, why):
        policy = json.loads(self.lam.get_policy(FunctionName=self.physical[function])["Policy"])
        ok = any((s.get("Principal") or {}).get("Service") == principal
                 and ((s.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn") == source_arn
                 for s in policy.get("Statement", []))
        self.r.check(ok, f"{function} lets {principal} invoke it for {why}", "no such statement in its resource policy")

    # -- HTTP API

    def http_apis(self):
        resources = self.full["Resources"]
        apis = {k: v for k, v in resources.items() if v["Type"] == "AWS::ApiGatewayV2::Api"}
        found = 0
        for function, props in self.functions.items():
            for event_name, event in (props.get("Events") or {}).items():
                if event.get("Type") != "HttpApi":
                    continue
                found += 1
                p = event.get("Properties") or {}
                api_id = next(iter(references(p.get("ApiId"))), "ServerlessHttpApi")
                path, method = p.get("Path", "$default"), str(p.get("Method", "ANY")).lower()
                body = ((apis.get(api_id) or {}).get("Properties") or {}).get("Body") or {}
                key = "x-amazon-apigateway-any-method" if method in ("any", "x-amazon-apigateway-any-method") else method
                operation = ((body.get("paths") or {}).get(path) or {}).get(key)
                if not self.r.check(operation is not None, f"{api_id}: route {method.upper()} {path} -> {function}",
                                    "not in the translated API"):
                    continue
                integration = operation.get("x-amazon-apigateway-integration") or {}
                uri = json.dumps(integration.get("uri"))
                alias = self.functions[function].get("AutoPublishAlias")
                target = f"{function}Alias{alias}" if alias else function
                self.r.check(f"${{{target}" in uri, f"{api_id} {method.upper()} {path} integrates {target}", uri)
                self.r.same(str(p.get("PayloadFormatVersion", "2.0")), str(integration.get("payloadFormatVersion")),
                            f"{api_id} {method.upper()} {path} payload format")
                self.r.same("aws_proxy", integration.get("type"), f"{api_id} {method.upper()} {path} integration type")
                permissions = [k for k, v in resources.items() if v["Type"] == "AWS::Lambda::Permission"
                               and v["Properties"].get("Principal") == "apigateway.amazonaws.com"
                               and target in references(v["Properties"].get("FunctionName"))
                               and api_id in references(v["Properties"].get("SourceArn"))]
                self.r.check(bool(permissions), f"{api_id} may invoke {target} ({', '.join(permissions) or '-'})")
        for api_id in apis:
            sam_api = (self.sam["Resources"].get(api_id) or {}).get("Properties") or {}
            stages = [v["Properties"] for v in resources.values() if v["Type"] == "AWS::ApiGatewayV2::Stage"
                      and v["Properties"].get("ApiId") == {"Ref": api_id}]
            if not self.r.check(len(stages) == 1, f"{api_id}: one stage"):
                continue
            stage = stages[0]
            self.r.same(sam_api.get("StageName", "$default"), stage.get("StageName"), f"{api_id} stage")
            self.r.check(stage.get("AutoDeploy") is True, f"{api_id} stage deploys every change (AutoDeploy)")
            if "DefaultRouteSettings" in sam_api:
                self.r.same(sam_api["DefaultRouteSettings"], stage.get("DefaultRouteSettings"), f"{api_id} throttling")
        if not found:
            self.r.note("no HttpApi events")

    # -- IAM

    def roles(self):
        for function in self.functions:
            translated = self.resources[function]["Properties"]
            role = next(iter(references(translated["Role"])), None)
            if role not in self.resources:
                self.r.note(f"{function}: role {translated['Role']} is not the stack's; not checked")
                continue
            self.role(function, role)

    def reachable(self, function):
        """The logical IDs a function may hold permissions on: what its environment and its event sources name."""
        props = self.resources[function]["Properties"]
        names = references((props.get("Environment") or {}).get("Variables") or {})
        for resource in self.of_type("AWS::Lambda::EventSourceMapping").values():
            p = resource["Properties"]
            if function in references(p["FunctionName"]) or any(
                    function == (self.resources.get(r, {}).get("Properties") or {}).get("FunctionName", {}).get("Ref")
                    for r in references(p["FunctionName"])):
                names |= references(p.get("EventSourceArn")) | references(p.get("DestinationConfig"))
        return {n for n in names if n in self.resources}

    def arn_patterns(self, logical):
        kind = self.resolve.type_of(logical)
        if kind == "AWS::DynamoDB::Table":
            arn = self.resolve.get_att(logical, "Arn")
            return [re.escape(arn) + r"(/index/[^/]+|/stream/[^/]+)?"]
        if kind == "AWS::SQS::Queue":
            return [re.escape(self.resolve.get_att(logical, "Arn"))]
        if kind == "AWS::SNS::Topic":
            return [re.escape(self.physical[logical])]
        if kind == "AWS::KMS::Key":
            return [re.escape(self.resolve.get_att(logical, "Arn"))]
        return []

    def role(self, function, role):
        name = self.physical.get(role)
        if not self.r.check(bool(name), f"{function}: role {role} exists"):
            return
        translated = self.resources[role]["Properties"]
        declared = {p["PolicyName"]: self.resolve.value(p["PolicyDocument"]) for p in translated.get("Policies", [])}
        deployed = {}
        for policy in self.iam.list_role_policies(RoleName=name)["PolicyNames"]:
            document = self.iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            if isinstance(document, str):  # moto keeps what CloudFormation gave it, sometimes as Python text
                try:
                    document = json.loads(document)
                except ValueError:
                    document = ast.literal_eval(document)
            deployed[policy] = document
        self.r.same(declared, deployed, f"{function}: {len(deployed)} inline policies, as declared")

        reachable = self.reachable(function)
        patterns = {r: self.arn_patterns(r) for r in reachable}
        everything = {r: self.arn_patterns(r) for r in self.resources}
        statements = [s for d in deployed.values() for s in (d.get("Statement") or [])]
        named, actions = set(), []
        for s in statements:
            actions += s.get("Action") if isinstance(s.get("Action"), list) else [s.get("Action")]
            resources = s.get("Resource") if isinstance(s.get("Resource"), list) else [s.get("Resource")]
            for arn in resources:
                owner = next((r for r, ps in patterns.items() if any(re.fullmatch(p, str(arn)) for p in ps)), None)
                if owner:
                    named.add(owner)
                    continue
                other = next((r for r, ps in everything.items() if any(re.fullmatch(p, str(arn)) for p in ps)), None)
                self.r.check(False, f"{function}: policy resource {arn}",
                             f"{other}, which its environment and event sources never name" if other
                             else "not a resource it references (a wildcard or another stack's)")
        self.r.note(f"{function}: its inline policies name {', '.join(sorted(named)) or 'nothing'} "
                    f"(it references {', '.join(sorted(reachable)) or 'nothing'})")
        wildcards = [a for a in actions if a == "*" or str(a).endswith(":*")]
        self.r.check(not wildcards, f"{function}: {len(actions)} actions, none a whole service",
                     f"{wildcards} grant every action of the service")

        # Managed policies, from the translation (moto drops them): only SAM's, only where they belong.
        full_role = self.full["Resources"][role]["Properties"]
        kinds = {self.resolve.type_of(next(iter(references(m["Properties"]["EventSourceArn"])), ""))
                 for m in self.of_type("AWS::Lambda::EventSourceMapping").values()
                 if function in references(m["Properties"]["FunctionName"])
                 or any(function == (self.resources.get(r, {}).get("Properties") or {}).get("FunctionName", {}).get("Ref")
                        for r in references(m["Properties"]["FunctionName"]))}
        allowed = {"logs": True, "tracing": "TracingConfig" in self.full["Resources"][function]["Properties"],
                   "sqs": "AWS::SQS::Queue" in kinds, "dynamodb": "AWS::DynamoDB::Table" in kinds}
        for arn in full_role.get("ManagedPolicyArns", []):
            text = json.dumps(arn)
            purpose = next((p for suffix, p in MANAGED.items() if text.endswith(f':policy/{suffix}"')), None)
            if self.r.check(purpose is not None and allowed[purpose], f"{function}: managed policy {show(arn)}",
                            "not one SAM attaches for this function's logging, tracing or event sources"):
                if purpose in ("sqs", "dynamodb"):
                    what = "queue" if purpose == "sqs" else "DynamoDB stream"
                    self.r.note(f"{function}: {arn.rsplit('/', 1)[-1]}, which SAM attaches for the event source, allows "
                                f"its reads on Resource \"*\": every {what} of the account, not only its own")
        for kind, policy in (("AWS::SQS::Queue", "sqs"), ("AWS::DynamoDB::Table", "dynamodb")):
            if kind in kinds:
                self.r.check(any(json.dumps(a).endswith(f':policy/{s}"') for a in full_role.get("ManagedPolicyArns", [])
                                 for s, p in MANAGED.items() if p == policy) or self.grants_read(statements, kind),
                             f"{function}: its role can read its {kind.split('::')[1]} event source")

    @staticmethod
    def grants_read(statements, kind):
        wanted = "sqs:ReceiveMessage" if kind == "AWS::SQS::Queue" else "dynamodb:GetRecords"
        return any(wanted in (s.get("Action") if isinstance(s.get("Action"), list) else [s.get("Action")])
                   for s in statements)

    # -- outputs

    def check_outputs(self):
        for key, output in (self.deployable.get("Outputs") or {}).items():
            expected = self.resolve.value(output["Value"])
            targets = sorted(references(output["Value"]))
            self.r.same(expected, self.outputs.get(key), f"{key} ({', '.join(targets) or 'literal'})")


# ------------------------------------------------------------------------------------------------ main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--code-root", type=Path, help="where CodeUri paths start (default: the template's folder)")
    parser.add_argument("--stack", default="kickoff")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter override, as sam deploy --parameter-overrides (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="use the jars as they are")
    parser.add_argument("--no-lint", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="print only the summary and failures")
    args = parser.parse_args(argv)
    try:
        for module in ("boto3", "moto", "samtranslator", "cfnlint", "flask"):
            __import__(module)
    except ImportError as e:
        print(f"deploy-check needs {e.name}: pip install 'moto[server,cloudformation]' aws-sam-translator cfn-lint boto3",
              file=sys.stderr)
        return 2
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # the translator reads it
    quiet_libraries()
    options = Options(template=args.template.resolve(), code_root=args.code_root.resolve() if args.code_root else None,
                      stack=args.stack, build=not args.no_build, lint=not args.no_lint, quiet=args.quiet,
                      parameters=dict(p.split("=", 1) for p in args.parameter))
    try:
        report = run(options)
    except UsageError as e:
        print(f"deploy-check could not run: {e}", file=sys.stderr)
        return 2
    if options.quiet:
        took = sum(t for _, t in report.timings)
        print(f"deploy check of {options.template.name}: {report.checks} checks, {len(report.failures)} failed, "
              f"{len(report.warnings)} warning(s) ({took:.0f} s; ./kickoff deploy-check prints the full report)")
        for warning in report.warnings:
            print(f"  WARN    {warning}")
        for failure in report.failures:
            print(f"  FAILED  {failure}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
