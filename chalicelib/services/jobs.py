"""The scheduled jobs, fanned out on SQS (app.py: `daily_jobs` dispatches, `do_job_pieces` consumes).

At 01:00 Mexico City the dispatcher cuts the day's work into pieces (domain/jobs.py), one queue message each; the
consumer does one piece per message, so a month's renewals run on as many Lambdas as the queue's event source allows
rather than in one loop. Every piece is safe to run twice: references are issued only to members without an open one,
lapses are conditional on the member still being active through the same month, and notifications have deterministic
keys. So a redelivered message, a late one, or a dispatcher that ran twice changes nothing.
"""

import random
from datetime import datetime, timedelta

from pydantic import ValidationError

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import month_of
from chalicelib.domain.jobs import JobMessage, KeyRange, daily_messages
from chalicelib.domain.members import NOT_PROCESSED, MemberStatus
from chalicelib.domain.payments import grouped, new_reference
from chalicelib.domain.quotes import shift_month
from chalicelib.errors import AppError
from chalicelib import logs, wiring
from chalicelib.logs import metric_fields, service_logger
from chalicelib.services import exchange_rates, teleconsult
from chalicelib.store import members as member_store
from chalicelib.store import outbox
from chalicelib.store import payments as payment_store
from chalicelib.store import teleconsult as teleconsult_store
from chalicelib.store.outbox import Notification
from chalicelib.store.transactions import ConditionFailed, commit

REMIND_DAYS_BEFORE = 3
_log = service_logger()


SEND_ATTEMPTS = 3


def dispatch_daily(now: datetime, correlation_id: str | None = None) -> int:
    """Send the day's pieces to the jobs queue (SendMessageBatch, 10 a call); returns how many. A message SQS refuses
    is sent again, up to SEND_ATTEMPTS; then the run fails and the schedule's retry dispatches the day again, which
    the pieces' idempotence makes harmless."""
    current = wiring.settings()
    nurses = [nurse.nurse_id for nurse in teleconsult_store.all_nurses() if nurse.status != "inactive"]
    messages = daily_messages(
        now, renew=mexico_city_today(now).day <= current.payment_deadline_day,
        shards={"renew": member_store.COVERAGE_END_SHARDS, "lapse": member_store.COVERAGE_END_SHARDS,
                "remind": payment_store.OPEN_SHARDS},
        fanout=current.job_fanout, nurse_ids=nurses, correlation_id=correlation_id)
    # SQS hands messages out in no set order, but shuffled they never arrive as a run of one index key's ranges.
    random.shuffle(messages)
    queue = wiring.sqs()
    for start in range(0, len(messages), 10):
        entries = {str(i): message.model_dump_json() for i, message in enumerate(messages[start:start + 10])}
        for _ in range(SEND_ATTEMPTS):
            answer = queue.send_message_batch(QueueUrl=current.jobs_queue_url, Entries=[
                {"Id": key, "MessageBody": body} for key, body in entries.items()])
            entries = {failed["Id"]: entries[failed["Id"]] for failed in answer.get("Failed", [])}
            if not entries:
                break
        else:
            raise RuntimeError(f"the jobs queue refused {len(entries)} messages")
    _log.info("daily jobs dispatched", extra={"pieces": len(messages), "correlation_id": correlation_id})
    return len(messages)


def run_pieces(messages: list[tuple[str, str]]) -> dict:
    """The consumer: each (message id, body) of an SQS batch done in turn. Answers Lambda's partial batch response:
    the ids that failed (a body that is not a piece, or an error) go back to the queue, to be retried and, after the
    queue's maxReceiveCount, moved to its dead-letter queue; the others are deleted."""
    failed = []
    for message_id, body in messages:
        logs.follow(None)
        try:
            piece = JobMessage.model_validate_json(body)
        except ValidationError:
            _log.error("not a job piece", extra={"message_id": message_id,
                                                 **metric_fields({"Step": "invalid"}, JobPiecesFailed=1)})
            failed.append(message_id)
            continue
        logs.follow(piece.correlation_id)  # the dispatcher's, on to the notifications the piece writes
        try:
            done = run_piece(piece)
        except Exception:
            _log.exception("job piece failed", extra={"message_id": message_id,
                                                      **metric_fields({"Step": piece.step}, JobPiecesFailed=1)})
            failed.append(message_id)
            continue
        _log.info("job piece done", extra={"message_id": message_id, "shard": piece.shard, "done": done,
                                           **metric_fields({"Step": piece.step}, JobPiecesDone=1)})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def run_piece(piece: JobMessage) -> int:
    """One piece of the day's work; returns how many members (or slots) it changed."""
    if piece.step == "roll":
        return roll_slot_horizons(piece.now, piece.nurses)
    step = {"renew": renew_references, "lapse": lapse_ended_coverage, "remind": remind_deadlines}[piece.step]
    return step(piece.now, piece.shard or 0, piece.keys)


