#!/usr/bin/env python3
"""The deploy check fails when the wiring is broken.

Each test breaks one thing in a copy of template.yaml, written to a temporary folder, runs the whole check on it
(translate, deploy into moto, inspect) and expects a failure that names the break; the unbroken copy passes. The
breaks are found by what they are (the first function with a DynamoDB stream event, a queue some SQS event reads),
not by name, so the tests keep working as the template grows.

    python3 infra/deploy-check/test_deploy_check.py -v      (./kickoff test runs it after ./kickoff deploy-check)
"""
from __future__ import annotations

import copy
import io
import json
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import deploy_check as dc  # noqa: E402


class BrokenWiringFailsTheCheck(unittest.TestCase):
    moto: dc.Moto
    sam: dict

    @classmethod
    def setUpClass(cls):
        os.environ.setdefault("AWS_DEFAULT_REGION", dc.REGION)
        dc.quiet_libraries()
        cls.sam = dc.load_sam(dc.ROOT / "template.yaml")
        # The handler checks read the real jars: build them if they are missing or stale (reused when fresh).
        dc.build(dc.sam_functions(cls.sam), dc.ROOT, dc.Report(quiet=True))
        cls.moto = dc.Moto()
        cls.stacks = 0

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    # -- helpers

    def run_check(self, mutate=None, lint=False) -> tuple[dc.Report, str]:
        sam = copy.deepcopy(self.sam)
        if mutate:
            mutate(sam)
        type(self).stacks += 1
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "template.yaml"
            path.write_text(json.dumps(sam, indent=1))  # JSON is YAML; intrinsics in their long form
            report = dc.run(dc.Options(template=path, code_root=dc.ROOT, stack=f"broken{self.stacks}", build=False,
                                       lint=lint, placeholder_code=True), moto=self.moto, out=out)
        return report, out.getvalue()

    def assertFailsWith(self, pattern: str, mutate, lint=False):
        report, text = self.run_check(mutate, lint)
        self.assertTrue(report.failures, f"the check passed a broken template:\n{text}")
        self.assertTrue(any(re.search(pattern, f) for f in report.failures),
                        f"no failure matches {pattern!r}; failures: {report.failures}")
        return report

    def functions(self, sam, event_type=None):
        out = []
        for logical, resource in sam["Resources"].items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            events = (resource["Properties"].get("Events") or {}).values()
            if event_type is None or any(e["Type"] == event_type for e in events):
                out.append((logical, resource["Properties"]))
        self.assertTrue(out, f"template.yaml has no function with a {event_type} event: this test needs one")
        return out

    def event(self, props, event_type):
        return next(e["Properties"] for e in props["Events"].values() if e["Type"] == event_type)

    # -- the baseline

    def test_the_template_as_it_is_passes(self):
        report, text = self.run_check()
        self.assertEqual([], report.failures, text)
        self.assertGreater(report.checks, 100)

    # -- breaks

    def test_a_handler_class_that_is_not_in_the_jar(self):
        def mutate(sam):
            logical, props = self.functions(sam)[0]
            props["Handler"] = props["Handler"].replace("::", "Typo::")
        self.assertFailsWith(r"handler class \S+Typo is in", mutate)

    def test_a_handler_method_the_class_does_not_have(self):
        def mutate(sam):
            logical, props = self.functions(sam)[0]
            props["Handler"] = props["Handler"].split("::")[0] + "::handle"
        self.assertFailsWith(r"public method handle found", mutate)

    def test_a_stream_event_without_filter_criteria(self):
        def mutate(sam):
            logical, props = self.functions(sam, "DynamoDB")[0]
            del self.event(props, "DynamoDB")["FilterCriteria"]
        self.assertFailsWith(r"FilterCriteria .* keep writes .*: no FilterCriteria", mutate)

    def test_a_stream_event_that_retries_forever(self):
        def mutate(sam):
            logical, props = self.functions(sam, "DynamoDB")[0]
            self.event(props, "DynamoDB")["MaximumRetryAttempts"] = -1
        self.assertFailsWith(r"retries are bounded", mutate)

    def test_a_stream_event_without_an_on_failure_destination(self):
        def mutate(sam):
            logical, props = self.functions(sam, "DynamoDB")[0]
            del self.event(props, "DynamoDB")["DestinationConfig"]
        self.assertFailsWith(r"records given up on go to", mutate)

    def test_an_sqs_event_without_partial_batch_responses(self):
        def mutate(sam):
            logical, props = self.functions(sam, "SQS")[0]
            del self.event(props, "SQS")["FunctionResponseTypes"]
        self.assertFailsWith(r"partial batch responses", mutate)

    def test_a_queue_read_by_a_function_without_a_dead_letter_queue(self):
        def mutate(sam):
            logical, props = self.functions(sam, "SQS")[0]
            queue = next(iter(dc.references(self.event(props, "SQS")["Queue"])))
            del sam["Resources"][queue]["Properties"]["RedrivePolicy"]
        self.assertFailsWith(r"dead-letters to .*no RedrivePolicy", mutate)

    def test_a_function_that_outlives_its_queues_visibility_timeout(self):
        def mutate(sam):
            logical, props = self.functions(sam, "SQS")[0]
            queue = next(iter(dc.references(self.event(props, "SQS")["Queue"])))
            visibility = int(sam["Resources"][queue]["Properties"].get("VisibilityTimeout", 30))
            props["Timeout"] = visibility // 6 + 1
        self.assertFailsWith(r"visibility timeout \d+ s >= 6 x", mutate)

    def test_a_dead_letter_queue_without_an_alarm(self):
        def mutate(sam):
            logical, props = self.functions(sam, "SQS")[0]
            queue = next(iter(dc.references(self.event(props, "SQS")["Queue"])))
            dlq = next(iter(dc.references(sam["Resources"][queue]["Properties"]["RedrivePolicy"])
                            & sam["Resources"].keys()))
            for name, resource in list(sam["Resources"].items()):
                if resource["Type"] == "AWS::CloudWatch::Alarm" and dlq in dc.references(resource["Properties"]):
                    del sam["Resources"][name]
        self.assertFailsWith(r"has an alarm .*nothing would tell a human", mutate)

    def test_a_policy_on_a_queue_the_function_never_names(self):
        def mutate(sam):
            # A function with no event source gets send rights on a queue its environment does not name.
            logical, props = next((f, p) for f, p in self.functions(sam) if not p.get("Events"))
            named = dc.references(sam_env(sam, props))
            queue = next(q for q, r in sam["Resources"].items() if r["Type"] == "AWS::SQS::Queue" and q not in named)
            props.setdefault("Policies", []).append({"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}})
        self.assertFailsWith(r"policy resource arn:aws:sqs:\S+: \w+, which its environment and event sources never name",
                             mutate)

    def test_a_policy_granting_a_whole_service(self):
        def mutate(sam):
            logical, props = self.functions(sam)[0]
            table = next(t for t, r in sam["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table")
            props.setdefault("Policies", []).append({"Statement": [
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": {"Fn::GetAtt": [table, "Arn"]}}]})
        self.assertFailsWith(r"none a whole service: \['dynamodb:\*'\]", mutate)

    def test_a_reference_to_a_resource_that_does_not_exist(self):
        def mutate(sam):
            logical, props = self.functions(sam)[0]
            props.setdefault("Environment", {}).setdefault("Variables", {})["KICKOFF_TYPO_URL"] = {"Ref": "NoSuchQueue"}
        self.assertFailsWith(r"SAM translates|the stack is created|KICKOFF_TYPO_URL", mutate)

    def test_a_value_only_the_linter_knows_is_wrong(self):
        # moto accepts a timeout Lambda refuses (over 15 minutes); cfn-lint on the translation does not.
        def mutate(sam):
            logical, props = next((f, p) for f, p in self.functions(sam) if not p.get("Events"))
            props["Timeout"] = 1000
        report = self.assertFailsWith(r"cfn-lint: E3034 .*1000 is greater than the maximum of 900", mutate, lint=True)
        self.assertEqual(1, len(report.failures), report.failures)


def sam_env(sam, props):
    variables = dict(((sam.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables", {}))
    variables.update((props.get("Environment") or {}).get("Variables") or {})
    return variables


if __name__ == "__main__":
    unittest.main()
