"""Who may call what: every route of the app × every kind of caller, with the status each one must get.

`EXPECTED` is the table. The cells are generated from the app's own route table (`app.routes`), so a route that is
added without a row here is a failing cell, and so is a row for a route that no longer exists: new routes must say
who may call them.

Callers (columns):

- anonymous       no Authorization header
- member_a        owner of every resource the paths name (a member covered in December, with beneficiaries, a
                  paid payment, consents and consults with nurse ana)
- member_b        another registered member (not covered, no consults)
- nurse_assigned  ana, the nurse of member A's consults
- nurse_other     bea, a nurse with availability of her own and no consult with member A
- operator        an operator
- partner         a request correctly signed by partner `finabien` (Standard Webhooks), no token
- expired         member A's own access token, re-signed with the pool's key but with `exp` an hour ago
- foreign_pool    a member's access token from another user pool (same signing key, other issuer and client)
- same_curp       a member who registered with member A's CURP and any NSS, unverified: a claim is pending, so the
                  account is a new, unlinked person and gets what member B gets (docs/identity.md)

Beyond the status, a successful answer to anyone but member A, her nurse and the operator must not contain member
A's user id, person id or CURP (for same_curp, which typed that CURP itself: not A's ids, nor A's note).

One scenario is built once for the whole module (moto in-process, the real app through chalice's test client) and
the clock is set per cell. Rows whose authorized caller changes the resource (cancel, start, no-show, end, reschedule,
book) get a consult of their own, booked when the row's first cell runs; cells run in the parametrized order, owners
last, so every unauthorized attempt meets a live resource. Before a new consult is booked, member A's leftover ones
are ended (a member holds at most three), so rows do not depend on each other.
"""

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from moto.utilities.utils import load_resource

from app import app
from chalicelib.domain.privacy import closure_request_id
from chalicelib.domain.teleconsult import CONSENT_VERSION
from chalicelib.auth import Role
from local.aws import REGION
from local.users import access_token
from local.webhook import signed_headers
from tests.api.conftest import paid
from tests.api.test_beneficiaries import _add, _child_curp
from tests.api.test_documents import qr_url
from tests.api.test_records import _attend, scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import (
    MX,
    WEEKDAYS_9_TO_11,
    _book,
    _consent,
    _publish,
    _slots,
    nurses,  # noqa: F401 (fixture)
)
from tests.conftest import MOTO_JWKS, in_process_aws
from tests.people import consult_note, registration

CALLERS = ("anonymous", "member_a", "member_b", "nurse_assigned", "nurse_other", "operator", "partner", "expired",
           "foreign_pool", "same_curp")
# Unauthorized attempts first, owners last: an owner's success may consume the row's resource.
RUN_ORDER = ("anonymous", "expired", "foreign_pool", "partner", "member_b", "same_curp", "nurse_other", "operator",
             "nurse_assigned", "member_a")

