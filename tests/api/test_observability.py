"""What the service tells CloudWatch: every log line names its Lambda invocation and cold start, and the request,
webhook, transaction and relay lines carry their metrics in the embedded metric format (EMF), so CloudWatch Logs
extracts them with no API call. Each record is checked as CloudWatch reads it: its metrics declared with units, each
declared dimension present on the line."""

import json
from datetime import datetime, timezone

from chalicelib.logs import METRICS, NAMESPACE, metric_fields, start_invocation
from tests.api.conftest import issue, paid


def _records(service_logs) -> list[dict]:
    """The lines that are EMF records, each checked as CloudWatch would read it."""
    records = []
    for entry in service_logs.entries():
        if "_aws" not in entry:
            continue
        (directive,) = entry["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE and isinstance(entry["_aws"]["Timestamp"], int)
        for metric in directive["Metrics"]:
            assert metric["Unit"] == METRICS[metric["Name"]] and isinstance(entry[metric["Name"]], (int, float))
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(entry[name], str) for name in dimension_set)
        records.append(entry)
    return records


def test_each_line_names_its_invocation_and_only_the_first_is_a_cold_start(service_logs):
    from chalicelib.logs import service_logger

    start_invocation("req-1")
    service_logger().info("first")
    start_invocation("req-2")
    service_logger().info("second")
    first, second = service_logs.entries()[-2:]
    assert (first["aws_request_id"], second["aws_request_id"]) == ("req-1", "req-2")
    assert second["cold_start"] is False


def test_a_record_is_published_by_all_its_dimensions_each_alone_and_in_total():
    fields = metric_fields({"Partner": "finabien", "Outcome": "applied"}, Deliveries=1)
    assert fields["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Outcome", "Partner"], ["Outcome"], ["Partner"], []]
    assert metric_fields({"Route": "GET /v1/me"}, Latency=3.5)["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [
        ["Route"], []]


def test_requests_webhooks_and_the_relay_report_their_metrics(api, member, partner, clock, service_logs,
                                                               event_sources):
    clock(datetime(2026, 11, 5, 9, tzinfo=timezone.utc))
    headers, _ = member()
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="obs-1", paid_at=clock.now()))
    partner.send(paid("000000147724239295", "100.00", tx="obs-2", paid_at=clock.now()))
    event_sources.relay()

    records = _records(service_logs)
    requests = [r for r in records if "Latency" in r]
    assert {"POST /v1/me/payment-references", "POST /v1/webhooks/{partner}"} <= {r["Route"] for r in requests}
    assert all(r["Http5xx"] == 0 for r in requests)
    deliveries = {(r["Partner"], r["Outcome"]) for r in records if "Deliveries" in r}
    assert deliveries == {("finabien", "applied"), ("finabien", "unmatched")}
    (relay,) = [r for r in records if "RelayPublished" in r]
    assert relay["RelayPublished"] >= 1 and relay["RelayLagSeconds"] >= 0
    assert all(r.get("aws_request_id", "") != "" or "aws_request_id" not in r for r in records)
    assert "curp" not in json.dumps(records).lower()  # metrics carry route templates and partners, never identifiers
