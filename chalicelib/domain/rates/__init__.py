"""The rate book: UMA and minimum wages by year, contribution rates, the cesantía table and the conventions.

Data, not code: every value sits in the JSON files beside this module with its source (or the word "assumption"),
and a correction is a data change only. The files are validated when first loaded, once per process.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import ConfigDict, Field

from chalicelib.domain.model import Model

Zone = Literal["general", "zlfn"]
Source = Field(min_length=10)


class _Data(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uma(_Data):
    daily_mxn: Decimal = Field(gt=0)
    valid_from: date
    source: str = Source


class MinimumWage(_Data):
    valid_from: date
    general_mxn: Decimal = Field(gt=0)
    zlfn_mxn: Decimal = Field(gt=0)
    source: str = Source

    def for_zone(self, zone: Zone) -> Decimal:
        return self.general_mxn if zone == "general" else self.zlfn_mxn


class YearValues(_Data):
    version: str
    year: int
    uma: Uma
    minimum_wage: MinimumWage


class CesantiaRow(_Data):
    minimum_wage: Decimal
    brackets: tuple[Decimal, ...]


class MinimumWageRow(_Data):
    zone: Zone  # whose minimum wage "1.00 SM" means
    source: str = Source


class CesantiaTable(_Data):
    version: str
    source: str = Source
    obrera_percent: Decimal
    bracket_rule: str = Source
    minimum_wage_row: MinimumWageRow
    upper_bounds_uma: tuple[Decimal | None, ...]
    rows: dict[int, CesantiaRow]


class Convention(_Data):
    value: Decimal = Field(gt=0)
    source: str = Source


class Conventions(_Data):
    income_divisor: Convention
    days_per_month: Convention
    riesgos_trabajo_prima_percent: Convention
    cap_uma: Convention


class ConceptRate(_Data):
    concept: str
    base: Literal["uma", "sbc", "sbc_over_3_uma"]
    patronal: str  # a percentage, or "@name" for a value defined elsewhere in the book
    obrera: str
    optional: bool = False
    source: str = Source


class Contributions(_Data):
    version: str
    conventions: Conventions
    state_shares: str = Source
    concepts: tuple[ConceptRate, ...]


class BeforeKnownTables(ValueError):
    """The month is earlier than the first month the rate book can price."""


@dataclass(frozen=True)
class MonthValues:
    """What prices one month: values in force that month and whether any of them had to be assumed."""

    month: date
    uma: Decimal
    minimum_wage: MinimumWage
    cesantia: CesantiaRow
    estimated: bool
    tables: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RateBook:
    years: dict[int, YearValues]
    contributions: Contributions
    cesantia: CesantiaTable

    @property
    def first_month(self) -> date:
        """January takes the previous year's UMA, so the first priceable month is the first UMA's own."""
        return self.years[min(self.years)].uma.valid_from

    @property
    def latest_year(self) -> int:
        return max(self.years)

    @property
    def versions(self) -> tuple[str, ...]:
        return (self.contributions.version, self.cesantia.version, *(v.version for _, v in sorted(self.years.items())))

    def month_values(self, month: date) -> MonthValues:
        return _month_values(self, month)


@cache
def _month_values(book: RateBook, month: date) -> MonthValues:
    if month < book.first_month:
        raise BeforeKnownTables(month)
    uma, uma_assumed = _in_force(book, month, lambda values: values.uma.valid_from)
    wages, wages_assumed = _in_force(book, month, lambda values: values.minimum_wage.valid_from)
    cesantia_year = min(month.year, max(book.cesantia.rows))  # the row changes on 1 January
    return MonthValues(
        month=month,
        uma=uma.uma.daily_mxn,
        minimum_wage=wages.minimum_wage,
        cesantia=book.cesantia.rows[cesantia_year],
        estimated=uma_assumed or wages_assumed or cesantia_year != month.year,
        tables=tuple(dict.fromkeys((book.contributions.version, book.cesantia.version, uma.version, wages.version))),
    )


def _in_force(book: RateBook, month: date, valid_from) -> tuple[YearValues, bool]:
    """The latest values that started on or before `month`, and whether `month` is past their one-year validity."""
    values = max((v for v in book.years.values() if valid_from(v) <= month), key=valid_from)
    start = valid_from(values)
    return values, month >= start.replace(year=start.year + 1)


def _load(name: str) -> dict:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@cache
def rate_book() -> RateBook:
    """The book shipped with the code, loaded and validated on first use."""
    files = [f.name for f in resources.files(__name__).iterdir() if f.name.startswith("values-")]
    years = {values.year: values for values in (YearValues.model_validate(_load(name)) for name in files)}
    return RateBook(years, Contributions.model_validate(_load("contributions.json")),
                    CesantiaTable.model_validate(_load("cesantia-vejez.json")))
