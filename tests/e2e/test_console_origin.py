"""The API over HTTP as the staff console's browser meets it: exactly the console's origin is allowed, on answers,
preflights, errors and the gateway's 404 alike."""

import pytest

from chalicelib.http.cors import REQUEST_HEADERS, cors_for


def _origin(stack) -> str:
    return f"http://127.0.0.1:{stack.ports['console']}"


def test_a_preflight_from_the_console_allows_what_it_sends(stack):
    answer = stack.request("OPTIONS", "/v1/nurse/agenda", headers={
        "Origin": _origin(stack), "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,accept-language"})
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == _origin(stack)
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", *(h.lower() for h in REQUEST_HEADERS)} <= allowed
    assert "GET" in answer.headers["access-control-allow-methods"]


def test_answers_and_problems_name_only_the_console_origin(stack):
    evil = {"Origin": "https://evil.example"}
    for method, path, status in [("GET", "/v1/health", 200), ("GET", "/v1/nurse/agenda", 401),
                                 ("GET", "/v1/no-such-route", 404)]:
        answer = stack.request(method, path, headers=evil)
        assert answer.status == status, (path, answer.body[:200])
        assert answer.headers["access-control-allow-origin"] == _origin(stack), path  # not the caller's: refused
    too_big = stack.request("POST", "/v1/quotes", headers={**evil, "Content-Type": "application/json"},
                            body=b"{" + b" " * (70 * 1024) + b"}")
    assert too_big.status == 413 and too_big.headers["access-control-allow-origin"] == _origin(stack)
    health = stack.request("GET", "/v1/health", headers={"Origin": _origin(stack)})
    exposed = {h.strip().lower() for h in health.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "x-correlation-id", "retry-after", "content-language"} <= exposed


@pytest.mark.parametrize("origin", ["http://example.com", "https://a.example/path", "*", "https://x.example:99999x",
                                    "null", "http://127.0.0.1.evil.example:8003"])
def test_only_an_https_or_loopback_origin_can_be_configured(origin):
    with pytest.raises(ValueError):
        cors_for(origin)


def test_no_origin_configured_allows_no_browser():
    assert cors_for(None) is None and cors_for("") is None
