"""A nurse's consult in the console, on a stack whose clock stands at 09:52 Mexico City a few days ahead (`make run
AT=…`): she publishes her availability through its screen (one window outside the programme's hours first), the
seeded member1 (covered this month and next) books her 10:00 slot through the API, and she opens the consult from
her agenda once its join window is open, starts it, writes the note (one vital sign out of range first), signs it and
adds an addendum; the member then reads both through the API. The browser's clock is set to the stack's, since the
page judges the join window by it."""

import re
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.teleconsult import CONSENT_VERSION
from local.aws import StackState
from local.console import built
from local.users import LOCAL_PASSWORD, LOCAL_TEMPORARY_PASSWORD
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.browser.test_nurse_console import _invite
from tests.e2e.conftest import start_stack
from tests.people import consult_note

DAYS_AHEAD = 3  # any morning works: the seeded member1 is covered for the stack's month and the next
REASON = "Dolor de cabeza por las tardes"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The browser tier's stack, standing at 09:52 Mexico City `DAYS_AHEAD` days from now (the clock runs on)."""
    assert built(), "the console is not built: `make console` (make test does it)"
    day = datetime.now(MEXICO_CITY).date() + timedelta(days=DAYS_AHEAD)
    running = start_stack(tmp_path_factory.mktemp("consult-stack") / "state",
                          datetime.combine(day, time(9, 52), MEXICO_CITY))
    yield running
    running.stop()


def _stack_day(stack) -> date:
    return StackState.load(stack.state_dir / "stack.json").now().astimezone(MEXICO_CITY).date()


def _on_the_stacks_clock(stack, page: Page) -> None:
    """The page's "now" (the agenda's today, the join window) is the browser's: move it to the stack's, then start
    the console again under it (nobody is signed in yet)."""
    page.clock.install(time=StackState.load(stack.state_dir / "stack.json").now())
    page.reload()


