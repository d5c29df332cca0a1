"""Lambda cold start (issue 17 item 6): `import app` against a minimal app (a Chalice app with one POST route, one
PynamoDB model with an index, a version and a TTL attribute, and one pydantic model), the time to the first response
of a fresh process, and the deployment package `make package` builds, against the goals: import within x1.25 of the
minimal app, package at most 20 MB zipped.

Every figure is the median of fresh interpreters (imports are cached within one), timed inside the child so that the
interpreter's own start-up is excluded, as wall time and as the process's CPU time (the machine may be shared: CPU
time is what a busy neighbour disturbs least). The cases being compared run in alternating processes from the same
virtualenv, after one unmeasured run each that leaves their bytecode cached, as the package carries it for Lambda.

- `import app`: the import alone, and as Lambda does it (AWS_LAMBDA_FUNCTION_NAME set: app.py validates the settings
  and binds the tables at import, so a bad environment fails before the first request).
- First response: a fresh process, as Lambda, imports the app and answers one API Gateway proxy event through the app
  object: `GET /v1/health` (no AWS call) and `POST /v1/quotes` (the public calculator: its models and the rate book),
  beside the minimal app answering its POST.
- Package: `make package PACKAGE_DIR=<temporary>`; its size, that what Lambda's runtime provides is not in it, and
  that its handler imports and answers from the unpacked package (this virtualenv's boto3/botocore standing in for
  the runtime's).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local.aws import stage_environment  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
RUNS = 9
IMPORT_GOAL = 1.25
PACKAGE_GOAL_MB = 20.0
# What Lambda's python3.11 runtime provides, left out of the package by `make package` (its RUNTIME_PROVIDED).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")

MINIMAL_APP = '''
from chalice import Chalice
from pydantic import BaseModel
from pynamodb.attributes import TTLAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

app = Chalice(app_name="minimal")


class ByEmail(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class Item(Model):
    class Meta:
        table_name = "items"
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)
    by_email = ByEmail()


class Body(BaseModel):
    email: str


@app.route("/items", methods=["POST"])
def create():
    return Body.model_validate(app.current_request.json_body).model_dump()
'''

TIMED = """
import time
wall, cpu = time.perf_counter(), time.process_time()
{body}
print((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
"""
# One API Gateway proxy event, answered by the app object as Lambda's handler `app.app` would.
REQUEST = """
import {module}


class Context:
    aws_request_id = function_name = "bench"
    memory_limit_in_mb = 512

    @staticmethod
    def get_remaining_time_in_millis():
        return 30_000


method, path, body = {method!r}, {path!r}, {body!r}
headers = {{"content-type": "application/json"}} if body is not None else {{}}
event = {{"resource": path, "path": path, "httpMethod": method, "headers": headers,
         "multiValueHeaders": {{k: [v] for k, v in headers.items()}}, "queryStringParameters": None,
         "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None, "body": body,
         "isBase64Encoded": False,
         "requestContext": {{"resourcePath": path, "httpMethod": method, "requestId": "bench", "path": "/api" + path}}}}
answer = {module}.app(event, Context())
assert answer["statusCode"] == 200, answer
"""

# What Lambda's environment gives the function (names only: the routes measured call no AWS service).
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "MEMBERS_TABLE": "members",
    "IDEMPOTENCY_TABLE": "idempotency", "PAYMENTS_TABLE": "payments", "STATS_TABLE": "stats", "OUTBOX_TABLE": "outbox",
    "TELECONSULT_TABLE": "teleconsult", "RECORDS_TABLE": "records", "RECORDS_KEY_ID": "alias/records",
    "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
    "WEBHOOK_SECRETS_PREFIX": "pti/webhooks/", "COGNITO_USER_POOL_ID": "us-east-1_bench",
    "COGNITO_APP_CLIENT_ID": "bench", "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
    "COGNITO_JWKS_URL": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench/.well-known/jwks.json",
    "CURP_REGISTRY_URL": "https://registry.example", "CURP_REGISTRY_SECRET": "pti/curp-registry",
    "PUSH_FCM_APPLICATION_ARN": "arn:aws:sns:us-east-1:123456789012:app/GCM/fcm",
    "PUSH_APNS_APPLICATION_ARN": "arn:aws:sns:us-east-1:123456789012:app/APNS/apns",
    "NOTIFICATIONS_SENDER": "avisos@ptimigrante.imss.gob.mx",
    "DOCUMENT_SIGNING_SECRET": "pti/document-signing",
    "BANXICO_TOKEN_SECRET": "pti/banxico-sie-token",
}
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "pti-migrante-prod-APIHandler"}
# With its own rate the quote reads no stored FIX: the measured route calls no AWS service, as said above.
QUOTE = json.dumps({"monthly_income_mxn": "9000", "zone": "general", "usd_mxn_rate": "18.40"})


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    # Bytecode is written (the first, unmeasured run of each case does it), as it is shipped in the package.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # The prod stage over the local one: a setting the template gives in AWS (a queue's URL) takes its local value.
    return {**inherited, **stage_environment("local"), **stage_environment("prod"), **LAMBDA_ENVIRONMENT,
            **(extra or {})}


class Case:
    def __init__(self, label: str, body: str, cwd: Path, extra: dict[str, str] | None = None) -> None:
        self.label, self.code, self.cwd, self.env = label, TIMED.format(body=body), cwd, _environment(extra)
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self) -> None:
        out = subprocess.run([sys.executable, "-c", self.code], cwd=self.cwd, env=self.env, capture_output=True,
                             text=True)
        if out.returncode:
            raise RuntimeError(f"{self.label}: {out.stderr[-2000:]}")
        wall, cpu = map(float, out.stdout.split()[-2:])
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def ms(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def alternate(*cases: Case) -> None:
    for case in cases:
        case.run()  # unmeasured: leaves the bytecode cached
        case.wall.clear()
        case.cpu.clear()
    for _ in range(RUNS):
        for case in cases:
            case.run()


def line(case: Case, against: Case | None = None, goal: float | None = None) -> str:
    wall, cpu = case.ms
    text = f"  {case.label:<50} {wall:6.1f} ms wall {cpu:6.1f} ms CPU"
    if against is not None:
        base_wall, base_cpu = against.ms
        text += f"   x{wall / base_wall:.2f} wall x{cpu / base_cpu:.2f} CPU of the minimal app"
        if goal is not None:
            text += f" (goal x{goal})"
    return text


def request(module: str, method: str, path: str, body: str | None = None) -> str:
    return REQUEST.format(module=module, method=method, path=path, body=body)


def imports_and_first_responses(minimal_dir: Path) -> None:
    floor = Case("chalice + boto3 (floor)", "import chalice, boto3", PROJECT)
    minimal = Case("minimal app (issue 17)", "import minimal_app", minimal_dir)
    ours = Case("import app", "import app", PROJECT)
    ours_lambda = Case("import app, in Lambda (+ settings, tables bound)", "import app", PROJECT, IN_LAMBDA)
    alternate(minimal, ours, ours_lambda, floor)
    print(f"import, median of {RUNS} fresh processes, alternating (load average {os.getloadavg()[0]:.1f})")
    print(line(floor))
    print(line(minimal))
    print(line(ours, minimal, IMPORT_GOAL))
    print(line(ours_lambda, minimal))

    minimal_answer = Case("minimal app: POST /items", request("minimal_app", "POST", "/items", '{"email": "a@b"}'),
                          minimal_dir)
    health = Case("app: GET /v1/health", request("app", "GET", "/v1/health"), PROJECT, IN_LAMBDA)
    quote = Case("app: POST /v1/quotes", request("app", "POST", "/v1/quotes", QUOTE), PROJECT, IN_LAMBDA)
    alternate(minimal_answer, health, quote)
    print(f"first response: a fresh process imports the app (as Lambda) and answers one request, median of {RUNS}")
    print(line(minimal_answer))
    print(line(health, minimal_answer))
    print(line(quote, minimal_answer))


PACKAGE_CHECK = """
import sys
from pathlib import Path
import boto3, botocore, pydantic
package = Path.cwd()
assert not Path(botocore.__file__).is_relative_to(package), botocore.__file__
assert not Path(boto3.__file__).is_relative_to(package), boto3.__file__
assert Path(pydantic.__file__).is_relative_to(package), pydantic.__file__
assert Path(app.__file__).is_relative_to(package), app.__file__
"""


def package() -> None:
    """`make package` into a temporary directory: size, contents, and its handler answering from the unpacked zip."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["make", "--no-print-directory", "-s", "-C", str(PROJECT), "package", f"PACKAGE_DIR={out}"],
                       check=True, capture_output=True)
        bundle = Path(out) / "deployment.zip"
        with zipfile.ZipFile(bundle) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            ours = sum(info.file_size for info in infos if info.filename == "app.py"
                       or (info.filename.startswith("chalicelib/") and "__pycache__" not in info.filename))
            bytecode = sum(info.compress_size for info in infos if info.filename.endswith(".pyc"))
            present = sorted({info.filename.split("/")[0] for info in infos
                              if info.filename.split("/")[0].split("-")[0] in RUNTIME_PROVIDED})
            contents = Path(out) / "contents"
            archive.extractall(contents)
        size_mb = bundle.stat().st_size / 1e6
        print(f"deployment package (make package): {size_mb:.1f} MB zipped (goal <= {PACKAGE_GOAL_MB:.0f} MB: "
              f"x{size_mb / PACKAGE_GOAL_MB:.2f}), {unpacked / 1e6:.1f} MB unpacked (Lambda's limit: 250 MB); "
              f"our code {ours / 1e3:.0f} kB, bytecode {bytecode / 1e6:.1f} MB of the zip")
        print(f"  left out, provided by Lambda's python3.11 runtime: {', '.join(RUNTIME_PROVIDED)} -> "
              + ("none in the zip" if not present else f"FOUND IN THE ZIP: {', '.join(present)}"))
        # The unpacked zip first on the path, as /var/task is in Lambda; boto3/botocore come from this virtualenv.
        extra = {**IN_LAMBDA, "PYTHONPATH": str(contents)}
        from_package = Case("from the package: GET /v1/health", request("app", "GET", "/v1/health") + PACKAGE_CHECK,
                            contents, extra)
        alternate(from_package)
        print(line(from_package) + "   (handler imports; botocore from outside the zip)")
        if present:
            raise SystemExit("the package carries what Lambda's runtime provides")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "minimal_app.py").write_text(MINIMAL_APP)
        imports_and_first_responses(Path(folder))
    package()


if __name__ == "__main__":
    main()
