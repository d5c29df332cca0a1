"""The teleconsult table's items, keys and indexes (the table's layout is in the package's docstring)."""

import zlib
from datetime import date, datetime, timezone

from pynamodb.attributes import (
    BinaryAttribute, DiscriminatorAttribute, ListAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.teleconsult import (
    MAX_UPCOMING,
)
from chalicelib.store.attributes import DateAttribute
from chalicelib.store.indexes import index
from chalicelib.store.members import member_key
from chalicelib.store.transactions import Write

CONSENT_SK = "CONSENT#teleconsultation"
NURSES = "NURSES"  # the directory partition: one entry per nurse
# The `free_slots` index key of a day is write-sharded: `<Mexico City day>#<shard>`, shard = crc32(nurse sub) % this.
# One constant: bench/hot_partition.py's booking rush sizes it (each shard key takes 1/FREE_SLOT_SHARDS of a day's
# index writes and, with nurses spread over the shards, about 1/FREE_SLOT_SHARDS of each listing's reads).
FREE_SLOT_SHARDS = 8


FreeSlots = index("free_slots", "free_day", "free_sk")
ByMember = index("by_member", "member_pk", "member_sk")
ByNurseDay = index("by_nurse_day", "nurse_day", "nurse_sk")
# Consults not ended yet, by the UTC hour they start: the reminders job reads the hours 24 h and 1 h ahead.
ByStartHour = index("by_start_hour", "remind_hour", "remind_sk")
# A patient's consults: which nurse may read their health record, and until when.
ByPatient = index("by_patient", "patient_key", "patient_sk")
# Patients waiting for a Mexico City day, oldest first: who is offered a slot freed that day.
Waitlist = index("waitlist", "wait_day", "wait_sk")


class TeleconsultItem(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    free_day = UnicodeAttribute(null=True)
    free_sk = UnicodeAttribute(null=True)
    member_pk = UnicodeAttribute(null=True)
    member_sk = UnicodeAttribute(null=True)
    nurse_day = UnicodeAttribute(null=True)
    nurse_sk = UnicodeAttribute(null=True)
    remind_hour = UnicodeAttribute(null=True)
    remind_sk = UnicodeAttribute(null=True)
    wait_day = UnicodeAttribute(null=True)
    wait_sk = UnicodeAttribute(null=True)
    patient_key = UnicodeAttribute(null=True)
    patient_sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # waitlist items only: consults, slots and consents never expire
    free_slots = FreeSlots()
    by_member = ByMember()
    by_nurse_day = ByNurseDay()
    by_start_hour = ByStartHour()
    by_patient = ByPatient()
    waitlist = Waitlist()


class NurseItem(TeleconsultItem, discriminator="nurse"):
    nurse_id = UnicodeAttribute()
    username = UnicodeAttribute()
    full_name = UnicodeAttribute()
    cedula_profesional = UnicodeAttribute()
    languages = ListAttribute(of=UnicodeAttribute)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(null=True)  # absent: active (nurses added before deactivation existed)
    deactivated_at = UTCDateTimeAttribute(null=True)
    deactivated_by = UnicodeAttribute(null=True)
    deactivation_reason = UnicodeAttribute(null=True)


class AvailabilityItem(TeleconsultItem, discriminator="availability"):
    pattern = UnicodeAttribute()  # the Availability as JSON
    updated_at = UTCDateTimeAttribute()


class SlotItem(TeleconsultItem, discriminator="slot"):
    slot_id = UnicodeAttribute()
    nurse_id = UnicodeAttribute()
    nurse_name = UnicodeAttribute()
    nurse_languages = ListAttribute(of=UnicodeAttribute)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    day = UnicodeAttribute()
    lead_minutes = NumberAttribute()
    status = UnicodeAttribute()  # free | booked | unavailable (its nurse cancelled the consult)
    appointment_id = UnicodeAttribute(null=True)
    offered_to = UnicodeAttribute(null=True)  # a freed slot held for a waiting member …
    offered_until = UTCDateTimeAttribute(null=True)  # … until then


class AppointmentItem(TeleconsultItem, discriminator="appointment"):
    appointment_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    nurse_id = UnicodeAttribute()
    nurse_name = UnicodeAttribute()
    member_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    patient_name = UnicodeAttribute(null=True)
    patient_birth_date = DateAttribute(null=True)
    reason_sealed = BinaryAttribute(legacy_encoding=False)  # clinical free text: adapters/sealed_text.py
    reason_key = BinaryAttribute(legacy_encoding=False)  # the data key it was sealed under, wrapped by KMS
    status = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    cancelled_by = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    noshow_party = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    follow_up_of = UnicodeAttribute(null=True)


class GuardItem(TeleconsultItem, discriminator="patient-guard"):
    appointment_id = UnicodeAttribute()


class UpcomingItem(TeleconsultItem, discriminator="upcoming"):
    """How many consults a member holds that have not ended yet (booked or arrived)."""

    upcoming = NumberAttribute(null=True)


class WaitingItem(TeleconsultItem, discriminator="waiting"):
    """A patient on the waitlist (one per patient); `waiting day` items are its entries in the `waitlist` index."""

    member_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    days = ListAttribute(of=UnicodeAttribute)
    joined_at = UTCDateTimeAttribute()


class WaitingDayItem(WaitingItem, discriminator="waiting-day"):
    pass


class ConsentItem(TeleconsultItem, discriminator="consent"):
    version = UnicodeAttribute()
    text_sha256 = UnicodeAttribute()
    accepted_by = UnicodeAttribute()
    accepted_at = UTCDateTimeAttribute()


def upcoming(member_id: str, delta: int) -> Write:
    """Count a consult in (+1, refused past MAX_UPCOMING) or out (-1) of the member's upcoming ones."""
    item = UpcomingItem(member_key(member_id), "UPCOMING")
    condition = (UpcomingItem.upcoming.does_not_exist() | (UpcomingItem.upcoming < MAX_UPCOMING)) if delta > 0 else None
    return Write("upcoming", "update", lambda tx: tx.update(item, actions=[UpcomingItem.upcoming.add(delta)],
                                                            condition=condition))


def nurse_key(nurse_id: str) -> str:
    return f"NURSE#{nurse_id}"


def slot_sk(start: datetime) -> str:
    return f"SLOT#{start.astimezone(timezone.utc):%Y%m%dT%H%M}"


def free_shard(nurse_id: str) -> int:
    """The `free_slots` shard of a nurse's slots: crc32 of her sub (stable across processes, unlike hash()), so every
    slot of hers is in one shard and a slot's index key is computed from the slot alone (no read to free it again)."""
    return zlib.crc32(nurse_id.encode()) % FREE_SLOT_SHARDS


def free_day_key(day: date, shard: int) -> str:
    """One shard's `free_day` of a Mexico City day: `<YYYY-MM-DD>#<shard, 2 digits>`."""
    return f"{day.isoformat()}#{shard:02d}"


def free_index(start: datetime, nurse_id: str) -> tuple[str, str]:
    """(free_day, free_sk): a free slot's keys in the `free_slots` index. `free_sk` = `<start>#<sub>` orders a day's
    slots across shards (and is the listing's `after` cursor), whichever shard holds them."""
    day = start.astimezone(MEXICO_CITY).date()
    return free_day_key(day, free_shard(nurse_id)), f"{start.isoformat()}#{nurse_id}"
