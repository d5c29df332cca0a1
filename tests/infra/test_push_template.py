"""Push notifications and e-mail as deployed: the platform applications the custom resource makes from credentials in
Secrets Manager, the SES sender identity, the settings wired to them, and what each function may do with them."""

import json
import re

import pytest

from chalicelib.settings import Settings
from local.aws import stage_environment
from tests.infra.test_fanout_template import _allowed


@pytest.fixture(scope="module")
def merged(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())


def _sub(value) -> str:
    return value["Fn::Sub"] if isinstance(value, dict) else value


def test_the_functions_get_both_applications_and_the_sender_from_the_stack(merged):
    variables = merged["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["PUSH_FCM_APPLICATION_ARN"] == {"Fn::GetAtt": ["FcmPlatformApplication", "Arn"]}
    assert variables["PUSH_APNS_APPLICATION_ARN"] == {"Fn::GetAtt": ["ApnsPlatformApplication", "Arn"]}
    assert variables["NOTIFICATIONS_SENDER"] == {"Fn::Sub": "avisos@${NotificationsSenderDomain}"}
    identity = merged["Resources"]["NotificationsSenderIdentity"]
    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "NotificationsSenderDomain"}
    # What the custom resource names its applications is what settings accept and the policies cover.
    fcm, apns = (merged["Resources"][name]["Properties"]
                 for name in ("FcmPlatformApplication", "ApnsPlatformApplication"))
    assert fcm["Platform"] == "GCM" and apns["Platform"] == {"Ref": "ApnsPlatform"}
    assert set(merged["Parameters"]["ApnsPlatform"]["AllowedValues"]) == {"APNS", "APNS_SANDBOX"}
    for field, platform, name in (("push_fcm_application_arn", "GCM", "stack-fcm"),
                                  ("push_apns_application_arn", "APNS_SANDBOX", "stack-apns")):
        assert re.fullmatch(_pattern(field), f"arn:aws:sns:us-east-1:123456789012:app/{platform}/{name}")
    local = stage_environment("local")
    assert re.fullmatch(_pattern("notifications_sender"), local["NOTIFICATIONS_SENDER"])


def _pattern(field: str) -> str:
    (constraint,) = [m for m in Settings.model_fields[field].metadata if hasattr(m, "pattern")]
    return constraint.pattern


def test_platform_applications_come_from_secrets_through_the_custom_resource(merged):
    resources = merged["Resources"]
    for application, secret in (("FcmPlatformApplication", "FcmCredentialsSecret"),
                                ("ApnsPlatformApplication", "ApnsCredentialsSecret")):
        properties = resources[application]["Properties"]
        assert resources[application]["Type"] == "Custom::PlatformApplication"
        assert properties["ServiceToken"] == {"Fn::GetAtt": ["PlatformApplicationsFunction", "Arn"]}
        assert properties["CredentialsSecret"] == {"Ref": secret}
        assert resources[secret]["Type"] == "AWS::SecretsManager::Secret"
        parameter = resources[secret]["Properties"]["SecretString"]["Ref"]
        assert merged["Parameters"][parameter]["NoEcho"] is True  # never shown by CloudFormation
    function = resources["PlatformApplicationsFunction"]["Properties"]
    code = function["Code"]["ZipFile"]
    compile(code, "index.py", "exec")
    for call in ("create_platform_application", "set_platform_application_attributes", "delete_platform_application",
                 "get_secret_value", "cfnresponse.send"):
        assert call in code
    (policy,) = resources["PlatformApplicationsRole"]["Properties"]["Policies"]
    actions = {action for statement in policy["PolicyDocument"]["Statement"] for action in statement["Action"]}
    assert actions == {"secretsmanager:GetSecretValue", "sns:CreatePlatformApplication",
                       "sns:SetPlatformApplicationAttributes", "sns:DeletePlatformApplication"}


def test_each_function_may_do_what_push_and_email_need_and_no_more(merged):
    resources = merged["Resources"]
    fcm_app = json.dumps({"Fn::GetAtt": ["FcmPlatformApplication", "Arn"]}, sort_keys=True)
    api = _allowed(resources, "ApiHandlerRole")
    assert ("sns:CreatePlatformEndpoint", fcm_app) in api
    endpoint_actions = {action for action, target in api if "endpoint/" in target}
    assert endpoint_actions == {"sns:GetEndpointAttributes", "sns:SetEndpointAttributes", "sns:DeleteEndpoint"}
    assert not {action for action, _ in api if action.startswith("ses:")}
    for role in ("RelayOutboxRole", "RedriveRelayRole"):
        relay = _allowed(resources, role)
        assert {action for action, target in relay if "endpoint/" in target} == {
            "sns:Publish", "sns:GetEndpointAttributes", "sns:DeleteEndpoint"}
        (ses,) = [(action, target) for action, target in relay if action.startswith("ses:")]
        assert ses[0] == "ses:SendEmail" and "identity/${NotificationsSenderDomain}" in ses[1]
        assert not {action for action, _ in relay if action == "sns:CreatePlatformEndpoint"}
    # Endpoints live under their application's name: the policies name the custom resource's names.
    names = {_sub(resources[name]["Properties"]["Name"])
             for name in ("FcmPlatformApplication", "ApnsPlatformApplication")}
    targets = " ".join(target for _, target in api)
    assert all(name in targets for name in names)


def test_the_delivery_log_expires_through_the_members_tables_ttl(merged):
    from chalicelib.store.devices import DeliveryItem

    ttl = merged["Resources"]["MembersTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": DeliveryItem.expires_at.attr_name, "Enabled": True}
