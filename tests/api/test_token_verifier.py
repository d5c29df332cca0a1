"""TokenVerifier against a key set of our own, served over loopback HTTP as Cognito serves its JWKS."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.errors import ServiceUnavailable, Unauthenticated
from chalicelib.http.auth import Role, TokenVerifier

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
