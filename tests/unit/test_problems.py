import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from chalicelib.errors import InvalidInput, MethodNotAllowed, Unauthenticated, field_errors, field_path
from chalicelib.http.problems import problem_body, problem_response


class Address(BaseModel):
    postal_code: str = Field(pattern=r"^\d{5}$")


class Child(BaseModel):
    name: str = Field(min_length=1)


class Form(BaseModel):
    income: int = Field(gt=0)
    zone: Literal["general", "zlfn"]
    address: Address
    children: list[Child] = []


def _errors(data) -> InvalidInput:
    with pytest.raises(ValidationError) as raised:
        Form.model_validate(data)
    return InvalidInput(field_errors(raised.value))


@pytest.mark.parametrize(
    ("loc", "path"),
    [(("a",), "a"), (("a", "b"), "a.b"), (("children", 0, "name"), "children[0].name"), ((), "")],
)
def test_field_paths(loc, path):
    assert field_path(loc) == path


def test_every_bad_field_is_named_with_a_message_in_each_language():
    error = _errors({"income": -5, "zone": "north", "address": {"postal_code": "123"}, "children": [{"name": ""}]})
    spanish = problem_body(error, "es", instance="/x", correlation_id="c1")["errors"]
    english = problem_body(error, "en", instance="/x", correlation_id="c1")["errors"]
    assert [e["field"] for e in spanish] == ["income", "zone", "address.postal_code", "children[0].name"]
    assert spanish[0]["message"] == "Debe ser mayor que 0."
    assert english[0]["message"] == "Must be greater than 0."
    assert spanish[1]["message"] == "Debe ser uno de: 'general' or 'zlfn'."


def test_missing_fields_and_non_object_body():
    missing = _errors({})
    assert {e.field for e in missing.errors} == {"income", "zone", "address"}
    assert {e.key for e in missing.errors} == {"missing"}
    not_object = _errors([1, 2])
    assert [(e.field, e.key) for e in not_object.errors] == [("body", "model_type")]


def test_problem_shape_and_headers():
    response = problem_response(Unauthenticated("token-expired"), "en", instance="/v1/session", correlation_id="abc")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert json.loads(response.body) == {
        "type": "urn:pti-migrante:problem:unauthenticated",
        "title": "Authentication required",
        "status": 401,
        "detail": "Your session expired; sign in again.",
        "instance": "/v1/session",
        "correlation_id": "abc",
    }
    allowed = problem_response(MethodNotAllowed(path="/p", method="PUT", allowed="GET"), "es", instance="/p", correlation_id="x")
    assert allowed.headers["Allow"] == "GET"
