"""Banco de México's FIX: reading SIE's answers, when a rate is stale, which day can be out, and dollar rounding."""

import json
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, strategies as st

from chalicelib.adapters.exchange_rates import RECORDED_FIX, BanxicoSie, RateProviderError, RecordedSeries
from chalicelib.domain.business_days import Calendar, add_business_days, is_business_day
from chalicelib.domain.exchange_rates import (
    FIX_SOURCE, ExchangeRate, SieAnswerError, caller_rate, is_stale, parse_sie, published_by,
)
from chalicelib.domain.quotes import quote, to_cents

MX = timezone(timedelta(hours=-6))


def _answer(*datos, series="SF43718"):
    return {"bmx": {"series": [{"idSerie": series, "titulo": "Tipo de cambio … (FIX)",
                                "datos": [{"fecha": fecha, "dato": dato} for fecha, dato in datos]}]}}


def test_sie_answer_read_oldest_first_skipping_days_without_data():
    rates = parse_sie(_answer(("27/11/2026", "18.4333"), ("16/11/2026", "N/E"), ("13/11/2026", "18.2011")))
    assert rates == [ExchangeRate(Decimal("18.2011"), date(2026, 11, 13), FIX_SOURCE),
                     ExchangeRate(Decimal("18.4333"), date(2026, 11, 27), FIX_SOURCE)]


def test_a_series_with_no_observations_is_no_rate():
    assert parse_sie(_answer()) == []
    assert parse_sie(_answer(("02/11/2026", "N/E"))) == []


@pytest.mark.parametrize("answer", [
    {},
    {"bmx": {"series": []}},
    _answer(("27/11/2026", "18.4"), series="SF60653"),  # another series
    _answer(("2026-11-27", "18.4333")),  # not SIE's dd/mm/yyyy
    _answer(("27/11/2026", "dieciocho")),
    _answer(("27/11/2026", "0")),
    _answer(("27/11/2026", "-18.4")),
    _answer(("27/11/2026", "NaN")),
    {"bmx": {"series": [{"idSerie": "SF43718", "datos": [{"fecha": "27/11/2026"}]}]}},
    [],
])
def test_an_answer_of_another_shape_is_refused_rather_than_stored(answer):
    with pytest.raises(SieAnswerError):
        parse_sie(answer)


def test_thousands_separators_are_read():
    assert parse_sie(_answer(("27/11/2026", "1,018.4333")))[0].usd_mxn == Decimal("1018.4333")


@pytest.mark.parametrize(("published", "today", "stale"), [
    (date(2026, 11, 27), date(2026, 11, 30), False),  # Friday's rate on Monday: 1 business day
    (date(2026, 11, 27), date(2026, 12, 2), False),  # Wednesday: 3
    (date(2026, 11, 27), date(2026, 12, 3), True),  # Thursday: 4
    (date(2026, 11, 13), date(2026, 11, 19), False),  # Monday 16 November is a bank holiday: Tue, Wed, Thu
    (date(2026, 11, 13), date(2026, 11, 20), True),
    (date(2026, 12, 24), date(2026, 12, 30), False),  # 25 December closed: 28, 29, 30
    (date(2026, 12, 24), date(2026, 12, 31), True),
    (date(2026, 11, 30), date(2026, 11, 30), False),
])
def test_stale_after_three_banking_business_days(published, today, stale):
    assert is_stale(published, today) is stale
    assert ExchangeRate(Decimal("18"), published, FIX_SOURCE).as_of(today).stale is stale


@given(published=st.dates(date(2024, 1, 1), date(2030, 12, 31)), elapsed=st.integers(0, 15))
def test_stale_exactly_when_more_than_three_banking_days_passed(published, elapsed):
    assert is_stale(published, add_business_days(published, elapsed, Calendar.BANKING)) is (elapsed > 3)


def test_a_callers_rate_is_labelled_and_never_stale():
    rate = caller_rate(Decimal("18.25")).as_of(date(2030, 1, 1))
    assert (rate.source, rate.published, rate.stale) == ("caller", None, False)


@pytest.mark.parametrize(("moment", "day"), [
    (datetime(2026, 11, 30, 11, 59, tzinfo=MX), date(2026, 11, 29)),  # before 12:00 today's FIX is not out yet
    (datetime(2026, 11, 30, 12, 0, tzinfo=MX), date(2026, 11, 30)),
    (datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc), date(2026, 11, 30)),  # 21:00 on the 30th in Mexico City
    (datetime(2026, 12, 1, 17, 59, tzinfo=timezone.utc), date(2026, 11, 30)),  # 11:59 on the 1st
])
def test_the_last_day_whose_fix_can_be_out(moment, day):
    assert published_by(moment) == day


