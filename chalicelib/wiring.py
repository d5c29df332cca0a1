"""Process-wide singletons, built once on first use (Lambda cold start) from validated Settings.

Kept lazy so importing `app` stays cheap and `chalice package` can import it without the runtime environment; the
Lambda entry and the local server call `settings()` first thing so a bad environment fails before any request.
"""

import os
import secrets
from functools import cache
from typing import TYPE_CHECKING

from chalicelib.auth import TokenVerifier
from chalicelib.settings import Settings, load_settings

if TYPE_CHECKING:
    from chalicelib.adapters.exchange_rates import ExchangeRateProvider
    from chalicelib.adapters.partner_secrets import PartnerSecrets
    from chalicelib.adapters.video_rooms import VideoRooms


@cache
def settings() -> Settings:
    from chalicelib.store import tables  # the store (PynamoDB, botocore) loads with the settings, not with `app`

    loaded = load_settings(os.environ)
    tables.bind(loaded)
    return loaded


@cache
def token_verifier() -> TokenVerifier:
    current = settings()
    return TokenVerifier(
        issuer=str(current.cognito_issuer).rstrip("/"),
        client_id=current.cognito_app_client_id,
        jwks_url=str(current.cognito_jwks_url),
    )


@cache
def partner_secrets() -> "PartnerSecrets":
    from chalicelib.adapters.partner_secrets import PartnerSecrets

    current = settings()
    return PartnerSecrets(current.webhook_secrets_prefix, current.webhook_partners)


@cache
def sns():
    import boto3  # botocore's SNS model loads only when something is published

    return boto3.client("sns", region_name=settings().region)


@cache
def push_endpoints():
    """SNS platform endpoints of the FCM and APNs applications (the relay's pushes, the devices routes)."""
    from chalicelib.adapters.push import PushEndpoints

    current = settings()
    return PushEndpoints(sns(), {"fcm": current.push_fcm_application_arn, "apns": current.push_apns_application_arn})


@cache
def mailer():
    import boto3  # SES loads only when a member without a device is e-mailed

    from chalicelib.adapters.push import Mailer

    current = settings()
    return Mailer(boto3.client("ses", region_name=current.region), current.notifications_sender)


@cache
def sqs():
    import boto3  # the daily dispatcher's client

    return boto3.client("sqs", region_name=settings().region)


@cache
def dynamodb_streams():
    import boto3  # the relay's redrive reads dead-lettered records back from the outbox stream

    current = settings()
    return boto3.client("dynamodbstreams", region_name=current.region,
                        endpoint_url=str(current.dynamodb_endpoint) if current.dynamodb_endpoint else None)


@cache
def cognito():
    import boto3  # loaded when an operator first creates a user

    return boto3.client("cognito-idp", region_name=settings().region)


@cache
def kms():
    import boto3  # loaded, with the cipher, when a health record or a sealed text is first read or written

    return boto3.client("kms", region_name=settings().region)


@cache
def record_keys():
    from chalicelib.adapters.record_keys import RecordKeys

    return RecordKeys(kms(), settings().records_key_id)


@cache
def booking_reasons():
    """Seals and opens bookings' reasons (clinical free text) with the records' KMS key, context `text`."""
    from chalicelib.adapters.record_keys import RecordKeys
    from chalicelib.adapters.sealed_text import TextSealer

    return TextSealer(RecordKeys(kms(), settings().records_key_id, context_name="text"), "booking-reason")


@cache
def curp_registry():
    """The registry check's provider: the demo people locally, a real provider in prod (settings enforce it)."""
    from chalicelib.adapters.curp_registry import DemoCurpRegistry, ProviderCurpRegistry

    current = settings()
    if current.curp_registry == "provider":
        import boto3

        secrets_client = boto3.client("secretsmanager", region_name=current.region)
        api_key = secrets_client.get_secret_value(SecretId=current.curp_registry_secret)["SecretString"]
        return ProviderCurpRegistry(str(current.curp_registry_url), api_key)
    return DemoCurpRegistry()


@cache
def document_keys():
    """The documents' verification signing keys (Secrets Manager, cached a few minutes)."""
    import boto3  # loaded with the first document issued or verified

    from chalicelib.adapters.document_keys import DocumentKeys

    current = settings()
    return DocumentKeys(current.document_signing_secret,
                        boto3.client("secretsmanager", region_name=current.region))


@cache
def exchange_rates() -> "ExchangeRateProvider":
    """The FIX's provider: the recorded series locally, Banxico's SIE in prod (settings enforce it)."""
    from chalicelib.adapters.exchange_rates import BanxicoSie, RecordedSeries

    current = settings()
    if current.exchange_rate_provider == "banxico":
        import boto3

        secrets_client = boto3.client("secretsmanager", region_name=current.region)
        return BanxicoSie(secrets_client.get_secret_value(SecretId=current.banxico_token_secret)["SecretString"])
    return RecordedSeries()


@cache
def video_rooms() -> "VideoRooms":
    from chalicelib.adapters.video_rooms import ChimeRooms, LocalRooms

    current = settings()
    if current.video_provider == "chime":
        import boto3

        return ChimeRooms(boto3.client("chime-sdk-meetings", region_name=current.region), current.region)
    return LocalRooms(secrets.token_bytes(32))


def reset() -> None:
    """Forget the singletons (tests switch environments between cases)."""
    cognito.cache_clear()
    curp_registry.cache_clear()
    exchange_rates.cache_clear()
    document_keys.cache_clear()
    record_keys.cache_clear()
    booking_reasons.cache_clear()
    kms.cache_clear()
    video_rooms.cache_clear()
    sns.cache_clear()
    push_endpoints.cache_clear()
    mailer.cache_clear()
    sqs.cache_clear()
    dynamodb_streams.cache_clear()
    partner_secrets.cache_clear()
    token_verifier.cache_clear()
    settings.cache_clear()
