"""An account's closure over HTTP on the local stack (`make run`'s): the member asks, an operator answers, and the end
state (what was erased, what is kept and until when) is readable; the sign-in is disabled in the local Cognito."""

import pytest

from tests.people import registration

pytestmark = pytest.mark.e2e


def test_a_member_closes_the_account_and_an_operator_answers_it(stack):
    member = stack.signed_in("member", "closing-ana")
    operator = stack.signed_in("operator", "closing-operator")
    assert stack.request("POST", "/v1/registrations", headers=member, json_body=registration()).status == 201

    asked = stack.request("POST", "/v1/me/closure", headers=member)
    assert asked.status == 201 and asked.json()["status"] == "open"
    request_id = asked.json()["request_id"]
    assert stack.request("GET", "/v1/me", headers=member).json()["status"] == "closing"
    queue = stack.request("GET", "/v1/operators/arco-requests", headers=operator).json()["items"]
    assert request_id in [item["request_id"] for item in queue]

    answered = stack.request("POST", f"/v1/operators/arco-requests/{request_id}/complete", headers=operator)

    assert answered.status == 200 and answered.json()["status"] == "completed"
    closure = stack.request("GET", "/v1/me/closure", headers=member).json()
    assert {kept["data"] for kept in closure["kept"]} == {"identity_and_consents", "arco_request"}
    assert all(kept["law"] and kept["ends_on"] for kept in closure["kept"])
    profile = stack.request("GET", "/v1/me", headers=member).json()
    assert profile["status"] == "closed" and profile["email"] is None and profile["relative_in_mexico"] is None
    with pytest.raises(Exception, match="(?i)disabled"):  # the local Cognito refuses the next sign-in
        stack.signed_in("member", "closing-ana")
