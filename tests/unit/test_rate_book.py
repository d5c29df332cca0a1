"""The rate book is data: sourced values, dated changes, and corrections that need no code change."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
from pydantic import ValidationError

from chalicelib.domain.quotes import quote
from chalicelib.domain.rates import BeforeKnownTables, Contributions, YearValues, rate_book

RATES = resources.files("chalicelib.domain.rates")


def test_the_shipped_book_loads_with_every_source_and_version():
    """Loading validates every file: each value's source is required (see test_a_value_without_source_is_refused)."""
    book = rate_book()
    assert sorted(book.years) == [2024, 2025, 2026]
    assert len(book.versions) == 5 and all(book.versions)
    assert all(len(concept.source) >= 10 for concept in book.contributions.concepts)


def test_assumptions_are_labelled_as_such():
    conventions = rate_book().contributions.conventions
    for name in ("income_divisor", "days_per_month", "riesgos_trabajo_prima_percent"):
        assert getattr(conventions, name).source.startswith("assumption")
    assert conventions.income_divisor.value == Decimal("30.4")
    assert conventions.days_per_month.value == Decimal("30.4")
    assert conventions.riesgos_trabajo_prima_percent.value == Decimal("0.54355")


def test_values_change_on_their_own_dates():
    book = rate_book()
    january, february = book.month_values(date(2026, 1, 1)), book.month_values(date(2026, 2, 1))
    assert january.minimum_wage.general_mxn == february.minimum_wage.general_mxn == Decimal("315.04")
    assert (january.uma, february.uma) == (Decimal("113.14"), Decimal("117.31"))
    assert january.cesantia.brackets[-1] == Decimal("7.513")
    with pytest.raises(BeforeKnownTables):
        book.month_values(date(2024, 1, 1))


def test_a_correction_is_a_data_change_only():
    """If the live calculator shows divisor 30 and no riesgos prima, editing contributions.json is the whole fix."""
    book = rate_book()
    data = json.loads(RATES.joinpath("contributions.json").read_text())
    data["conventions"]["income_divisor"]["value"] = "30"
    data["conventions"]["riesgos_trabajo_prima_percent"]["value"] = "0.5"
    corrected = replace(book, contributions=Contributions.model_validate(data))
    before = quote(Decimal("10000"), "general", date(2026, 3, 1), 1, book=book).months[0]
    after = quote(Decimal("10000"), "general", date(2026, 3, 1), 1, book=corrected).months[0]
    assert (before.sbc_daily_mxn, after.sbc_daily_mxn) == (Decimal("328.95"), Decimal("333.33"))
    assert [line.rate_percent for line in after.lines if line.concept == "riesgos_trabajo"] == [Decimal("0.5")]


def test_a_value_without_source_is_refused():
    data = json.loads(RATES.joinpath("values-2026.json").read_text())
    data["uma"]["source"] = ""
    with pytest.raises(ValidationError):
        YearValues.model_validate(data)
