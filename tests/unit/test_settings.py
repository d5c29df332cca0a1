import pytest

from chalicelib.settings import SettingsError, load_settings

VALID = {
    "STAGE": "local",
    "AWS_REGION": "us-east-1",
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8001",
    "MEMBERS_TABLE": "pti-local-members",
    "IDEMPOTENCY_TABLE": "pti-local-idempotency",
    "PAYMENTS_TABLE": "pti-local-payments",
    "STATS_TABLE": "pti-local-stats",
    "OUTBOX_TABLE": "pti-local-outbox",
    "JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/pti-local-jobs",
    "RELAY_DEAD_LETTERS_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/pti-local-relay-dead-letter",
    "TELECONSULT_TABLE": "pti-local-teleconsult",
    "RECORDS_TABLE": "pti-local-records",
    "RECORDS_KEY_ID": "alias/pti-local-health-records",
    "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:pti-local-notifications",
    "PUSH_FCM_APPLICATION_ARN": "arn:aws:sns:us-east-1:123456789012:app/GCM/pti-local-fcm",
    "PUSH_APNS_APPLICATION_ARN": "arn:aws:sns:us-east-1:123456789012:app/APNS/pti-local-apns",
    "NOTIFICATIONS_SENDER": "avisos@ptimigrante.local",
    "WEBHOOK_PARTNERS": "finabien, spei",
    "WEBHOOK_SECRETS_PREFIX": "pti-migrante/local/webhooks/",
    "DOCUMENT_SIGNING_SECRET": "pti-migrante/local/document-signing",
    "COGNITO_USER_POOL_ID": "us-east-1_abc123",
    "COGNITO_APP_CLIENT_ID": "client123",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc123",
    "COGNITO_JWKS_URL": "http://127.0.0.1:8002/us-east-1_abc123/.well-known/jwks.json",
}


BANXICO = {"EXCHANGE_RATE_PROVIDER": "banxico", "BANXICO_TOKEN_SECRET": "pti-migrante/prod/banxico-sie-token"}


def test_valid_environment_gives_typed_settings():
    settings = load_settings(VALID)
    assert settings.stage == "local"
    assert settings.tables == {"members": "pti-local-members", "idempotency": "pti-local-idempotency",
                               "payments": "pti-local-payments", "stats": "pti-local-stats",
                               "outbox": "pti-local-outbox", "teleconsult": "pti-local-teleconsult",
                               "records": "pti-local-records"}
    assert settings.webhook_partners == ("finabien", "spei")
    assert settings.payment_deadline_day == 15
    assert str(settings.dynamodb_endpoint).startswith("http://127.0.0.1:8001")


def test_region_falls_back_to_aws_default_region():
    environ = {k: v for k, v in VALID.items() if k != "AWS_REGION"} | {"AWS_DEFAULT_REGION": "us-west-2"}
    assert load_settings(environ).region == "us-west-2"


def test_every_missing_or_malformed_variable_is_named_at_once():
    environ = {k: v for k, v in VALID.items() if k not in ("MEMBERS_TABLE", "COGNITO_APP_CLIENT_ID")}
    environ |= {"STAGE": "dev", "COGNITO_ISSUER": "not a url"}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    message = str(raised.value)
    assert "MEMBERS_TABLE: missing" in message
    assert "COGNITO_APP_CLIENT_ID: missing" in message
    assert "STAGE:" in message and "COGNITO_ISSUER:" in message
    assert "AWS_REGION" not in message


def test_empty_values_count_as_missing():
    with pytest.raises(SettingsError, match="MEMBERS_TABLE: missing"):
        load_settings(VALID | {"MEMBERS_TABLE": ""})


def test_prod_refuses_local_endpoints():
    with pytest.raises(SettingsError, match="prod must not set"):
        load_settings(VALID | {"STAGE": "prod"})


def test_lambda_cold_start_fails_fast_with_the_list_of_bad_variables():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=Path(__file__).resolve().parents[2],
        env={"AWS_LAMBDA_FUNCTION_NAME": "pti-migrante-prod", "STAGE": "prod", "AWS_REGION": "us-east-1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SettingsError" in result.stderr and "MEMBERS_TABLE: missing" in result.stderr


def test_prod_needs_a_real_curp_registry_provider():
    aws_only = {k: v for k, v in VALID.items() if not k.startswith("AWS_ENDPOINT")} | {
        "STAGE": "prod", "VIDEO_PROVIDER": "chime", **BANXICO}
    with pytest.raises(SettingsError, match="CURP_REGISTRY=provider"):
        load_settings(aws_only)
    with pytest.raises(SettingsError, match="needs CURP_REGISTRY_URL and CURP_REGISTRY_SECRET"):
        load_settings(aws_only | {"CURP_REGISTRY": "provider"})
    with pytest.raises(SettingsError, match="https"):
        load_settings(aws_only | {"CURP_REGISTRY": "provider", "CURP_REGISTRY_URL": "http://registry.example",
                                  "CURP_REGISTRY_SECRET": "pti-migrante/prod/curp-registry"})
    settings = load_settings(aws_only | {"CURP_REGISTRY": "provider", "CURP_REGISTRY_URL": "https://registry.example/v1",
                                         "CURP_REGISTRY_SECRET": "pti-migrante/prod/curp-registry"})
    assert settings.curp_registry == "provider"
    assert load_settings(VALID).curp_registry == "demo"  # local runs and tests: the synthetic demo people


def test_prod_takes_the_fix_from_banxico_with_its_token():
    aws_only = {k: v for k, v in VALID.items() if not k.startswith("AWS_ENDPOINT")} | {
        "STAGE": "prod", "VIDEO_PROVIDER": "chime", "CURP_REGISTRY": "provider",
        "CURP_REGISTRY_URL": "https://registry.example/v1", "CURP_REGISTRY_SECRET": "pti-migrante/prod/curp-registry"}
    with pytest.raises(SettingsError, match="EXCHANGE_RATE_PROVIDER=banxico"):
        load_settings(aws_only)
    with pytest.raises(SettingsError, match="needs BANXICO_TOKEN_SECRET"):
        load_settings(aws_only | {"EXCHANGE_RATE_PROVIDER": "banxico"})
    with pytest.raises(SettingsError, match="EXCHANGE_RATE_PROVIDER"):
        load_settings(VALID | {"EXCHANGE_RATE_PROVIDER": "yahoo"})
    assert load_settings(aws_only | BANXICO).banxico_token_secret == BANXICO["BANXICO_TOKEN_SECRET"]
    assert load_settings(VALID).exchange_rate_provider == "recorded"  # local runs and tests: the recorded series
