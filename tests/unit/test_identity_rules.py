"""The identity rules on their own: registry matching, assurance only rising, and what a reader sees of a history."""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.identity import (
    Assurance, AssuranceLevel, DeclaredIdentity, Evidence, Person, RegistryRecord, Verification, in_person_check, raised,
    read_scope, registry_check, registry_mismatches, sees_history_before_link, strongest,
)
from tests.people import make_curp

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
CURP = make_curp("PEGL", date(2005, 4, 10), "H", "JC", "RMS")
RECORD = RegistryRecord(curp=CURP, first_name="Luis", last_name="Pérez", second_last_name="Gómez",
                        birth_date=date(2005, 4, 10), sex="H", birth_state="JC")


def _declared(**changes) -> DeclaredIdentity:
    return DeclaredIdentity(**{"first_name": "Luis", "last_name": "Pérez", "second_last_name": "Gómez",
                               "birth_date": "2005-04-10", **changes})


def _person(person_id="p-1", created_by="acct-1", level=AssuranceLevel.SELF_ASSERTED) -> Person:
    return Person(person_id=person_id, curp=CURP, created_at=NOW, created_by=created_by,
                  assurance=Assurance(level=level, at=NOW, method="registration"))


def test_names_compare_as_renapo_writes_them_accents_case_and_spaces_aside():
    assert registry_mismatches(_declared(first_name="  LUIS ", last_name="perez", second_last_name="GOMEZ"),
                               CURP, RECORD) == []
    assert registry_mismatches(_declared(first_name="Lucas"), CURP, RECORD) == ["first_name"]
    assert registry_mismatches(_declared(second_last_name=None), CURP, RECORD) == ["second_last_name"]
    assert registry_mismatches(_declared(birth_date="2005-04-11"), CURP, RECORD) == ["birth_date"]
    nunez = RECORD.model_copy(update={"last_name": "Núñez"})
    assert registry_mismatches(_declared(last_name="NUÑEZ"), CURP, nunez) == []
    assert registry_mismatches(_declared(last_name="Nunez"), CURP, nunez) == ["last_name"]  # Ñ is its own letter


def test_the_curp_itself_must_agree_with_the_registry():
    other_state = RECORD.model_copy(update={"birth_state": "DF", "sex": "M"})
    assert registry_mismatches(_declared(), CURP, other_state) == ["sex", "birth_state"]


def test_a_registry_match_reaches_registry_matched_and_a_miss_nothing():
    matched = registry_check(_person(), _declared(), RECORD, "test-registry", NOW)
    assert matched.reached == AssuranceLevel.REGISTRY_MATCHED and matched.evidence.result == "match"
    assert matched.evidence.by == "test-registry"
    missed = registry_check(_person(), _declared(first_name="Lucas"), RECORD, "test-registry", NOW)
    assert missed.reached is None and missed.evidence.mismatched == ["first_name"]
    absent = registry_check(_person(), _declared(), None, "test-registry", NOW)
    assert absent.reached is None and absent.evidence.result == "not-found"


def test_an_in_person_check_needs_the_id_to_agree_with_the_curp():
    seen = in_person_check(_person(), _declared(), "op-1", "Consulado de Los Ángeles", "consular", NOW)
    assert seen.reached == AssuranceLevel.VERIFIED_IN_PERSON and seen.evidence.by == "op-1"
    other_id = _declared(birth_date="1999-01-01")
    assert in_person_check(_person(), other_id, "op-1", "Consulado de Los Ángeles", "consular", NOW).reached is None


LEVELS = st.sampled_from(list(AssuranceLevel))


@given(LEVELS, st.one_of(st.none(), LEVELS))
def test_assurance_only_rises(current_level, reached):
    current = Assurance(level=current_level, at=NOW, method="before")
    evidence = Evidence(kind="registry", at=NOW + timedelta(days=1), result="match", by="x")
    after = raised(current, Verification(evidence=evidence, reached=reached), "check")
    assert after.level.rank == max(current_level.rank, reached.rank if reached else -1)
    assert (after == current) == (reached is None or reached.rank <= current_level.rank)


@given(LEVELS, LEVELS)
def test_a_merged_person_keeps_the_strongest_assurance(a, b):
    kept = strongest(Assurance(level=a, at=NOW, method="a"), Assurance(level=b, at=NOW, method="b"))
    assert kept.level.rank == max(a.rank, b.rank)


def test_only_more_than_self_assertion_sees_history_from_before_a_link():
    assert [sees_history_before_link(level) for level in AssuranceLevel] == [False, True, True]


def test_an_unproven_reader_of_a_merged_history_sees_only_its_own_consults():
    golden, merged = _person("golden", created_by="parent"), _person("claimant", created_by="acct-1")
    unproven = read_scope([golden, merged], "acct-1", proven=False)
    assert unproven.person_ids == ["golden", "claimant"] and unproven.account == "acct-1"
    assert read_scope([golden, merged], "acct-1", proven=True).account is None
    assert read_scope([golden, merged], None, proven=True).account is None  # a nurse
    assert read_scope([golden], "parent", proven=False).account is None  # never merged: all of it is its own
