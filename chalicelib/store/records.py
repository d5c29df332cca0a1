"""The health records table: append-only, hash-chained entries with clinical content sealed under a per-record data
key, encounters, and the audit trail. No TTL, no delete path (the IAM policy grants no DeleteItem either).

| item      | pk               | sk                       | index keys                                   |
|-----------|------------------|--------------------------|----------------------------------------------|
| head      | RECORD#<person>  | HEAD                     | –  (seq and hash of the last entry; the wrapped data key) |
| entry     | RECORD#<person>  | ENTRY#<seq, 8 digits>    | –  (metadata in clear, content sealed)        |
| encounter | RECORD#<person>  | ENCOUNTER#<appointment>  | –                                            |
| audit     | AUDIT#<person>   | <at>#<event id>          | by_actor: ACTOR#<sub> / <at>#<event id>      |

Keyed by the person id we issue (store/persons.py), never by a typed identifier. A reader sees a person's record and
the records of persons merged into it, all of it or only what concerns their own consults (`ReadScope`,
docs/identity.md): entries and audit items carry the account whose consult (or read) they belong to.

Appending reads the head, then one transaction: head moved from seq n to n+1 (condition: still n), the entry put
(condition: absent — the store never overwrites an entry), the audit item, and whatever the caller adds (the
appointment's status when a consult ends). Clinical content is AES-256-GCM under the record's data key, which KMS
wraps (envelope encryption); keys and indexes hold no clinical text. A record's first page is one Query read newest
first (the head sorts after every entry) and one KMS Decrypt.
"""

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    BinaryAttribute, DiscriminatorAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib.domain.health_record import GENESIS_HASH, AuditEvent, Encounter, Entry
from chalicelib.domain.identity import ReadScope
from chalicelib.errors import Conflict
from chalicelib.store.indexes import index
from chalicelib.store.transactions import ConditionFailed, Write, commit

if TYPE_CHECKING:  # the cipher loads on first use, not at cold start
    from chalicelib.adapters.record_keys import RecordKeys

_APPEND_ATTEMPTS = 3  # two nurses writing to one record at once: the loser re-reads the head and tries again


# Audit events by who acted, oldest first: operators' "what did this person read" query.
ByActor = index("by_actor", "actor_pk", "actor_sk")


class RecordItem(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    actor_pk = UnicodeAttribute(null=True)
    actor_sk = UnicodeAttribute(null=True)
    by_actor = ByActor()


class HeadItem(RecordItem, discriminator="head"):
    record_id = UnicodeAttribute()  # random; names the record to KMS (encryption context), never an identifier
    patient_id = UnicodeAttribute()
    seq = NumberAttribute()
    last_hash = UnicodeAttribute()
    data_key = BinaryAttribute(legacy_encoding=False)  # wrapped by KMS
    updated_at = UTCDateTimeAttribute()


class EntryItem(RecordItem, discriminator="entry"):
    entry_id = UnicodeAttribute()
    seq = NumberAttribute()
    entry_kind = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    curp = UnicodeAttribute()  # as signed: the chain's hash covers it
    account_id = UnicodeAttribute(null=True)  # the member whose consult this entry belongs to (not in the hash)
    appointment_id = UnicodeAttribute(null=True)
    amends = UnicodeAttribute(null=True)
    occurred_at = UTCDateTimeAttribute()
    time_zone = UnicodeAttribute()
    recorded_at = UTCDateTimeAttribute()
    signer_id = UnicodeAttribute()
    signer_name = UnicodeAttribute()
    signer_cedula = UnicodeAttribute()
    previous_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
    sealed = BinaryAttribute(legacy_encoding=False)  # the content, encrypted


class EncounterItem(RecordItem, discriminator="encounter"):
    appointment_id = UnicodeAttribute()
    nurse_id = UnicodeAttribute()
    nurse_name = UnicodeAttribute()
    nurse_cedula = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute()


class AuditItem(RecordItem, discriminator="audit"):
    event_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    action = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    appointment_id = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)  # the member in whose context it happened (their read, their consult)


def _record_key(person_id: str) -> str:
    return f"RECORD#{person_id}"


def _entry_sk(seq: int) -> str:
    return f"ENTRY#{seq:08d}"


def _aad(record_id: str, entry_id: str) -> bytes:
    """Binds a sealed content to its record and entry: moved elsewhere, it no longer opens."""
    return f"{record_id}|{entry_id}".encode()


# --- Audit -----------------------------------------------------------------------------------------------------------

def _audit_item(person_id: str, event: AuditEvent, account_id: str) -> AuditItem:
    order = f"{event.at.isoformat()}#{event.event_id}"
    return AuditItem(f"AUDIT#{person_id}", order, actor_pk=f"ACTOR#{event.actor_id}", actor_sk=order,
                     account_id=account_id, **event.model_dump())


