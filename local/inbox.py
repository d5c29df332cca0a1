"""`make inbox [USER=<name>]`: what a member's phones and mailbox received from the local stack.

Read from the moto server's own record (`/moto-api/data.json`): every message SNS published to a platform endpoint
created for the member (its CustomUserData is the member's id; endpoints pruned or deleted since are listed too,
marked gone), and every e-mail SES sent to the member's address. USER defaults to the demo member; a member who
signed up with `make signup` is named by their e-mail. Run it while `make run` runs.
"""

import argparse
import json
import os
import sys
import urllib.request

from chalicelib.auth import Role
from local.aws import StackState, stage_environment
from local.users import DEMO_USERS


def moto_records(moto_endpoint: str) -> dict:
    with urllib.request.urlopen(f"{moto_endpoint}/moto-api/data.json", timeout=30) as answer:
        return json.load(answer)


def member_id_of(cognito, pool_id: str, username: str) -> str:
    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        sys.exit(f"No user {username} in the local user pool.")
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def _push_text(raw: str, platform: str) -> tuple[str, str, dict]:
    """Title, body and data of a push as the phone would get it (SNS's per-platform JSON message)."""
    message = json.loads(raw)
    if "GCM" in message:
        fcm = json.loads(message["GCM"])["fcmV1Message"]["message"]
        return fcm["notification"]["title"], fcm["notification"]["body"], fcm.get("data", {})
    apns = json.loads(message.get("APNS") or message.get("APNS_SANDBOX") or "{}")
    if "aps" in apns:
        alert = apns.pop("aps")["alert"]
        return alert["title"], alert["body"], apns
    return "", message.get("default", raw), {}


def inbox(records: dict, member_id: str, email: str | None, live_endpoints: set[str]) -> dict:
    """The member's phones (each endpoint's pushes) and mailbox, from moto's records."""
    phones = []
    for endpoint in records.get("sns", {}).get("PlatformEndpoint", []):
        if endpoint.get("custom_user_data") != member_id:
            continue
        platform = endpoint["arn"].split(":endpoint/", 1)[1].split("/", 1)[0]
        pushes = []
        for raw in endpoint.get("messages", {}).values():
            title, body, data = _push_text(raw, platform)
            pushes.append({"title": title, "body": body, "data": data})
        phones.append({"endpoint": endpoint["arn"], "platform": platform,
                       "state": "registered" if endpoint["arn"] in live_endpoints else "gone",
                       "pushes": pushes})
    mails = [{"subject": m["subject"], "body": m["body"]} for m in records.get("ses", {}).get("Message", [])
             if email and email in (m.get("destinations") or {}).get("ToAddresses", [])]
    return {"phones": phones, "mailbox": {"address": email, "messages": mails}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default=DEMO_USERS[Role.MEMBER], help="the member's username (default: the demo)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args()
    state = StackState.load()
    os.environ.update({**state.service_environment(), **stage_environment("local")})
    from chalicelib import wiring
    from chalicelib.store import devices, members  # after the environment: settings are read on first use

    wiring.settings()
    member_id = member_id_of(state.endpoints.client("cognito-idp"), state.user_pool_id, args.user)
    member = members.get_member(member_id)
    live = {device.endpoint_arn: device for device in devices.devices_of(member_id)}
    found = inbox(moto_records(state.moto_endpoint), member_id, member.email if member else None, set(live))
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    print(f"{args.user} (member {member_id})")
    for phone in found["phones"]:
        device = live.get(phone["endpoint"])
        named = f"{device.device_id} [{device.language}]" if device else "(no longer registered)"
        print(f"  phone {named} {phone['platform']}: {len(phone['pushes'])} push(es)")
        for push in phone["pushes"]:
            print(f"    - {push['title']}: {push['body']}  {json.dumps(push['data'], ensure_ascii=False)}")
    if not found["phones"]:
        print("  no phone registered (PUT /v1/me/devices/{device_id})")
    mailbox = found["mailbox"]
    print(f"  mailbox {mailbox['address'] or '(no address)'}: {len(mailbox['messages'])} e-mail(s)")
    for mail in mailbox["messages"]:
        print(f"    - {mail['subject']}: {' '.join(mail['body'].split())}")


if __name__ == "__main__":
    main()