def renew_references(now: datetime, shard: int, keys: KeyRange | None = None) -> int:
    """From the 1st to the deadline day, members with auto-renewal whose coverage ends this month get next month's
    reference, and a notification saying so (one shard and key range of them)."""
    today = mexico_city_today(now)
    deadline_day = wiring.settings().payment_deadline_day
    if today.day > deadline_day:
        return 0
    issued = 0
    rate = exchange_rates.todays_rate(now)  # one read per piece: each reference keeps its dollar figure
    for member in member_store.members_covered_through(month_of(today), shard, keys):
        if not member.auto_renewal or member.open_reference or member.status is MemberStatus.CANCELLED or member.status in NOT_PROCESSED:
            continue
        reference = new_reference(member, 1, now, deadline_day, rate)
        notice = Notification("reference-issued", member.member_id, reference.months[0], {
            "months": reference.months, "amount_mxn": f"{reference.amount_mxn:.2f}",
            "reference": grouped(reference.reference), "deadline": reference.expires_at.isoformat()})
        try:
            payment_store.issue_reference(reference, None, member.version, [outbox.enqueue(notice, now)])
        except AppError:  # the member changed meanwhile (a payment, a reference of their own): tomorrow decides
            continue
        issued += 1
    return issued


def lapse_ended_coverage(now: datetime, shard: int, keys: KeyRange | None = None) -> int:
    """Members still active whose last covered month was last month become lapsed, and are told (one shard and key
    range of them)."""
    last_month = month_of(shift_month(mexico_city_today(now).replace(day=1), -1))
    lapsed = 0
    for member in member_store.members_covered_through(last_month, shard, keys):
        if member.status is not MemberStatus.ACTIVE:
            continue
        notice = Notification("coverage-lapsed", member.member_id, last_month, {"covered_through": last_month})
        lapsed += member_store.mark_lapsed(member, now, [outbox.enqueue(notice, now)])
    return lapsed


def remind_deadlines(now: datetime, shard: int, codes: KeyRange | None = None) -> int:
    """Members whose open reference is due in REMIND_DAYS_BEFORE days (Mexico City) get one reminder (one shard and
    code range of the references)."""
    due = mexico_city_today(now) + timedelta(days=REMIND_DAYS_BEFORE)
    reminded = 0
    for reference in payment_store.open_references_due(due, shard, codes):
        notice = Notification("payment-deadline", reference.member_id, reference.reference, {
            "reference": grouped(reference.reference), "amount_mxn": f"{reference.amount_mxn:.2f}",
            "deadline": reference.expires_at.isoformat(), "months": reference.months})
        try:
            commit([outbox.enqueue(notice, now)])
        except ConditionFailed:  # already reminded
            continue
        reminded += 1
    return reminded


CONSULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))


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


def roll_slot_horizons(now: datetime, nurse_ids: tuple[str, ...]) -> int:
    """Each nurse's published pattern is extended one more day, keeping her horizon rolling (booked slots untouched)."""
    added = 0
    for nurse_id in nurse_ids:
        nurse = teleconsult_store.get_nurse(nurse_id)
        if nurse is None or nurse.status == "inactive":
            continue  # deactivated: her pattern is gone, unless a publish raced the deactivation
        availability = teleconsult_store.get_availability(nurse.nurse_id)
        if availability is None:
            continue
        added += teleconsult.publish_pattern(nurse, availability, now).added
    return added
