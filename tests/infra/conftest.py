"""The deployable template, packaged once for the tier: `chalice package --merge-template` is what CloudFormation gets."""

import subprocess
import sys
from pathlib import Path

import pytest

from local.aws import PROJECT


@pytest.fixture(scope="session")
def packaged(tmp_path_factory) -> Path:
    """The folder `chalice package --stage prod --merge-template infra/template.json` wrote (sam.json inside)."""
    out = tmp_path_factory.mktemp("package")
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1", "HOME": str(Path.home())}
    result = subprocess.run(
        [str(bin_dir / "chalice"), "--project-dir", str(PROJECT), "package", "--stage", "prod",
         "--merge-template", "infra/template.json", str(out / "package")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "package"
