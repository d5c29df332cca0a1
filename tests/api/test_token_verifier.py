"""TokenVerifier against a key set of our own, served over loopback HTTP as Cognito serves its JWKS."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.errors import ServiceUnavailable, Unauthenticated
from chalicelib.auth import Role, TokenVerifier

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
CLIENT_ID = "client-1"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY, OTHER_KEY = _key(), _key()


@pytest.fixture
def verifier(jwks_server):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    return TokenVerifier(ISSUER, CLIENT_ID, jwks_server({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))


def _token(key=SIGNING_KEY, kid="k1", algorithm="RS256", **overrides):
    now = int(time.time())
    claims = {
        "iss": ISSUER, "sub": "user-1", "client_id": CLIENT_ID, "token_use": "access", "username": "maria",
        "iat": now, "exp": now + 300, "cognito:groups": ["members"],
    } | overrides
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


def test_valid_access_token_gives_caller_with_roles(verifier):
    caller = verifier.verify(f"Bearer {_token(**{'cognito:groups': ['members', 'nurses', 'admins']})}")
    assert caller.user_id == "user-1" and caller.username == "maria"
    assert caller.roles == {Role.MEMBER, Role.NURSE}
    assert caller.roles_label == "member,nurse"


def test_no_groups_means_no_roles(verifier):
    assert verifier.verify(f"Bearer {_token(**{'cognito:groups': None})}").roles == frozenset()


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_or_non_bearer_header(verifier, header):
    with pytest.raises(Unauthenticated) as raised:
        verifier.verify(header)
    assert raised.value.detail_key == "token-missing"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: _token(exp=int(time.time()) - 60), "token-expired"),
        (lambda: _token(iss="https://cognito-idp.us-east-1.amazonaws.com/other"), "token-invalid"),
        (lambda: _token(client_id="someone-else"), "token-invalid"),
        (lambda: _token(token_use="id"), "token-invalid"),
        (lambda: _token(client_id=None), "token-invalid"),
        (lambda: _token(sub=None), "token-invalid"),
        (lambda: _token(key=OTHER_KEY), "token-invalid"),
        (lambda: _token(kid="unknown"), "token-invalid"),
        (lambda: _token()[:-4] + "AAAA", "token-invalid"),
        (lambda: "not.a.jwt", "token-invalid"),
        (lambda: jwt.encode({"sub": "x"}, "a-shared-secret-of-thirty-two-bytes!", algorithm="HS256", headers={"kid": "k1"}), "token-invalid"),
    ],
    ids=["expired", "issuer", "client", "id-token", "no-client", "no-sub", "forged", "unknown-kid", "tampered",
         "garbage", "hs256-confusion"],
)
def test_rejected_tokens(verifier, token, reason):
    with pytest.raises(Unauthenticated) as raised:
        verifier.verify(f"Bearer {token()}")
    assert raised.value.detail_key == reason


def test_expiry_has_small_leeway_for_clock_skew(verifier):
    assert verifier.verify(f"Bearer {_token(exp=int(time.time()) - 5)}").user_id == "user-1"


def test_unreachable_key_set_is_a_503_not_a_401():
    verifier = TokenVerifier(ISSUER, CLIENT_ID, "http://127.0.0.1:9/jwks.json")
    with pytest.raises(ServiceUnavailable):
        verifier.verify(f"Bearer {_token()}")


def _token_with(**claims):
    """Like `_token`, but a claim given as None is sent as JSON null instead of being left out."""
    now = int(time.time())
    base = {"iss": ISSUER, "sub": "user-1", "client_id": CLIENT_ID, "token_use": "access", "username": "maria",
            "iat": now, "exp": now + 300, "cognito:groups": ["members"]}
    return jwt.encode(base | claims, SIGNING_KEY, algorithm="RS256", headers={"kid": "k1"})


@pytest.mark.parametrize(
    "claims",
    [
        {"cognito:groups": "members"},
        {"cognito:groups": "nurses operators"},
        {"cognito:groups": {"members": True}},
        {"cognito:groups": 1},
        {"cognito:groups": True},
        {"cognito:groups": None},
        {"cognito:groups": ["members", 5]},
        {"cognito:groups": [["nurses"]]},
        {"cognito:groups": [None]},
        {"sub": 42},
        {"sub": ["user-1"]},
        {"sub": ""},
        {"sub": None},
        {"username": 7},
        {"username": {"name": "maria"}},
        {"username": ""},
        {"username": None},
        {"token_use": ["access"]},
        {"token_use": None},
        {"client_id": [CLIENT_ID]},
        {"client_id": {"id": CLIENT_ID}},
        {"client_id": None},
    ],
    ids=lambda claims: "-".join(f"{k}={type(v).__name__}:{v!r}" for k, v in claims.items()),
)
def test_signed_tokens_with_claims_of_the_wrong_type_are_refused(verifier, claims):
    """Signed by the right key, but the claims are not what Cognito issues: 401 token-invalid, never coerced."""
    with pytest.raises(Unauthenticated) as raised:
        verifier.verify(f"Bearer {_token_with(**claims)}")
    assert raised.value.detail_key == "token-invalid"


def test_an_empty_group_list_is_a_caller_without_roles(verifier):
    caller = verifier.verify(f"Bearer {_token_with(**{'cognito:groups': []})}")
    assert caller.roles == frozenset() and caller.user_id == "user-1"


def test_a_token_without_username_is_named_by_its_sub(verifier):
    claims = {"iss": ISSUER, "sub": "user-1", "client_id": CLIENT_ID, "token_use": "access",
              "iat": int(time.time()), "exp": int(time.time()) + 300}
    token = jwt.encode(claims, SIGNING_KEY, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.verify(f"Bearer {token}").username == "user-1"


def test_a_wrongly_typed_token_is_a_401_problem_over_the_api(api, aws):
    """Through the route wrapper: a token moto signed for our pool, whose groups claim is a string, is a 401."""
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    from local.aws import REGION

    token = aws.token(Role.MEMBER, "typed")
    pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID][REGION].user_pools[aws.pool_id]
    forged, _ = pool.create_jwt(aws.client_id, "typed", "access", extra_data={"cognito:groups": "members"})
    assert api.http.get("/v1/session", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    answered = api.http.get("/v1/session", headers={"Authorization": f"Bearer {forged}"})
    garbage = api.http.get("/v1/session", headers={"Authorization": "Bearer not.a.jwt"})
    assert answered.status_code == garbage.status_code == 401, answered.body
    assert json.loads(answered.body)["detail"] == json.loads(garbage.body)["detail"]  # the token-invalid text
