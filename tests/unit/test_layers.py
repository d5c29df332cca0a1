"""The layer rule, checked on the source: domain code imports no framework or AWS library, store no HTTP."""

import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
FORBIDDEN = {
    "domain": {"chalice", "boto3", "botocore", "pynamodb", "chalicelib.http", "chalicelib.store", "chalicelib.wiring"},
    "store": {"chalice", "chalicelib.http"},
}


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
