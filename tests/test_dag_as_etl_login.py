"""The Airflow DAG run with dag.test() connected as an ETL login (a member of hub_etl, as
docker-compose.yml connects Airflow), not as the superuser."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT
from tests.test_security import Login

airflow_sdk = pytest.importorskip("airflow.sdk")

from tests.test_dag import airflow_db, load_dag  # noqa: E402, F401 (airflow_db is a fixture)


def test_the_dag_runs_as_an_etl_login(wh, airflow_db, monkeypatch, tmp_path):  # noqa: F811
    login = Login(wh, "hub_etl")
    try:
        info = wh.conn.info
        conn = {
            "conn_type": "postgres",
            "host": info.host,
            "port": int(info.port),
            "login": login.name,
            "password": login.password,
            "schema": info.dbname,
        }
        monkeypatch.setenv("AIRFLOW_CONN_HUB_WAREHOUSE", json.dumps(conn))
        monkeypatch.setenv("HUB_LOG_DIR", str(tmp_path / "logs"))
        inbox = tmp_path / "inbox"
        shutil.copytree(ROOT / "fixtures", inbox)
        dr = load_dag().test(run_conf={"inbox": str(inbox)})
        assert dr.state == "success"
        run = wh.one("SELECT kind, state, rows_loaded, rows_rejected, batches FROM reporting.pipeline_runs")
        # the fixtures: 814 records read = 808 accepted + 5 rejected + 1 pending, in 10 files
        assert run == ("dag", "success", 808, 5, 10)
        assert wh.all("SELECT DISTINCT state FROM etl.pipeline_run_step") == [("success",)]
        assert wh.all("SELECT message FROM etl.pipeline_state_change WHERE message LIKE '%% started by %%'") == [
            (f"dag run started by {login.name}",)
        ]
        assert wh.scalar("SELECT count(*) FROM reporting.oee_daily") == 30
    finally:
        wh.conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login.name,))
        wh.conn.execute(f"DROP OWNED BY {login.name}")
        wh.conn.execute(f"DROP ROLE {login.name}")