def record_access(person_id: str, event: AuditEvent, account_id: str) -> None:
    """Append an audit event on its own (reads): written before the data is returned, so no read goes unlogged."""
    try:
        _audit_item(person_id, event, account_id).save(condition=RecordItem.pk.does_not_exist())
    except PutError as error:
        # The key holds a fresh random event id, so a failed condition means botocore resent a put whose answer was
        # lost (a timeout) and the event is already stored: done, not a 500.
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def _event(item: AuditItem) -> AuditEvent:
    return AuditEvent.model_validate(item, from_attributes=True)


def access_log(scope: ReadScope, limit: int, before: str | None = None) -> tuple[list[AuditEvent], str | None]:
    """Who read or wrote these records, newest first, and the cursor for the next page. One person seen whole: one
    Query. Merged persons, or only one account's part: each audit partition read and merged (rare and small)."""
    condition = AuditItem.sk < before if before else None
    if len(scope.person_ids) == 1 and scope.account is None:
        result = AuditItem.query(f"AUDIT#{scope.person_ids[0]}", condition, scan_index_forward=False, limit=limit)
        events = [_event(item) for item in result if isinstance(item, AuditItem)]
        last = result.last_evaluated_key
        return events, last["sk"]["S"] if last else None
    items = [item for person_id in scope.person_ids
             for item in AuditItem.query(f"AUDIT#{person_id}", condition, scan_index_forward=False)
             if isinstance(item, AuditItem) and scope.account in (None, item.account_id)]
    items.sort(key=lambda item: item.sk, reverse=True)
    shown = items[:limit]
    return [_event(item) for item in shown], (shown[-1].sk if len(items) > limit else None)


def actions_of(actor_id: str, limit: int, before: str | None = None) -> tuple[list[AuditEvent], str | None]:
    """What one person read or wrote, newest first: one Query of `by_actor`."""
    condition = AuditItem.actor_sk < before if before else None
    result = RecordItem.by_actor.query(f"ACTOR#{actor_id}", condition, scan_index_forward=False, limit=limit)
    events = [_event(item) for item in result if isinstance(item, AuditItem)]
    last = result.last_evaluated_key
    return events, last["actor_sk"]["S"] if last else None


# --- Entries ---------------------------------------------------------------------------------------------------------

def _entry(item: EntryItem, content: dict[str, Any]) -> Entry:
    return Entry(entry_id=item.entry_id, seq=int(item.seq), kind=item.entry_kind, patient_id=item.patient_id,
                 curp=item.curp, appointment_id=item.appointment_id, amends=item.amends, occurred_at=item.occurred_at,
                 time_zone=item.time_zone, recorded_at=item.recorded_at,
                 signed_by={"user_id": item.signer_id, "full_name": item.signer_name,
                            "cedula_profesional": item.signer_cedula},
                 content=content, previous_hash=item.previous_hash, hash=item.hash)


def _opened(items: list[EntryItem], head: HeadItem, keys: "RecordKeys") -> list[Entry]:
    if not items:
        return []
    data_key = keys.unwrap(head.data_key, head.record_id)
    return [_entry(item, json.loads(keys.open(data_key, item.sealed, _aad(head.record_id, item.entry_id))))
            for item in items]


def append(person_id: str, account_id: str, draft: Callable[[int, str], Entry], keys: "RecordKeys",
           audit: AuditEvent, now: datetime, extra: list[Write] = (), encounter: Encounter | None = None) -> Entry:
    """Append the entry `draft(seq, previous_hash)` makes, with its audit event, `extra` writes and the encounter,
    all in one transaction. Refuses to overwrite anything; a concurrent append is retried on the new head."""
    for attempt in range(_APPEND_ATTEMPTS):
        try:
            head = HeadItem.get(_record_key(person_id), "HEAD", consistent_read=True)
        except HeadItem.DoesNotExist:
            head = None
        if head is None:
            record_id = str(uuid.uuid4())
            data_key, wrapped = keys.new(record_id)
            seq, previous = 1, GENESIS_HASH
        else:
            record_id, wrapped = head.record_id, head.data_key
            data_key = keys.unwrap(wrapped, record_id)
            seq, previous = int(head.seq) + 1, head.last_hash
        entry = draft(seq, previous)
        content = entry.content.model_dump_json().encode()
        item = EntryItem(
            _record_key(person_id), _entry_sk(seq), entry_id=entry.entry_id, seq=seq, entry_kind=entry.kind,
            patient_id=entry.patient_id, curp=entry.curp, account_id=account_id, appointment_id=entry.appointment_id,
            amends=entry.amends, occurred_at=entry.occurred_at, time_zone=entry.time_zone, recorded_at=entry.recorded_at,
            signer_id=entry.signed_by.user_id, signer_name=entry.signed_by.full_name,
            signer_cedula=entry.signed_by.cedula_profesional, previous_hash=entry.previous_hash, hash=entry.hash,
            sealed=keys.seal(data_key, content, _aad(record_id, entry.entry_id)))
        new_head = HeadItem(_record_key(person_id), "HEAD", record_id=record_id, patient_id=person_id, seq=seq,
                            last_hash=entry.hash, data_key=wrapped, updated_at=now)
        head_condition = (RecordItem.pk.does_not_exist() if head is None else HeadItem.seq == int(head.seq))
        writes = [
            Write("head", "save", lambda tx, h=new_head, c=head_condition: tx.save(h, condition=c)),
            Write("entry", "save", lambda tx, i=item: tx.save(i, condition=RecordItem.pk.does_not_exist())),
            Write("audit", "save", lambda tx: tx.save(_audit_item(person_id, audit, account_id),
                                                        condition=RecordItem.pk.does_not_exist())),
            *extra,
        ]
        if encounter:
            encounter_item = EncounterItem(_record_key(person_id), f"ENCOUNTER#{encounter.appointment_id}",
                                           **encounter.model_dump())
            writes.append(Write("encounter", "save", lambda tx: tx.save(
                encounter_item, condition=RecordItem.pk.does_not_exist())))
        try:
            commit(writes)
            return entry
        except ConditionFailed as failed:
            if failed.labels <= {"head", "entry"} and attempt < _APPEND_ATTEMPTS - 1:
                continue
            # The appointment moved on, or its encounter is already closed: someone else ended it.
            raise Conflict("record-changed" if failed.labels <= {"head", "entry"} else "appointment-changed") from None
    raise AssertionError("unreachable")


