"""Lambda cold-start cost of importing `app`, against the floor of importing bare `chalice` + `boto3`, and the size
of the deployment package `chalice package` builds.

Each import figure is the median of fresh interpreter processes (imports are cached within one), measured inside the
child with perf_counter so interpreter start-up itself is excluded. Prints figures; asserts nothing.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RUNS = 9
SNIPPET = "import time; t = time.perf_counter(); {imports}; print((time.perf_counter() - t) * 1000)"
CASES = {
    "chalice + boto3 (floor)": "import chalice, boto3",
    "app (routes, pydantic, PynamoDB, PyJWT)": "import app",
}


def median_ms(imports: str) -> float:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", SNIPPET.format(imports=imports)], cwd=PROJECT,
                             capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


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
    package_size()


if __name__ == "__main__":
    main()
