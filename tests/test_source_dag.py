"""The DAG's import tasks: a source configured in HUB_SOURCES is imported by a task of its
own between the inbox load and the chain, under the DAG run's record (dag.test())."""

from __future__ import annotations

import pytest

from hublib.errors import HubError
from hublib.source_tasks import configured_sources
from hublib.sources import SOURCES
from tests.test_dag import airflow_conn, airflow_db, load_dag  # noqa: F401 (fixtures)

pytest.importorskip("airflow.sdk")


def test_hub_sources_are_read_as_source_path_or_pull():
    assert configured_sources(" azure_pdm=/data/azure , erp=pull,") == [("azure_pdm", "/data/azure"), ("erp", None)]
    assert configured_sources("") == []
    with pytest.raises(HubError, match="not SOURCE=PATH"):
        configured_sources("azure_pdm")


def test_dag_imports_a_configured_source_before_the_chain(wh, airflow_conn, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("HUB_SOURCES", f"azure_pdm={SOURCES / 'azure_pdm' / 'sample'}")
    dag = load_dag()
    load = dag.get_task("etl__load_inbox")
    steps = [
        f"{s}__{r}" for s, r in wh.all("SELECT routine_schema, routine_name FROM etl.pipeline_step ORDER BY step_order")
    ]
    first_step = steps[0]
    # every step reads the run id the load task returns (an XComArg), so each is downstream of
    # the load too; besides them, only the import task is
    assert sorted(t.task_id for t in load.downstream_list) == sorted([*steps, "import__azure_pdm"])
    assert [t.task_id for t in dag.get_task("import__azure_pdm").downstream_list] == [first_step]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dr = dag.test(run_conf={"inbox": str(inbox)})
    assert dr.state == "success"
    run_id, kind, state = wh.one("SELECT run_id, kind, state FROM reporting.pipeline_runs")
    assert (kind, state) == ("dag", "success")
    # the sample's 8 mapped batches and its plant belong to the DAG's run
    assert (
        wh.scalar("SELECT count(*) FROM etl.source_batch JOIN etl.batch USING (batch_id) WHERE run_id = %s", (run_id,))
        == 8
    )
    assert wh.scalar("SELECT count(*) FROM clean.sensor_reading") == 15
    assert wh.scalar("SELECT count(*) FROM dw.fact_downtime_event") == 6
