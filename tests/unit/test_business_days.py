"""Mexico's business-day calendars: labour rest days (LFT art. 74) and the banking calendar (no FIX published)."""

from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain.business_days import (
    Calendar, add_business_days, business_days_between, holidays, is_business_day,
)


def test_labour_rest_days_of_2026():
    assert sorted(holidays(2026, Calendar.LABOUR)) == [
        date(2026, 1, 1), date(2026, 2, 2), date(2026, 3, 16), date(2026, 5, 1), date(2026, 9, 16),
        date(2026, 11, 16), date(2026, 12, 25)]


def test_inauguration_day_every_sixth_year():
    assert date(2030, 10, 1) in holidays(2030, Calendar.LABOUR)
    assert date(2026, 10, 1) not in holidays(2026, Calendar.LABOUR)


def test_banks_also_close_holy_thursday_good_friday_2_november_and_12_december():
    extra = holidays(2026, Calendar.BANKING) - holidays(2026, Calendar.LABOUR)
    assert sorted(extra) == [date(2026, 4, 2), date(2026, 4, 3), date(2026, 11, 2), date(2026, 12, 12)]
    assert date(2027, 3, 25) in holidays(2027, Calendar.BANKING)  # Easter 2027 is 28 March


def test_twenty_business_days_from_a_request_on_30_november_2026():
    # December 2026: 25th is a rest day; the term starts on 1 December.
    assert add_business_days(date(2026, 11, 30), 20, Calendar.LABOUR) == date(2026, 12, 29)
    assert add_business_days(date(2026, 11, 30), 20, Calendar.BANKING) == date(2026, 12, 29)


def test_weekends_are_not_business_days():
    assert not is_business_day(date(2026, 11, 28), Calendar.LABOUR)
    assert is_business_day(date(2026, 11, 30), Calendar.LABOUR)
    assert business_days_between(date(2026, 11, 27), date(2026, 11, 30), Calendar.BANKING) == 1


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)), st.integers(0, 40),
       st.sampled_from(list(Calendar)))
def test_adding_then_counting_gives_back_the_count(start, count, calendar):
    end = add_business_days(start, count, calendar)
    assert business_days_between(start, end, calendar) == count
    assert count == 0 or is_business_day(end, calendar)
    assert end - start <= timedelta(days=2 * count + 14)
