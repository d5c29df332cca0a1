"""An operator in the console, in Chromium against the local stack: she signs in, invites a nurse (one refused submit
first), finds her in the roster; the nurse publishes her hours, a covered member books her and she reads the
patient's history (through the API); the operator deactivates her after the confirmation (her booked consult is
cancelled, and the API then refuses her), looks the member up by CURP, and finds the nurse's read in the record audit,
in English."""

import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Page, expect

from chalicelib.domain.clock import MEXICO_CITY
from local.aws import StackState
from local.users import LOCAL_PASSWORD
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.e2e.test_payments_over_http import _secrets
from tests.e2e.test_teleconsult_over_http import _covered_member
from tests.people import make_curp

NURSE_NAME = "Enf. Carmen Roster"
CEDULA = "7654321"
# Mondays only (any 7 days hold one), so deactivating her has few free slots to remove.
MONDAY_MORNINGS = {"windows": [{"weekday": 0, "start": "09:00", "end": "10:00"}], "horizon_weeks": 12}
NURSE_READS = 11  # with her export and the member's own read, 13 accesses: two pages of 10


def _fits_768_px(page: Page) -> None:
    """At a tablet's 768 px the page needs no sideways scrolling (a wide table scrolls inside its own box, which the
    keyboard reaches too)."""
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    assert accessibility_violations(page) == []
    page.set_viewport_size({"width": 1024, "height": 768})


def _signs_in(page: Page, username: str) -> None:
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("link", name="Enfermeras")).to_be_visible()


