"""Invariants of the cuota, over any income, zone and month the rate book can price."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.quotes import months_from, quote
from chalicelib.domain.rates import rate_book

INCOMES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2)
ZONES = st.sampled_from(["general", "zlfn"])
MONTHS = st.builds(lambda i: months_from(date(2024, 2, 1), i + 1)[-1], st.integers(0, 12 * 8))
PERIODS = st.sampled_from([1, 2, 3, 6, 12])


@given(income=INCOMES, zone=ZONES, start=MONTHS, months=PERIODS, infonavit=st.booleans())
def test_totals_are_sums_of_rounded_lines(income, zone, start, months, infonavit):
    priced = quote(income, zone, start, months, infonavit)
    for month in priced.months:
        assert month.total_mxn == sum(line.amount_mxn for line in month.lines)
        assert all(line.amount_mxn == line.amount_mxn.quantize(Decimal("0.01")) for line in month.lines)
    assert priced.total_mxn == sum(month.total_mxn for month in priced.months)


@settings(max_examples=400)
@given(low=INCOMES, extra=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2), zone=ZONES,
       month=MONTHS)
def test_a_higher_income_never_costs_less(low, extra, zone, month):
    assert quote(low + extra, zone, month, 1).total_mxn >= quote(low, zone, month, 1).total_mxn


@given(extra=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2), zone=ZONES, month=MONTHS)
def test_income_above_the_cap_changes_nothing(extra, zone, month):
    values = rate_book().month_values(month)
    cap_income = 25 * values.uma * Decimal("30.4")
    assert quote(cap_income + extra, zone, month, 1).total_mxn == quote(cap_income, zone, month, 1).total_mxn


@settings(max_examples=400)
@given(income=INCOMES, month=MONTHS)
def test_the_border_zone_never_costs_less(income, month):
    assert quote(income, "zlfn", month, 1).total_mxn >= quote(income, "general", month, 1).total_mxn


@settings(max_examples=50)
@given(income=INCOMES, zone=ZONES, start=MONTHS)
def test_a_year_is_the_sum_of_its_months(income, zone, start):
    year = quote(income, zone, start, 12)
    assert year.total_mxn == sum(quote(income, zone, month, 1).total_mxn for month in months_from(start, 12))
