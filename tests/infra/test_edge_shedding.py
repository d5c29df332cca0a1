"""Load shedding at the edge, as deployed: API Gateway's stage throttling per route, a WAF web ACL with per-source
rate limits on the public routes and AWS managed rule groups, and a 429 problem with `Retry-After` whichever sheds.
The figures are docs/capacity.md's "Load shedding at the edge"; here they are held to the routes the app has."""

import json
import re

import pytest

from app import app

RUSH_25_PERCENT = 6_250  # requests/s at the sharp booking rush of 25 % (capacity.md: ~2,500/s at 10 %)
REPLAY_GOAL = 1_000  # deliveries/s a partner may replay (issue 17)
ACCOUNT_QUOTA = 10_000  # API Gateway's default requests/s per account and Region


@pytest.fixture(scope="module")
def merged(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())


def _settings(merged: dict) -> dict[tuple[str, str], dict]:
    # A resource path is set after a leading "/", each of its own "/" written "~1"; "/*" is every resource.
    return {(s["ResourcePath"][1:].replace("~1", "/"), s["HttpMethod"]): s
            for s in merged["Resources"]["RestAPI"]["Properties"]["MethodSettings"]}


def _problem(template: str) -> dict:
    """A problem body as the gateway or WAF sends it (its `$context` variables filled in)."""
    return json.loads(re.sub(r"\$context\.\w+", "id", template))


def test_each_throttled_route_exists_and_the_stage_serves_the_rush_within_the_account_quota(merged):
    settings = _settings(merged)
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert {key for key in settings if key != ("*", "*")} <= routes
    stage = settings[("*", "*")]
    assert RUSH_25_PERCENT <= stage["ThrottlingRateLimit"] < ACCOUNT_QUOTA
    assert settings[("/v1/webhooks/{partner}", "POST")]["ThrottlingRateLimit"] >= REPLAY_GOAL * 1.2
    assert settings[("/v1/quotes", "POST")]["ThrottlingRateLimit"] < stage["ThrottlingRateLimit"]
    assert all(s["MetricsEnabled"] for s in settings.values())


def test_a_throttled_caller_gets_a_429_problem_with_retry_after(merged):
    (throttled,) = [r["Properties"] for r in merged["Resources"].values()
                    if r["Type"] == "AWS::ApiGateway::GatewayResponse" and r["Properties"]["ResponseType"] == "THROTTLED"]
    assert throttled["StatusCode"] == "429"
    headers = throttled["ResponseParameters"]
    assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    assert headers["gatewayresponse.header.Retry-After"] == "'1'"
    assert _problem(throttled["ResponseTemplates"]["application/json"])["status"] == 429


def test_the_web_acl_limits_the_public_routes_per_source_and_guards_the_stage(merged):
    resources = merged["Resources"]
    acl = resources["EdgeWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    limited = {}
    for rule in rules.values():
        rate = rule["Statement"].get("RateBasedStatement")
        if rate:
            match = rate["ScopeDownStatement"]["ByteMatchStatement"]
            limited[match["SearchString"]] = (rate["Limit"] / rate["EvaluationWindowSec"], rate["CustomKeys"])
            response = rule["Action"]["Block"]["CustomResponse"]
            assert response["ResponseCode"] == 429
            assert {h["Name"] for h in response["ResponseHeaders"]} == {"Retry-After"}
            assert _problem(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])["status"] == 429
    assert set(limited) == {"/v1/quotes", "/v1/webhooks/"}
    assert limited["/v1/quotes"][1] == [{"IP": {}}]
    partner_rate, partner_keys = limited["/v1/webhooks/"]
    assert "UriPath" in partner_keys[0] and partner_rate >= REPLAY_GOAL  # per partner: the path names it
    managed = {rule["Statement"]["ManagedRuleGroupStatement"]["Name"] for rule in rules.values()
               if "ManagedRuleGroupStatement" in rule["Statement"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
    # Partners' servers may send no User-Agent; bodies up to the app's own 64 KB limit (413 above it) pass the 8 KB check.
    overrides = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert {o["Name"] for o in overrides} == {"NoUserAgent_HEADER", "SizeRestrictions_BODY"}
    association = resources["EdgeWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}
    assert "/restapis/${RestAPI}/stages/${RestAPI.Stage}" in association["ResourceArn"]["Fn::Sub"]
