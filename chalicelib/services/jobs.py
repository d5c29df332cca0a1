"""The daily jobs (Chalice `@app.schedule` in app.py; `make jobs` runs them by hand locally).

Each step is safe to run twice on one day: references are issued only to members without an open one, lapses are
conditional on the member still being active through the same month, and notifications have deterministic keys.
"""

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import month_of
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.payments import grouped, new_reference
from chalicelib.domain.quotes import shift_month
from chalicelib.errors import AppError
from chalicelib.logs import metric_fields, service_logger
from chalicelib.services import teleconsult
from chalicelib.store import members as member_store
from chalicelib.store import outbox
from chalicelib.store import payments as payment_store
from chalicelib.store import teleconsult as teleconsult_store
from chalicelib.store.outbox import Notification, Queued
from chalicelib.store.transactions import ConditionFailed, commit

REMIND_DAYS_BEFORE = 3
_log = service_logger()


@dataclass
class DailyReport:
    references_issued: int = 0
    lapsed: int = 0
    reminders: int = 0
    slots_added: int = 0
    notifications_sent: int = 0


def renew_references(now: datetime) -> int:
    """From the 1st to the deadline day, members with auto-renewal whose coverage ends this month get next month's
    reference, and a notification saying so."""
    today = mexico_city_today(now)
    deadline_day = wiring.settings().payment_deadline_day
    if today.day > deadline_day:
        return 0
    issued = 0
    for member in member_store.members_covered_through(month_of(today)):
        if not member.auto_renewal or member.open_reference or member.status is MemberStatus.CANCELLED:
            continue
        reference = new_reference(member, 1, now, deadline_day)
        notice = Notification("reference-issued", member.member_id, reference.months[0], {
            "months": reference.months, "amount_mxn": f"{reference.amount_mxn:.2f}",
            "reference": grouped(reference.reference), "deadline": reference.expires_at.isoformat()})
        try:
            payment_store.issue_reference(reference, None, member.version, [outbox.enqueue(notice, now)])
        except AppError:  # the member changed meanwhile (a payment, a reference of their own): tomorrow decides
            continue
        issued += 1
    return issued


def lapse_ended_coverage(now: datetime) -> int:
    """Members still active whose last covered month was last month become lapsed, and are told."""
    last_month = month_of(shift_month(mexico_city_today(now).replace(day=1), -1))
    lapsed = 0
    for member in member_store.members_covered_through(last_month):
        if member.status is not MemberStatus.ACTIVE:
            continue
        notice = Notification("coverage-lapsed", member.member_id, last_month, {"covered_through": last_month})
        lapsed += member_store.mark_lapsed(member, now, [outbox.enqueue(notice, now)])
    return lapsed


def remind_deadlines(now: datetime) -> int:
    """Members whose open reference is due in REMIND_DAYS_BEFORE days (Mexico City) get one reminder."""
    due = mexico_city_today(now) + timedelta(days=REMIND_DAYS_BEFORE)
    reminded = 0
    for reference in payment_store.open_references_due(due):
        notice = Notification("payment-deadline", reference.member_id, reference.reference, {
            "reference": grouped(reference.reference), "amount_mxn": f"{reference.amount_mxn:.2f}",
            "deadline": reference.expires_at.isoformat(), "months": reference.months})
        try:
            commit([outbox.enqueue(notice, now)])
        except ConditionFailed:  # already reminded
            continue
        reminded += 1
    return reminded


RELAY_BUDGET = timedelta(minutes=4)  # under the 5-minute schedule, so two runs seldom overlap
RELAY_PAGE = 500


def relay_notifications(now: datetime, budget: timedelta = RELAY_BUDGET, page: int = RELAY_PAGE) -> int:
    """Publish pending notifications to SNS oldest first and mark each sent, page after page until none is pending or
    `budget` (wall-clock) is spent. Two overlapping runs may publish a message twice: it carries its id (the outbox
    key) for consumers to drop repeats. Returns how many were published."""
    topic = wiring.settings().notifications_topic_arn
    sent: set[str] = set()  # the index is eventually consistent: a page may repeat messages marked a moment ago
    oldest: datetime | None = None
    stop = time.monotonic() + budget.total_seconds()
    while time.monotonic() < stop:
        queued = [message for message in outbox.pending(page) if message.key not in sent]
        if queued and oldest is None:
            oldest = datetime.fromisoformat(queued[0].created_at)  # pages come oldest first
        for message in queued:
            _publish(topic, message)
            outbox.mark_sent(message.key, now)
            sent.add(message.key)
            if time.monotonic() >= stop:
                break
        if not queued:
            break
    lag = (now - oldest).total_seconds() if oldest else 0.0
    _log.info("relay", extra=metric_fields({"Job": "relay"}, RelayPublished=len(sent), RelayLagSeconds=lag))
    return len(sent)


def _publish(topic: str, message: Queued) -> None:
    """One SNS message: the notification as JSON, its id the outbox key; kind and id as message attributes too."""
    body = {"id": message.key, "kind": message.kind, "member_id": message.member_id, "params": message.params,
            "created_at": message.created_at}
    attributes = {"kind": message.kind, "message_id": message.key}
    wiring.sns().publish(
        TopicArn=topic, Message=json.dumps(body, ensure_ascii=False),
        MessageAttributes={name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()},
    )


def run_daily(now: datetime) -> DailyReport:
    report = DailyReport(
        references_issued=renew_references(now),
        lapsed=lapse_ended_coverage(now),
        reminders=remind_deadlines(now),
        slots_added=roll_slot_horizons(now),
    )
    report.notifications_sent = relay_notifications(now)
    _log.info("daily jobs", extra=asdict(report))
    return report


CONSULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))


@dataclass
class ConsultRemindersReport:
    reminded: int
    notifications_sent: int


def run_consult_reminders(now: datetime) -> ConsultRemindersReport:
    """The quarter-hourly run: consult reminders due, relayed to SNS straight away."""
    reminded = remind_consults(now)
    return ConsultRemindersReport(reminded=reminded, notifications_sent=relay_notifications(now))


def remind_consults(now: datetime) -> int:
    """24 h and 1 h before each consult, one notification each (deterministic keys): its time and id, no health data.
    Reads the start hours a reminder can fall due in, so a late or doubled run neither misses nor repeats one."""
    reminded = 0
    for lead in CONSULT_REMINDERS:
        for hour in (now + lead - timedelta(hours=1), now + lead):
            for appointment in teleconsult_store.starting_in_hour(hour):
                if not appointment.start - lead <= now < appointment.start:
                    continue
                hours = int(lead.total_seconds() // 3600)
                notice = Notification(f"consult-reminder-{hours}h", appointment.member_id, appointment.appointment_id,
                                      {"appointment_id": appointment.appointment_id,
                                       "start": appointment.start.isoformat(), "hours_before": hours})
                try:
                    commit([outbox.enqueue(notice, now)])
                except ConditionFailed:
                    continue
                reminded += 1
    return reminded


def roll_slot_horizons(now: datetime) -> int:
    """Each nurse's published pattern is extended one more day, keeping her horizon rolling (booked slots untouched)."""
    added = 0
    for nurse in teleconsult_store.all_nurses():
        if nurse.status == "inactive":
            continue  # deactivated: her pattern is gone, unless a publish raced the deactivation
        availability = teleconsult_store.get_availability(nurse.nurse_id)
        if availability is None:
            continue
        added += teleconsult.publish_pattern(nurse, availability, now).added
    return added