def _invites_a_nurse(page: Page, username: str) -> None:
    page.get_by_role("link", name="Enfermeras").click()
    expect(page.get_by_role("heading", name="Enfermeras", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Enfermeras", exact=True)).to_be_focused()
    page.get_by_label("Nombre completo").fill(NURSE_NAME)
    page.get_by_label("Usuario", exact=True).fill(username)
    page.get_by_label("Correo electrónico").fill(f"{username}@example.com")
    page.get_by_label("Cédula profesional").fill("12345")  # the SEP's are 7 or 8 digits
    page.get_by_label("Inglés").check()
    page.get_by_role("button", name="Invitar", exact=True).click()

    cedula = page.get_by_label("Cédula profesional")
    expect(page.locator("#invite-cedula_profesional-error")).to_have_text("El formato no es válido.")  # the API's
    expect(cedula).to_have_attribute("aria-invalid", "true")
    expect(cedula).to_be_focused()
    # Nothing typed is lost.
    expect(cedula).to_have_value("12345")
    expect(page.get_by_label("Nombre completo")).to_have_value(NURSE_NAME)
    expect(page.get_by_label("Usuario", exact=True)).to_have_value(username)
    expect(page.get_by_label("Correo electrónico")).to_have_value(f"{username}@example.com")
    expect(page.get_by_label("Inglés")).to_be_checked()
    expect(page.get_by_label("Español")).to_be_checked()
    expect(page.get_by_label("Nombre completo")).not_to_have_attribute("aria-invalid", "true")
    assert accessibility_violations(page) == []

    cedula.fill(CEDULA)
    page.get_by_role("button", name="Invitar", exact=True).click()
    expect(page.get_by_text(f"Se invitó a {NURSE_NAME} (usuario {username})")).to_be_visible()
    expect(page.get_by_label("Nombre completo")).to_have_value("")
    expect(page.locator(".field-error")).to_have_count(0)
    row = page.locator("tr", has_text=username)
    expect(row).to_contain_text(NURSE_NAME)
    expect(row).to_contain_text("Español, Inglés")
    expect(row.locator(".badge")).to_have_text("Activa")


def _she_works_and_reads_a_record(stack, username: str) -> dict:
    """Her password is set (Cognito would e-mail a temporary one), she publishes her Monday mornings, a covered member
    books her first free slot of the member's first covered Monday and reads their own record; she reads the patient's
    history before the consult, again and again, and exports it: every read audited."""
    state = StackState.load(stack.state_dir / "stack.json")
    state.endpoints.client("cognito-idp").admin_set_user_password(
        UserPoolId=state.user_pool_id, Username=username, Password=LOCAL_PASSWORD, Permanent=True)
    nurse = stack.signed_in("nurse", username)
    assert stack.request("PUT", "/v1/nurse/availability", headers=nurse, json_body=MONDAY_MORNINGS).status == 200
    nurse_id = json_of(stack.request("GET", "/v1/session", headers=nurse))["user_id"]
    member = _covered_member(stack, _secrets(stack)["finabien"], uuid.uuid4().hex[:8], 0)
    # The first Monday the member is covered, not before the day after tomorrow (whatever her lead time is).
    first = max(date.fromisoformat(f"{member['months'][0]}-01"), datetime.now(MEXICO_CITY).date() + timedelta(days=2))
    monday = first + timedelta(days=-first.weekday() % 7)
    assert monday.strftime("%Y-%m") in member["months"]
    slots = json_of(stack.request("GET", f"/v1/teleconsult/slots?from={monday}&to={monday}&limit=100",
                                  headers=member["headers"]))["items"]
    slot = next(s for s in slots if s["nurse"]["nurse_id"] == nurse_id)
    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member["headers"],
                           json_body={"slot_id": slot["slot_id"], "reason": "Revisión de glucosa"})
    assert booked.status == 201, booked.body
    appointment = json_of(booked)
    assert stack.request("GET", "/v1/me/record", headers=member["headers"]).status == 200  # the member's own read
    patient = appointment["patient_id"]
    for _ in range(NURSE_READS):
        read = stack.request("GET", f"/v1/nurse/patients/{patient}/record", headers=nurse)
        assert read.status == 200, read.body
    exported = stack.request("GET", f"/v1/records/{patient}/fhir", headers=nurse)
    assert exported.status == 200, exported.body
    curp = json_of(stack.request("GET", "/v1/me", headers=member["headers"]))["curp"]
    return {"headers": nurse, "nurse_id": nurse_id, "appointment_id": appointment["appointment_id"],
            "member": member["headers"], "curp": curp}


def _deactivates_her(page: Page, username: str) -> None:
    row = page.locator("tr", has_text=username)
    deactivate = row.get_by_role("button", name=f"Dar de baja a {NURSE_NAME}")
    deactivate.click()
    confirmation = page.get_by_role("form", name=f"¿Dar de baja a {NURSE_NAME}?")
    confirmation.get_by_role("button", name="No, volver").click()  # changing her mind puts her back where she was
    expect(confirmation).to_have_count(0)
    expect(deactivate).to_be_focused()
    deactivate.click()
    expect(confirmation).to_contain_text("ya no puede iniciar sesión")
    expect(confirmation).to_contain_text("se cancelan y se avisa a cada afiliado")
    reason = confirmation.get_by_label("Motivo de la baja")
    expect(reason).to_be_focused()
    reason.fill("Terminó su contrato con el programa.")
    assert accessibility_violations(page) == []
    screenshot(page, "11-nurses")

    confirmation.get_by_role("button", name="Dar de baja", exact=True).click()
    said = page.get_by_text(re.compile(
        rf"^{re.escape(NURSE_NAME)} fue dada de baja: 1 consulta cancelada \(con aviso a los afiliados\) y "
        r"[1-9]\d* horarios quitados\.$"))
    expect(said).to_be_visible(timeout=30_000)  # every future slot of hers is removed, one by one
    expect(said).to_be_focused()
    expect(row.locator(".badge")).to_have_text("Dada de baja")
    expect(row).to_contain_text("Terminó su contrato con el programa.")
    expect(row.get_by_role("button")).to_have_count(0)
    assert accessibility_violations(page) == []
    _fits_768_px(page)


def _looks_the_member_up(page: Page, curp: str) -> None:
    page.get_by_role("link", name="Buscar afiliado").click()
    expect(page.get_by_role("heading", name="Buscar a un afiliado")).to_be_focused()
    page.get_by_label("CURP del afiliado").fill(make_curp(initials="NADI", birth=date(1970, 1, 1)))  # nobody's
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("No hay una persona asegurada con ese dato.")  # as answered
    assert accessibility_violations(page) == []

    page.get_by_label("CURP del afiliado").fill(curp)
    page.get_by_role("button", name="Buscar", exact=True).click()
    profile = page.get_by_role("region", name=re.compile(f"Afiliado {curp}"))
    expect(profile.get_by_role("heading", name=re.compile(f"Afiliado {curp}"))).to_be_focused()
    expect(profile.locator(".badge")).to_have_text("Activo")
    expect(profile.get_by_role("region", name="Cobertura")).to_contain_text(re.compile(r"\d{4}"))
    expect(profile).to_contain_text("Rosa Prueba")  # her relative in Mexico
    expect(page.get_by_role("alert")).to_have_count(0)
    assert curp not in page.url
    assert curp not in page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    assert accessibility_violations(page) == []
    _fits_768_px(page)
    screenshot(page, "10-member-lookup")


def _finds_her_reads_in_the_audit(page: Page, curp: str, nurse_id: str, appointment_id: str) -> None:
    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("link", name="Record access").click()
    expect(page.get_by_role("heading", name="Record access")).to_be_focused()
    page.get_by_label("Patient's CURP").fill(curp)
    page.get_by_label("Results per page").select_option("10")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("region", name="Accesses found, newest first")
    expect(results.get_by_role("heading")).to_be_focused()
    rows = results.locator("tbody tr")
    expect(rows).to_have_count(10)
    newest = rows.first
    expect(newest).to_contain_text(NURSE_NAME)  # her name, from the roster
    expect(newest).to_contain_text(nurse_id)
    expect(newest).to_contain_text("Exported the record (FHIR)")
    expect(newest).to_contain_text(appointment_id)  # why: her consult with the patient
    expect(rows.nth(1)).to_contain_text("Read the record")
    assert curp not in page.url
    assert accessibility_violations(page) == []
    _fits_768_px(page)
    screenshot(page, "12-record-audit")

    page.get_by_role("button", name="Show more accesses").click()
    expect(rows).to_have_count(2 + NURSE_READS)
    expect(rows.nth(10).locator("th")).to_be_focused()  # reading goes on at the first one added
    expect(rows.last).to_contain_text("Member")
    expect(rows.last).to_contain_text("Their own access")
    expect(page.get_by_role("button", name="Show more accesses")).to_have_count(0)

    newest.get_by_role("button", name=f"See their accesses (user {nurse_id})").click()
    expect(page.get_by_label("User identifier")).to_have_value(nurse_id)
    expect(rows).to_have_count(10)
    page.get_by_role("button", name="Show more accesses").click()
    expect(rows).to_have_count(1 + NURSE_READS)
    expect(rows.filter(has_text="Member")).to_have_count(0)
    assert accessibility_violations(page) == []


def test_an_operator_invites_and_deactivates_a_nurse_finds_a_member_and_audits_record_reads(stack, console):
    page = console
    run = uuid.uuid4().hex[:8]
    operator = f"op-people-{run}"
    stack.signed_in("operator", operator)  # creates her account with the local password
    _signs_in(page, operator)
    username = f"enf-{run}"
    _invites_a_nurse(page, username)

    nurse = _she_works_and_reads_a_record(stack, username)
    _deactivates_her(page, username)

    # The API refuses her now: a new sign-in, and her token's work (it lives on until it expires, but she may no
    # longer publish); the member's consult with her is cancelled.
    with pytest.raises(ClientError, match="disabled"):
        stack.signed_in("nurse", username)
    refused = stack.request("PUT", "/v1/nurse/availability", headers=nurse["headers"], json_body=MONDAY_MORNINGS)
    assert refused.status == 409, refused.body
    mine = json_of(stack.request("GET", "/v1/me/appointments", headers=nurse["member"]))["items"]
    assert [a["status"] for a in mine if a["appointment_id"] == nurse["appointment_id"]] == ["cancelled"]

    _looks_the_member_up(page, nurse["curp"])
    _finds_her_reads_in_the_audit(page, nurse["curp"], nurse["nurse_id"], nurse["appointment_id"])
