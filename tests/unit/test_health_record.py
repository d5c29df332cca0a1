"""The record's rules without AWS: the hash chain, the nurse's reading window and minors."""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.health_record import (
    GENESIS_HASH, Addendum, PatientFacts, Signer, broken_links, consult_justifying, is_minor, new_entry,
)
from chalicelib.domain.teleconsult import Appointment, SealedText

NOW = datetime(2026, 12, 1, 16, tzinfo=timezone.utc)
PATIENT = PatientFacts(patient_id="p-1", member_id="m-1", curp="GOMA850615MNELRR05", birth_date=date(1985, 6, 15),
                       sex="M", is_member=True)
SIGNER = Signer(user_id="n-1", full_name="Enf. Ana Prueba", cedula_profesional="12345678")


def _chain(texts: list[str]):
    entries, previous = [], GENESIS_HASH
    for seq, text in enumerate(texts, start=1):
        entry = new_entry(entry_id=f"e-{seq}", seq=seq, previous_hash=previous, kind="addendum", patient=PATIENT,
                          appointment_id=None, amends=None, signer=SIGNER, content=Addendum.model_construct(text=text),
                          now=NOW + timedelta(minutes=seq))
        entries.append(entry)
        previous = entry.hash
    return entries


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=6), st.data())
def test_any_change_to_any_stored_entry_is_named(texts, data):
    entries = _chain(texts)
    assert broken_links(entries) == []
    victim = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["content", "signed_by", "occurred_at", "curp", "appointment_id"]))
    changed = {"content": Addendum.model_construct(text=texts[victim] + "!"), "signed_by": SIGNER.model_copy(update={"full_name": "Otra"}),
               "occurred_at": entries[victim].occurred_at + timedelta(seconds=1), "curp": "XEXX010101HNEXXXA4",
               "appointment_id": "a-forged"}[field]
    entries[victim] = entries[victim].model_copy(update={field: changed})
    assert broken_links(entries) == [entries[victim].entry_id]


def test_a_removed_or_reordered_entry_breaks_the_chain():
    entries = _chain(["uno", "dos", "tres"])
    assert broken_links([entries[0], entries[2]]) == ["e-3"]
    swapped = [entries[1].model_copy(update={"seq": 1}), entries[0].model_copy(update={"seq": 2}), entries[2]]
    assert broken_links(swapped) == ["e-2", "e-1", "e-3"]


def test_the_hash_covers_the_previous_hash():
    first, second = _chain(["uno", "dos"])
    assert second.previous_hash == first.hash and first.previous_hash == GENESIS_HASH
    relinked = second.model_copy(update={"previous_hash": GENESIS_HASH})
    assert broken_links([first, relinked]) == ["e-2"]


def _consult(status="booked", nurse_id="n-1", **changes) -> Appointment:
    return Appointment(appointment_id="a-1", slot_id="s", nurse_id=nurse_id, nurse_name="Ana", member_id="m-1",
                       patient_id="p-1", reason=SealedText(ciphertext=b"c", wrapped_key=b"k"), status=status, start=NOW, end=NOW + timedelta(minutes=20),
                       created_at=NOW - timedelta(days=3), **changes)


def test_a_nurse_reads_from_booking_until_seven_days_after_her_consult():
    consult = _consult()
    assert consult_justifying([consult], "n-1", consult.created_at - timedelta(seconds=1)) is None
    assert consult_justifying([consult], "n-1", consult.created_at) == consult
    assert consult_justifying([consult], "n-1", consult.end + timedelta(days=7)) == consult
    assert consult_justifying([consult], "n-1", consult.end + timedelta(days=7, seconds=1)) is None
    assert consult_justifying([consult], "n-2", NOW) is None
    assert consult_justifying([_consult(status="cancelled")], "n-1", NOW) is None
    assert consult_justifying([_consult(status="fulfilled")], "n-1", NOW) is not None


def test_minors_until_the_eighteenth_birthday():
    assert is_minor(date(2008, 12, 2), date(2026, 12, 1))
    assert not is_minor(date(2008, 12, 1), date(2026, 12, 1))
