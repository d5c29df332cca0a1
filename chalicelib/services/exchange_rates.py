"""The daily exchange-rate job and the rate quotes and references show.

The job (app.py `fetch_exchange_rate`, twice a day after Banxico's 12:00 publication) asks the provider for the last
FETCH_DAYS calendar days up to the latest date that can be out, keeps each day once and moves LATEST forward to the
newest. Running it twice writes nothing new; a provider failure is logged with a metric and leaves the stored rate
as it was; each run reports the stored rate's age, which infra's alarm watches.
"""

from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import wiring
from chalicelib.adapters.exchange_rates import RateProviderError
from chalicelib.domain.business_days import Calendar, business_days_between
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.exchange_rates import FIX_SERIES, ExchangeRate, published_by
from chalicelib.logs import metric_fields, service_logger
from chalicelib.store import exchange_rates as store
from chalicelib.store.transactions import transient_cause

# A long weekend plus a holiday and a couple of missed runs still fit: what a failed day missed is filled in later.
FETCH_DAYS = 10
_log = service_logger()


def fetch_fix(now: datetime) -> dict:
    """Fetch and store the FIX; answers what was stored and the latest rate's date."""
    end = published_by(now)
    provider_name = wiring.settings().exchange_rate_provider
    try:
        rates = wiring.exchange_rates().observations(end - timedelta(days=FETCH_DAYS), end)
        failed = False
    except (RateProviderError, BotoCoreError, ClientError) as error:  # the provider or its token's secret
        _log.error("exchange rate fetch failed", extra={
            "error": str(error), **metric_fields({"Provider": provider_name}, ExchangeRateFetchFailed=1)})
        rates, failed = [], True
    days_stored = sum(store.record_day(rate, now) for rate in rates)
    if rates:
        store.advance_latest(rates[-1], now)
    current = store.latest(consistent=True)
    report = {"provider": provider_name, "failed": failed, "days_stored": days_stored,
              "latest": current.published.isoformat() if current else None,
              "usd_mxn": str(current.usd_mxn) if current else None}
    if current is None:
        _log.warning("no exchange rate stored", extra=report)
    else:
        age = business_days_between(current.published, mexico_city_today(now), Calendar.BANKING)
        _log.info("exchange rate checked",
                  extra={**report, **metric_fields({"Series": FIX_SERIES}, ExchangeRateAgeBusinessDays=age)})
    return report


def todays_rate(now: datetime) -> ExchangeRate | None:
    """The stored FIX as shown `now` (flagged stale when old); None when the job never stored one, or when DynamoDB
    is out of reach: the dollar figure is informational, so the MXN answer goes out without it rather than failing."""
    wiring.settings()  # binds the tables: a public quote may be a process's first request and read nothing else
    try:
        stored = store.latest()
    except Exception as error:
        if transient_cause(error) is None:
            raise
        _log.warning("exchange rate unreadable", extra={"cause": transient_cause(error)})
        return None
    return stored.as_of(mexico_city_today(now)) if stored else None