def _first_sign_in(page: Page, username: str) -> None:
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_TEMPORARY_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_label("Contraseña nueva", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_label("Confirma la contraseña nueva").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Guardar y entrar").click()
    expect(page.get_by_role("heading", name="Mi agenda")).to_be_visible()


def _window(page: Page, n: int, weekday: int, start: str, end: str) -> None:
    row = page.get_by_role("group", name=f"Horario {n}")
    row.get_by_label("Día", exact=True).select_option(str(weekday))
    row.get_by_label("Desde").fill(start)
    row.get_by_label("Hasta").fill(end)


def _publishes_her_availability(page: Page, day: date) -> None:
    page.get_by_role("link", name="Mi disponibilidad").click()
    expect(page.get_by_role("heading", name="Mi disponibilidad")).to_be_visible()
    expect(page.get_by_text("Aún no has publicado tu disponibilidad")).to_be_visible()
    page.get_by_role("button", name="Añadir horario").click()
    _window(page, 1, day.weekday(), "09:00", "12:00")
    page.get_by_role("button", name="Añadir horario").click()
    other = (day.weekday() + 2) % 7
    _window(page, 2, other, "06:00", "07:00")  # before the programme opens, any day
    for label, value in [("Duración de cada consulta (minutos)", "20"), ("Descanso entre consultas (minutos)", "0"),
                         ("Anticipación mínima para reservar (minutos)", "0"),
                         ("Semanas publicadas por adelantado", "1")]:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Añadir día libre").click()
    page.get_by_label("Día libre 1", exact=True).fill((day + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Publicar disponibilidad").click()

    second = page.get_by_role("group", name="Horario 2")
    expect(second.locator(".field-error")).to_contain_text("horario del programa")  # the API's words, in Spanish
    expect(second.get_by_label("Desde")).to_have_attribute("aria-invalid", "true")
    expect(second.get_by_label("Desde")).to_be_focused()
    expect(page.get_by_role("group", name="Horario 1").get_by_label("Desde")).not_to_have_attribute(
        "aria-invalid", "true")
    # Nothing she typed is lost.
    expect(page.get_by_role("group", name="Horario 1").get_by_label("Hasta")).to_have_value("12:00")
    expect(page.get_by_label("Anticipación mínima para reservar (minutos)")).to_have_value("0")
    expect(page.get_by_label("Día libre 1", exact=True)).to_have_value((day + timedelta(days=1)).isoformat())
    expect(second.get_by_label("Desde")).to_have_value("06:00")

    second.get_by_label("Desde").fill("18:00")
    second.get_by_label("Hasta").fill("19:00")
    page.get_by_role("button", name="Publicar disponibilidad").click()
    expect(page.get_by_text(re.compile(r"Disponibilidad publicada: [1-9]\d* horarios nuevos"))).to_be_visible()
    expect(page.locator(".field-error")).to_have_count(0)
    assert accessibility_violations(page) == []
    screenshot(page, "04-availability")


def _member1_books_her_ten_oclock(stack, nurse: str, day: date) -> dict:
    """The seeded member1 consents and books the nurse's 10:00 slot of the stack's day, through the API."""
    member = stack.signed_in("member", "member1")
    consent = stack.request("POST", "/v1/me/consents/teleconsultation", headers=member,
                            json_body={"version": CONSENT_VERSION})
    assert consent.status == 201, consent.body
    nurse_id = json_of(stack.request("GET", "/v1/session", headers=stack.signed_in("nurse", nurse)))["user_id"]
    slots = json_of(stack.request("GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100",
                                  headers=member))["items"]
    ten = datetime.combine(day, time(10), MEXICO_CITY)
    (slot,) = [s for s in slots if s["nurse"]["nurse_id"] == nurse_id and datetime.fromisoformat(s["start"]) == ten]
    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member,
                           json_body={"slot_id": slot["slot_id"], "reason": REASON})
    assert booked.status == 201, booked.body
    return {"headers": member, "appointment": json_of(booked)}


def _writes_the_note(page: Page, note: dict) -> None:
    texts = {"reason": "Motivo de la consulta", "symptoms": "Síntomas y padecimiento actual",
             "assessment": "Valoración", "plan": "Plan", "recommendations": "Recomendaciones",
             "prognosis": "Pronóstico"}
    for name, label in texts.items():
        page.get_by_label(label, exact=True).fill(note[name])
    vitals = {"temperature_c": "Temperatura (°C)", "heart_rate_bpm": "Frecuencia cardiaca (latidos por minuto)",
              "systolic_mmhg": "Presión sistólica (mmHg)", "diastolic_mmhg": "Presión diastólica (mmHg)",
              "oxygen_saturation_pct": "Saturación de oxígeno (%)", "weight_kg": "Peso (kg)"}
    for name, label in vitals.items():
        page.get_by_label(label).fill(str(note["vital_signs"][name]))
    if note["referral"]["to_family_medicine_unit"]:
        page.get_by_label("Referir a su Unidad de Medicina Familiar").check()
    page.get_by_label("Motivo de referir o de no referir").fill(note["referral"]["why"])


def test_a_nurse_publishes_her_hours_attends_a_consult_signs_its_note_and_adds_an_addendum(stack, console):
    page = console
    _on_the_stacks_clock(stack, page)
    day = _stack_day(stack)
    username = _invite(stack)
    _first_sign_in(page, username)
    _publishes_her_availability(page, day)

    booked = _member1_books_her_ten_oclock(stack, username, day)
    page.get_by_role("link", name="Mi agenda").click()
    expect(page.get_by_text(REASON)).to_be_visible()  # the browser's today is the stack's day
    page.get_by_role("link", name="Abrir la consulta de las 10:00").click()
    expect(page.get_by_role("heading", name=re.compile("^Consulta"))).to_be_visible()
    expect(page.get_by_text("Abierta ahora")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_text(re.compile(r"El afiliado titular, \d+ años"))).to_be_visible()
    expect(page.get_by_text("podrás registrarlo desde las 10:10")).to_be_visible()  # not before the API allows it
    expect(page.get_by_role("button", name="El paciente no se presentó")).to_have_count(0)
    assert accessibility_violations(page) == []
    screenshot(page, "05-consult")

    page.get_by_role("button", name="Iniciar consulta").click()
    expect(page.get_by_text("Consulta iniciada.")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("En curso")
    note = consult_note()
    _writes_the_note(page, {**note, "vital_signs": {**note["vital_signs"], "systolic_mmhg": 300}})
    page.get_by_role("button", name="Firmar la nota y terminar la consulta").click()
    systolic = page.get_by_label("Presión sistólica (mmHg)")
    expect(page.locator("#vital-systolic_mmhg-error")).to_have_text("Debe ser menor o igual a 260.")
    expect(systolic).to_have_attribute("aria-invalid", "true")
    expect(systolic).to_be_focused()
    # Nothing she typed is lost.
    expect(systolic).to_have_value("300")
    expect(page.get_by_label("Valoración", exact=True)).to_have_value(note["assessment"])
    expect(page.get_by_label("Peso (kg)")).to_have_value("82.5")
    expect(page.get_by_label("Referir a su Unidad de Medicina Familiar")).to_be_checked()
    assert accessibility_violations(page) == []

    systolic.fill(str(note["vital_signs"]["systolic_mmhg"]))
    page.get_by_role("button", name="Firmar la nota y terminar la consulta").click()
    expect(page.get_by_role("heading", name="Nota firmada")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Atendida")
    signed_hash = page.locator(".signed dd code.hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", signed_hash)
    assert accessibility_violations(page) == []
    screenshot(page, "06-note-signed")

    addendum = f"Se agrega: la paciente toma losartán 50 mg al día ({uuid.uuid4().hex[:6]})."
    page.get_by_label("Texto de la adenda").fill(addendum)
    page.get_by_role("button", name="Firmar la adenda").click()
    expect(page.get_by_text(re.compile(r"Adenda firmada a las \d{2}:\d{2}\."))).to_be_visible()
    expect(page.get_by_label("Texto de la adenda")).to_have_value("")
    page.get_by_role("button", name="Ver el historial").click()
    expect(page.get_by_role("heading", name="Adenda · Registro 2")).to_be_visible()
    expect(page.get_by_text("Corrige o completa el registro 1")).to_be_visible()
    assert accessibility_violations(page) == []

    # The member reads the signed note and its addendum through the API.
    record = json_of(stack.request("GET", "/v1/me/record", headers=booked["headers"]))["items"]
    assert [e["kind"] for e in record] == ["addendum", "consult-note"]
    added, entry = record
    assert entry["hash"] == signed_hash
    assert entry["appointment_id"] == booked["appointment"]["appointment_id"]
    assert entry["content"]["vital_signs"]["systolic_mmhg"] == note["vital_signs"]["systolic_mmhg"]
    assert entry["content"]["referral"] == note["referral"]
    assert added["amends"] == entry["entry_id"] and added["content"]["text"] == addendum
