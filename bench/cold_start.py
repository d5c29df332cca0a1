"""Lambda cold-start cost of importing `app`, against the floor of importing bare `chalice` + `boto3`.

Each figure is the median of fresh interpreter processes (imports are cached within one), measured inside the child
with perf_counter so interpreter start-up itself is excluded. Prints figures; asserts nothing.
"""

import statistics
import subprocess
import sys
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


def main() -> None:
    results = {name: median_ms(imports) for name, imports in CASES.items()}
    floor = results["chalice + boto3 (floor)"]
    print(f"import time, median of {RUNS} fresh processes")
    for name, ms in results.items():
        print(f"  {name:<42} {ms:7.1f} ms   x{ms / floor:.2f} of floor")


if __name__ == "__main__":
    main()
