"""`make webhook PARTNER=<name> BODY=<file>`: sign a JSON body as that partner (Standard Webhooks) and POST it.

Locally the secret is read from the local Secrets Manager that `make run` seeded; against another deployment pass
`--url` and `--secret whsec_…`. Prints the HTTP status and the response body.

    python -m local.webhook --partner finabien --body docs/examples/webhook-payment-succeeded.json
    python -m local.webhook --partner spei --body event.json --url https://api.example/v1/webhooks/spei --secret whsec_…
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

from chalicelib.domain.webhook_signatures import signature
from local.aws import StackState, stage_environment


def signed_headers(body: bytes, secret: str, message_id: str | None = None, timestamp: int | None = None) -> dict:
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(body, message_id, timestamp, secret),
    }


def local_secret(state: StackState, partner: str) -> str:
    prefix = stage_environment("local")["WEBHOOK_SECRETS_PREFIX"]
    value = state.endpoints.client("secretsmanager").get_secret_value(SecretId=prefix + partner)["SecretString"]
    return json.loads(value)["current"]


def send(url: str, body: bytes, headers: dict, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partner", required=True)
    parser.add_argument("--body", required=True, help="file with the JSON event ('-' for stdin)")
    parser.add_argument("--url", help="defaults to the local API's /v1/webhooks/<partner>")
    parser.add_argument("--secret", help="defaults to the partner's secret in the local Secrets Manager")
    parser.add_argument("--id", help="webhook-id (default: a new one; reuse one to see a duplicate delivery)")
    args = parser.parse_args()
    body = sys.stdin.buffer.read() if args.body == "-" else open(args.body, "rb").read()
    if args.url and args.secret:
        url, secret = args.url, args.secret
    else:
        state = StackState.load()
        url = args.url or f"{state.api_url}/v1/webhooks/{args.partner}"
        secret = args.secret or local_secret(state, args.partner)
    # Signed at the local API's clock, which `make run AT=…` may have moved.
    timestamp = None if args.url and args.secret else int(state.now().timestamp())
    status, response = send(url, body, signed_headers(body, secret, args.id, timestamp))
    print(status)
    print(response.decode("utf-8", "replace"))
    sys.exit(0 if status < 300 else 1)


if __name__ == "__main__":
    main()
