"""Synthetic people whose identifiers pass every check digit (no real person's data anywhere in the tests)."""

import itertools
from datetime import date

from stdnum import luhn
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

_serial = itertools.count(1)


def make_curp(initials: str = "GOMA", birth: date = date(1985, 6, 15), sex: str = "M", state: str = "NE",
              consonants: str = "LRR") -> str:
    """RENAPO layout; position 17 is a digit for births before 2000 and a letter after."""
    differentiator = "0" if birth.year < 2000 else "A"
    body = f"{initials}{birth:%y%m%d}{sex}{state}{consonants}{differentiator}"
    return body + stdnum_curp.calc_check_digit(body + "0")


def make_nss(seed: int | None = None) -> str:
    body = f"{(seed if seed is not None else next(_serial)) % 10**10:010d}"
    return body + luhn.calc_check_digit(body)


def make_rfc(curp: str, homoclave: str = "AB") -> str:
    body = curp[:10] + homoclave
    return body + stdnum_rfc.calc_check_digit(body)


def unique_curp(birth: date = date(1985, 6, 15), sex: str = "M") -> str:
    """A different valid CURP per call (the consonant block varies)."""
    n = next(_serial)
    letters = "BCDFGHJKLMNPQRSTVWXYZ"
    consonants = letters[n % 21] + letters[(n // 21) % 21] + letters[(n // 441) % 21]
    return make_curp(birth=birth, sex=sex, consonants=consonants)


def registration(**overrides) -> dict:
    """The contract's minimum request, valid, for a fresh synthetic person."""
    curp = overrides.pop("curp", None) or unique_curp()
    body = {
        "curp": curp,
        "nss": make_nss(),
        "rfc": None,
        "email": "persona.prueba@example.com",
        "phone": "+13105550123",
        "monthly_income_mxn": "9000.00",
        "zone": "general",
        "residence": {"country": "US", "state": "CA", "time_zone": "America/Los_Angeles"},
        "relative_in_mexico": {
            "name": "Rosa Prueba",
            "phone": "+523312345678",
            "address": {"street": "Av. Juárez", "exterior_number": "100", "interior_number": None,
                        "colonia": "Centro", "municipio": "Guadalajara", "state": "JAL", "postal_code": "44100"},
        },
        "auto_renewal": True,
        "accepted_terms_version": "1",
        "sensitive_data_consent": True,
    }
    body.update(overrides)
    return body


def consult_note(**changes) -> dict:
    """A nurse's note as `POST /v1/nurse/appointments/{id}/end` takes it (synthetic clinical content)."""
    return {
        "reason": "Control de presión arterial",
        "symptoms": "Cefalea leve por las tardes desde hace una semana",
        "vital_signs": {"temperature_c": 36.6, "heart_rate_bpm": 78, "systolic_mmhg": 138, "diastolic_mmhg": 88,
                        "oxygen_saturation_pct": 97, "weight_kg": 82.5},
        "assessment": "Presión arterial en límite alto, sin datos de alarma",
        "plan": "Registro de presión dos veces al día durante una semana",
        "recommendations": "Reducir sal, caminar 30 minutos diarios",
        "prognosis": "Bueno",
        "referral": {"to_family_medicine_unit": True, "why": "Valoración médica de hipertensión"},
        **changes,
    }
