"""The layer rule, checked on the source: routes call services, services use the store, the adapters and the domain,
the store uses the domain (and the KMS adapter for sealed content), adapters use the domain, and the domain imports no
framework, AWS library or other layer of ours."""

import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
FORBIDDEN = {
    "domain": {"chalice", "boto3", "botocore", "pynamodb", "chalicelib.http", "chalicelib.services", "chalicelib.store",
               "chalicelib.wiring"},
    "store": {"chalice", "chalicelib.http", "chalicelib.services"},
    "adapters": {"chalice", "chalicelib.http", "chalicelib.services", "chalicelib.store"},
    "services": {"chalice", "chalicelib.http"},
}
# The route table's own modules: the router, sign-in, shared views and rendering.
ROUTE_MECHANISM = {"api", "middleware", "openapi", "problems", "rendering", "request_scope", "views"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    for path in (CHALICELIB / layer).rglob("*.py"):
        for name in _imports(path):
            assert not any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer]), (path, name)


def test_route_modules_call_services_not_the_store_nor_each_other():
    for path in (CHALICELIB / "http").glob("*.py"):
        if path.stem in ROUTE_MECHANISM or path.stem == "__init__":
            continue
        names = _imports(path)
        others = {name for name in names if name.startswith("chalicelib.http.")
                  and name.rsplit(".", 1)[1] not in ROUTE_MECHANISM}
        assert not others, (path.name, others)
        assert not any(name.startswith("chalicelib.store") for name in names), (path.name, "imports the store")


@pytest.mark.parametrize("module", ["auth.py", "errors.py", "i18n.py", "json_input.py", "logs.py", "settings.py", "wiring.py"])
def test_cross_cutting_modules_do_not_depend_on_the_routes(module):
    assert not {name for name in _imports(CHALICELIB / module) if name.startswith("chalicelib.http")}
