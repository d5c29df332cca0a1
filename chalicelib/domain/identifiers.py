"""Mexican identifiers and contact data: normalise what people type, then validate it.

CURP, RFC and Luhn come from python-stdnum; this module keeps our own rules and messages on top (which part of a CURP
is wrong, `NE` for people born abroad, an RFC check-digit mismatch as a warning). Every validator raises a
PydanticCustomError whose type is the message key in chalicelib/i18n.py, so these types can sit in any pydantic model.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BeforeValidator, PlainSerializer
from pydantic_core import PydanticCustomError
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from chalicelib.domain.catalogs import COUNTRIES, CURP_BIRTH_STATES, CURP_BORN_ABROAD, MEXICAN_STATES, US_STATES
from chalicelib.errors import FieldError

_SEPARATORS = re.compile(r"[\s\-._]+")


def _error(key: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(key, message, context or None)


def normalize_identifier(value: Any) -> Any:
    """' gors-800101 hnemdn05 ' → 'GORS800101HNEMDN05'. Non-text is left for the type check to report."""
    return _SEPARATORS.sub("", value).upper() if isinstance(value, str) else value


# --- CURP -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CurpFacts:
    birth_date: date
    sex: str  # "H" or "M", as RENAPO writes it
    birth_state: str

    @property
    def born_abroad(self) -> bool:
        return self.birth_state == CURP_BORN_ABROAD


def check_curp(value: str) -> str:
    if len(value) != 18:
        raise _error("curp_length", "A CURP has 18 characters; this one has {length}.", length=len(value))
    if not re.fullmatch(r"[A-Z]{4}[0-9]{6}[A-Z]{6}[0-9A-Z][0-9]", value):
        raise _error("curp_format", "The CURP does not have the expected letters and digits.")
    try:
        stdnum_curp.validate(value)
    except InvalidChecksum:
        raise _error("curp_check_digit", "The CURP's last digit does not match; check for a typo.") from None
    except InvalidComponent:
        raise _curp_component_error(value) from None
    except ValidationError:
        raise _error("curp_format", "The CURP does not have the expected letters and digits.") from None
    return value


def _curp_component_error(value: str) -> PydanticCustomError:
    try:
        stdnum_curp.get_birth_date(value)
    except ValidationError:
        return _error("curp_birth_date", "The birth date inside the CURP does not exist.")
    if value[10] not in "HM":
        return _error("curp_sex", "The CURP's sex letter (position 11) must be H or M.")
    if value[11:13] not in CURP_BIRTH_STATES:
        return _error("curp_state", "The CURP's birth-state code (positions 12-13) is unknown.")
    return _error("curp_inconvenient_word", "The CURP's first four letters are a word RENAPO never assigns.")


def curp_facts(curp: str) -> CurpFacts:
    """Facts of an already validated CURP."""
    return CurpFacts(stdnum_curp.get_birth_date(curp), curp[10], curp[11:13])


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def birthday(birth_date: date, years: int) -> date:
    """The date someone turns `years` (29 February birthdays fall on 1 March in common years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


# --- NSS ------------------------------------------------------------------------------------------------------------

def check_nss(value: str) -> str:
    if not re.fullmatch(r"[0-9]{11}", value):
        raise _error("nss_format", "The NSS has exactly 11 digits.")
    if not luhn.is_valid(value):
        raise _error("nss_check_digit", "The NSS's last digit does not match; check for a typo.")
    return value


def is_valid_nss(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{11}", value)) and luhn.is_valid(value)


# --- RFC (persona física) -------------------------------------------------------------------------------------------

def check_rfc(value: str) -> str:
    """Structure and birth date. The check digit is only a warning (see rfc_warnings)."""
    if len(value) != 13 or not re.fullmatch(r"[A-ZÑ&]{4}[0-9]{6}[A-Z0-9]{3}", value):
        raise _error("rfc_format", "An individual's RFC has 4 letters, 6 digits and a 3-character homoclave.")
    try:
        stdnum_rfc.validate(value, validate_check_digits=False)
    except ValidationError:
        raise _error("rfc_birth_date", "The date inside the RFC does not exist.") from None
    return value


def rfc_warnings(rfc: str, field: str = "rfc") -> list[FieldError]:
    """~1.5% of real RFCs carry an invalid check digit (python-stdnum), so a mismatch is reported, not refused."""
    homoclave_ok = re.fullmatch(r"[1-9A-V][1-9A-Z][0-9A]", rfc[-3:]) is not None
    if homoclave_ok and stdnum_rfc.calc_check_digit(rfc[:-1]) == rfc[-1]:
        return []
    return [FieldError(field, "rfc_check_digit")]


def rfc_matches_curp(rfc: str, curp: str) -> bool:
    """Both carry the birth date as YYMMDD right after the name letters."""
    return rfc[4:10] == curp[4:10]


# --- Contact data ---------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def normalize_email(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    local, at, domain = value.strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else value.strip()


def check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise _error("email_format", "Write the e-mail as name@domain.com.")
    return value


def normalize_phone(value: Any) -> Any:
    """'+1 (310) 555-0123' → '+13105550123'."""
    return re.sub(r"[\s().\-]", "", value) if isinstance(value, str) else value


def check_phone(value: str) -> str:
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", value):
        raise _error("phone_format", "Write the phone with + and country code, e.g. +13105550123.")
    return value


def check_mexican_phone(value: str) -> str:
    check_phone(value)
    if not re.fullmatch(r"\+52[0-9]{10}", value):
        raise _error("mx_phone_format", "A phone in Mexico is +52 followed by 10 digits.")
    return value


def check_postal_code(value: str) -> str:
    if not re.fullmatch(r"[0-9]{5}", value):
        raise _error("postal_code_format", "A Mexican postal code has 5 digits.")
    return value


def _in_catalogue(catalogue, key: str, message: str):
    def check(value: str) -> str:
        if value not in catalogue:
            raise _error(key, message)
        return value

    return check


check_mexican_state = _in_catalogue(MEXICAN_STATES, "mx_state_unknown", "Use the state's ISO code, e.g. JAL, CMX, MIC.")
check_us_state = _in_catalogue(US_STATES, "us_state_unknown", "Use the two-letter state code, e.g. CA, TX, IL.")
check_country = _in_catalogue(COUNTRIES, "country_unknown", "Use the two-letter ISO country code, e.g. US, CA.")


@cache
def _place_zones() -> frozenset[str]:
    """IANA's Area/Location zones: not the aliases a system file adds (localtime, posixrules, Factory) nor the
    POSIX-style Etc/ ones."""
    return frozenset(zone for zone in available_timezones()
                     if "/" in zone and not zone.startswith(("Etc/", "posix/", "right/", "SystemV/")))


def check_time_zone(value: str) -> str:
    if value not in _place_zones():
        raise _error("time_zone_unknown", "Use an IANA time zone, e.g. America/Los_Angeles.")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _error("time_zone_unknown", "Use an IANA time zone, e.g. America/Los_Angeles.") from None
    return value


# Pesos leave the API with their centavos, "9000.00", whether the Decimal came from a request ("9000.00") or from
# DynamoDB (which keeps 9000).
PESOS_STRING = PlainSerializer(lambda value: f"{Decimal(value):.2f}", return_type=str, when_used="json")


def decimal_string(places: int) -> BeforeValidator:
    """Money and rates only as decimal strings with at most `places` decimals: a JSON number may already have lost
    centavos, "9e3" is a number in disguise, and "1931.210" claims a precision the contract does not have."""
    pattern = re.compile(rf"\s*[0-9]{{1,12}}(\.[0-9]{{1,{places}}})?\s*")

    def check(value: Any) -> Any:
        if isinstance(value, Decimal) or (isinstance(value, str) and pattern.fullmatch(value)):
            return value  # a Decimal comes from our own code, never from JSON
        raise PydanticCustomError("decimal_string", "Send amounts as decimal strings, e.g. \"1766.90\".")

    return BeforeValidator(check)


def _upper_code(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Curp = Annotated[str, BeforeValidator(normalize_identifier), AfterValidator(check_curp)]
Nss = Annotated[str, BeforeValidator(normalize_identifier), AfterValidator(check_nss)]
Rfc = Annotated[str, BeforeValidator(normalize_identifier), AfterValidator(check_rfc)]
Email = Annotated[str, BeforeValidator(normalize_email), AfterValidator(check_email)]
Phone = Annotated[str, BeforeValidator(normalize_phone), AfterValidator(check_phone)]
MexicanPhone = Annotated[str, BeforeValidator(normalize_phone), AfterValidator(check_mexican_phone)]
PostalCode = Annotated[str, BeforeValidator(_strip), AfterValidator(check_postal_code)]
MexicanState = Annotated[str, BeforeValidator(_upper_code), AfterValidator(check_mexican_state)]
UsState = Annotated[str, BeforeValidator(_upper_code), AfterValidator(check_us_state)]
Country = Annotated[str, BeforeValidator(_upper_code), AfterValidator(check_country)]
TimeZoneName = Annotated[str, BeforeValidator(_strip), AfterValidator(check_time_zone)]
