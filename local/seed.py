"""Demo data for `make run`: nurses `nurse1` and `nurse2` with published availability, and `member1`, registered
and covered for this month and the next (as if they had paid last month). Idempotent across restarts.

Everything goes through the service's own domain and store code, so the demo data is exactly what the API would
have written. Identifiers are synthetic (valid check digits, no real person).
"""

import json
from datetime import datetime, timezone

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import month_of
from chalicelib.domain.members import RegistrationRequest
from chalicelib.domain.payment_events import Decision, PaymentSucceeded
from chalicelib.domain.quotes import shift_month
from chalicelib.domain.scheduling import Availability, PROGRAM_HOURS
from chalicelib.domain.teleconsult import Nurse
from chalicelib.errors import Conflict
from chalicelib.auth import Role
from local.aws import PROJECT
from local.users import ensure_user

DEMO_NURSES = {"nurse1": "Enf. Laura Méndez Ortiz", "nurse2": "Enf. Sofía Ramírez Luna"}
DEMO_MEMBER = "member1"
MEMBER1 = {"curp": "PERJ900302HJCRRN02", "nss": "83159247101", "email": "member1.demo@example.com"}
PROGRAM_WEEK = Availability(windows=[{"weekday": day, "start": opens, "end": closes}
                                     for day, (opens, closes) in PROGRAM_HOURS.items()], horizon_weeks=8)


def _sub(cognito, pool_id: str, username: str) -> str:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def seed(cognito, pool_id: str, now: datetime | None = None) -> list[str]:
    """Create what is missing; returns a line per demo account for the launcher to print."""
    from chalicelib.services import ledger
    from chalicelib.services import members as member_services
    from chalicelib.services import teleconsult as teleconsult_services
    from chalicelib.store import members, teleconsult  # after the environment is set

    now = now or datetime.now(timezone.utc)
    today = mexico_city_today(now)
    lines = []
    for username, full_name in DEMO_NURSES.items():
        ensure_user(cognito, pool_id, username, Role.NURSE)
        nurse = Nurse(nurse_id=_sub(cognito, pool_id, username), username=username, full_name=full_name,
                      cedula_profesional="12345678", languages=["es", "en"], created_by="seed", created_at=now)
        try:
            teleconsult.create_nurse(nurse)
        except Conflict:
            pass
        through = shift_month(today.replace(day=1), 3)
        pattern = teleconsult.get_availability(nurse.nurse_id) or PROGRAM_WEEK  # keep what she published since
        added = teleconsult_services.publish_pattern(nurse, pattern, now, through).added
        lines.append(f"nurse     {username:<16} {added} new slots through {through:%Y-%m-%d}")

    ensure_user(cognito, pool_id, DEMO_MEMBER, Role.MEMBER)
    member_id = _sub(cognito, pool_id, DEMO_MEMBER)
    months = [month_of(today), month_of(shift_month(today.replace(day=1), 1))]
    if members.get_member(member_id) is None:
        body = {**json.loads((PROJECT / "docs" / "examples" / "registration.json").read_text()), **MEMBER1}
        member_services.register(member_id, RegistrationRequest.model_validate(body, context={"now": now}), now)
        # A payment from last month, applied by an operator to this month and the next.
        paid_at = datetime.combine(shift_month(today.replace(day=1), -1).replace(day=10), datetime.min.time(), timezone.utc)
        payment = PaymentSucceeded(nss=MEMBER1["nss"], amount_mxn="1800.00", paid_at=paid_at, channel="spei",
                                   partner_transaction_id=f"SEED-{member_id}")
        outcome = ledger.receive_payment("spei", f"seed-{member_id}", "{}", payment, now)
        ledger.resolve_by_applying(outcome.payment_id, Decision(action="apply", by="seed", at=now, member_id=member_id,
                                                               months=months, note="Demo data"), now)
    lines.append(f"member    {DEMO_MEMBER:<16} covered {', '.join(members.get_member(member_id).covered_months)}")
    return lines
