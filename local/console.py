"""The staff console for `make run` and the browser tests: `console/dist` and its `/config.json` (where the API and
the Cognito pool are), with the security headers CloudFront adds in AWS, so a page that breaks the policy breaks here.

    python -m local.console PORT      (reads .local/stack.json, written by `make run`)
"""

import json
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from local.aws import PROJECT, REGION, StackState

DIST = PROJECT / "console" / "dist"


def security_headers(state: StackState) -> dict[str, str]:
    """As infra's CloudFront response headers policy sets them, with the local API and Cognito (moto) as the only
    places the page may connect to."""
    connect = " ".join(sorted({state.api_url, state.moto_endpoint}))
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' {connect}; media-src 'self' blob:; manifest-src 'self'; "
            f"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
        "Cache-Control": "no-store",
    }


def client_config(state: StackState) -> dict:
    """What the console needs to find the API and sign in (served as /config.json; in AWS, written beside the app)."""
    return {"api": state.api_url,
            "cognito": {"endpoint": state.moto_endpoint, "region": REGION, "user_pool_id": state.user_pool_id,
                        "client_id": state.app_client_id}}


class ConsoleHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, state: StackState, **kwargs) -> None:
        self.state = state
        super().__init__(*args, directory=str(DIST), **kwargs)

    def end_headers(self) -> None:
        for name, value in security_headers(self.state).items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.json":
            body = json.dumps(client_config(self.state)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # the API's log is the one to read
        pass


def built() -> bool:
    return (DIST / "index.html").exists()


def serve(state: StackState, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), partial(ConsoleHandler, state=state))


def main() -> None:
    if not built():
        sys.exit("The console is not built: run `make console`.")
    serve(StackState.load(), int(sys.argv[1])).serve_forever()


if __name__ == "__main__":
    main()
