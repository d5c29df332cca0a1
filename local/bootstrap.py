"""Create the local tables and sign-in resources exactly as infra/template.json defines them. Idempotent.

Tables: every `AWS::DynamoDB::Table` the template wires into the function environment (`Globals`), created under
the name that environment variable has for the stage, with its indexes and stream. Queues: every `AWS::SQS::Queue`,
named `pti-local-<resource name in kebab case, without "-queue">`, with its attributes and redrive policy.
Sign-in: the user pool, its app client and groups. Also the notifications topic, each webhook partner's signing
secret, the push platform applications and the e-mail sender.
"""

import base64
import json
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "infra" / "template.json"

# Local-only: `make token` and the tests sign in with a password directly, which the production client forbids.
LOCAL_AUTH_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"]


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def table_definitions(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Environment variable → Properties of the table it names (`{"Ref": "MembersTable"}`)."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    resources = template["Resources"]
    definitions = {}
    for variable, value in variables.items():
        if isinstance(value, dict) and resources.get(value.get("Ref"), {}).get("Type") == "AWS::DynamoDB::Table":
            definitions[variable] = resources[value["Ref"]]["Properties"]
    return definitions


_CREATE_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes",
                      "LocalSecondaryIndexes", "StreamSpecification", "DeletionProtectionEnabled")


