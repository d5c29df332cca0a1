"""A nurse books her patient's follow-up at the end of a consult, on a stack whose clock stands at 09:52 Mexico City
a few days ahead: she publishes her mornings (through the API), the seeded member1 books her 10:00, and she opens
and starts the consult. In the follow-up section at the end of the consult's page she looks at any nurse's free
times, then her own (a range the API refuses first, shown on its field), takes a further page, chooses a time and
books it: without a reason first, then once the member took that time themself (the list is read again), then in
another one. The member finds the follow-up through the API and cancels it. One check in English."""

import re
from datetime import datetime, time, timedelta

from playwright.sync_api import Page, expect

from chalicelib.domain.clock import MEXICO_CITY
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.browser.test_nurse_console import _invite
from tests.browser.test_nurse_consult import (
    _first_sign_in,
    _member1_books_her_ten_oclock,
    _on_the_stacks_clock,
    _stack_day,
    stack,  # noqa: F401 - the module's stack, at 09:52 Mexico City a few days ahead
)
from tests.browser.test_operator_people import _fits_768_px

# Her mornings every day, bookable up to the minute (the stack stands at 09:52, her 10:00 is booked then).
MORNINGS = {"windows": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)], "slot_minutes": 20,
            "buffer_minutes": 0, "lead_minutes": 0, "horizon_weeks": 4}
PER_PAGE = 50  # the API's default page; her week of mornings holds 7 × 9 free times
FOLLOW_UP_REASON = "Revisar la presión arterial en una semana"


def _starts_the_consult(page: Page) -> None:
    """From her agenda, read again now that the consult is booked (she was on it already: away and back)."""
    page.get_by_role("link", name="Mi disponibilidad").click()
    page.get_by_role("link", name="Mi agenda").click()
    page.get_by_role("link", name="Abrir la consulta de las 10:00").click()
    expect(page.get_by_role("heading", name=re.compile("^Consulta"))).to_be_visible()
    page.get_by_role("button", name="Iniciar consulta").click()
    expect(page.get_by_text("Consulta iniciada.")).to_be_visible()


def _the_member_takes(stack, member: dict, slot_id: str) -> None:
    """The member books the slot themself, in their app (through the API)."""
    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member,
                           json_body={"slot_id": slot_id, "reason": "Dolor de espalda"})
    assert booked.status == 201, booked.body


def test_a_nurse_books_her_patients_follow_up_which_the_member_may_cancel(stack, console):
    page = console
    _on_the_stacks_clock(stack, page)
    day = _stack_day(stack)
    username = _invite(stack)
    _first_sign_in(page, username)
    nurse = stack.signed_in("nurse", username)
    assert stack.request("PUT", "/v1/nurse/availability", headers=nurse, json_body=MORNINGS).status == 200
    booked = _member1_books_her_ten_oclock(stack, username, day)
    consult_id = booked["appointment"]["appointment_id"]
    _starts_the_consult(page)

    section = page.get_by_role("region", name="Agendar seguimiento")
    expect(section).to_be_visible()  # from `arrived`: the note need not be signed first
    first, last = day + timedelta(days=7), day + timedelta(days=13)
    expect(section.get_by_label("Desde")).to_have_value(first.isoformat())
    expect(section.get_by_label("Hasta")).to_have_value(last.isoformat())
    expect(section.get_by_role("radio", name="Conmigo")).to_be_checked()

    # Any nurse's times name the nurse; her own need not.
    section.get_by_text("Con la primera enfermera disponible").click()
    section.get_by_role("button", name="Ver horarios libres").click()
    free = section.get_by_role("group", name="Horarios libres (Ciudad de México)")
    expect(free.get_by_role("radio", name=re.compile(r"^09:00 · Enf\. Laura Consola$")).first).to_be_visible()

    # A range the API refuses is shown on its field, with the focus there.
    section.get_by_text("Conmigo").click()
    section.get_by_label("Hasta").fill((first - timedelta(days=1)).isoformat())
    section.get_by_role("button", name="Ver horarios libres").click()
    to = section.get_by_label("Hasta")
    expect(section.locator("#follow-up-to-error")).to_be_visible()
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).to_be_focused()

    to.fill(last.isoformat())
    section.get_by_role("button", name="Ver horarios libres").click()
    expect(section.get_by_role("status")).to_have_text(f"{PER_PAGE} horarios libres en estas fechas.")
    expect(free.get_by_role("radio")).to_have_count(PER_PAGE)
    expect(free.get_by_role("radio", name=re.compile("Enf\\."))).to_have_count(0)
    free.get_by_role("button", name="Más horarios").click()
    expect(free.get_by_role("radio")).to_have_count(7 * 9)
    expect(free.get_by_role("radio").nth(PER_PAGE)).to_be_focused()  # the first time the new page added
    expect(free.get_by_role("button", name="Más horarios")).to_have_count(0)

    # Without a reason: the API's words on the field, the focus there, her choice kept.
    chosen = free.get_by_role("radio", name="09:00").first
    chosen.check()
    _fits_768_px(page)
    screenshot(page, "14-follow-up")
    section.get_by_role("button", name="Agendar el seguimiento").click()
    reason = section.get_by_label("Motivo del seguimiento")
    expect(section.locator("#follow-up-reason-error")).to_be_visible()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    expect(chosen).to_be_checked()
    assert accessibility_violations(page) == []

    # Meanwhile the member takes that time in their app: the list is read again, her reason kept; she chooses another.
    reason.fill(FOLLOW_UP_REASON)
    _the_member_takes(stack, booked["headers"], chosen.get_attribute("value"))
    section.get_by_role("button", name="Agendar el seguimiento").click()
    taken = section.locator(".problem")
    expect(taken).to_contain_text("Alguien acaba de reservar ese horario")
    expect(taken).to_be_focused()
    expect(section.get_by_role("status")).to_have_text(f"{PER_PAGE} horarios libres en estas fechas.")
    expect(free.get_by_role("radio", checked=True)).to_have_count(0)
    expect(reason).to_have_value(FOLLOW_UP_REASON)
    first_day = free.get_by_role("group").first
    expect(first_day.get_by_role("radio").first).to_have_accessible_name("09:20")
    first_day.get_by_role("radio", name="09:20").check()
    section.get_by_role("button", name="Agendar el seguimiento").click()
    done = page.get_by_role("heading", name="Seguimiento agendado")
    expect(done).to_be_focused()
    expect(page.get_by_text("Avisamos al afiliado.")).to_be_visible()
    expect(page.get_by_text("Enf. Laura Consola", exact=True)).to_be_visible()
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Follow-up booked")).to_be_visible()
    expect(page.get_by_text("The member was notified.")).to_be_visible()

    # The member finds it through the API, as the consult's follow-up at the time she chose, and may cancel it.
    member = booked["headers"]
    listed = json_of(stack.request("GET", "/v1/me/appointments", headers=member))["items"]
    (follow_up,) = [a for a in listed if a["follow_up_of"] == consult_id]
    assert datetime.fromisoformat(follow_up["start"]) == datetime.combine(first, time(9, 20), MEXICO_CITY)
    assert follow_up["reason"] == FOLLOW_UP_REASON and follow_up["status"] == "booked"
    cancel = stack.request("POST", f"/v1/me/appointments/{follow_up['appointment_id']}/cancel", headers=member)
    assert cancel.status == 200, cancel.body
