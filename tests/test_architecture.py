"""The rules of the house, as import-linter contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_import_contracts_are_kept():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a test dependency: run `make install`"

    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].split("kept")[0]


def test_the_web_app_does_not_load_torch():
    code = ("import sys; from service.app import create_app; create_app(); "
            "assert 'torch' not in sys.modules and 'detoxify' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_no_module_is_over_400_lines():
    packages = ("service", "workers", "cli", "modelkit", "bench", "tests")
    long = {str(path.relative_to(ROOT)): lines for package in packages
            for path in (ROOT / package).rglob("*.py")
            if (lines := len(path.read_text().splitlines())) > 400}

    assert not long, f"split these modules: {long}"
