"""Test harness: one disposable PostgreSQL cluster per session (the same Cluster code as
`.pgdata/`, with fsync off), a template database migrated once from schema/ and
procedures/, and for every test a fresh clone of it (pytest-postgresql's janitor)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pytest_postgresql import factories
from pytest_postgresql.executors.noop import NoopExecutor
from pytest_postgresql.janitor import DatabaseJanitor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

# Airflow reads its configuration when first imported: a throw-away home with a SQLite
# metadata database, this checkout's dags/, no examples. The hub's JSON log goes to a
# temporary folder too, and the DAG retries after one second instead of a minute.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="hub-test-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        "HUB_LOG_DIR": str(_AIRFLOW_HOME / "hub-logs"),
        "HUB_RETRY_DELAY_SECONDS": "1",
    }
)
for _name in [n for n in os.environ if n.startswith(("HUB_SMTP", "HUB_EMAIL", "HUB_WEBHOOK"))]:
    del os.environ[_name]

from hublib.cluster import Cluster  # noqa: E402
from hublib.migrate import migrate  # noqa: E402
from tests.helpers import Warehouse  # noqa: E402


def _temp_base() -> Path:
    """A folder the server user can reach even when pytest's own tmp is 0700."""
    base = Path(tempfile.mkdtemp(prefix="hub-test-pg-", dir="/tmp"))
    base.chmod(0o755)
    return base


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = Cluster(_temp_base(), disposable=True)
    cluster.up()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def warehouse_server(pg_cluster):
    info = conninfo_to_dict(pg_cluster.url("postgres"))
    executor = NoopExecutor(
        host=info["host"],
        port=info["port"],
        user=info["user"],
        password=info["password"],
        dbname="hub_test",
        options="",
        maintenance_dbname="postgres",
    )
    janitor = DatabaseJanitor(
        user=executor.user,
        host=executor.host,
        port=executor.port,
        dbname=executor.template_dbname,
        maintenance_dbname="postgres",
        as_template=True,
        password=executor.password,
        autocommit=True,
    )
    with janitor:
        migrate(template_url(executor), ROOT, log=lambda _m: None)
        yield executor


def template_url(executor: NoopExecutor) -> str:
    return make_conninfo(
        host=executor.host,
        port=executor.port,
        user=executor.user,
        password=executor.password,
        dbname=executor.template_dbname,
    )


postgresql = factories.postgresql("warehouse_server")


@pytest.fixture
def wh(postgresql) -> Warehouse:
    """A freshly migrated warehouse database of its own for one test."""
    postgresql.autocommit = True
    return Warehouse(postgresql)


@pytest.fixture
def hub_env(wh) -> dict[str, str]:
    """Environment for running scripts/hub against this test's database."""
    env = dict(os.environ)
    env["DATABASE_URL"] = wh.url
    env["PYTHONPATH"] = str(ROOT / "scripts")
    return env


def run_hub(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the command line the way a user does (through the venv's Python)."""
    full_env = dict(env or os.environ)
    full_env["PYTHONPATH"] = str(ROOT / "scripts")
    return subprocess.run(
        [sys.executable, "-m", "hublib", *args], capture_output=True, text=True, env=full_env, cwd=cwd
    )


@pytest.fixture
def plpgsql_check_available(wh) -> bool:
    row = wh.one("SELECT count(*) FROM pg_available_extensions WHERE name = 'plpgsql_check'")
    return bool(row[0])
