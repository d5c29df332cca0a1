"""Today's dollar: Banco de México's FIX (SIE series SF43718), how SIE answers it, and when a stored rate is stale.

Banxico determines the FIX each banking business day at about 12:00 Mexico City and publishes it in SIE under that
day's date (`fecha`), which is the date we show. A day without a value comes back as "N/E" (no existe). A rate is
stale once more than three banking business days (`Calendar.BANKING`, the days Banxico publishes) passed since its
date, so a Friday's FIX is still current on the next Wednesday and stale on Thursday.

USD amounts are informational (members pay MXN): MXN ÷ rate, rounded half-up to cents (quotes.to_cents).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.domain.business_days import Calendar, business_days_between
from chalicelib.domain.clock import MEXICO_CITY

FIX_SERIES = "SF43718"
FIX_SOURCE = "Banco de México, FIX (SF43718)"
CALLER_SOURCE = "caller"
STALE_AFTER_BUSINESS_DAYS = 3
PUBLISHED_AT = time(12, 0)  # Mexico City; the job runs after it (app.py)
NO_DATA = "N/E"


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """MXN per USD, the day it was published (None for a caller's own rate), who set it, and whether it is stale."""

    usd_mxn: Decimal
    published: date | None
    source: str
    stale: bool = False

    def as_of(self, today: date) -> "ExchangeRate":
        """The same rate, flagged stale when more than three banking business days passed since it was published."""
        if self.published is None:
            return self
        return replace(self, stale=is_stale(self.published, today))


def caller_rate(usd_mxn: Decimal) -> ExchangeRate:
    return ExchangeRate(usd_mxn, None, CALLER_SOURCE)


def is_stale(published: date, today: date) -> bool:
    return business_days_between(published, today, Calendar.BANKING) > STALE_AFTER_BUSINESS_DAYS


def published_by(now: datetime) -> date:
    """The last date whose FIX can be out at `now`: today in Mexico City from 12:00, yesterday before."""
    local = now.astimezone(MEXICO_CITY)
    return local.date() if local.time() >= PUBLISHED_AT else local.date() - timedelta(days=1)


class SieAnswerError(ValueError):
    """The SIE answer is not the shape its documentation gives (the job keeps the last rate and reports it)."""


def parse_sie(answer: Any, series: str = FIX_SERIES) -> list[ExchangeRate]:
    """The observations of `series` in an SIE `/series/{id}/datos[/…]` answer, oldest first; "N/E" days are left
    out. Anything else unexpected (another series, a malformed date or figure, a non-positive rate) raises
    SieAnswerError rather than storing a wrong rate."""
    try:
        found = [entry for entry in answer["bmx"]["series"] if entry["idSerie"] == series]
    except (KeyError, TypeError) as error:
        raise SieAnswerError(f"not an SIE series answer: {error!r}") from None
    if len(found) != 1:
        raise SieAnswerError(f"the answer has {len(found)} series {series}")
    rates = {}
    for point in found[0].get("datos") or []:
        try:
            day = datetime.strptime(point["fecha"], "%d/%m/%Y").date()
            figure = point["dato"].strip()
            if figure == NO_DATA:
                continue
            value = Decimal(figure.replace(",", ""))
        except (KeyError, TypeError, AttributeError, ValueError, InvalidOperation) as error:
            raise SieAnswerError(f"a malformed SIE observation: {error!r}") from None
        if not value.is_finite() or value <= 0:
            raise SieAnswerError("a non-positive SIE figure")
        rates[day] = ExchangeRate(value, day, FIX_SOURCE)
    return [rates[day] for day in sorted(rates)]
