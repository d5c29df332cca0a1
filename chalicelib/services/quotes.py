"""Quotes: what coverage costs, for anyone's figures or the signed-in member's registered ones. Nothing is written."""

from datetime import datetime

from chalicelib.domain.quotes import Quote, QuoteOptions, QuoteRequest, quote_for
from chalicelib.store import members as member_store


def public_quote(request: QuoteRequest, now: datetime) -> Quote:
    return quote_for(request, request.monthly_income_mxn, request.zone, now)


def members_quote(member_id: str, options: QuoteOptions, now: datetime) -> Quote:
    """Priced from the member's registered income and zone (404 until they register)."""
    member = member_store.registered_member(member_id)
    return quote_for(options, member.monthly_income_mxn, member.zone, now)
