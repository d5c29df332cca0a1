"""Time rules: UTC is stored; IMSS rules (ages, eligibility, deadlines) are judged on Mexico City's calendar."""

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

MEXICO_CITY = ZoneInfo("America/Mexico_City")


def mexico_city_today(now: datetime) -> date:
    return now.astimezone(MEXICO_CITY).date()


def now_from(context: Any) -> datetime:
    """The request's clock, passed as validation context {"now": datetime}; the real clock otherwise."""
    now = context.get("now") if isinstance(context, dict) else None
    return now or datetime.now(timezone.utc)
