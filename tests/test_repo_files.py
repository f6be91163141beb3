"""The files around the code: CI workflow and compose file valid against their schemas,
requirements locked, .ci/run calls the README's test command, nothing reads the shared folder."""

from __future__ import annotations

import json
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


def _pins(name: str) -> dict[str, str]:
    lines = [line for line in (ROOT / name).read_text().splitlines() if line and not line.startswith("#")]
    assert lines, f"{name} is empty"
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]
    return dict(line.lower().replace("_", "-").split("==") for line in lines)


def test_requirements_are_locked_exactly():
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    # the runtime lock is light (the demo needs no Airflow) and the dev lock pins the same
    # versions of it, plus the tools and Airflow
    assert "apache-airflow" not in runtime and "pytest" not in runtime
    assert {"psycopg", "rich", "argcomplete"} <= set(runtime)
    assert {k: dev.get(k) for k in runtime} == runtime
    assert {"apache-airflow", "pytest", "sqlfluff", "ruff", "check-jsonschema"} <= set(dev)


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


def test_compose_runs_airflow_3_3_with_the_dag_folder_and_the_warehouse_connection():
    import yaml  # comes with Airflow

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"warehouse", "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor"} <= set(
        services
    )
    assert services["warehouse"]["image"] == "postgres:15"
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor"):
        service = services[name]
        # the image is built from the repository's Dockerfile (Airflow 3.3 plus the runtime lock)
        assert service["build"] == "." and service["image"].startswith("mfg-analytics-hub-airflow:3.3")
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in service["environment"]  # no pip at container start
        assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert "./:/opt/hub:ro" in service["volumes"]
        env = service["environment"]
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/hub/dags"
        # Airflow connects as the ETL login, never as the superuser, whose password only
        # airflow-init holds
        assert "HUB_DB_PASSWORD" not in json.dumps(env)
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith(
            "postgresql+psycopg2://airflow:${AIRFLOW_DB_PASSWORD"
        )
        assert env["AIRFLOW_CONN_HUB_WAREHOUSE"].startswith(
            "postgresql://${HUB_ETL_USER:-hub_airflow}:${HUB_ETL_PASSWORD}@"
        )
    assert [
        c for c in (services[s]["command"] for s in services if s.startswith("airflow-") and s != "airflow-init")
    ] == [
        "api-server",
        "scheduler",
        "dag-processor",
    ]
    init = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in init and "hublib migrate" in init
    # the init makes the two logins from .env
    assert init.endswith("&& python -m hublib migrate && python -m hublib.logins")
    assert init.index("python -m hublib.logins airflow-db") < init.index("airflow db migrate")
    init_env = services["airflow-init"]["environment"]
    assert {"HUB_ETL_USER", "HUB_ETL_PASSWORD", "HUB_REPORTING_USER", "HUB_REPORTING_PASSWORD"} <= set(init_env)
    # no secret in the repository: every password comes from .env
    text = (ROOT / "docker-compose.yml").read_text()
    assert "change-me" not in text
    assert {line.split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line} >= {
        "HUB_DB_PASSWORD",
        "HUB_ETL_PASSWORD",
        "HUB_REPORTING_PASSWORD",
        "AIRFLOW_DB_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        "HUB_WEBHOOK_URL",
        "HUB_SMTP_PASSWORD",
    }


def test_the_image_is_airflow_3_3_with_the_runtime_lock_and_every_notification_setting_passes():
    import re

    import yaml

    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+-python3\.11$", dockerfile, re.M)
    assert "pip install --no-cache-dir --disable-pip-version-check -r /tmp/hub-requirements.txt" in dockerfile
    settings = set(re.findall(r"HUB_[A-Z_]+", (ROOT / "scripts" / "hublib" / "runs.py").read_text())) - {"HUB_LOG_DIR"}
    assert {"HUB_SMTP_STARTTLS", "HUB_EMAIL_FROM", "HUB_SMTP_PORT", "HUB_NOTIFY_ON_SUCCESS"} <= settings
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["airflow-scheduler"]["environment"]
    example = {line.split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    for name in sorted(settings):
        assert env[name] == f"${{{name}:-}}", name
        assert name in example, name
