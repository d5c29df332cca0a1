"""The alarms and the dashboard watch what the service really emits: every metric of ours they name is in
chalicelib.logs.METRICS, with dimensions the code gives it and a route the app has; every alarm tells operations."""

import json
import re

import pytest

from app import app
from chalicelib.logs import METRICS, NAMESPACE

EMITTED_DIMENSIONS = {"Route", "Partner", "Outcome", "Cause", "Job", "Step"}  # as logs.metric_fields is called in chalicelib
ROUTES = {f"{method} {path}" for path, methods in app.routes.items() for method in methods}


@pytest.fixture(scope="module")
def merged(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())


def _ours(namespace: str, name: str, dimensions: dict[str, str]) -> None:
    assert namespace == NAMESPACE and name in METRICS, name
    assert set(dimensions) <= EMITTED_DIMENSIONS, dimensions
    if "Route" in dimensions:
        assert dimensions["Route"] in ROUTES


def test_every_alarm_watches_an_emitted_metric_and_notifies_operations(merged):
    alarms = [r["Properties"] for r in merged["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert len(alarms) >= 6
    watched = set()
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": "OperationsTopic"}], alarm["AlarmDescription"]
        dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        if alarm["Namespace"] == NAMESPACE:
            _ours(alarm["Namespace"], alarm["MetricName"], dimensions)
            watched.add(alarm["MetricName"])
    assert {"Http5xx", "Latency", "Deliveries", "TransactionsAbandoned", "RelayLagSeconds"} <= watched


def test_the_dashboard_shows_only_what_is_emitted(merged):
    body = json.loads(re.sub(r"\$\{[^}]+\}", "x", merged["Resources"]["ServiceDashboard"]["Properties"][
        "DashboardBody"]["Fn::Sub"]))
    for widget in body["widgets"]:
        for line in widget["properties"]["metrics"]:
            namespace, name, *rest = [part for part in line if not isinstance(part, dict)]
            if namespace == NAMESPACE:
                _ours(namespace, name, dict(zip(rest[::2], rest[1::2])))


def test_every_function_and_the_api_are_traced_by_x_ray(merged):
    resources = merged["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert functions and all(f["Properties"]["Tracing"] == "Active" for f in functions)
    assert resources["RestAPI"]["Properties"]["TracingEnabled"] is True
