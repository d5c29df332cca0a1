"""The staff console as deployed: a private bucket that only the console's CloudFront distribution reads (origin
access control), HTTPS only, a strict Content-Security-Policy and security headers that are the very ones `make run`
serves, and one browser origin the API allows (preflights, gateway errors, config and template agree)."""

import json
import re
import threading
import urllib.error
import urllib.request

import pytest

from chalicelib.http.cors import cors_for
from local import console
from local.aws import StackState, free_port, stage_environment
from local.bootstrap import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
AWS_API = "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
AWS_COGNITO = "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}"
# Amazon Chime SDK meetings (the consult's video room with VIDEO_PROVIDER=chime): its signalling WebSocket, TURN
# control and event ingestion are all served under chime.aws (a `*.` source matches any depth of subdomain).
CHIME = ["https://*.chime.aws", "wss://*.chime.aws"]
# CloudFront's SecurityHeadersConfig members and the headers they send.
SECURITY_HEADERS = {"ContentSecurityPolicy": "Content-Security-Policy", "ContentTypeOptions": "X-Content-Type-Options",
                    "FrameOptions": "X-Frame-Options", "ReferrerPolicy": "Referrer-Policy",
                    "StrictTransportSecurity": "Strict-Transport-Security", "XSSProtection": "X-XSS-Protection"}


@pytest.fixture(scope="module")
def merged(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())


def _only(template: dict, kind: str) -> tuple[str, dict]:
    (found,) = [(name, r) for name, r in template["Resources"].items() if r["Type"] == kind]
    return found


def _distribution() -> dict:
    return _only(TEMPLATE, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]


