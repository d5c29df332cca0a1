"""The PTI cuota: what a month of coverage costs, line by line, to the centavo.

Per covered month, with that month's values (chalicelib/domain/rates):
  SBC (daily)  = monthly income ÷ income divisor, rounded half-up to centavos, then kept between the zone's minimum
                 wage and the cap (25 UMA);
  each line    = rate × daily base × days per month, rounded half-up to centavos (one line per concept and share);
  month total  = sum of its rounded lines; quote total = sum of its months (no discount for longer periods);
  total USD    = quote total ÷ the rate (MXN per USD), rounded half-up to cents (informational: members pay MXN).
The member pays the patronal and obrera shares; the State's own shares are not charged.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.exchange_rates import ExchangeRate, caller_rate
from chalicelib.domain.members import Money, Zone
from chalicelib.domain.model import Model
from chalicelib.domain.rates import ConceptRate, MonthValues, RateBook, rate_book

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PERIODS = (1, 2, 3, 6, 12)
HORIZON_YEARS = 5  # how far past the latest known values a quote may reach (every such month is `estimated`)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Line:
    concept: str
    share: Literal["patronal", "obrera"]
    rate_percent: Decimal
    base_mxn: Decimal  # daily base
    amount_mxn: Decimal


@dataclass(frozen=True, slots=True)
class MonthQuote:
    month: date
    uma: Decimal
    minimum_wage: Decimal
    sbc_daily_mxn: Decimal
    days: Decimal
    lines: tuple[Line, ...]
    total_mxn: Decimal
    estimated: bool
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    months: tuple[MonthQuote, ...]
    total_mxn: Decimal
    total_usd: Decimal | None
    exchange_rate: ExchangeRate | None  # the rate total_usd is at (None: no USD)
    estimated: bool
    tables: tuple[str, ...]


def daily_base_salary(income: Decimal, minimum_wage: Decimal, uma: Decimal, book: RateBook) -> Decimal:
    conventions = book.contributions.conventions
    sbc = to_cents(income / conventions.income_divisor.value)
    return min(max(sbc, minimum_wage), conventions.cap_uma.value * uma)


def cesantia_patronal_percent(sbc: Decimal, values: MonthValues, book: RateBook) -> Decimal:
    if sbc == values.minimum_wage.for_zone(book.cesantia.minimum_wage_row.zone):
        return values.cesantia.minimum_wage
    ratio = sbc / values.uma
    for bound, rate in zip(book.cesantia.upper_bounds_uma, values.cesantia.brackets):
        if bound is None or ratio <= bound:
            return rate
    raise AssertionError("the last cesantía bracket is open-ended")


def _rate(reference: str, share: str, sbc: Decimal, values: MonthValues, book: RateBook) -> Decimal:
    if not reference.startswith("@"):
        return Decimal(reference)
    if reference == "@riesgos_trabajo_prima_percent":
        return book.contributions.conventions.riesgos_trabajo_prima_percent.value
    if reference == "@cesantia_vejez":
        if share == "obrera":
            return book.cesantia.obrera_percent
        return cesantia_patronal_percent(sbc, values, book)
    raise ValueError(f"unknown rate reference {reference}")


def _base(concept: ConceptRate, sbc: Decimal, uma: Decimal) -> Decimal:
    if concept.base == "uma":
        return uma
    if concept.base == "sbc_over_3_uma":
        return max(sbc - 3 * uma, Decimal(0))
    return sbc


def price_month(month: date, income: Decimal, zone: Zone, include_infonavit: bool, book: RateBook) -> MonthQuote:
    values = book.month_values(month)
    minimum_wage = values.minimum_wage.for_zone(zone)
    sbc = daily_base_salary(income, minimum_wage, values.uma, book)
    days = book.contributions.conventions.days_per_month.value
    lines = []
    for concept in book.contributions.concepts:
        if concept.optional and not include_infonavit:
            continue
        base = _base(concept, sbc, values.uma)
        for share, reference in (("patronal", concept.patronal), ("obrera", concept.obrera)):
            rate = _rate(reference, share, sbc, values, book)
            if rate:
                lines.append(Line(concept.concept, share, rate, base, to_cents(rate / HUNDRED * base * days)))
    return MonthQuote(month, values.uma, minimum_wage, sbc, days, tuple(lines), sum((l.amount_mxn for l in lines), Decimal(0)),
                      values.estimated, values.tables)


def shift_month(month: date, offset: int) -> date:
    """The first day of the month `offset` months after (or before, when negative) `month`."""
    index = month.year * 12 + month.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def parse_month(value: str) -> date:
    """'2026-12' → 2026-12-01."""
    return date.fromisoformat(f"{value}-01")


def months_from(start: date, count: int) -> list[date]:
    return [shift_month(start, i) for i in range(count)]


def quote(income: Decimal, zone: Zone, start: date, months: int, include_infonavit: bool = False,
          rate: ExchangeRate | None = None, book: RateBook | None = None) -> Quote:
    book = book or rate_book()
    priced = tuple(price_month(month, income, zone, include_infonavit, book) for month in months_from(start, months))
    total = sum((m.total_mxn for m in priced), Decimal(0))
    return Quote(
        months=priced,
        total_mxn=total,
        total_usd=to_cents(total / rate.usd_mxn) if rate else None,
        exchange_rate=rate,
        estimated=any(m.estimated for m in priced),
        tables=tuple(dict.fromkeys(table for m in priced for table in m.tables)),
    )


# --- Requests ---------------------------------------------------------------------------------------------------------

Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]


def check_period(value: int) -> int:
    if value not in PERIODS:
        raise PydanticCustomError("period_not_offered", "Periods are 1, 2, 3, 6 or 12 months.")
    return value


Period = Annotated[int, AfterValidator(check_period)]


class QuoteOptions(Model):
    """What any quote can choose; without `start_month` it starts at the first month a payment made now would cover
    (services/quotes.py), and without `usd_mxn_rate` USD is at the stored FIX."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start_month: Month | None = None
    months: Period = 1
    include_infonavit: bool = False
    usd_mxn_rate: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=6)] | None = None

    @field_validator("start_month")
    @classmethod
    def _priceable(cls, value: str | None) -> str | None:
        if value is None:
            return value
        book = rate_book()
        month = parse_month(value)
        if month < book.first_month:
            raise PydanticCustomError("month_before_tables", "The earliest month that can be priced is {first}.",
                                      {"first": book.first_month.strftime("%Y-%m")})
        if month.year > book.latest_year + HORIZON_YEARS:
            raise PydanticCustomError("month_too_far", "Quotes reach at most December {last}.",
                                      {"last": book.latest_year + HORIZON_YEARS})
        return value


class QuoteRequest(QuoteOptions):
    """POST /v1/quotes."""

    monthly_income_mxn: Money
    zone: Zone


def quote_for(options: QuoteOptions, income: Decimal, zone: Zone, start: date,
              stored_rate: ExchangeRate | None) -> Quote:
    """`options` priced from `start`; in USD at the caller's rate, or else at `stored_rate` (the FIX, None when there
    is none)."""
    rate = caller_rate(options.usd_mxn_rate) if options.usd_mxn_rate is not None else stored_rate
    return quote(income, zone, start, options.months, options.include_infonavit, rate)
