"""Where the FIX comes from: the exchange-rate provider port and its two adapters.

`BanxicoSie` asks Banco de México's SIE REST API (`GET <base>/series/SF43718/datos/<start>/<end>`, dates
yyyy-mm-dd, header `Bmx-Token`: the token Banxico issues, kept in Secrets Manager). `RecordedSeries` serves a recorded
SIE answer committed beside this file (local runs and tests): it answers what SIE would have answered, only the days
up to `end`. Both return domain/exchange_rates.py's parse of the answer; any failure is `RateProviderError`.
"""

import http.client
import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Protocol

from chalicelib.domain.exchange_rates import FIX_SERIES, ExchangeRate, SieAnswerError, parse_sie

RECORDED_FIX = Path(__file__).parent / "data" / "banxico-sf43718.json"
SIE_URL = "https://www.banxico.org.mx/SieAPIRest/service/v1"


class RateProviderError(RuntimeError):
    """The provider did not answer usable rates (unreachable, refused, or an answer of another shape)."""


class ExchangeRateProvider(Protocol):
    name: str

    def observations(self, start: date, end: date) -> list[ExchangeRate]:
        """The FIX published on each banking day from `start` through `end`, oldest first."""


class BanxicoSie:
    name = "banxico-sie"
    TIMEOUT_SECONDS = 10

    def __init__(self, token: str, base_url: str = SIE_URL) -> None:
        self._token, self._base_url = token, base_url.rstrip("/")

    def observations(self, start: date, end: date) -> list[ExchangeRate]:
        url = f"{self._base_url}/series/{FIX_SERIES}/datos/{start.isoformat()}/{end.isoformat()}"
        request = urllib.request.Request(url, headers={"Bmx-Token": self._token, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:  # noqa: S310 (https)
                answer = json.loads(response.read(1 << 20))
        # ValueError: not JSON, or not even UTF-8 (json's JSONDecodeError and UnicodeDecodeError), or a token
        # http.client refuses to send (its message quotes the token, so only the type is kept).
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            raise RateProviderError(f"SIE did not answer: {type(error).__name__}") from None
        try:
            return parse_sie(answer)
        except SieAnswerError as error:
            raise RateProviderError(str(error)) from error


class RecordedSeries:
    name = "recorded-series"

    def __init__(self, path: Path = RECORDED_FIX) -> None:
        self._path = path

    def observations(self, start: date, end: date) -> list[ExchangeRate]:
        try:
            rates = parse_sie(json.loads(self._path.read_text()))
        except (OSError, json.JSONDecodeError, SieAnswerError) as error:
            raise RateProviderError(f"the recorded series is unreadable: {error}") from error
        return [rate for rate in rates if start <= rate.published <= end]
