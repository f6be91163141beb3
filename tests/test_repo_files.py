"""The files around the code: CI workflow and compose file valid against their schemas,
requirements locked, .ci/run calls the README's test command, nothing reads the shared folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
SHARED = "/".join(["..", "shared"])  # the team folder beside the checkout; spelled so as not to match itself


@pytest.mark.parametrize(
    ("path", "schema"),
    [(".github/workflows/ci.yml", "vendor.github-workflows"), ("docker-compose.yml", "vendor.compose-spec")],
)
def test_file_matches_its_schema(path, schema):
    proc = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(ROOT / path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_requirements_are_locked_exactly():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert lines, "requirements.txt is empty"
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]


def test_ci_runs_the_readme_test_command():
    assert "scripts/hub test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "scripts/hub demo" in readme and "scripts/hub test" in readme


def test_nothing_outside_the_docs_reads_shared():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    offenders = [
        name
        for name in tracked
        if not name.endswith(".md") and (ROOT / name).is_file() and SHARED in (ROOT / name).read_text(errors="ignore")
    ]
    assert offenders == []
