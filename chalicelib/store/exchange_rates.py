"""Exchange rates, in the members table (they are read beside the member's profile on the quote and reference paths).

| item               | pk                  | sk                 |
|--------------------|---------------------|--------------------|
| the latest rate    | RATE#<series>       | LATEST             |
| one day's rate     | RATE#<series>       | DAY#<YYYY-MM-DD>   |

Reading today's rate is one GetItem of LATEST. Every write is one conditional PutItem: a day is written once (a re-run
finds it there and writes nothing), and LATEST only moves forward (an older date never replaces a newer one).
"""

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.exchange_rates import FIX_SERIES, ExchangeRate
from chalicelib.store.attributes import DateAttribute, DecimalAttribute
from chalicelib.store.members import MemberItem
from chalicelib.store.transactions import ConditionFailed, Write, commit

LATEST = "LATEST"


class ExchangeRateItem(MemberItem, discriminator="exchange-rate"):
    usd_mxn = DecimalAttribute()
    published = DateAttribute()
    source = UnicodeAttribute()
    fetched_at = UTCDateTimeAttribute()


def _pk(series: str) -> str:
    return f"RATE#{series}"


def _item(rate: ExchangeRate, sk: str, fetched_at: datetime, series: str) -> ExchangeRateItem:
    return ExchangeRateItem(_pk(series), sk, usd_mxn=rate.usd_mxn, published=rate.published, source=rate.source,
                            fetched_at=fetched_at)


def _put(item: ExchangeRateItem, condition, label: str) -> bool:
    """True when written; False when the condition says it is already there (or newer)."""
    try:
        commit([Write(label, "save", lambda tx: tx.save(item, condition=condition))])
    except ConditionFailed:
        return False
    return True


def record_day(rate: ExchangeRate, fetched_at: datetime, series: str = FIX_SERIES) -> bool:
    """Keep a published day's rate in the history, once."""
    return _put(_item(rate, f"DAY#{rate.published.isoformat()}", fetched_at, series),
                ExchangeRateItem.pk.does_not_exist(), "exchange-rate-day")


def advance_latest(rate: ExchangeRate, fetched_at: datetime, series: str = FIX_SERIES) -> bool:
    """Make `rate` the latest unless one of its date or later is stored already."""
    return _put(_item(rate, LATEST, fetched_at, series),
                ExchangeRateItem.pk.does_not_exist() | (ExchangeRateItem.published < rate.published),
                "exchange-rate-latest")


def latest(series: str = FIX_SERIES, consistent: bool = False) -> ExchangeRate | None:
    """The newest stored rate (not yet flagged stale or not: that depends on the day it is read). Requests read it
    eventually consistent (it changes once a day); the job reads back what it just wrote consistently."""
    try:
        item = ExchangeRateItem.get(_pk(series), LATEST, consistent_read=consistent)
    except ExchangeRateItem.DoesNotExist:
        return None
    return ExchangeRate(item.usd_mxn, item.published, item.source)

