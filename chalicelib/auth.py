"""Bearer-token verification for Cognito access tokens, the one way any route learns who calls it."""

from dataclasses import dataclass
from enum import Enum

from chalicelib.errors import ServiceUnavailable, Unauthenticated


class Role(str, Enum):
    MEMBER = "member"
    NURSE = "nurse"
    OPERATOR = "operator"

    @property
    def group(self) -> str:
        """The Cognito group that grants this role."""
        return f"{self.value}s"


_ROLE_BY_GROUP = {role.group: role for role in Role}


@dataclass(frozen=True)
class Caller:
    user_id: str  # Cognito `sub`: stable, never reused; the key for everything a user owns
    username: str
    roles: frozenset[Role]

    @property
    def roles_label(self) -> str:
        """Roles as logged: `member`, `nurse,operator`, or `none`."""
        return ",".join(sorted(role.value for role in self.roles)) or "none"


class TokenVerifier:
    """Verifies signature (JWKS, cached), issuer, `token_use`, client id and expiry of Cognito access tokens."""

    ALGORITHMS = ["RS256"]
    LEEWAY_SECONDS = 30

    def __init__(self, issuer: str, client_id: str, jwks_url: str) -> None:
        import jwt  # PyJWT and the cryptography it loads (~50 ms): only once a token is to be checked, not at cold start

        self._issuer = issuer
        self._client_id = client_id
        # PyJWKClient caches the key set and refetches it once when a token names an unknown key (rotation).
        self._jwks = jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=3600, timeout=5)

    def verify(self, authorization: str | None) -> Caller:
        import jwt  # loaded by __init__ already: a dictionary lookup

        token = _bearer_token(authorization)
        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable() from exc
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise Unauthenticated("token-invalid") from exc
        try:
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=self.ALGORITHMS,
                issuer=self._issuer,
                leeway=self.LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub", "token_use", "client_id"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token-expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("token-invalid") from exc
        _check_claim_types(claims)
        if claims["token_use"] != "access" or claims["client_id"] != self._client_id:
            raise Unauthenticated("token-invalid")
        groups = claims.get("cognito:groups", [])
        return Caller(
            user_id=claims["sub"],
            username=claims.get("username", claims["sub"]),
            roles=frozenset(_ROLE_BY_GROUP[g] for g in groups if g in _ROLE_BY_GROUP),
        )


_STRING_CLAIMS = ("sub", "token_use", "client_id")


def _check_claim_types(claims: dict) -> None:
    """A signed token is still only as good as its shape: `sub`, `token_use`, `client_id` (and `username` when present)
    are non-empty strings and `cognito:groups`, when present, a list of strings. Anything else is refused (401), never
    coerced: a string where the list belongs would otherwise be read letter by letter."""
    for name in _STRING_CLAIMS:
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise Unauthenticated("token-invalid")
    if "username" in claims and (not isinstance(claims["username"], str) or not claims["username"]):
        raise Unauthenticated("token-invalid")
    if "cognito:groups" in claims:
        groups = claims["cognito:groups"]
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            raise Unauthenticated("token-invalid")


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("token-missing")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("token-missing")
    return token.strip()
