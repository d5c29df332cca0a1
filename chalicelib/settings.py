"""Service settings: read once from the environment and validated before the first request is served."""

from collections.abc import Mapping
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_TABLE_NAME = r"^[A-Za-z0-9_.-]{3,255}$"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable service; the message names every bad variable."""


class Settings(BaseModel):
    """Each field's alias is the environment variable it comes from."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    service_name: str = Field("pti-migrante", alias="SERVICE_NAME", min_length=1)
    stage: Literal["local", "prod"] = Field(alias="STAGE")
    region: str = Field(alias="AWS_REGION", pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
    dynamodb_endpoint: AnyHttpUrl | None = Field(None, alias="AWS_ENDPOINT_URL_DYNAMODB")
    aws_endpoint: AnyHttpUrl | None = Field(None, alias="AWS_ENDPOINT_URL")
    members_table: str = Field(alias="MEMBERS_TABLE", pattern=_TABLE_NAME)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", pattern=_TABLE_NAME)
    payments_table: str = Field(alias="PAYMENTS_TABLE", pattern=_TABLE_NAME)
    stats_table: str = Field(alias="STATS_TABLE", pattern=_TABLE_NAME)
    outbox_table: str = Field(alias="OUTBOX_TABLE", pattern=_TABLE_NAME)
    teleconsult_table: str = Field(alias="TELECONSULT_TABLE", pattern=_TABLE_NAME)
    records_table: str = Field(alias="RECORDS_TABLE", pattern=_TABLE_NAME)
    # The KMS key that wraps each health record's data key (an ARN in AWS, an alias locally).
    records_key_id: str = Field(alias="RECORDS_KEY_ID", pattern=r"^(arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/[\w-]+|alias/[\w/-]+)$")
    notifications_topic_arn: str = Field(alias="NOTIFICATIONS_TOPIC_ARN", pattern=r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$")
    # SNS mobile push: the platform applications (infra/template.json's custom resource) devices get endpoints on.
    push_fcm_application_arn: str = Field(alias="PUSH_FCM_APPLICATION_ARN",
                                          pattern=r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:app/GCM/[\w.-]+$")
    push_apns_application_arn: str = Field(alias="PUSH_APNS_APPLICATION_ARN",
                                           pattern=r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:app/APNS(_SANDBOX)?/[\w.-]+$")
    # SES sender of members' e-mail (an address of the template's verified identity).
    notifications_sender: str = Field(alias="NOTIFICATIONS_SENDER", pattern=r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
    video_provider: Literal["local", "chime"] = Field("local", alias="VIDEO_PROVIDER")
    # Identity proofing's registry check (docs/identity.md): `demo` serves the synthetic demo people; `provider` is a
    # CURP-registry provider (RENAPO's data) at CURP_REGISTRY_URL, its API key in the Secrets Manager secret named.
    curp_registry: Literal["demo", "provider"] = Field("demo", alias="CURP_REGISTRY")
    curp_registry_url: AnyHttpUrl | None = Field(None, alias="CURP_REGISTRY_URL")
    curp_registry_secret: str | None = Field(None, alias="CURP_REGISTRY_SECRET", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    # Where the daily job gets Banco de México's FIX (adapters/exchange_rates.py): `recorded` serves the recorded series
    # committed to the repository; `banxico` asks SIE with the token in the Secrets Manager secret named.
    exchange_rate_provider: Literal["recorded", "banxico"] = Field("recorded", alias="EXCHANGE_RATE_PROVIDER")
    banxico_token_secret: str | None = Field(None, alias="BANXICO_TOKEN_SECRET", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    # Partners allowed to call POST /v1/webhooks/{partner}; each one's signing secrets are the Secrets Manager
    # secret <prefix><partner>, JSON {"current": "whsec_…", "previous": "whsec_…" (while rotating)}.
    webhook_partners: tuple[str, ...] = Field(alias="WEBHOOK_PARTNERS", min_length=1)
    webhook_secrets_prefix: str = Field(alias="WEBHOOK_SECRETS_PREFIX", pattern=r"^[\w/+=.@-]+/$")
    # Secrets Manager secret {"current", "previous"?} whose value signs the verification tokens in documents' QR codes.
    document_signing_secret: str = Field(alias="DOCUMENT_SIGNING_SECRET", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    # Day of the month by which a payment covers the next month (seeds say 15; some IMSS offices say 20).
    payment_deadline_day: int = Field(15, alias="PAYMENT_DEADLINE_DAY", ge=1, le=28)
    jobs_queue_url: str = Field(alias="JOBS_QUEUE_URL", pattern=r"^https?://[^\s/]+/\d+/[\w-]+$")
    relay_dead_letters_url: str = Field(alias="RELAY_DEAD_LETTERS_URL", pattern=r"^https?://[^\s/]+/\d+/[\w-]+$")
    # Key ranges per index shard in the daily fan-out (domain/jobs.py): only the message count depends on it.
    job_fanout: int = Field(1, alias="JOB_FANOUT", ge=1, le=256)
    cognito_user_pool_id: str = Field(alias="COGNITO_USER_POOL_ID", pattern=r"^[\w-]+_[0-9a-zA-Z]+$")
    cognito_app_client_id: str = Field(alias="COGNITO_APP_CLIENT_ID", pattern=r"^[\w+]+$")
    cognito_issuer: AnyHttpUrl = Field(alias="COGNITO_ISSUER")
    cognito_jwks_url: AnyHttpUrl = Field(alias="COGNITO_JWKS_URL")

    @field_validator("webhook_partners", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _prod_talks_to_aws_only(self) -> "Settings":
        if self.stage == "prod" and (self.dynamodb_endpoint or self.aws_endpoint):
            raise ValueError("stage prod must not set AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_DYNAMODB")
        if self.stage == "prod" and self.video_provider != "chime":
            raise ValueError("stage prod needs VIDEO_PROVIDER=chime")
        if self.stage == "prod" and self.curp_registry != "provider":
            raise ValueError("stage prod needs a real CURP registry: CURP_REGISTRY=provider")
        if self.curp_registry == "provider" and not (self.curp_registry_url and self.curp_registry_secret):
            raise ValueError("CURP_REGISTRY=provider needs CURP_REGISTRY_URL and CURP_REGISTRY_SECRET")
        if self.stage == "prod" and self.exchange_rate_provider != "banxico":
            raise ValueError("stage prod needs Banco de México's rates: EXCHANGE_RATE_PROVIDER=banxico")
        if self.exchange_rate_provider == "banxico" and not self.banxico_token_secret:
            raise ValueError("EXCHANGE_RATE_PROVIDER=banxico needs BANXICO_TOKEN_SECRET")
        if self.curp_registry_url and self.curp_registry_url.scheme != "https" and self.stage == "prod":
            raise ValueError("CURP_REGISTRY_URL must be https in prod")
        return self

    @property
    def tables(self) -> dict[str, str]:
        """Logical table name → physical table name."""
        return {"members": self.members_table, "idempotency": self.idempotency_table, "payments": self.payments_table,
                "stats": self.stats_table, "outbox": self.outbox_table, "teleconsult": self.teleconsult_table,
                "records": self.records_table}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Validate the environment; on failure raise SettingsError listing every missing or malformed variable."""
    # Lambda sets AWS_REGION; local tools often set only AWS_DEFAULT_REGION.
    values = {k: v for k, v in environ.items() if v != ""}
    if "AWS_REGION" not in values and "AWS_DEFAULT_REGION" in values:
        values["AWS_REGION"] = values["AWS_DEFAULT_REGION"]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "(settings)"
            reason = "missing" if error["type"] == "missing" else error["msg"]
            problems.append(f"  {name}: {reason}")
        raise SettingsError("Invalid service settings (environment variables):\n" + "\n".join(problems)) from None