def _headers_policy() -> dict:
    return RESOURCES["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]


def _csp_text() -> str:
    return _headers_policy()["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        assert name.lower() not in parsed, f"{name} twice"
        parsed[name.lower()] = sources
    return parsed


def _default(parameter: str) -> str:
    return TEMPLATE["Parameters"][parameter]["Default"]


def _origin_from_parameters(sub: dict) -> str:
    """A `Fn::Sub` over template parameters, with their defaults."""
    return re.sub(r"\$\{(\w+)\}", lambda m: _default(m.group(1)), sub["Fn::Sub"])


# -- the bucket -------------------------------------------------------------------------------------------------------

def test_the_bucket_is_private_and_encrypted():
    _, bucket = _only(TEMPLATE, "AWS::S3::Bucket")
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms", "aws:kms:dsse"}
    assert "WebsiteConfiguration" not in properties and "AccessControl" not in properties


def test_only_the_distribution_reads_the_bucket_and_only_over_tls():
    bucket, _ = _only(TEMPLATE, "AWS::S3::Bucket")
    distribution, _ = _only(TEMPLATE, "AWS::CloudFront::Distribution")
    _, policy = _only(TEMPLATE, "AWS::S3::BucketPolicy")
    assert policy["Properties"]["Bucket"] == {"Ref": bucket}
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": allows[0]["Sid"],
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": {"Fn::Sub": f"${{{bucket}.Arn}}/*"},
        "Condition": {"StringEquals": {"AWS:SourceArn": {
            "Fn::Sub": f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution}}}"}}},
    }]
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert [(d["Principal"], d["Action"], d["Condition"]) for d in denies] == [
        ("*", "s3:*", {"Bool": {"aws:SecureTransport": "false"}})]
    assert denies[0]["Resource"] == [{"Fn::GetAtt": [bucket, "Arn"]}, {"Fn::Sub": f"${{{bucket}.Arn}}/*"}]


def test_the_distribution_reaches_the_bucket_through_origin_access_control_not_an_identity():
    bucket, _ = _only(TEMPLATE, "AWS::S3::Bucket")
    oac_name, oac = _only(TEMPLATE, "AWS::CloudFront::OriginAccessControl")
    config = oac["Properties"]["OriginAccessControlConfig"]
    assert (config["OriginAccessControlOriginType"], config["SigningBehavior"], config["SigningProtocol"]) == (
        "s3", "always", "sigv4")
    (origin,) = _distribution()["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_name, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert not [r for r in RESOURCES.values() if r["Type"] == "AWS::CloudFront::CloudFrontOriginAccessIdentity"]


# -- the distribution -------------------------------------------------------------------------------------------------

def test_viewers_get_https_only_on_the_console_domain():
    config = _distribution()
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    assert {b["ViewerProtocolPolicy"] for b in behaviours} <= {"redirect-to-https", "https-only"}
    assert all(set(b["AllowedMethods"]) == {"GET", "HEAD"} for b in behaviours)  # a static app: nothing to post
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "ConsoleHeadersPolicy"} for b in behaviours)
    assert config["ViewerCertificate"] == {"AcmCertificateArn": {"Ref": "ConsoleCertificateArn"},
                                           "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert config["Aliases"] == [{"Ref": "ConsoleDomainName"}]
    assert TEMPLATE["Parameters"]["ConsoleCertificateArn"]["AllowedPattern"].startswith("^arn:aws:acm:us-east-1:")
    assert config["DefaultRootObject"] == "index.html"


def test_a_missing_file_is_not_answered_with_the_app():
    """The console routes by `#/…`, so every path it loads is a file; a 403/404 → index.html fallback would only
    turn a missing script after a deploy into HTML served as JavaScript."""
    assert not [e for e in _distribution().get("CustomErrorResponses", []) if e.get("ResponsePagePath")]


# -- headers ----------------------------------------------------------------------------------------------------------

def test_the_content_security_policy_is_strict():
    directives = _directives(_csp_text())
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'", AWS_API, AWS_COGNITO, *CHIME]
    assert directives["media-src"] == ["'self'", "blob:"]  # the consult's video
    # amazon-chime-sdk-js runs its redundant-audio and encoded-transform workers from blob: URLs it makes itself
    assert directives["worker-src"] == ["blob:"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'none'"]
    everything = {source for sources in directives.values() for source in sources}
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & everything
    assert [name for name, sources in directives.items() if "data:" in sources] == ["img-src"]
    # the video SDK's optional extras (Voice Focus, background filters) would need scripts from sdkassets.chime.aws
    # and WebAssembly: not used, not allowed
    assert "'wasm-unsafe-eval'" not in everything and not [s for s in directives["script-src"] if "chime" in s]
    assert len(_csp_text()) <= 1783  # CloudFront's limit on a response headers policy's Content-Security-Policy


def test_the_security_headers():
    config = _headers_policy()
    security = config["SecurityHeadersConfig"]
    assert all(header["Override"] is True for header in security.values())
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["IncludeSubdomains"] is True
    custom = {item["Header"]: item for item in config["CustomHeadersConfig"]["Items"]}
    permissions = dict(p.strip().split("=", 1) for p in custom["Permissions-Policy"]["Value"].split(","))
    assert permissions["camera"] == "(self)" and permissions["microphone"] == "(self)"
    assert custom["Permissions-Policy"]["Override"] is True
    # index.html and config.json must not linger in browsers; hashed assets are uploaded with their own Cache-Control
    assert custom["Cache-Control"] == {"Header": "Cache-Control", "Value": "no-store", "Override": False}


def test_make_run_serves_the_template_headers():
    """local/console.py, over HTTP: the template's policy with the local API and moto standing for the API and
    Cognito, every header the policy sets but HSTS (which loopback http cannot carry)."""
    state = StackState(dynamodb_endpoint="http://127.0.0.1:1", moto_endpoint="http://127.0.0.1:2",
                       user_pool_id="us-east-1_pool", app_client_id="client", api_url="http://127.0.0.1:3")
    config = _headers_policy()
    expected = {
        "Content-Security-Policy": _csp_text().replace(AWS_API, state.api_url).replace(AWS_COGNITO,
                                                                                       state.moto_endpoint),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": config["SecurityHeadersConfig"]["FrameOptions"]["FrameOption"],
        "Referrer-Policy": config["SecurityHeadersConfig"]["ReferrerPolicy"]["ReferrerPolicy"],
        **{item["Header"]: item["Value"] for item in config["CustomHeadersConfig"]["Items"]},
    }
    assert set(expected) >= {SECURITY_HEADERS[k] for k in config["SecurityHeadersConfig"]} - {
        "Strict-Transport-Security"}
    server = console.serve(state, free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/config.json", timeout=10) as answer:
            served = [dict(answer.headers)]
            assert json.load(answer) == console.client_config(state)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/no-such-file.js", timeout=10)
        served.append(dict(missing.value.headers))
    finally:
        server.shutdown()
        server.server_close()
    for headers in served:
        assert {name: headers.get(name) for name in expected} == expected
        assert "Strict-Transport-Security" not in headers


def test_in_aws_form_the_shared_definition_adds_hsts():
    headers = console.policy_headers(TEMPLATE, api="https://x", cognito="https://y", https=True)
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


# -- the API's one browser origin -------------------------------------------------------------------------------------

def test_config_and_template_name_the_same_console_origin():
    origin = stage_environment("prod")["CONSOLE_ORIGIN"]
    parameter = TEMPLATE["Parameters"]["ConsoleDomainName"]
    assert origin == f"https://{parameter['Default']}"
    assert parameter["AllowedValues"] == [parameter["Default"]]  # an override could not follow the preflights
    assert cors_for(origin) is not None
    assert _origin_from_parameters(TEMPLATE["Outputs"]["ConsoleUrl"]["Value"]) == f"{origin}/"


def test_gateway_responses_and_preflights_allow_the_console_origin(merged):
    origin = stage_environment("prod")["CONSOLE_ORIGIN"]
    responses = [r["Properties"] for r in merged["Resources"].values()
                 if r["Type"] == "AWS::ApiGateway::GatewayResponse"]
    assert {r["ResponseType"] for r in responses} == {
        "MISSING_AUTHENTICATION_TOKEN", "REQUEST_TOO_LARGE", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses:
        allowed = response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert _origin_from_parameters(allowed) == f"'{origin}'", response["ResponseType"]
    paths = merged["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    preflights = {path: item["options"]["x-amazon-apigateway-integration"]["responses"]["default"][
        "responseParameters"]["method.response.header.Access-Control-Allow-Origin"]
        for path, item in paths.items() if "options" in item}
    assert set(preflights) == set(paths)
    assert set(preflights.values()) == {f"'{origin}'"}


def test_the_console_config_output_points_at_what_the_policy_allows(merged):
    """The config.json the deploy uploads (output `ConsoleConfig`): the API Chalice deploys, under the connect-src."""
    outputs = merged["Outputs"]
    assert outputs["ConsoleConfig"]["Value"]["Fn::Sub"] == TEMPLATE["Outputs"]["ConsoleConfig"]["Value"]["Fn::Sub"]
    config = json.loads(outputs["ConsoleConfig"]["Value"]["Fn::Sub"])
    local = console.client_config(StackState("d", "m", "p", "c", "a"))
    assert set(config) == set(local) and set(config["cognito"]) == set(local["cognito"])
    assert config["cognito"] == {"endpoint": None, "region": "${AWS::Region}", "user_pool_id": "${UserPool}",
                                 "client_id": "${AppClient}"}
    assert f"{config['api']}/" == outputs["EndpointURL"]["Value"]["Fn::Sub"]  # Chalice's own output
    assert config["api"].startswith(AWS_API + "/")
    assert AWS_API in _directives(_csp_text())["connect-src"]
    assert {"ConsoleBucketName", "ConsoleDistributionId", "ConsoleDistributionDomainName"} <= set(outputs)
    assert outputs["ConsoleDistributionDomainName"]["Value"] == {"Fn::GetAtt": ["ConsoleDistribution", "DomainName"]}
