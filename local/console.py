"""The staff console for `make run` and the browser tests: `console/dist` and its `/config.json` (where the API and
the Cognito pool are), with the security headers CloudFront adds in AWS (read from infra/template.json's
`ConsoleHeadersPolicy`, their one definition), so a page that breaks the policy breaks here.

    python -m local.console PORT      (reads .local/stack.json, written by `make run`)
"""

import json
import sys
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from local.aws import PROJECT, REGION, StackState
from local.bootstrap import load_template

DIST = PROJECT / "console" / "dist"
# The places the template's Content-Security-Policy lets the page connect to in AWS (the API Chalice generates as
# `RestAPI`, and Cognito), and which local service stands for each. Its other hosts are fixed names (Amazon Chime's,
# for the video room) and are served as they are: the local stack's rooms (VIDEO_PROVIDER=local) never reach them.
AWS_API = "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
AWS_COGNITO = "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}"


def policy_headers(template: dict, *, api: str, cognito: str, https: bool) -> dict[str, str]:
    """The headers infra/template.json's `ConsoleHeadersPolicy` (CloudFront's response headers policy) adds, with
    `api` and `cognito` where the page may connect to; HSTS only when served over `https`."""
    config = template["Resources"]["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    csp = csp.replace(AWS_API, api).replace(AWS_COGNITO, cognito)
    if "${" in csp:
        raise ValueError(f"the console's Content-Security-Policy names a place with no local stand-in: {csp}")
    headers = {"Content-Security-Policy": csp}
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    hsts = security.get("StrictTransportSecurity")
    if hsts and https:
        headers["Strict-Transport-Security"] = "; ".join(
            [f"max-age={hsts['AccessControlMaxAgeSec']}"]
            + (["includeSubDomains"] if hsts.get("IncludeSubdomains") else [])
            + (["preload"] if hsts.get("Preload") else []))
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


def security_headers(state: StackState) -> dict[str, str]:
    """As infra's CloudFront response headers policy sets them (read from the template, the one definition), with
    the local API and Cognito (moto) as the only places the page may connect to; no HSTS on loopback http."""
    return policy_headers(_template(), api=state.api_url, cognito=state.moto_endpoint, https=False)


@cache
def _template() -> dict:
    return load_template()  # once per process, not on every response


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
