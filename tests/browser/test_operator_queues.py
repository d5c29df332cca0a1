"""An operator in the console: a payment made through a partner's signed webhook appears in the day's figures beside
the charts (a range the API refuses first, shown on its field; the page also at 768 px); an unmatched payment (a
reference nobody issued) is applied to a member found by CURP, which the member's coverage then shows; and, in
English, one identity claim is confirmed and another rejected (an invalid reason first, shown on its field) — in
Chromium, against the local stack."""

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.payments import reference_code
from local.users import LOCAL_PASSWORD
from tests.browser.conftest import accessibility_violations, json_of, screenshot
from tests.e2e.test_payments_over_http import _issue, _post_webhook, _register, _secrets, _succeeded
from tests.people import registration, unique_curp

SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                  "noviembre", "diciembre"]


def _run() -> str:
    return uuid.uuid4().hex[:8]


def _sign_in(page: Page, stack, username: str) -> dict:
    """An operator account (created with the local password), signed in through the form; her API headers."""
    headers = stack.signed_in("operator", username)
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    return headers


def _today() -> str:
    return datetime.now(MEXICO_CITY).date().isoformat()


def _daily(stack, operator: dict, day: str) -> dict:
    answer = stack.request("GET", f"/v1/operators/stats/daily?from={day}&to={day}", headers=operator)
    assert answer.status == 200, answer.body
    (figures,) = json_of(answer)["items"]
    return figures


def _paid_member(stack, run: str) -> dict:
    """A member who pays her reference through FINABIEN's signed webhook: applied, today."""
    headers, _, _ = _register(stack, f"fig-{run}")
    reference = _issue(stack, headers, 1)
    body = _succeeded(reference=reference["reference"], amount=reference["amount_mxn"], tx=f"fig-{run}",
                      channel="finabien")
    ack = _post_webhook(stack, "finabien", body, _secrets(stack)["finabien"], f"msg-fig-{run}")
    assert ack.status == 200 and json_of(ack)["status"] == "applied", ack.body
    return reference


def _unmatched_payment(stack, run: str, amount: str) -> str:
    """A payment whose reference is well formed but nobody's: it waits for an operator. Its partner transaction id."""
    tx = f"lost-{run}"
    nobodys = reference_code(f"{int(run, 16) % 10**16:016d}")
    body = _succeeded(reference=nobodys, amount=amount, tx=tx, channel="finabien")
    ack = _post_webhook(stack, "finabien", body, _secrets(stack)["finabien"], f"msg-lost-{run}")
    assert ack.status == 200 and json_of(ack)["status"] == "unmatched", ack.body
    return tx


def _month_name_es(month: str) -> str:
    year, number = month.split("-")
    return f"{SPANISH_MONTHS[int(number) - 1]} de {year}"


