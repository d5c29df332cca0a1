"""Service routes: health and the API's own description."""

from functools import cache
from typing import Any, Literal

from chalicelib.domain.model import Model
from chalicelib.http.api import PUBLIC, Reply, Router
from chalicelib.auth import Role
from chalicelib.http.openapi import build_document, operations_of

API_VERSION = "1.0.0"

router = Router(__name__, tag="system")


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import system

    return system


class TableHealth(Model):
    name: str
    status: str


class Liveness(Model):
    status: Literal["ok"]
    service: str
    stage: str


class Health(Model):
    status: Literal["ok", "degraded"]
    service: str
    stage: str
    tables: list[TableHealth]


@router.route("/v1/health", "GET", roles=PUBLIC, response=Liveness,
              summary="The service answers (no database call: anyone may ask, as often as they like)")
def liveness() -> Liveness:
    about = service().about()
    return Liveness(status="ok", service=about.service, stage=about.stage)


@router.route(
    "/v1/operators/health",
    "GET",
    roles={Role.OPERATOR},
    response=Health,
    summary="Service and table status (503 when a table is not ACTIVE): one DescribeTable per table",
    extra_statuses=[503],
    reply_statuses=[503],  # the 503 is the same Health report (which table is not ACTIVE), not a problem
)
def health() -> Reply:
    found = service().health()
    report = Health(status="ok" if found.healthy else "degraded", service=found.about.service,
                    stage=found.about.stage, tables=[TableHealth(name=t.name, status=t.status) for t in found.tables])
    return Reply(report, 200 if found.healthy else 503)


@router.route("/v1/openapi.json", "GET", roles=PUBLIC, response=None, summary="This API as an OpenAPI 3.1 document")
def openapi() -> dict[str, Any]:
    return openapi_document(router.blueprint.current_app)


@cache
def openapi_document(app: Any) -> dict[str, Any]:
    return build_document(operations_of(app.routes), title="PTI Migrante API", version=API_VERSION)
