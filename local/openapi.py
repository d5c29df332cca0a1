"""Print the API's OpenAPI document as GET /v1/openapi.json serves it, without a server: what the console's types are
generated from at build time (`make console`)."""

import json

from chalicelib.http.system import openapi_document


def main() -> None:
    from app import app

    print(json.dumps(openapi_document(app), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
