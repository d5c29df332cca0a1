"""JSON responses, serialised once and as UTF-8 (Chalice's default escapes every accent as \\uXXXX)."""

import json
from typing import Any

from chalice import Response


def json_response(payload: Any, status: int, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body=body, status_code=status, headers={"Content-Type": content_type, **(headers or {})})