def create_table_request(name: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """CreateTable parameters for a template table (CloudFormation spells a few of them differently)."""
    request: dict[str, Any] = {"TableName": name, **{k: properties[k] for k in _CREATE_TABLE_KEYS if k in properties}}
    if "StreamSpecification" in properties:  # CloudFormation implies StreamEnabled
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    sse = properties.get("SSESpecification")
    if sse:
        # A customer key is a reference to another resource of the stack; locally the default encryption stands in.
        request["SSESpecification"] = {"Enabled": sse["SSEEnabled"]}
    return request


def ensure_tables(dynamodb, environment: Mapping[str, str], template: Mapping[str, Any] | None = None) -> list[str]:
    """Create each missing table; leave existing ones (and their data) alone. Returns the names created."""
    existing = set(dynamodb.get_paginator("list_tables").paginate().build_full_result().get("TableNames", []))
    created = []
    for variable, properties in table_definitions(template or load_template()).items():
        name = environment[variable]
        if name in existing:
            continue
        dynamodb.create_table(**create_table_request(name, properties))
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def _resources_of_type(template: Mapping[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == resource_type]


def ensure_cognito(cognito, template: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The user pool, app client and groups of the template; returns (pool id, client id)."""
    template = template or load_template()
    (pool,) = _resources_of_type(template, "AWS::Cognito::UserPool")
    (client,) = _resources_of_type(template, "AWS::Cognito::UserPoolClient")
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == pool["UserPoolName"]), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=pool["UserPoolName"],
            Policies=pool["Policies"],
            UsernameConfiguration=pool["UsernameConfiguration"],
            AutoVerifiedAttributes=pool["AutoVerifiedAttributes"],
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == client["ClientName"]), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=client["ClientName"],
            GenerateSecret=False,
            ExplicitAuthFlows=client["ExplicitAuthFlows"] + LOCAL_AUTH_FLOWS,
            PreventUserExistenceErrors=client["PreventUserExistenceErrors"],
        )["UserPoolClient"]["ClientId"]
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in _resources_of_type(template, "AWS::Cognito::UserPoolGroup"):
        if group["GroupName"] not in groups:
            cognito.create_group(UserPoolId=pool_id, GroupName=group["GroupName"], Description=group["Description"])
    return pool_id, client_id


def ensure_indexes(dynamodb, environment: Mapping[str, str], template: Mapping[str, Any] | None = None) -> list[str]:
    """Add the template's global secondary indexes (and time-to-live) missing from tables kept by an earlier run
    (DynamoDB Local data persists in .local/). Returns "table/index" for each one added."""
    added = []
    for variable, properties in table_definitions(template or load_template()).items():
        name = environment[variable]
        table = dynamodb.describe_table(TableName=name)["Table"]
        existing = {i["IndexName"]: i["KeySchema"] for i in table.get("GlobalSecondaryIndexes", [])}
        for index in properties.get("GlobalSecondaryIndexes", []):
            if existing.get(index["IndexName"]) == index["KeySchema"]:
                continue
            if index["IndexName"] in existing:  # its keys changed since: rebuilt from the table's items
                dynamodb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
                    {"Delete": {"IndexName": index["IndexName"]}}])
                _wait_for_indexes(dynamodb, name)
            used = {part["AttributeName"] for part in index["KeySchema"]}
            dynamodb.update_table(
                TableName=name,
                AttributeDefinitions=[d for d in properties["AttributeDefinitions"] if d["AttributeName"] in used],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )
            _wait_for_indexes(dynamodb, name)
            added.append(f"{name}/{index['IndexName']}")
        stream = properties.get("StreamSpecification")
        if stream and not table.get("StreamSpecification", {}).get("StreamEnabled"):
            dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, **stream})
            added.append(f"{name}/stream")
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] != "ENABLED":
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
            added.append(f"{name}/ttl:{ttl['AttributeName']}")
    return added


def _wait_for_indexes(dynamodb, name: str) -> None:
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    for _ in range(120):
        indexes = dynamodb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        if all(index.get("IndexStatus", "ACTIVE") == "ACTIVE" for index in indexes):
            return
        time.sleep(0.5)


def local_queue_name(resource: str) -> str:
    """JobsDeadLetterQueue → pti-local-jobs-dead-letter."""
    return "pti-local-" + re.sub(r"(?<!^)(?=[A-Z])", "-", resource.removesuffix("Queue")).lower()


def ensure_queues(sqs, template: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The template's queues (CreateQueue is idempotent with the same attributes), dead-letter queues first so a
    redrive policy can name them; returns resource name → queue URL."""
    resources = (template or load_template())["Resources"]
    queues = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    urls: dict[str, str] = {}
    for name, properties in sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1]):
        attributes = {key: str(properties[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod")
                      if key in properties}
        redrive = properties.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn,
                                                      "maxReceiveCount": str(redrive["maxReceiveCount"])})
        urls[name] = sqs.create_queue(QueueName=local_queue_name(name), Attributes=attributes)["QueueUrl"]
    return urls


def ensure_records_key(kms, alias: str, template: Mapping[str, Any] | None = None) -> str:
    """The health records' KMS key of the template, under the local alias; returns its key id. (The local moto server
    derives a key's id and material from its description, so records written before a restart still decrypt.)"""
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    except kms.exceptions.NotFoundException:
        pass
    (key,) = _resources_of_type(template or load_template(), "AWS::KMS::Key")
    key_id = kms.create_key(Description=key["Description"])["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def ensure_topic(sns, topic_arn: str) -> None:
    """The notifications topic (CreateTopic is idempotent)."""
    sns.create_topic(Name=topic_arn.rsplit(":", 1)[1])


def ensure_partner_secrets(secretsmanager, prefix: str, partners: str) -> dict[str, str]:
    """A fresh random signing secret per webhook partner, unless one exists; returns partner → current secret.

    Local only: in AWS the template generates them and partners receive theirs out of band."""
    current = {}
    for partner in (p.strip() for p in partners.split(",") if p.strip()):
        name = f"{prefix}{partner}"
        try:
            value = json.loads(secretsmanager.get_secret_value(SecretId=name)["SecretString"])
        except secretsmanager.exceptions.ResourceNotFoundException:
            value = {"current": "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()}
            secretsmanager.create_secret(Name=name, SecretString=json.dumps(value))
        current[partner] = value["current"]
    return current


def ensure_document_secret(secretsmanager, name: str) -> None:
    """A random key for the documents' verification tokens, unless one exists (in AWS the template generates it)."""
    try:
        secretsmanager.get_secret_value(SecretId=name)
    except secretsmanager.exceptions.ResourceNotFoundException:
        secretsmanager.create_secret(Name=name, SecretString=json.dumps({"current": secrets.token_urlsafe(33)}))


def ensure_push_applications(sns, environment: Mapping[str, str]) -> None:
    """The FCM and APNs platform applications under their local ARNs (in AWS the template's custom resource creates
    them from the credentials in Secrets Manager; locally moto needs none)."""
    for variable in ("PUSH_FCM_APPLICATION_ARN", "PUSH_APNS_APPLICATION_ARN"):
        arn = environment[variable]
        try:
            sns.get_platform_application_attributes(PlatformApplicationArn=arn)
        except sns.exceptions.NotFoundException:
            platform, name = arn.rsplit(":", 1)[1].split("/")[1:]
            sns.create_platform_application(Name=name, Platform=platform,
                                            Attributes={"PlatformCredential": "local", "PlatformPrincipal": "local"})


def ensure_sender(ses, sender: str) -> None:
    """The members' e-mail sender verified in SES (VerifyEmailIdentity is idempotent)."""
    ses.verify_email_identity(EmailAddress=sender)


def bootstrap(endpoints_client, environment: Mapping[str, str]) -> list[str]:
    """Everything the service needs besides sign-in: tables (and indexes added since), the notifications topic and
    the partners' webhook secrets. `endpoints_client(service)` returns a boto3 client. Returns the tables created."""
    dynamodb = endpoints_client("dynamodb")
    created = ensure_tables(dynamodb, environment)
    ensure_indexes(dynamodb, environment)
    ensure_topic(endpoints_client("sns"), environment["NOTIFICATIONS_TOPIC_ARN"])
    ensure_queues(endpoints_client("sqs"))
    ensure_partner_secrets(endpoints_client("secretsmanager"), environment["WEBHOOK_SECRETS_PREFIX"],
                           environment["WEBHOOK_PARTNERS"])
    ensure_document_secret(endpoints_client("secretsmanager"), environment["DOCUMENT_SIGNING_SECRET"])
    ensure_records_key(endpoints_client("kms"), environment["RECORDS_KEY_ID"])
    ensure_push_applications(endpoints_client("sns"), environment)
    ensure_sender(endpoints_client("ses"), environment["NOTIFICATIONS_SENDER"])
    return created
