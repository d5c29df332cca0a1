"""An operator in the console, in Chromium against the local stack: a member asks over the API to close her account;
the operator finds the request among the ARCO requests with its legal deadline and the business days left (and, on an
answer changed in flight, the highlight of one due within 5 business days), opens it, answers it after the
confirmation (going back once first), and reads what was erased and what is kept, under which law and until when; the
member's account is then closed. The list once more, in English."""

import re
import uuid
from datetime import date

from playwright.sync_api import expect

from local.users import LOCAL_PASSWORD
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.e2e.test_payments_over_http import _register

SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                  "noviembre", "diciembre"]


def _long_day_es(day: str) -> str:
    """A date as the console writes it with its year in Spanish, without the weekday: "29 de diciembre de 2026"."""
    parsed = date.fromisoformat(day)
    return f"{parsed.day} de {SPANISH_MONTHS[parsed.month - 1]} de {parsed.year}"


QUEUE = re.compile(r"/v1/operators/arco-requests\?")


def _due_in_three(route) -> None:
    """The queue's answer as if every request were due in 3 business days."""
    answer = route.fetch()
    body = answer.json()
    for item in body["items"]:
        item["business_days_left"] = 3
    route.fulfill(response=answer, json=body)


def test_an_operator_answers_a_members_closure_request(stack, console):
    page, run = console, uuid.uuid4().hex[:8]
    member, _, member_id = _register(stack, f"arco-{run}")
    asked = stack.request("POST", "/v1/me/closure", headers=member)
    assert asked.status == 201, asked.body
    request = json_of(asked)
    request_id = request["request_id"]
    operator = stack.signed_in("operator", f"op-arco-{run}")
    (queued,) = [item for item in json_of(stack.request("GET", "/v1/operators/arco-requests?limit=100",
                                                          headers=operator))["items"]
                 if item["request_id"] == request_id]
    days_left = queued["business_days_left"]
    assert days_left > 5, queued  # a request made today has its 20 business days ahead

    page.get_by_label("Usuario").fill(f"op-arco-{run}")
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    # The highlight, seen first on an answer changed in flight (a request made today has 20 business days left).
    page.route(QUEUE, _due_in_three)
    page.get_by_role("link", name="Solicitudes ARCO").click()
    expect(page.get_by_role("heading", name="Solicitudes ARCO", level=1)).to_be_focused()
    card = page.locator("li.card", has_text=member_id)
    expect(card.locator(".arco-urgent")).to_have_text("Quedan 3 días hábiles")
    expect(card.get_by_text("Plazo próximo")).to_be_visible()
    page.unroute(QUEUE, _due_in_three)
    page.get_by_role("button", name="Actualizar").click()

    expect(card).to_contain_text("Cancelación (cerrar la cuenta)")
    expect(card.locator(f"time[datetime='{request['deadline']}']")).to_contain_text(_long_day_es(request["deadline"]))
    expect(card.locator(".arco-days-left")).to_have_text(f"Quedan {days_left} días hábiles")
    expect(card.locator(".arco-urgent")).to_have_count(0)  # not highlighted: more than 5 business days left
    expect(card.get_by_text("Plazo próximo")).to_have_count(0)
    assert accessibility_violations(page) == []
    screenshot(page, "15-arco-requests")
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1024, "height": 768})

    card.get_by_role("button", name="Ver la solicitud").click()
    expect(page.get_by_role("heading", name="Solicitud ARCO", level=2)).to_be_focused()
    expect(page.get_by_text("Abierta", exact=True)).to_be_visible()
    answer = page.get_by_role("button", name="Responder (cerrar la cuenta)")
    answer.click()
    expect(page.get_by_text("¿Responder la solicitud y cerrar la cuenta? No se puede deshacer.")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="No, volver").click()  # nothing sent
    expect(answer).to_be_focused()
    assert json_of(stack.request("GET", f"/v1/operators/arco-requests/{request_id}",
                                 headers=operator))["status"] == "open"

    answer.click()
    page.get_by_role("button", name="Sí, responder y cerrar la cuenta").click()
    expect(page.get_by_text("Solicitud respondida: la cuenta quedó cerrada.")).to_be_focused()
    expect(page.get_by_text("Respondida", exact=True).first).to_be_visible()
    erased = page.get_by_role("region", name="Lo que se borró")
    for name in ("Correo electrónico", "Teléfono", "Domicilio", "Familiar en México", "Beneficiarios",
                 "Acceso a la cuenta"):
        expect(erased.get_by_text(name, exact=True)).to_be_visible()
    kept = page.get_by_role("table", name="Lo que se conserva, por qué ley y hasta cuándo")
    completed = json_of(stack.request("GET", f"/v1/operators/arco-requests/{request_id}", headers=operator))
    assert completed["status"] == "completed"
    assert {k["data"] for k in completed["kept"]} == {"identity_and_consents", "arco_request"}
    for row, label in (("identity_and_consents", "Identidad y consentimientos"),
                       ("arco_request", "Esta solicitud y su respuesta")):
        (end,) = [k for k in completed["kept"] if k["data"] == row]
        line = kept.locator("tr", has_text=label)
        expect(line).to_contain_text(end["law"])
        expect(line.locator(f"time[datetime='{end['ends_on']}']")).to_contain_text(_long_day_es(end["ends_on"]))
    assert accessibility_violations(page) == []
    screenshot(page, "15-arco-answered")
    assert json_of(stack.request("GET", "/v1/me", headers=member))["status"] == "closed"

    # Back to the list: answered, it is gone; the page in English.
    page.get_by_role("button", name="Volver a la lista").click()
    expect(page.get_by_role("heading", name="Solicitudes ARCO", level=1)).to_be_focused()
    expect(page.locator("li.card", has_text=member_id)).to_have_count(0)
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="ARCO requests", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="ARCO requests")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(re.compile(r"^There are no open ARCO requests\.$|open request"))).to_be_visible()
    assert accessibility_violations(page) == []
