"""Lambda cold-start cost of importing `app`, against the floor of importing bare `chalice` + `boto3` and against a
minimal app (issue 17's yardstick: a Chalice app with one POST route, one PynamoDB model with an index, a version and
a TTL attribute, and one pydantic model), the time to the first response of a fresh process, and the size of the
deployment package `chalice package` builds.

Each import figure is the median of fresh interpreter processes (imports are cached within one), measured inside the
child with perf_counter so interpreter start-up itself is excluded; the two apps are imported in alternating processes
from the same virtualenv. The first response is `GET /v1/health` (no AWS call) as API Gateway's proxy event handed to
the app object, timed from before the import. Prints figures; asserts nothing.
"""

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
SNIPPET = "import time; t = time.perf_counter(); {imports}; print((time.perf_counter() - t) * 1000)"
CASES = {
    "chalice + boto3 (floor)": "import chalice, boto3",
    "app (routes, pydantic, PynamoDB)": "import app",
}
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
FIRST_RESPONSE = """
import time
t = time.perf_counter()
import app


class Context:
    aws_request_id = function_name = "bench"
    memory_limit_in_mb = 512

    @staticmethod
    def get_remaining_time_in_millis():
        return 30_000


context = {"resourcePath": "/v1/health", "httpMethod": "GET", "requestId": "bench", "path": "/api/v1/health"}
event = {"resource": "/v1/health", "path": "/v1/health", "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
         "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
         "stageVariables": None, "body": None, "isBase64Encoded": False, "requestContext": context}
answer = app.app(event, Context())
assert answer["statusCode"] == 200, answer
print((time.perf_counter() - t) * 1000)
"""


# What Lambda's environment gives the function (names only: the health route calls no AWS service).
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "MEMBERS_TABLE": "members",
    "IDEMPOTENCY_TABLE": "idempotency", "PAYMENTS_TABLE": "payments", "STATS_TABLE": "stats", "OUTBOX_TABLE": "outbox",
    "TELECONSULT_TABLE": "teleconsult", "RECORDS_TABLE": "records", "RECORDS_KEY_ID": "alias/records",
    "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
    "WEBHOOK_SECRETS_PREFIX": "pti/webhooks/", "COGNITO_USER_POOL_ID": "us-east-1_bench",
    "COGNITO_APP_CLIENT_ID": "bench", "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
    "COGNITO_JWKS_URL": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench/.well-known/jwks.json",
    "CURP_REGISTRY_URL": "https://registry.example", "CURP_REGISTRY_SECRET": "pti/curp-registry",
}


def _child_ms(code: str, cwd: Path) -> float:
    environment = {**os.environ, **stage_environment("prod"), **LAMBDA_ENVIRONMENT}
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True,
                         env=environment)
    return float(out.stdout.strip().splitlines()[-1])


def median_ms(imports: str) -> float:
    return statistics.median(_child_ms(SNIPPET.format(imports=imports), PROJECT) for _ in range(RUNS))


def median_ms_of(code: str) -> float:
    return statistics.median(_child_ms(code, PROJECT) for _ in range(RUNS))


def against_minimal_app() -> None:
    """`import app` and the minimal app's import, alternating fresh processes, in this virtualenv."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "minimal_app.py").write_text(MINIMAL_APP)
        ours, minimal = [], []
        for _ in range(RUNS):
            ours.append(_child_ms(SNIPPET.format(imports="import app"), PROJECT))
            minimal.append(_child_ms(SNIPPET.format(imports="import minimal_app"), Path(folder)))
    ours_ms, minimal_ms = statistics.median(ours), statistics.median(minimal)
    print(f"  {'minimal app (issue 17)':<42} {minimal_ms:7.1f} ms")
    print(f"  import app / minimal app, alternating        x{ours_ms / minimal_ms:.2f}   (goal x1.25)")


def package_size() -> None:
    """`chalice package --stage prod` (what `make package` deploys): the zip's size and what is inside it."""
    with tempfile.TemporaryDirectory() as out:
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "chalice"), "--project-dir", str(PROJECT), "package", "--stage", "prod", out],
                       check=True, capture_output=True, env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
        bundle = Path(out) / "deployment.zip"
        with zipfile.ZipFile(bundle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            ours = sum(info.file_size for info in archive.infolist()
                       if info.filename == "app.py" or info.filename.startswith("chalicelib/"))
        print(f"deployment package (chalice package --stage prod): {bundle.stat().st_size / 1e6:.1f} MB zipped, "
              f"{unpacked / 1e6:.1f} MB unpacked (Lambda's limit: 250 MB), of which our code {ours / 1e3:.0f} kB")


def main() -> None:
    results = {name: median_ms(imports) for name, imports in CASES.items()}
    floor = results["chalice + boto3 (floor)"]
    print(f"import time, median of {RUNS} fresh processes")
    for name, ms in results.items():
        print(f"  {name:<42} {ms:7.1f} ms   x{ms / floor:.2f} of floor")
    against_minimal_app()
    print(f"  first response (import + GET /v1/health)   {median_ms_of(FIRST_RESPONSE):7.1f} ms")
    package_size()


if __name__ == "__main__":
    main()
