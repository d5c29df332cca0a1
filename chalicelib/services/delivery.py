"""Delivering relayed notifications to members: a push to each device, or an e-mail when there is none
(domain/notices.py decides what and in which words; services/relay.py calls this once a message is on the topic).

The messages of one PublishBatch chunk (up to 10) are delivered side by side, so a batch's deliveries cost about what
its publishing does (docs/capacity.md § 5). Per batch, one Query per distinct member (`store.devices.reach`: profile
status and e-mail, preferences, devices). Per delivery, one conditional PutItem claiming it in the member's delivery
log, then the push or e-mail. A failure worth retrying (throttling, AWS's own error) releases the claim and reports
the message as not delivered: the relay does not mark it sent and Lambda retries it from there, and the retry skips
the devices already claimed. An endpoint AWS reports disabled or gone is pruned (endpoint and device deleted). A
refusal for good is logged and dropped.
"""

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

from chalicelib import wiring
from chalicelib.adapters.push import EndpointGone, Refused, Transient
from chalicelib.domain.notices import deliverable, email_for, platform_message, push_for, wants
from chalicelib.logs import service_logger
from chalicelib.store import devices as store
from chalicelib.store.devices import Reach
from chalicelib.store.outbox import Queued

_log = service_logger()


PARALLEL = 10  # a PublishBatch chunk's messages at once


@dataclass
class Batch:
    """The members read for one relayed batch, and what was done."""

    now: datetime
    members: dict[str, Reach] = field(default_factory=dict)
    pushed: int = 0
    emailed: int = 0
    pruned: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reach(self, member_id: str) -> Reach:
        if member_id not in self.members:
            self.members[member_id] = store.reach(member_id)
        return self.members[member_id]

    def count(self, what: str) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)


def deliver_all(messages: list[Queued], batch: Batch) -> list[bool]:
    """`deliver` for each message, side by side (each in a copy of the caller's log context); in their order. The
    members are read first, one Query each, so two messages of one member share the read."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        def each(function, items):
            return [future.result() for future in
                    [pool.submit(contextvars.copy_context().run, function, item) for item in items]]

        each(batch.reach, sorted({m.member_id for m in messages if push_for(m.kind, m.params, "es")}))
        return each(lambda message: deliver(message, batch), messages)


def deliver(message: Queued, batch: Batch) -> bool:
    """Deliver `message` to its member; False when a send failed in a way worth retrying."""
    if push_for(message.kind, message.params, "es") is None:
        return True  # a kind the app has no words for (an internal one): the topic's consumers have it
    reach = batch.reach(message.member_id)
    if not deliverable(reach.status):
        return True  # no profile, or the account is closing or closed: nothing reaches them any more
    retry = False
    if reach.devices:
        if not wants(message.kind, "push", reach.preferences):
            return True
        for device in list(reach.devices):
            retry |= not _push(message, device, batch)
        if batch.members[message.member_id].devices:
            return not retry
    # No device (or the last ones were just pruned): the kinds that matter go by e-mail.
    email = email_for(message.kind, message.params)
    if email is None or not reach.email or not wants(message.kind, "email", reach.preferences):
        return not retry
    if not store.claim_delivery(message.member_id, message.key, message.kind, message.created_at, "email", "email",
                                batch.now):
        return not retry
    try:
        wiring.mailer().send(reach.email, email.subject, email.text)
        batch.count("emailed")
    except Transient as error:
        store.release_delivery(message.member_id, message.key, message.created_at, "email")
        _log.warning("e-mail to retry", extra={"message_id": message.key, "cause": str(error)})
        return False
    except Refused as error:
        store.release_delivery(message.member_id, message.key, message.created_at, "email")
        _log.warning("e-mail refused", extra={"message_id": message.key, "cause": str(error)})
    return not retry


def _push(message: Queued, device, batch: Batch) -> bool:
    """One push; False when it should be retried."""
    push = push_for(message.kind, message.params, device.language)
    if not store.claim_delivery(message.member_id, message.key, message.kind, message.created_at, "push",
                                device.device_id, batch.now):
        return True  # already delivered by an earlier attempt
    try:
        wiring.push_endpoints().publish(device.endpoint_arn, platform_message(push, device.platform), message.key)
        batch.count("pushed")
        return True
    except EndpointGone:
        store.release_delivery(message.member_id, message.key, message.created_at, device.device_id)
        _prune(message.member_id, device, batch)
        return True
    except Transient as error:
        store.release_delivery(message.member_id, message.key, message.created_at, device.device_id)
        _log.warning("push to retry", extra={"message_id": message.key, "cause": str(error)})
        return False
    except Refused as error:
        store.release_delivery(message.member_id, message.key, message.created_at, device.device_id)
        _log.warning("push refused", extra={"message_id": message.key, "cause": str(error)})
        return True


def _prune(member_id: str, device, batch: Batch) -> None:
    """AWS disabled the endpoint (the app was uninstalled, its token expired): endpoint and device forgotten."""
    wiring.push_endpoints().delete(device.endpoint_arn)
    store.remove_device(member_id, device)
    with batch._lock:
        reach = batch.members[member_id]
        batch.members[member_id] = replace(reach, devices=[d for d in reach.devices if d.device_id != device.device_id])
    batch.count("pruned")
