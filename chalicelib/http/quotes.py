"""Quote routes: the public calculator and the signed-in member's own quote. Neither writes anything."""

from datetime import datetime

from pydantic import Field

from chalicelib.domain.model import Model
from chalicelib.domain.quotes import Quote, QuoteOptions, QuoteRequest
from chalicelib.domain.rates import rate_book
from chalicelib.http.api import PUBLIC, Router
from chalicelib.http.views import ExchangeRateOut, exchange_rate_out
from chalicelib.auth import Caller, Role
from chalicelib.i18n import Language, text

router = Router(__name__, tag="quotes")


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import quotes

    return quotes


Amount = Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", description="MXN (or USD) with two decimals")


class QuoteLine(Model):
    concept: str = Field(description="Stable code: eym_cuota_fija, eym_excedente, eym_prestaciones_dinero, "
                                     "eym_gastos_medicos_pensionados, riesgos_trabajo, invalidez_vida, retiro, "
                                     "cesantia_vejez, guarderias_prestaciones_sociales, infonavit")
    share: str = Field(description="patronal or obrera (the member pays both)")
    rate: str = Field(description="Percent, e.g. 20.40")
    base_mxn: str = Field(description="Daily base: 1 UMA, SBC - 3 UMA, or the SBC")
    amount_mxn: str = Amount


class MonthQuoteOut(Model):
    month: str = Field(description="YYYY-MM")
    uma: str
    minimum_wage: str
    sbc_daily_mxn: str
    days: str
    total_mxn: str = Amount
    estimated: bool
    lines: list[QuoteLine]


class Conventions(Model):
    income_divisor: str
    days_per_month: str
    riesgos_trabajo_prima: str = Field(description="Percent")
    rate_tables: list[str]
    sources: dict[str, str]


class QuoteOut(Model):
    total_mxn: str = Amount
    total_usd: str | None = Field(None, description="total_mxn ÷ exchange_rate.usd_mxn, rounded half-up to cents; "
                                                    "null when there is no rate")
    usd_mxn_rate: str | None = Field(None, description="The rate total_usd is at (exchange_rate.usd_mxn)")
    exchange_rate: ExchangeRateOut | None = Field(
        None, description="The caller's usd_mxn_rate, else Banco de México's latest FIX with its date; null when "
                          "neither exists (usd_note says so)")
    usd_note: str | None = Field(None, description="Why there is no USD total, when there is none")
    estimated: bool = Field(description="Some month is priced with assumed values (beyond the known tables)")
    conventions: Conventions
    months: list[MonthQuoteOut]


def _conventions(priced: Quote) -> Conventions:
    conventions = rate_book().contributions.conventions
    return Conventions(
        income_divisor=str(conventions.income_divisor.value),
        days_per_month=str(conventions.days_per_month.value),
        riesgos_trabajo_prima=str(conventions.riesgos_trabajo_prima_percent.value),
        rate_tables=list(priced.tables),
        sources={name: convention.source for name, convention in conventions},
    )


def render(priced: Quote, language: Language) -> QuoteOut:
    rate = priced.exchange_rate
    return QuoteOut(
        total_mxn=f"{priced.total_mxn:.2f}",
        total_usd=f"{priced.total_usd:.2f}" if priced.total_usd is not None else None,
        usd_mxn_rate=str(rate.usd_mxn) if rate else None,
        exchange_rate=exchange_rate_out(rate.usd_mxn, rate.published, rate.source, rate.stale) if rate else None,
        usd_note=None if rate else text("quote.no_exchange_rate", language),
        estimated=priced.estimated,
        conventions=_conventions(priced),
        months=[
            MonthQuoteOut(
                month=month.month.strftime("%Y-%m"), uma=f"{month.uma:.2f}", minimum_wage=f"{month.minimum_wage:.2f}",
                sbc_daily_mxn=f"{month.sbc_daily_mxn:.2f}", days=str(month.days), total_mxn=f"{month.total_mxn:.2f}",
                estimated=month.estimated,
                lines=[QuoteLine(concept=line.concept, share=line.share, rate=str(line.rate_percent),
                                 base_mxn=f"{line.base_mxn:.2f}", amount_mxn=f"{line.amount_mxn:.2f}")
                       for line in month.lines],
            )
            for month in priced.months
        ],
    )


@router.route("/v1/quotes", "POST", roles=PUBLIC, body=QuoteRequest, response=QuoteOut,
              summary="What PTI coverage costs for an income, zone and period, line by line (no sign-in)")
def public_quote(body: QuoteRequest, language: Language, now: datetime) -> QuoteOut:
    return render(service().public_quote(body, now), language)


@router.route("/v1/me/quote", "GET", roles={Role.MEMBER}, query=QuoteOptions, response=QuoteOut, extra_statuses=[404],
              summary="My quote from my registered income and zone")
def my_quote(caller: Caller, query: QuoteOptions, language: Language, now: datetime) -> QuoteOut:
    return render(service().members_quote(caller.user_id, query, now), language)
