"""The sign-up trigger as deployed: `chalice package --merge-template` output wires the user pool's PostConfirmation to
the Chalice function, lets only our pool invoke it, lets it only add users to groups of our pool, and has no cycle."""

import json
import re

import pytest


@pytest.fixture(scope="module")
def merged(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())


def _pool(template: dict) -> dict:
    (pool,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    return pool["Properties"]


def test_members_sign_themselves_up_and_verify_their_email(merged):
    pool = _pool(merged)
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["AutoVerifiedAttributes"] == ["email"]
    (client,) = [r["Properties"] for r in merged["Resources"].values() if r["Type"] == "AWS::Cognito::UserPoolClient"]
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}  # no passwords


def test_post_confirmation_is_the_chalice_function(merged):
    function = merged["Resources"]["PostConfirmation"]
    assert function["Type"] == "AWS::Serverless::Function"
    assert function["Properties"]["Handler"] == "app.post_confirmation"
    assert function["Properties"]["Timeout"] <= 5  # Cognito waits 5 s for a trigger
    name = function["Properties"]["FunctionName"]["Fn::Sub"]
    arn = _pool(merged)["LambdaConfig"]["PostConfirmation"]["Fn::Sub"]
    assert arn == f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"


def test_only_our_pool_may_invoke_the_trigger(merged):
    permissions = [r["Properties"] for r in merged["Resources"].values() if r["Type"] == "AWS::Lambda::Permission"
                   and r["Properties"]["Principal"] == "cognito-idp.amazonaws.com"]
    assert permissions == [{
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "PostConfirmation"},
        "Principal": "cognito-idp.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": {"Fn::GetAtt": ["UserPool", "Arn"]},
    }]


def test_the_trigger_may_only_add_users_to_groups_of_our_pool(merged):
    resources = merged["Resources"]
    policies = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
                and {"Ref": "PostConfirmationRole"} in r["Properties"]["Roles"]]
    assert len(policies) == 1 and policies[0]["Roles"] == [{"Ref": "PostConfirmationRole"}]
    assert [(s["Effect"], s["Action"], s["Resource"]) for s in policies[0]["PolicyDocument"]["Statement"]] == [
        ("Allow", ["cognito-idp:AdminAddUserToGroup"], [{"Fn::GetAtt": ["UserPool", "Arn"]}])]
    inline = resources["PostConfirmationRole"]["Properties"]["Policies"]
    actions = {a for p in inline for s in p["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert actions <= {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                       "xray:PutTraceSegments", "xray:PutTelemetryRecords"}  # its traces, nothing else


def _references(value, names: set[str]) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and inner in names:
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else inner.split(".")[0]
                found |= {target} & names
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)} & names
                if isinstance(inner, list):
                    found |= _references(inner[1], names)
            else:
                found |= _references(inner, names)
    elif isinstance(value, list):
        for inner in value:
            found |= _references(inner, names)
    return found


def dependency_cycle(template: dict) -> list[str] | None:
    """A cycle among the resources (with SAM's Globals applied to every function, as the transform does), or None.
    cfn-lint would report one only after the SAM transform, which needs a translator this environment lacks."""
    resources = template["Resources"]
    names = set(resources)
    function_globals = template.get("Globals", {}).get("Function", {})
    edges = {}
    for name, resource in resources.items():
        extra = function_globals if resource["Type"] == "AWS::Serverless::Function" else {}
        depends = resource.get("DependsOn", [])
        edges[name] = (_references(resource.get("Properties", {}), names) | _references(extra, names)
                       | set([depends] if isinstance(depends, str) else depends))
    visiting, done = [], set()

    def visit(node):
        if node in done:
            return None
        if node in visiting:
            return visiting[visiting.index(node):] + [node]
        visiting.append(node)
        for target in sorted(edges[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(edges):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_no_circular_dependency(merged):
    assert dependency_cycle(merged) is None


def test_the_cycle_check_sees_the_cycle_a_getatt_trigger_would_make(merged):
    """Pointing LambdaConfig at `Fn::GetAtt PostConfirmation.Arn` closes pool → function → (Globals) pool."""
    broken = json.loads(json.dumps(merged))
    _pool(broken)["LambdaConfig"]["PostConfirmation"] = {"Fn::GetAtt": ["PostConfirmation", "Arn"]}
    assert {"UserPool", "PostConfirmation"} <= set(dependency_cycle(broken))
