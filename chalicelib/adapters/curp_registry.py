"""The CURP registry behind identity proofing's registry check (the `CurpRegistry` port of domain/identity.py).

`DemoCurpRegistry` serves the synthetic demo people in data/demo_curp_registry.json (local runs and tests);
`ProviderCurpRegistry` asks a CURP-registry provider (RENAPO's data, resold by verification providers) over HTTPS:
`POST <url>` with `{"curp": "<CURP>"}` and `Authorization: Bearer <key>`; 200 with the person's registry data
(`first_name`, `last_name`, `second_last_name`, `birth_date`, `sex`, `birth_state`), 404 when the CURP is not in the
registry. A provider with another shape gets an adapter of its own beside these two.
"""

import http.client
import json
import urllib.error
import urllib.request
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from chalicelib.domain.identity import RegistryRecord
from chalicelib.errors import ServiceUnavailable

_DEMO_PEOPLE = Path(__file__).parent / "data" / "demo_curp_registry.json"


class DemoCurpRegistry:
    name = "demo-registry"

    def __init__(self, people: list[dict] | None = None) -> None:
        self._people = people

    @cached_property
    def _by_curp(self) -> dict[str, RegistryRecord]:
        people = self._people if self._people is not None else json.loads(_DEMO_PEOPLE.read_text())["people"]
        return {person["curp"]: RegistryRecord.model_validate(person) for person in people}

    def lookup(self, curp: str) -> RegistryRecord | None:
        return self._by_curp.get(curp)


class ProviderCurpRegistry:
    name = "curp-registry-provider"
    TIMEOUT_SECONDS = 5

    def __init__(self, url: str, api_key: str) -> None:
        self._url, self._api_key = url, api_key

    def lookup(self, curp: str) -> RegistryRecord | None:
        request = urllib.request.Request(
            self._url, data=json.dumps({"curp": curp}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._api_key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:  # https in prod
                body = json.loads(response.read(65536))
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise ServiceUnavailable() from error
        except (urllib.error.URLError, http.client.HTTPException, OSError, json.JSONDecodeError) as error:
            raise ServiceUnavailable() from error  # unreachable, reset, cut short, or not JSON: the provider's fault
        if not isinstance(body, dict):
            raise ServiceUnavailable()
        try:
            return RegistryRecord.model_validate({**body, "curp": curp})
        except ValidationError as error:
            raise ServiceUnavailable() from error