def _newest_page(person_id: str, keys: "RecordKeys", limit: int,
                 before_seq: int | None) -> tuple[list[Entry], int | None]:
    """One whole record, newest first. The first page is one Query (the head sorts after the entries) and one KMS
    Decrypt; later pages add a GetItem of the head."""
    if before_seq is None:
        items = list(RecordItem.query(_record_key(person_id), RecordItem.sk.between("ENTRY#", "HEAD"),
                                      scan_index_forward=False, limit=limit + 1, consistent_read=True))
        head = next((i for i in items if isinstance(i, HeadItem)), None)
    else:
        items = list(RecordItem.query(_record_key(person_id),
                                      RecordItem.sk.between("ENTRY#", _entry_sk(before_seq - 1)),
                                      scan_index_forward=False, limit=limit, consistent_read=True))
        try:
            head = HeadItem.get(_record_key(person_id), "HEAD", consistent_read=True)
        except HeadItem.DoesNotExist:  # no record yet: an empty page, whatever the cursor
            head = None
    if head is None:
        return [], None
    entries = _opened([i for i in items if isinstance(i, EntryItem)], head, keys)
    last_seq = entries[-1].seq if entries else 1
    return entries, (last_seq if last_seq > 1 and len(entries) == limit else None)


def page(scope: ReadScope, keys: "RecordKeys", limit: int, before: int | None = None) -> tuple[list[Entry], int | None]:
    """Entries newest first and the cursor for older ones (None at the start). One person seen whole is read a page
    at a time; merged persons, or one account's part, are read whole (rare and small) and numbered in time order,
    the cursor being that number."""
    if len(scope.person_ids) == 1 and scope.account is None:
        return _newest_page(scope.person_ids[0], keys, limit, before)
    entries, _ = whole(scope, keys)
    numbered = list(enumerate(entries, start=1))
    if before is not None:
        numbered = [(n, e) for n, e in numbered if n < before]
    shown = list(reversed(numbered))[:limit]
    last = shown[-1][0] if shown else 1
    return [e for _, e in shown], (last if last > 1 and len(shown) == limit else None)


def whole(scope: ReadScope, keys: "RecordKeys") -> tuple[list[Entry], list[Encounter]]:
    """Every entry and encounter in the scope, oldest first: one Query of each record's partition and one KMS
    Decrypt per record."""
    entries, encounters = [], []
    for person_id in scope.person_ids:
        items = list(RecordItem.query(_record_key(person_id), consistent_read=True))
        head = next((i for i in items if isinstance(i, HeadItem)), None)
        if head is None:
            continue
        mine = [i for i in items if isinstance(i, EntryItem) and scope.account in (None, i.account_id)]
        consults = {i.appointment_id for i in mine}
        entries += _opened(mine, head, keys)
        encounters += [Encounter.model_validate(i, from_attributes=True) for i in items
                       if isinstance(i, EncounterItem) and (scope.account is None or i.appointment_id in consults)]
    entries.sort(key=lambda e: (e.recorded_at, e.seq))
    encounters.sort(key=lambda e: e.start)
    return entries, encounters


def entry_exists(scope: ReadScope, entry_id: str) -> bool:
    """Whether the records hold this entry (addenda must point at one): a Query of the entries' metadata only."""
    return any(isinstance(item, EntryItem) and item.entry_id == entry_id
               for person_id in scope.person_ids
               for item in RecordItem.query(_record_key(person_id), RecordItem.sk.startswith("ENTRY#"),
                                            attributes_to_get=["kind", "entry_id"], consistent_read=True))
