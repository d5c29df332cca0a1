"""Quotes: what coverage costs, for anyone's figures or the signed-in member's registered ones. Nothing is written.

Without `start_month` a quote starts where a payment made now would start covering (domain/payments.py's deadline
rule), so it prices the months a reference issued now would ask for; without a caller's rate, USD is at the stored
FIX (one GetItem), or absent when none was ever stored. A public quote with both reads neither the settings nor
DynamoDB.
"""

from datetime import datetime

from chalicelib import wiring
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.exchange_rates import ExchangeRate
from chalicelib.domain.payments import first_payable_month, members_next_months
from chalicelib.domain.quotes import Quote, QuoteOptions, QuoteRequest, parse_month, quote_for
from chalicelib.services.exchange_rates import todays_rate
from chalicelib.store import members as member_store


def _stored_rate(options: QuoteOptions, now: datetime) -> ExchangeRate | None:
    """The FIX, read only when the caller gave no rate of their own."""
    return None if options.usd_mxn_rate is not None else todays_rate(now)


def public_quote(request: QuoteRequest, now: datetime) -> Quote:
    start = (parse_month(request.start_month) if request.start_month
             else first_payable_month(mexico_city_today(now), wiring.settings().payment_deadline_day))
    return quote_for(request, request.monthly_income_mxn, request.zone, start, _stored_rate(request, now))


def members_quote(member_id: str, options: QuoteOptions, now: datetime) -> Quote:
    """Priced from the member's registered income and zone (404 until they register), from her first uncovered month
    a payment made now would cover."""
    member = member_store.registered_member(member_id)
    start = (parse_month(options.start_month) if options.start_month
             else members_next_months(member, mexico_city_today(now), wiring.settings().payment_deadline_day, 1)[0])
    return quote_for(options, member.monthly_income_mxn, member.zone, start, _stored_rate(options, now))
