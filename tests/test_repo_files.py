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
        assert service["image"].startswith("apache/airflow:3.3")
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
