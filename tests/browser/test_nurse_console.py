"""A nurse in the console: an invited nurse's first sign-in (temporary password → her own), her day with a consult a
member booked through the API, the language switch, and sign-out — in Chromium, against the local stack."""

import re
import uuid

from playwright.sync_api import expect

from local.aws import StackState
from local.users import LOCAL_PASSWORD, LOCAL_TEMPORARY_PASSWORD
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.e2e.test_payments_over_http import _secrets
from tests.e2e.test_teleconsult_over_http import _covered_member

EVERY_MORNING = {"windows": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)], "horizon_weeks": 12}


def _invite(stack) -> str:
    """An operator invites a nurse; Cognito would e-mail her a temporary password (moto does not, so it is set)."""
    username = f"enf-{uuid.uuid4().hex[:8]}"
    invited = stack.request("POST", "/v1/operators/nurses", headers=stack.signed_in("operator", "op-browser"),
                            json_body={"username": username, "email": f"{username}@example.com",
                                       "full_name": "Enf. Laura Consola", "cedula_profesional": "7654321",
                                       "languages": ["es", "en"]})
    assert invited.status == 201, invited.body
    state = StackState.load(stack.state_dir / "stack.json")
    state.endpoints.client("cognito-idp").admin_set_user_password(
        UserPoolId=state.user_pool_id, Username=username, Password=LOCAL_TEMPORARY_PASSWORD, Permanent=False)
    return username


def _booked_consult(stack, nurse: str) -> dict:
    """She publishes her mornings (through the API: the availability screen comes later); a covered member books
    her first free slot of the member's first covered week."""
    headers = stack.signed_in("nurse", nurse)
    assert stack.request("PUT", "/v1/nurse/availability", headers=headers, json_body=EVERY_MORNING).status == 200
    nurse_id = json_of(stack.request("GET", "/v1/session", headers=headers))["user_id"]
    member = _covered_member(stack, _secrets(stack)["finabien"], uuid.uuid4().hex[:8], 0)
    month = member["months"][0]
    slots = json_of(stack.request("GET", f"/v1/teleconsult/slots?from={month}-01&to={month}-07&limit=100",
                                  headers=member["headers"]))["items"]
    slot = next(s for s in slots if s["nurse"]["nurse_id"] == nurse_id)
    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member["headers"],
                           json_body={"slot_id": slot["slot_id"], "reason": "Control de presión arterial"})
    assert booked.status == 201, booked.body
    return json_of(booked)


def test_an_invited_nurse_signs_in_chooses_her_password_and_sees_her_day(stack, console):
    page = console
    username = _invite(stack)
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "01-sign-in")

    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_TEMPORARY_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Elige tu contraseña")).to_be_visible()
    page.get_by_label("Contraseña nueva", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_label("Confirma la contraseña nueva").fill(LOCAL_PASSWORD + "x")
    page.get_by_role("button", name="Guardar y entrar").click()
    expect(page.get_by_text("Las contraseñas no coinciden.")).to_be_visible()  # checked before Cognito is asked
    assert accessibility_violations(page) == []
    screenshot(page, "02-new-password")
    page.get_by_label("Confirma la contraseña nueva").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Guardar y entrar").click()
    expect(page.get_by_role("heading", name="Mi agenda")).to_be_visible()

    consult = _booked_consult(stack, username)  # her password is now her own: the API signs her in with it
    page.get_by_label("Fecha").fill(consult["start"][:10])
    expect(page.get_by_text("Control de presión arterial")).to_be_visible()
    expect(page.get_by_text("Reservada")).to_be_visible()
    expect(page.get_by_text("El afiliado titular")).to_be_visible()  # a member registers by CURP, without a name
    expect(page.get_by_text(re.compile(r", \d+ años"))).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "03-nurse-day")

    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_member_account_is_told_the_console_is_for_staff(stack, console):
    page = console
    member = f"miembro-{uuid.uuid4().hex[:6]}"
    stack.signed_in("member", member)  # creates the member account with the local password
    page.get_by_label("Usuario").fill(member)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Esta consola es para el personal")).to_be_visible()
