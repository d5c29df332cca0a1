"""SNS mobile push (a platform endpoint per device on the FCM or APNs platform application) and SES e-mail.

Failures are sorted into what the caller does about them: `EndpointGone` (AWS disabled or lost the endpoint: prune the
device), `Transient` (throttled, AWS's own error, unreachable: try again later) and `Refused` (anything else: the
message will never go; log it and move on).
"""

import re

from botocore.exceptions import ClientError, ConnectionError as BotocoreConnectionError, HTTPClientError

_GONE = {"EndpointDisabled", "NotFound", "NotFoundException"}
_TRANSIENT = {"Throttling", "ThrottlingException", "ThrottledException", "InternalError", "InternalFailure",
              "ServiceUnavailable", "KMSThrottling", "RequestLimitExceeded"}
# CreatePlatformEndpoint on a token another endpoint holds with other attributes (another account signed in on the
# phone before): AWS names that endpoint in the message.
_TAKEN = re.compile(r"Endpoint (arn:aws[\w-]*:sns:\S+) already exists with the same [Tt]oken")


class EndpointGone(Exception):
    """The endpoint is disabled (the app was uninstalled, the token expired) or deleted."""


class Transient(Exception):
    """Worth retrying: AWS throttled or failed, or could not be reached."""


class Refused(Exception):
    """AWS refused the request for good (a malformed message, an unverified sender)."""


def _sorted_error(error: Exception) -> Exception:
    if isinstance(error, (BotocoreConnectionError, HTTPClientError)):
        return Transient(type(error).__name__)
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _GONE:
        return EndpointGone(code)
    if code in _TRANSIENT or (isinstance(error, ClientError)
                              and error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500):
        return Transient(code)
    return Refused(code or type(error).__name__)


class PushEndpoints:
    """Platform endpoints of the two applications (`applications`: platform `fcm`/`apns` → application ARN)."""

    def __init__(self, sns, applications: dict[str, str]) -> None:
        self._sns = sns
        self._applications = applications

    def create(self, platform: str, token: str, member_id: str) -> str:
        """A new endpoint for `token`, its user data the member's id. A token still held by another endpoint (an
        earlier account on the same phone) has that endpoint deleted first, so no one else's notices reach it."""
        application = self._applications[platform]
        try:
            return self._sns.create_platform_endpoint(PlatformApplicationArn=application, Token=token,
                                                      CustomUserData=member_id)["EndpointArn"]
        except ClientError as error:
            taken = _TAKEN.search(error.response.get("Error", {}).get("Message", ""))
            if not taken:
                raise _sorted_error(error) from error
        self.delete(taken.group(1))
        return self._sns.create_platform_endpoint(PlatformApplicationArn=application, Token=token,
                                                  CustomUserData=member_id)["EndpointArn"]

    def refresh(self, endpoint_arn: str, token: str) -> bool:
        """AWS's re-registration step: the endpoint carries `token` and is enabled again. False if it is gone."""
        try:
            attributes = self._sns.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
            if attributes.get("Token") != token or str(attributes.get("Enabled")).lower() != "true":
                self._sns.set_endpoint_attributes(EndpointArn=endpoint_arn,
                                                  Attributes={"Token": token, "Enabled": "true"})
            return True
        except ClientError as error:
            sorted_error = _sorted_error(error)
            if isinstance(sorted_error, EndpointGone):
                return False
            raise sorted_error from error

    def delete(self, endpoint_arn: str) -> None:
        """Idempotent (SNS answers a deleted endpoint's deletion with success)."""
        try:
            self._sns.delete_endpoint(EndpointArn=endpoint_arn)
        except ClientError as error:
            sorted_error = _sorted_error(error)
            if not isinstance(sorted_error, EndpointGone):
                raise sorted_error from error

    def publish(self, endpoint_arn: str, message: str, message_id: str) -> str:
        """One push (`message` in SNS's per-platform JSON); returns SNS's message id."""
        try:
            return self._sns.publish(TargetArn=endpoint_arn, Message=message, MessageStructure="json",
                                     MessageAttributes={"message_id": {"DataType": "String",
                                                                       "StringValue": message_id}})["MessageId"]
        except (ClientError, BotocoreConnectionError, HTTPClientError) as error:
            raise _sorted_error(error) from error


class Mailer:
    """Plain-text e-mail from the service's sender address (an SES identity of infra/template.json)."""

    def __init__(self, ses, sender: str) -> None:
        self._ses = ses
        self._sender = sender

    def send(self, to: str, subject: str, text: str) -> str:
        try:
            return self._ses.send_email(Source=self._sender, Destination={"ToAddresses": [to]}, Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}})["MessageId"]
        except (ClientError, BotocoreConnectionError, HTTPClientError) as error:
            raise _sorted_error(error) from error
