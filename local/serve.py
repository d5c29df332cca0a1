"""`chalice local` for this project, closer to API Gateway in two ways, after validating settings first.

- In AWS an unknown route never reaches the Lambda: API Gateway answers it, and infra/template.json turns that answer
  into a 404 problem. `chalice local` answers 403 "Missing Authentication Token"; here the same 404 problem is
  rendered through the service's own renderer.
- API Gateway takes bursts of connections; chalice's server keeps socketserver's listen backlog of 5, so a burst of
  parallel clients (the concurrency tests) would see connection resets. The backlog is raised.
And one local convenience: `make run AT=…` sets LOCAL_CLOCK_OFFSET_SECONDS, and the request clock runs that far
ahead of the machine's (to try a consult inside programme hours at any hour). Deployed code never sees it.
Everything else is plain `chalice local`.
"""

import os
import sys
import uuid
from datetime import datetime, timedelta, timezone

from chalice.cli import main as chalice_main
from chalice.local import LocalGateway, ThreadedHTTPServer

from chalicelib.errors import NotFound
from chalicelib.http import api
from chalicelib.http.cors import console_cors
from chalicelib.http.problems import problem_response
from chalicelib.i18n import negotiate
from chalicelib.settings import SettingsError, load_settings
from local.aws import PROJECT, stage_environment

_original_handle_request = LocalGateway.handle_request


def _handle_request(self, method, path, headers, body):
    try:
        self.event_converter._route_matcher.match_route(path)
    except ValueError:
        language = negotiate(headers.get("accept-language") or headers.get("Accept-Language"))
        correlation_id = str(uuid.uuid4())
        response = problem_response(
            NotFound(path=path.split("?")[0]), language, instance=path.split("?")[0], correlation_id=correlation_id
        )
        response.headers["X-Correlation-Id"] = correlation_id
        allowed = console_cors()
        if allowed is not None:  # the console reads this 404 too
            response.headers.update(allowed.get_access_control_headers())
        return response.to_dict()
    return _original_handle_request(self, method, path, headers, body)


def main() -> None:
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    try:
        load_settings({**os.environ, **stage_environment("local")})
    except SettingsError as error:
        sys.exit(str(error))
    LocalGateway.handle_request = _handle_request
    offset = timedelta(seconds=int(os.environ.get("LOCAL_CLOCK_OFFSET_SECONDS") or 0))
    if offset:
        api.utc_now = lambda: datetime.now(timezone.utc) + offset
    ThreadedHTTPServer.request_queue_size = 256
    sys.argv = ["chalice", "--project-dir", str(PROJECT), "local", "--stage", "local",
                "--host", "127.0.0.1", "--port", port, "--no-autoreload"]
    sys.exit(chalice_main())


if __name__ == "__main__":
    main()
