import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.logs import JsonFormatter, scrub

CURP = st.from_regex(r"[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HM](NE|DF|JC)[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9]\d", fullmatch=True)
NSS = st.from_regex(r"\d{11}", fullmatch=True)
RFC = st.from_regex(r"[A-Z]{4}\d{6}[A-Z0-9]{3}", fullmatch=True)
EMAIL = st.emails()
PHONE = st.from_regex(r"\+1[2-9]\d{9}", fullmatch=True)
FILLER = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@given(secret=st.one_of(CURP, NSS, RFC, EMAIL, PHONE), before=FILLER, after=FILLER)
def test_identifiers_never_survive_scrubbing(secret, before, after):
    assert secret not in scrub(f"{before} {secret} {after}")


def test_ordinary_log_fields_are_kept():
    line = "GET /v1/health 200 latency 12.5 ms correlation 3f2b9c1e-aaaa-bbbb-cccc-123456789012"
    assert scrub(line) == line


def test_formatter_writes_one_json_object_and_scrubs_exceptions():
    try:
        raise ValueError("bad CURP GORS800101HNEMDN05 for maria@example.com")
    except ValueError:
        record = logging.LogRecord("pti", logging.ERROR, __file__, 1, "failed", None, exc_info=True)
        import sys

        record.exc_info = sys.exc_info()
    record.route = "/v1/registrations"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "failed" and entry["route"] == "/v1/registrations"
    assert "ValueError" in entry["exception"]
    assert "GORS800101HNEMDN05" not in line and "maria@example.com" not in line