# The expected status of every route for every caller. Columns in CALLERS order:
#   anon  = anonymous       memA = member_a        memB = member_b      nurA = nurse_assigned  nurO = nurse_other
#   oper  = operator        part = partner         expd = expired       forn = foreign_pool
#   same  = same_curp
EXPECTED: dict[str, tuple[int, ...]] = {
    #                                                          anon memA memB nurA nurO oper part expd forn same
    "GET /v1/health":                                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /v1/operators/health":                               (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "GET /v1/openapi.json":                                   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /v1/session":                                        (401, 200, 200, 200, 200, 200, 401, 401, 401, 200),
    # members: their own data only; B's answers are about B (409: both accounts are already registered)
    "POST /v1/registrations":                                 (401, 409, 409, 403, 403, 403, 401, 401, 401, 409),
    "POST /v1/registrations/validation":                      (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/me":                                             (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "PATCH /v1/me":                                           (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/me/export":                                      (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "POST /v1/me/beneficiaries":                              (401, 201, 201, 403, 403, 403, 401, 401, 401, 201),
    "GET /v1/me/beneficiaries":                               (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "DELETE /v1/me/beneficiaries/{beneficiary_id}":           (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    # push devices and notification preferences: each member their own (B and same_curp have no device of A's id)
    "PUT /v1/me/devices/{device_id}":                         (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "DELETE /v1/me/devices/{device_id}":                      (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/me/notification-preferences":                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "PUT /v1/me/notification-preferences":                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "POST /v1/operators/members/lookup":                      (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    # identity: each member sees only their own; the claims queue is the operators'
    "GET /v1/me/identity":                                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "POST /v1/me/identity/verification":                      (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/operators/identity-claims":                      (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "GET /v1/operators/identity-claims/{claim_id}":           (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/identity-claims/{claim_id}/confirm":  (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/identity-claims/{claim_id}/reject":   (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    # quotes
    "POST /v1/quotes":                                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /v1/me/quote":                                       (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    # payments
    "POST /v1/me/payment-references":                         (401, 201, 201, 403, 403, 403, 401, 401, 401, 201),
    "GET /v1/me/payment-references":                          (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/me/payment-instructions":                        (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/me/payments":                                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/me/payments/{payment_id}/receipt":               (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/me/coverage":                                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    # documents: a member's own, as PDFs; their QR codes verify for anyone, answering only valid/months/masked name
    "GET /v1/me/payments/{payment_id}/receipt.pdf":           (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/me/coverage/certificate.pdf":                    (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/verifications/{token}":                          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /v1/webhooks/{partner}":                            (401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
    # operators
    "GET /v1/operators/payments/unmatched":                   (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/payments/{payment_id}/resolve":       (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "GET /v1/operators/stats":                                (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "GET /v1/operators/stats/daily":                          (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/nurses":                              (401, 403, 403, 403, 403, 201, 401, 401, 401, 403),
    "GET /v1/operators/nurses":                               (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/nurses/{nurse_id}/deactivate":        (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    # nurses: their own availability and agenda
    "PUT /v1/nurse/availability":                             (401, 403, 403, 200, 200, 403, 401, 401, 401, 403),
    "GET /v1/nurse/availability":                             (401, 403, 403, 200, 200, 403, 401, 401, 401, 403),
    "GET /v1/nurse/agenda":                                   (401, 403, 403, 200, 200, 403, 401, 401, 401, 403),
    # teleconsultation: the patient named in bodies is member A or A's child (B: 404)
    "GET /v1/teleconsult/slots":                              (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "POST /v1/me/consents/teleconsultation":                  (401, 201, 404, 403, 403, 403, 401, 401, 401, 404),
    "POST /v1/teleconsult/appointments":                      (401, 201, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/me/appointments":                                (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "POST /v1/me/appointments/{appointment_id}/cancel":       (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "POST /v1/me/appointments/{appointment_id}/reschedule":   (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/nurse/appointments/{appointment_id}":            (401, 403, 403, 200, 404, 403, 401, 401, 401, 403),
    "POST /v1/nurse/appointments/{appointment_id}/start":     (401, 403, 403, 200, 404, 403, 401, 401, 401, 403),
    "POST /v1/nurse/appointments/{appointment_id}/cancel":    (401, 403, 403, 200, 404, 403, 401, 401, 401, 403),
    "POST /v1/nurse/appointments/{appointment_id}/noshow":    (401, 403, 403, 200, 404, 403, 401, 401, 401, 403),
    "GET /v1/nurse/appointments/{appointment_id}/follow-up/slots":
                                                              (401, 403, 403, 200, 404, 403, 401, 401, 401, 403),
    "POST /v1/nurse/appointments/{appointment_id}/follow-up": (401, 403, 403, 201, 404, 403, 401, 401, 401, 403),
    "POST /v1/me/appointments/{appointment_id}/noshow":       (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "POST /v1/teleconsult/appointments/{appointment_id}/join": (401, 200, 404, 200, 404, 403, 401, 401, 401, 404),
    "POST /v1/teleconsult/waitlist":                          (401, 201, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/teleconsult/waitlist":                           (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "DELETE /v1/teleconsult/waitlist/{patient_id}":           (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    # health record: a nurse without a consult with the patient gets 403 (the same whether the patient exists)
    "POST /v1/nurse/appointments/{appointment_id}/end":       (401, 403, 403, 201, 404, 403, 401, 401, 401, 403),
    "POST /v1/nurse/records/{patient_id}/entries/{entry_id}/addenda":
                                                              (401, 403, 403, 201, 403, 403, 401, 401, 401, 403),
    "GET /v1/me/record":                                      (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "GET /v1/nurse/patients/{patient_id}/record":             (401, 403, 403, 200, 403, 403, 401, 401, 401, 403),
    "GET /v1/records/{patient_id}/fhir":                      (401, 200, 404, 200, 403, 403, 401, 401, 401, 404),
    "GET /v1/me/record/access-log":                           (401, 200, 404, 403, 403, 403, 401, 401, 401, 404),
    "POST /v1/operators/record-audit/search":                 (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    # data rights: each member closes their own account (app.py registers these routes last); the queue and the
    # answer are the operators'
    "POST /v1/me/closure":                                    (401, 201, 201, 403, 403, 403, 401, 401, 401, 201),
    "GET /v1/me/closure":                                     (401, 200, 200, 403, 403, 403, 401, 401, 401, 200),
    "GET /v1/operators/arco-requests":                        (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "GET /v1/operators/arco-requests/{request_id}":           (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
    "POST /v1/operators/arco-requests/{request_id}/complete": (401, 403, 403, 403, 403, 200, 401, 401, 401, 403),
}

# Cells whose actual answer is a security bug: the table keeps the correct status, the cell is a strict xfail.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

BASE = datetime(2026, 12, 1, 9, 30, tzinfo=MX)  # Tuesday, after member A's first consult (09:00-09:20) ended
FRESH_FROM, FRESH_TO = "2026-12-02", "2026-12-07"  # days for the rows' own consults; nobody waits on them
A_WAITS_ON, CHILD_WAITS_ON = "2026-12-08", "2026-12-09"
_serial = itertools.count(1)


def _json(response) -> Any:
    return json.loads(response.body)


# --- One shared in-process AWS for the module ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_aws(jwks_server):
    """conftest's `aws`, kept for the whole module: the scenario is built once instead of once per cell."""
    with pytest.MonkeyPatch.context() as patch, in_process_aws(
            jwks_server(MOTO_JWKS), patch.setenv, lambda name: patch.delenv(name, raising=False)) as aws:
        yield aws


@pytest.fixture
def aws(shared_aws):
    """Overrides conftest's `aws` in this module, so `api`, `member`, `partner`, `nurses` and `scene` share it."""
    return shared_aws


@pytest.fixture(scope="module")
def built() -> dict:
    return {}


# --- The scenario -------------------------------------------------------------------------------------------------

@dataclass
class World:
    a: dict
    tokens: dict[str, str]
    member_id: str
    curp: str
    ana: dict
    ana_id: str
    child: str
    spare_beneficiary: str
    payment_id: str
    unmatched_payment_id: str
    entry_id: str
    secret: str
    user_id: str
    claims: dict[str, str]
    api: Any = None
    clock: Any = None
    rows: dict[str, Any] = field(default_factory=dict)

    def _post(self, url: str, headers: dict, body: Any = None):
        return self.api.http.post(url, headers=headers, body=json.dumps(body) if body is not None else b"")

    def _settle(self) -> None:
        """End member A's consults left by earlier rows (booked: the nurse cancels; arrived: she ends it)."""
        self.clock(BASE)
        for consult in _json(self.api.http.get("/v1/me/appointments", headers=self.a))["items"]:
            url = f"/v1/nurse/appointments/{consult['appointment_id']}"
            if consult["status"] == "booked":
                assert self._post(f"{url}/cancel", self.ana, {"reason": "Limpieza de la prueba"}).status_code == 200
            elif consult["status"] == "arrived":
                assert self._post(f"{url}/end", self.ana, consult_note()).status_code == 201

    def _free_slots(self) -> list[dict]:
        self.clock(BASE)
        return [s for s in _slots(self.api, self.a, FRESH_FROM, FRESH_TO) if s["nurse"]["nurse_id"] == self.ana_id]

    def slot(self, row: str) -> str:
        """A free slot of nurse ana for this row (member A has room to book it)."""
        if row not in self.rows:
            self._settle()
            self.rows[row] = self._free_slots()[0]["slot_id"]
        return self.rows[row]

    def consult(self, row: str, *, arrived: bool = False, and_free_slot: bool = False) -> dict:
        """A consult of member A with ana, booked at BASE for this row alone (started when `arrived`)."""
        if row not in self.rows:
            self._settle()
            booked = _book(self.api, self.a, self._free_slots()[0]["slot_id"])
            assert booked.status_code == 201, booked.body
            consult = _json(booked)
            if arrived:
                self.clock(datetime.fromisoformat(consult["start"]))
                started = self._post(f"/v1/nurse/appointments/{consult['appointment_id']}/start", self.ana)
                assert started.status_code == 200, started.body
            if and_free_slot:
                consult["free_slot"] = self._free_slots()[0]["slot_id"]
            self.rows[row] = consult
        return self.rows[row]

    def device(self) -> str:
        """A phone of member A registered for the deletion row alone."""
        if "device" not in self.rows:
            put = self.api.http.put("/v1/me/devices/matrix-leaving-phone", headers=self.a, body=json.dumps(
                {"platform": "apns", "token": "ab" * 32, "language": "en"}))
            assert put.status_code == 200, put.body
            self.rows["device"] = "matrix-leaving-phone"
        return self.rows["device"]

    def leaving_nurse(self) -> str:
        """A nurse added for the deactivation row alone (ana and bea serve every other row)."""
        if "leaving" not in self.rows:
            added = self._post("/v1/operators/nurses", {"Authorization": f"Bearer {self.tokens['operator']}",
                                                        "Content-Type": "application/json"}, {
                "username": "matrix-leaving", "email": "baja@example.com", "full_name": "Enf. Baja Prueba",
                "cedula_profesional": "12345678", "languages": ["es"]})
            assert added.status_code == 201, added.body
            self.rows["leaving"] = _json(added)["nurse_id"]
        return self.rows["leaving"]

    def verification_token(self) -> str:
        """The token in the QR code of member A's coverage certificate, issued once."""
        if "verification" not in self.rows:
            self.clock(BASE)
            pdf = self.api.http.get("/v1/me/coverage/certificate.pdf", headers={**self.a, "Accept": "application/pdf"})
            assert pdf.status_code == 200, pdf.body
            self.rows["verification"] = qr_url(pdf.body).rsplit("/", 1)[1]
        return self.rows["verification"]

    def etag(self, caller: str) -> str:
        """The caller's own profile version (If-Match), or a made-up one when they have no profile."""
        token = self.tokens.get(caller)
        if token is None:
            return '"1"'
        response = self.api.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        return {name.lower(): value for name, value in response.headers.items()}.get("etag", '"1"')


def _resigned(token: str, expires_in: int) -> str:
    """The same claims signed with the pool's (moto's) key, expiring `expires_in` seconds from now."""
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    issued = min(now, now + expires_in) - 3600
    key = jwt.algorithms.RSAAlgorithm.from_jwk(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode({**claims, "iat": issued, "auth_time": issued, "exp": now + expires_in}, key,
                      algorithm="RS256", headers={"kid": MOTO_JWKS["keys"][0]["kid"]})


def _other_pool_token(aws) -> str:
    """A member's access token from another user pool: moto signs it with the same key, so only the issuer and the
    client id tell it apart."""
    pool = aws.cognito.create_user_pool(PoolName="another-programme")["UserPool"]["Id"]
    client = aws.cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    aws.cognito.create_group(GroupName=Role.MEMBER.group, UserPoolId=pool)
    return access_token(aws.cognito, pool, client, "intruder", Role.MEMBER)


def _bearer(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _build(request, aws, api, clock) -> World:
    """test_records' `scene` (member A covered in December with a child under 18 and a spouse, nurses ana and bea,
    a consult of A with ana on 1 December 09:00), then: ana attends it and signs a note; member B; bea's own
    availability; A's child consented and waiting on 9 December; a spare beneficiary; an unmatched payment."""
    scene = request.getfixturevalue("scene")  # noqa: F811
    member, partner, operator = (request.getfixturevalue(name) for name in ("member", "partner", "operator"))
    a, ana, bea = scene["member"], scene["ana"], scene["bea"]
    b, _ = member()
    _publish(api, bea, {**WEEKDAYS_9_TO_11, "windows": [{"weekday": 4, "start": "09:00", "end": "10:00"}]})
    assert _consent(api, a, patient_id=scene["child"]).status_code == 201
    waiting = api.http.post("/v1/teleconsult/waitlist", headers=a, body=json.dumps(
        {"from": CHILD_WAITS_ON, "to": CHILD_WAITS_ON, "patient_id": scene["child"]}))
    assert waiting.status_code == 201, waiting.body
    spare = _add(api, a, relationship="child", curp=_child_curp(date(2017, 2, 2), "SPR"))
    assert spare.status_code == 201, spare.body
    unmatched = partner.send(paid("123456789012345678", "100.00", tx="matrix-unmatched", paid_at=clock.now()))
    assert unmatched.status_code == 200 and _json(unmatched)["status"] == "unmatched", unmatched.body
    (payment,) = _json(api.http.get("/v1/me/payments", headers=a))["payments"]
    noted = _attend(api, clock, ana, scene["consult"])
    assert noted.status_code == 201, noted.body
    same_curp, _ = member(curp=scene["curp"])  # any NSS: the registration answers 201 and opens a claim
    claimer, _ = member()  # names A's spare child and A's spouse as his own: two beneficiary claims
    spare_curp = _json(api.http.get("/v1/me/beneficiaries", headers=a))["beneficiaries"]
    by_curp = {b["curp"]: b for b in spare_curp}
    for named in (_json(spare)["curp"], next(c for c, b in by_curp.items() if b["relationship"] == "spouse")):
        relationship = "spouse" if by_curp[named]["relationship"] == "spouse" else "child"
        claimed = _add(api, claimer, relationship=relationship, curp=named)
        assert claimed.status_code == 201, claimed.body
    queue = _json(api.http.get("/v1/operators/identity-claims", headers=operator))["items"]
    beneficiary_claims = {c["relationship"]: c["claim_id"] for c in queue if c["context"] == "beneficiary"}
    claims = {"confirm": beneficiary_claims["child"], "reject": beneficiary_claims["spouse"]}

    tokens = {"member_a": _bearer(a), "member_b": _bearer(b), "nurse_assigned": _bearer(ana),
              "nurse_other": _bearer(bea), "operator": _bearer(operator), "expired": _resigned(_bearer(a), -3600),
              "foreign_pool": _other_pool_token(aws), "same_curp": _bearer(same_curp)}
    # Each bad token is bad for one reason only: A's claims re-signed with a live expiry are accepted, and the other
    # pool's token carries a valid signature of the same key with another issuer.
    alive = api.http.get("/v1/session", headers={"Authorization": f"Bearer {_resigned(_bearer(a), 300)}"})
    assert alive.status_code == 200 and _json(alive)["user_id"] == scene["user_id"], alive.body
    public = jwt.algorithms.RSAAlgorithm.from_jwk(MOTO_JWKS["keys"][0])
    foreign = jwt.decode(tokens["foreign_pool"], public, algorithms=["RS256"])
    assert foreign["iss"] != f"https://cognito-idp.{REGION}.amazonaws.com/{aws.pool_id}"
    assert foreign["cognito:groups"] == [Role.MEMBER.group]
    return World(a=a, tokens=tokens, member_id=scene["patient_id"], curp=scene["curp"], ana=ana,
                 ana_id=scene["ana_id"], child=scene["child"], spare_beneficiary=_json(spare)["beneficiary_id"],
                 payment_id=payment["payment_id"], unmatched_payment_id=_json(unmatched)["payment_id"],
                 entry_id=_json(noted)["entry_id"], secret=partner.secret(),
                 user_id=_json(alive)["user_id"], claims=claims)


@pytest.fixture
def world(request, built, aws, api, clock) -> World:
    if "world" not in built:
        built["world"] = _build(request, aws, api, clock)
    current = built["world"]
    current.api, current.clock = api, clock
    return current


# --- What each route is sent --------------------------------------------------------------------------------------

@dataclass
class Call:
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    at: datetime = BASE


def _start(consult: dict, minutes: int = 0) -> datetime:
    return datetime.fromisoformat(consult["start"]) + timedelta(minutes=minutes)


def _fresh_child() -> dict:
    return {"relationship": "child", "first_name": "Nombre", "last_name": "Prueba",
            "curp": _child_curp(date(2014, 1, 1) + timedelta(days=next(_serial)), "BNF")}


CALLS: dict[str, Callable[[World, str], Call]] = {
    "GET /v1/health": lambda w, c: Call(),
    "GET /v1/operators/health": lambda w, c: Call(),
    "GET /v1/openapi.json": lambda w, c: Call(),
    "GET /v1/session": lambda w, c: Call(),
    "POST /v1/registrations": lambda w, c: Call(body=registration()),
    "POST /v1/registrations/validation": lambda w, c: Call(body=registration()),
    "GET /v1/me": lambda w, c: Call(),
    "PATCH /v1/me": lambda w, c: Call(body={"auto_renewal": True}, headers={"If-Match": w.etag(c)}),
    "GET /v1/me/export": lambda w, c: Call(),
    "POST /v1/me/beneficiaries": lambda w, c: Call(body=_fresh_child()),
    "GET /v1/me/beneficiaries": lambda w, c: Call(),
    "DELETE /v1/me/beneficiaries/{beneficiary_id}": lambda w, c: Call({"beneficiary_id": w.spare_beneficiary}),
    "PUT /v1/me/devices/{device_id}": lambda w, c: Call({"device_id": "matrix-phone"}, body={
        "platform": "fcm", "token": f"matrix-token-{c}-" + "0" * 40, "language": "es"}),
    "DELETE /v1/me/devices/{device_id}": lambda w, c: Call({"device_id": w.device()}),
    "GET /v1/me/notification-preferences": lambda w, c: Call(),
    "PUT /v1/me/notification-preferences": lambda w, c: Call(body={"reminders": {"push": True, "email": False}}),
    "POST /v1/operators/members/lookup": lambda w, c: Call(body={"curp": w.curp}),
    "GET /v1/me/identity": lambda w, c: Call(),
    "POST /v1/me/identity/verification": lambda w, c: Call(
        body={"first_name": "Ana", "last_name": "Prueba", "birth_date": "1985-06-15"}),
    "GET /v1/operators/identity-claims": lambda w, c: Call(),
    "GET /v1/operators/identity-claims/{claim_id}": lambda w, c: Call({"claim_id": w.claims["confirm"]}),
    "POST /v1/operators/identity-claims/{claim_id}/confirm": lambda w, c: Call(
        {"claim_id": w.claims["confirm"]}, body={"why": "Acta de nacimiento revisada", "checked": "documents"}),
    "POST /v1/operators/identity-claims/{claim_id}/reject": lambda w, c: Call(
        {"claim_id": w.claims["reject"]}, body={"why": "Otra persona con la misma CURP tecleada"}),
    "POST /v1/quotes": lambda w, c: Call(body={"monthly_income_mxn": "9000", "zone": "general", "months": 3}),
    "GET /v1/me/quote": lambda w, c: Call(query={"months": "3"}),
    "POST /v1/me/payment-references": lambda w, c: Call(body={"months": 1}),
    "GET /v1/me/payment-references": lambda w, c: Call(),
    "GET /v1/me/payment-instructions": lambda w, c: Call(),
    "GET /v1/me/payments": lambda w, c: Call(),
    "GET /v1/me/payments/{payment_id}/receipt": lambda w, c: Call({"payment_id": w.payment_id}),
    "GET /v1/me/coverage": lambda w, c: Call(),
    "GET /v1/me/payments/{payment_id}/receipt.pdf": lambda w, c: Call({"payment_id": w.payment_id},
                                                                      headers={"Accept": "application/pdf"}),
    "GET /v1/me/coverage/certificate.pdf": lambda w, c: Call(headers={"Accept": "application/pdf"}),
    "GET /v1/verifications/{token}": lambda w, c: Call({"token": w.verification_token()}),
    "POST /v1/webhooks/{partner}": lambda w, c: Call(
        {"partner": "finabien"}, body=paid("123456789012345678", "250.00", tx=f"matrix-{c}", paid_at=BASE)),
    "GET /v1/operators/payments/unmatched": lambda w, c: Call(query={"limit": "10"}),
    "POST /v1/operators/payments/{payment_id}/resolve": lambda w, c: Call(
        {"payment_id": w.unmatched_payment_id}, body={"action": "refund", "note": "Sin referencia: se devuelve"}),
    "GET /v1/operators/stats": lambda w, c: Call(),
    "GET /v1/operators/stats/daily": lambda w, c: Call(query={"from": "2026-11-01", "to": "2026-11-30"}),
    "POST /v1/operators/nurses": lambda w, c: Call(body={
        "username": f"matrix-{c}", "email": "matriz@example.com", "full_name": "Enf. Matriz Prueba",
        "cedula_profesional": "12345678", "languages": ["es"]}),
    "PUT /v1/nurse/availability": lambda w, c: Call(body=WEEKDAYS_9_TO_11 if c == "nurse_assigned" else
                                                    {**WEEKDAYS_9_TO_11, "windows": [
                                                        {"weekday": 4, "start": "09:00", "end": "10:00"}]}),
    "GET /v1/operators/nurses": lambda w, c: Call(query={"limit": "10"}),
    "POST /v1/operators/nurses/{nurse_id}/deactivate": lambda w, c: Call(
        {"nurse_id": w.leaving_nurse()}, body={"reason": "Dejó el programa"}),
    "GET /v1/nurse/availability": lambda w, c: Call(),
    "GET /v1/nurse/agenda": lambda w, c: Call(query={"date": "2026-12-01"}),
    "GET /v1/teleconsult/slots": lambda w, c: Call(query={"from": FRESH_FROM, "to": FRESH_TO}),
    "POST /v1/me/consents/teleconsultation": lambda w, c: Call(
        body={"version": CONSENT_VERSION, "patient_id": w.child}),
    "POST /v1/teleconsult/appointments": lambda w, c: Call(body={
        "slot_id": w.slot("book"), "patient_id": w.member_id, "reason": "Dolor de garganta"}),
    "GET /v1/me/appointments": lambda w, c: Call(),
    "POST /v1/me/appointments/{appointment_id}/cancel": lambda w, c: Call(
        {"appointment_id": w.consult("member-cancel")["appointment_id"]}),
    "POST /v1/me/appointments/{appointment_id}/reschedule": lambda w, c: Call(
        {"appointment_id": (moving := w.consult("reschedule", and_free_slot=True))["appointment_id"]},
        body={"slot_id": moving["free_slot"]}),
    "GET /v1/nurse/appointments/{appointment_id}": lambda w, c: Call(
        {"appointment_id": w.consult("nurse-read")["appointment_id"]}),
    "POST /v1/nurse/appointments/{appointment_id}/start": lambda w, c: Call(
        {"appointment_id": (starting := w.consult("start"))["appointment_id"]}, at=_start(starting)),
    "POST /v1/nurse/appointments/{appointment_id}/cancel": lambda w, c: Call(
        {"appointment_id": w.consult("nurse-cancel")["appointment_id"]}, body={"reason": "Incapacidad médica"}),
    "POST /v1/nurse/appointments/{appointment_id}/noshow": lambda w, c: Call(
        {"appointment_id": (missed := w.consult("patient-noshow"))["appointment_id"]}, at=_start(missed, 10)),
    "GET /v1/nurse/appointments/{appointment_id}/follow-up/slots": lambda w, c: Call(
        {"appointment_id": (seen := w.consult("follow-up-slots", arrived=True))["appointment_id"]},
        query={"from": FRESH_FROM, "to": FRESH_TO}, at=_start(seen, 15)),
    "POST /v1/nurse/appointments/{appointment_id}/follow-up": lambda w, c: Call(
        {"appointment_id": (seen := w.consult("follow-up", arrived=True))["appointment_id"]},
        body={"slot_id": w._free_slots()[-1]["slot_id"], "reason": "Seguimiento"}, at=_start(seen, 15)),
    "POST /v1/me/appointments/{appointment_id}/noshow": lambda w, c: Call(
        {"appointment_id": (missed := w.consult("nurse-noshow"))["appointment_id"]}, at=_start(missed, 10)),
    "POST /v1/teleconsult/appointments/{appointment_id}/join": lambda w, c: Call(
        {"appointment_id": (joining := w.consult("join"))["appointment_id"]}, at=_start(joining, -5)),
    "POST /v1/teleconsult/waitlist": lambda w, c: Call(
        body={"from": A_WAITS_ON, "to": A_WAITS_ON, "patient_id": w.member_id}),
    "GET /v1/teleconsult/waitlist": lambda w, c: Call(),
    "DELETE /v1/teleconsult/waitlist/{patient_id}": lambda w, c: Call({"patient_id": w.child}),
    "POST /v1/nurse/appointments/{appointment_id}/end": lambda w, c: Call(
        {"appointment_id": (ending := w.consult("end", arrived=True))["appointment_id"]}, body=consult_note(),
        at=_start(ending, 15)),
    "POST /v1/nurse/records/{patient_id}/entries/{entry_id}/addenda": lambda w, c: Call(
        {"patient_id": w.member_id, "entry_id": w.entry_id}, body={"text": "La presión registrada fue 138/86."}),
    "GET /v1/me/record": lambda w, c: Call(query={"patient_id": w.child}),
    "GET /v1/nurse/patients/{patient_id}/record": lambda w, c: Call({"patient_id": w.member_id}),
    "GET /v1/records/{patient_id}/fhir": lambda w, c: Call({"patient_id": w.member_id}),
    "GET /v1/me/record/access-log": lambda w, c: Call(query={"patient_id": w.child}),
    "POST /v1/operators/record-audit/search": lambda w, c: Call(body={"curp": w.curp}),
    "POST /v1/me/closure": lambda w, c: Call(),
    "GET /v1/me/closure": lambda w, c: Call(),
    "GET /v1/operators/arco-requests": lambda w, c: Call(query={"limit": "10"}),
    "GET /v1/operators/arco-requests/{request_id}": lambda w, c: Call({"request_id": closure_request_id(w.user_id)}),
    "POST /v1/operators/arco-requests/{request_id}/complete": lambda w, c: Call(
        {"request_id": closure_request_id(w.user_id)}),
}


def _send(world: World, method: str, path: str, caller: str, call: Call):
    url = path.format(**call.params) + (f"?{urlencode(call.query)}" if call.query else "")
    body = json.dumps(call.body).encode() if call.body is not None else b""
    world.clock(call.at.astimezone(MX))
    headers = {"Content-Type": "application/json", **call.headers}
    if caller == "partner":
        headers.update(signed_headers(body, world.secret, None, int(world.clock.now().timestamp())))
    elif caller != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[caller]}"
    return world.api.http.request(method, url, headers=headers, body=body)


# --- The matrix ---------------------------------------------------------------------------------------------------

APP_ROUTES = [f"{method} {path}" for path, entry in app.routes.items() for method in entry]


def _cells():
    for route in APP_ROUTES + [r for r in EXPECTED if r not in APP_ROUTES]:
        for caller in RUN_ORDER:
            reason = KNOWN_BUGS.get((route, caller))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(route, caller, id=f"{route} as {caller}", marks=marks)


@pytest.mark.parametrize(("route", "caller"), list(_cells()))
def test_authorization_matrix(route, caller, request):
    assert route in APP_ROUTES, f"{route} is in EXPECTED but the app has no such route: remove the row"
    assert route in EXPECTED, f"{route} has no row in EXPECTED: say what every caller gets"
    assert len(EXPECTED[route]) == len(CALLERS), f"the row of {route} needs one status per caller {CALLERS}"
    assert route in CALLS, f"{route} has no entry in CALLS: say what it is sent"
    expected = dict(zip(CALLERS, EXPECTED[route]))[caller]
    world = request.getfixturevalue("world")
    method, path = route.split(" ", 1)
    response = _send(world, method, path, caller, CALLS[route](world, caller))
    assert response.status_code == expected, (
        f"{route} as {caller}: expected {expected}, got {response.status_code}: {response.body[:400]!r}")
    if response.status_code < 300 and caller not in ("member_a", "nurse_assigned", "operator"):
        own = (world.curp,) if caller == "same_curp" else ()  # the CURP it typed itself comes back in its profile
        secrets = [v for v in (world.member_id, world.user_id, world.curp, world.entry_id) if v not in own]
        leaked = [value for value in secrets if value.encode() in response.body]
        assert not leaked, f"{route} as {caller} answered with member A's identifiers"