@given(total=st.decimals(Decimal("0.01"), Decimal("10000000"), places=2),
       rate=st.decimals(Decimal("0.000001"), Decimal("1000"), places=6))
def test_dollars_are_the_peso_total_over_the_rate_to_the_cent_half_up(total, rate):
    usd = to_cents(total / rate)
    assert usd == usd.quantize(Decimal("0.01"))
    assert abs(usd - total / rate) <= Decimal("0.005")


def test_a_quote_in_dollars_at_a_rate_says_which():
    fix = ExchangeRate(Decimal("18.4738"), date(2026, 11, 30), FIX_SOURCE)
    priced = quote(Decimal("9000"), "general", date(2027, 1, 1), 1, rate=fix)
    assert priced.exchange_rate == fix
    assert priced.total_usd == (priced.total_mxn / Decimal("18.4738")).quantize(Decimal("0.01"))
    assert quote(Decimal("9000"), "general", date(2027, 1, 1), 1).total_usd is None


def test_the_recorded_series_covers_october_and_november_2026_banking_days():
    recorded = json.loads(RECORDED_FIX.read_text())
    assert "SYNTHETIC" in recorded["recording"]  # not Banxico's figures
    rates = RecordedSeries().observations(date(2026, 10, 1), date(2026, 11, 30))
    days = {rate.published for rate in rates}
    every_day = {date(2026, 10, 1) + timedelta(days=n) for n in range(61)}
    assert days == {day for day in every_day if is_business_day(day, Calendar.BANKING)}
    assert all(Decimal("15") < rate.usd_mxn < Decimal("22") for rate in rates)


def test_the_recorded_series_answers_only_the_days_asked():
    rates = RecordedSeries().observations(date(2026, 11, 20), date(2026, 11, 27))
    assert [rate.published for rate in rates] == [date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24),
                                                 date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]


def test_an_unreadable_recording_is_a_provider_failure(tmp_path):
    broken = tmp_path / "fix.json"
    broken.write_text("{not json")
    with pytest.raises(RateProviderError):
        RecordedSeries(broken).observations(date(2026, 11, 1), date(2026, 11, 30))


class _Sie(BaseHTTPRequestHandler):
    """SIE's REST API on the loopback: the answer for SF43718 to a caller with the right token."""

    seen: list[tuple[str, str | None]] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen.append((self.path, self.headers.get("Bmx-Token")))
        if self.headers.get("Bmx-Token") != "token-123":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps(_answer(("27/11/2026", "18.4333"), ("30/11/2026", "N/E"))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def sie():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sie)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Sie.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/SieAPIRest/service/v1"
    server.shutdown()


def test_banxico_sie_asks_the_series_range_with_the_token(sie):
    rates = BanxicoSie("token-123", sie).observations(date(2026, 11, 20), date(2026, 11, 30))
    assert rates == [ExchangeRate(Decimal("18.4333"), date(2026, 11, 27), FIX_SOURCE)]
    assert _Sie.seen == [("/SieAPIRest/service/v1/series/SF43718/datos/2026-11-20/2026-11-30", "token-123")]


def test_banxico_sie_refusing_or_unreachable_is_a_provider_failure(sie):
    with pytest.raises(RateProviderError):
        BanxicoSie("wrong-token", sie).observations(date(2026, 11, 20), date(2026, 11, 30))
    with pytest.raises(RateProviderError):
        BanxicoSie("token-123", "http://127.0.0.1:9/SieAPIRest/service/v1").observations(date(2026, 11, 20),
                                                                                       date(2026, 11, 30))


def test_banxico_sie_undecodable_answer_or_unsendable_token_is_a_provider_failure(sie, monkeypatch):
    """Not JSON text at all (bytes that are not UTF-8), or a token secret with a stray newline that http.client will
    not send as a header: still the provider's failure, so the job logs it with its metric and keeps the last rate."""
    with pytest.raises(RateProviderError):
        BanxicoSie("token-123\n", sie).observations(date(2026, 11, 20), date(2026, 11, 30))

    class Undecodable:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            return b"\x80\x81 not utf-8"

    monkeypatch.setattr("urllib.request.urlopen", lambda request, timeout: Undecodable())
    with pytest.raises(RateProviderError):
        BanxicoSie("token-123", sie).observations(date(2026, 11, 20), date(2026, 11, 30))