def test_an_operator_sees_a_payment_in_the_figures_and_applies_an_unmatched_one(stack, console):
    page, run = console, _run()
    operator = stack.signed_in("operator", f"op-fig-{run}")
    today = _today()
    before = _daily(stack, operator, today)["payments"]
    reference = _paid_member(stack, run)

    _sign_in(page, stack, f"op-fig-{run}")
    expect(page.get_by_role("heading", name="Cifras del programa", level=1)).to_be_focused()
    counts = page.get_by_role("table", name="Número de pagos por día")
    today_row = counts.locator(f"tr:has(time[datetime='{today}'])")
    expect(today_row.locator("td").nth(0)).to_have_text(str(before["received"] + 1))  # received
    expect(today_row.locator("td").nth(1)).to_have_text(str(before["applied"] + 1))  # applied
    amounts = page.get_by_role("table", name="Importes de los pagos por día (MXN)")
    received_mxn = Decimal(before["received_mxn"]) + Decimal(reference["amount_mxn"])
    expect(amounts.locator(f"tr:has(time[datetime='{today}']) td").nth(0)).to_have_text(
        re.compile(re.escape(f"{received_mxn:,.2f}")))
    expect(page.get_by_role("img", name=re.compile("^Pagos por día"))).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "07-figures")

    # A range the API refuses (more than a year back): its message on the field it names, which takes the focus.
    too_far = (date.fromisoformat(today) - timedelta(days=400)).isoformat()
    page.get_by_label("Desde").fill(too_far)
    page.get_by_role("button", name="Ver el periodo").click()
    expect(page.get_by_label("Desde")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#range-from-error")).to_contain_text("366")
    expect(page.get_by_label("Desde")).to_be_focused()
    expect(page.get_by_label("Desde")).to_have_value(too_far)  # what she typed is kept
    page.get_by_role("button", name="Últimos 30 días").click()
    expect(page.locator("#range-from-error")).to_have_count(0)
    expect(page.get_by_label("Desde")).to_have_value((date.fromisoformat(today) - timedelta(days=29)).isoformat())

    # At 768 px (a tablet upright): charts and tables stack, nothing scrolls sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(today_row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert accessibility_violations(page) == []
    screenshot(page, "07-figures-768")
    page.set_viewport_size({"width": 1024, "height": 768})

    # An unmatched payment, applied to a member found by CURP for this month.
    member_headers, member_body, member_id = _register(stack, f"owner-{run}")
    tx = _unmatched_payment(stack, run, "512.34")
    page.get_by_role("link", name="Pagos sin asignar").click()
    expect(page.get_by_role("heading", name="Pagos sin asignar", level=1)).to_be_focused()
    card = page.locator("li.card", has_text=tx)
    expect(card).to_contain_text("La referencia no es de nadie")
    assert accessibility_violations(page) == []
    card.get_by_role("button", name="Resolver").click()
    expect(page.get_by_role("heading", name=re.compile("^Resolver el pago de"))).to_be_focused()

    page.get_by_label("Buscar por").select_option("curp")
    page.get_by_label("CURP", exact=True).fill(member_body["curp"])
    page.get_by_role("button", name="Buscar afiliado").click()
    expect(page.get_by_text("Afiliado encontrado")).to_be_visible()
    expect(page.locator(".queue-found")).to_contain_text(member_id)
    month = page.get_by_label(_month_name_es(today[:7]), exact=True)
    month.check()
    page.get_by_label("Nota de la decisión").fill("La afiliada envió su comprobante: el banco escribió mal la referencia")
    assert accessibility_violations(page) == []
    screenshot(page, "08-unmatched-payments")
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1024, "height": 768})
    month.uncheck()
    page.get_by_role("button", name="Aplicar el pago").click()  # no month: the API's message on the decision
    expect(page.locator("#action-error")).to_be_visible()
    expect(page.get_by_label("Aplicarlo a un afiliado y sus meses")).to_be_focused()
    assert accessibility_violations(page) == []
    month.check()
    page.get_by_role("button", name="Aplicar el pago").click()

    expect(page.get_by_text(re.compile(r"Pago de .*512\.34 aplicado"))).to_be_visible()
    expect(page.get_by_role("heading", name="Pagos sin asignar", level=1)).to_be_focused()
    expect(page.locator("li.card", has_text=tx)).to_have_count(0)
    assert accessibility_violations(page) == []

    coverage = json_of(stack.request("GET", "/v1/me/coverage", headers=member_headers))
    assert today[:7] in coverage["covered_months"], coverage
    payments = json_of(stack.request("GET", "/v1/me/payments", headers=member_headers))["payments"]
    assert [(p["status"], p["amount_mxn"], p["months"]) for p in payments] == [("applied", "512.34", [today[:7]])]


def _claims(stack, run: str) -> dict:
    """Two pending claims: a member adds as her child a CURP another member's child already has (a person without an
    account: it can be confirmed), and someone registers with a CURP a member holds (it can only be rejected)."""
    mother = stack.signed_in("member", f"mother-{run}")
    mother_body = registration()
    assert stack.request("POST", "/v1/registrations", headers=mother, json_body=mother_body).status == 201
    child = {"relationship": "child", "first_name": "Beto", "last_name": "Prueba",
             "curp": unique_curp(birth=date(2016, 5, 5), sex="H")}
    assert stack.request("POST", "/v1/me/beneficiaries", headers=mother, json_body=child).status == 201

    father = stack.signed_in("member", f"father-{run}")
    assert stack.request("POST", "/v1/registrations", headers=father, json_body=registration()).status == 201
    added = stack.request("POST", "/v1/me/beneficiaries", headers=father, json_body=child)
    assert added.status == 201, added.body

    stranger = stack.signed_in("member", f"stranger-{run}")
    created = stack.request("POST", "/v1/registrations", headers=stranger,
                            json_body=registration(curp=mother_body["curp"]))
    assert created.status == 201, created.body
    return {"confirm": json_of(added)["person_id"],
            "reject": json_of(stack.request("GET", "/v1/me", headers=stranger))["person_id"]}


def _claim_id(stack, operator: dict, claimant: str) -> str:
    queue = json_of(stack.request("GET", "/v1/operators/identity-claims?limit=100", headers=operator))["items"]
    (claim,) = [c for c in queue if c["claimant_person_id"] == claimant]
    return claim["claim_id"]


def test_an_operator_confirms_one_identity_claim_and_rejects_another_in_english(stack, console):
    page, run = console, _run()
    claimants = _claims(stack, run)
    operator = _sign_in(page, stack, f"op-claims-{run}")
    expect(page.get_by_role("heading", name="Cifras del programa", level=1)).to_be_visible()
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Programme figures", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Identities").click()
    expect(page.get_by_role("heading", name="Identity claims", level=1)).to_be_focused()
    assert accessibility_violations(page) == []

    # Confirmed: the father's child is the mother's child; the birth certificate was reviewed remotely.
    confirm_id = _claim_id(stack, operator, claimants["confirm"])
    page.locator("li.card", has_text=claimants["confirm"]).get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name="Identity claim", level=2)).to_be_focused()
    expect(page.get_by_text("On adding a beneficiary")).to_be_visible()
    expect(page.get_by_label("How you checked")).to_have_value("documents")
    page.get_by_label("Reason for confirming").fill("Birth certificate reviewed: both parents are named on it")
    assert accessibility_violations(page) == []
    screenshot(page, "09-identity-claim")
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1024, "height": 768})
    # Seen in person needs the photo ID's data: the API names each missing part, shown on its own field.
    page.get_by_label("How you checked").select_option("in-person")
    page.get_by_label("Place").fill("Consulado de México en Los Ángeles")
    page.get_by_role("button", name="Confirm the claim").click()
    expect(page.get_by_label("First name(s)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("First name(s)")).to_be_focused()
    expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    assert accessibility_violations(page) == []
    page.get_by_label("How you checked").select_option("documents")
    expect(page.get_by_label("Reason for confirming")).to_have_value(re.compile("^Birth certificate"))  # kept
    page.get_by_role("button", name="Confirm the claim").click()
    expect(page.get_by_text("Claim confirmed: the account is now linked to the existing person.")).to_be_visible()
    expect(page.locator("li.card", has_text=claimants["confirm"])).to_have_count(0)
    decided = json_of(stack.request("GET", f"/v1/operators/identity-claims/{confirm_id}", headers=operator))
    assert decided["claim"]["status"] == "confirmed" and decided["claim"]["decisions"][0]["checked"] == "documents"

    # Rejected: the CURP's holder has an account of her own. A reason too short first: the API's message on it.
    reject_id = _claim_id(stack, operator, claimants["reject"])
    page.locator("li.card", has_text=claimants["reject"]).get_by_role("button", name="Review").click()
    expect(page.get_by_text("On registering")).to_be_visible()
    page.get_by_label("No: reject the claim").check()
    page.get_by_label("Reason for rejecting").fill("no")
    page.get_by_role("button", name="Reject the claim").click()
    reason = page.get_by_label("Reason for rejecting")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    expect(page.locator("#claim-why-error")).to_contain_text(re.compile("3 characters", re.I))
    assert accessibility_violations(page) == []
    reason.fill("The CURP belongs to a member with her own account: a different person")
    page.get_by_role("button", name="Reject the claim").click()
    expect(page.get_by_text("Claim rejected: the account stays a separate person.")).to_be_visible()
    expect(page.locator("li.card", has_text=claimants["reject"])).to_have_count(0)
    decided = json_of(stack.request("GET", f"/v1/operators/identity-claims/{reject_id}", headers=operator))
    assert decided["claim"]["status"] == "rejected" and decided["claim"]["decisions"][0]["why"].startswith("The CURP")
