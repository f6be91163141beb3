"""The Airflow DAG, run with dag.test() against this test's warehouse and the fixture inbox:
its shape, a whole successful run with its notifications (a local SMTP server and a
local webhook, both on loopback), a failing data-quality gate, and a step that fails once
and then succeeds."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import ROOT

airflow_sdk = pytest.importorskip("airflow.sdk")

FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database (SQLite in the temporary AIRFLOW_HOME), built once."""
    from airflow.utils import db

    db.resetdb()
    return True


@pytest.fixture
def airflow_conn(wh, monkeypatch, airflow_db):
    info = conninfo_to_dict(wh.url)
    conn = {
        "conn_type": "postgres",
        "host": info["host"],
        "port": int(info["port"]),
        "login": info["user"],
        "password": info["password"],
        "schema": info["dbname"],
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUB_WAREHOUSE", json.dumps(conn))
    return conn


def load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    return bag.get_dag("hub_pipeline")


class Webhook:
    """A loopback HTTP server that keeps every JSON body POSTed to it."""

    def __init__(self):
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd on loopback, keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        messages = self.messages

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email

                messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
                return "250 OK"

        with socket.socket() as probe:  # a free loopback port (aiosmtpd cannot use port 0)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self):
        self.controller.stop()


@pytest.fixture
def channels(monkeypatch):
    hook, mail = Webhook(), Mailbox()
    monkeypatch.setenv("HUB_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("HUB_SMTP_HOST", f"127.0.0.1:{mail.port}")
    monkeypatch.setenv("HUB_EMAIL_TO", "plant-ops@example.com")
    yield hook, mail
    hook.close()
    mail.close()


def test_dag_loads_cleanly_and_its_tasks_are_the_chain_in_order(wh, airflow_conn):
    dag = load_dag()
    steps = [
        f"{s}__{r}" for s, r in wh.all("SELECT routine_schema, routine_name FROM etl.pipeline_step ORDER BY step_order")
    ]
    load = dag.get_task("etl__load_inbox")
    # every step reads the run id the load task returns (an XComArg), so each is downstream
    # of it; among themselves the steps form one chain in step order
    assert sorted(t.task_id for t in load.downstream_list) == sorted(steps)
    order, task = [load.task_id], dag.get_task(steps[0])
    while task is not None:
        order.append(task.task_id)
        assert {t.task_id for t in task.upstream_list} <= {load.task_id, order[-2]}
        downstream = list(task.downstream_list)
        assert len(downstream) <= 1
        task = downstream[0] if downstream else None
    assert order == ["etl__load_inbox", *steps]
    assert sorted(dag.task_ids) == sorted(order)
    assert dag.max_active_runs == 1 and dag.catchup is False
    gate = dag.get_task("etl__check_data_quality")
    assert gate.retries == 0 and dag.get_task("dw__load_dim_machine").retries == 2
    assert dag.get_task("dw__load_dim_machine").execution_timeout is not None


def test_dag_parses_and_lists_its_tasks_with_the_warehouse_down(monkeypatch, airflow_db):
    # a connection to a port where nothing listens: parsing must not need the warehouse
    down = {"conn_type": "postgres", "host": "127.0.0.1", "port": 1, "login": "x", "password": "y", "schema": "hub"}
    monkeypatch.setenv("AIRFLOW_CONN_HUB_WAREHOUSE", json.dumps(down))
    dag = load_dag()
    steps = json.loads((ROOT / "dags" / "pipeline_steps.json").read_text())
    assert len(steps) >= 10
    assert sorted(dag.task_ids) == sorted(["etl__load_inbox", *(f"{s['schema']}__{s['routine']}" for s in steps)])


def test_the_dags_step_list_is_etl_pipeline_step(wh):
    """dags/pipeline_steps.json and the migrated etl.pipeline_step can never drift."""
    steps = json.loads((ROOT / "dags" / "pipeline_steps.json").read_text())
    assert [(s["order"], s["schema"], s["routine"], s["description"]) for s in steps] == wh.all(
        "SELECT step_order, routine_schema, routine_name, description FROM etl.pipeline_step ORDER BY step_order"
    )


def test_the_run_id_is_a_bound_parameter_not_jinja(airflow_db):
    dag = load_dag()
    step = dag.get_task("dw__load_dim_machine")
    assert "{{" not in step.sql and "%(run_id)s" in step.sql
    assert step.parameters["step"] == 30
    from airflow.sdk.definitions.xcom_arg import XComArg

    assert isinstance(step.parameters["run_id"], XComArg)
    assert step.parameters["run_id"].operator.task_id == "etl__load_inbox"


def test_dag_run_end_to_end_records_success_and_notifies(wh, airflow_conn, channels, tmp_path, monkeypatch):
    hook, mail = channels
    monkeypatch.setenv("HUB_LOG_DIR", str(tmp_path / "logs"))  # this run's log only
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    dag = load_dag()
    dr = dag.test(run_conf={"inbox": str(inbox)})
    assert dr.state == "success"
    run = wh.one(
        "SELECT kind, state, rows_loaded, rows_rejected, batches, failed_error_checks, airflow_run_id, notified_via "
        "FROM reporting.pipeline_runs"
    )
    # the fixtures: 814 records read = 808 accepted + 5 rejected + 1 pending, in 10 files
    assert run == ("dag", "success", 808, 5, 10, 0, dr.run_id, ["log", "email", "webhook"])
    assert wh.scalar("SELECT count(*) FROM dw.fact_production_run") > 0
    assert wh.scalar("SELECT count(*) FROM reporting.oee_daily") > 0
    assert wh.all("SELECT DISTINCT state FROM etl.pipeline_run_step") == [("success",)]
    [body] = hook.bodies
    assert body["text"].startswith("Hub run 1 (dag) SUCCESS") and body["run"]["rows_loaded"] == 808
    [(to, message)] = mail.messages
    assert to == ["plant-ops@example.com"] and message["Subject"] == "Hub run 1 (dag) SUCCESS"
    log = [json.loads(line) for line in (tmp_path / "logs" / "etl_pipeline.log").read_text().splitlines()]
    assert {e["run_id"] for e in log} == {1}
    events = [e["event"] for e in log]
    assert events[0] == "run started" and events[-1] == "run notification"
    # one line per batch (10 files) and per step of the chain
    assert [e["batch_id"] for e in log if e["event"] == "batch loaded"] == list(range(1, 11))
    steps = wh.scalar("SELECT count(*) FROM etl.pipeline_step")
    assert events.count("step success") == steps


def test_dag_fails_on_an_error_check_and_sends_the_failure(wh, airflow_conn, channels, tmp_path):
    hook, mail = channels
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    (inbox / "fx_rates_2026-03.csv").unlink()  # sales and GL in EUR and INR now lack rates to USD
    dag = load_dag()
    dr = dag.test(run_conf={"inbox": str(inbox)})
    assert dr.state == "failed"
    state, failed_step, failed_checks, error = wh.one(
        "SELECT state, failed_step, failed_checks, error_message FROM reporting.pipeline_runs"
    )
    assert state == "failed" and failed_step == "900 etl.check_data_quality"
    assert "missing_exchange_rates (error)" in failed_checks
    assert "day(s) need an exchange rate to USD that is missing" in error
    # the steps before the gate stay committed
    assert wh.scalar("SELECT count(*) FROM dw.fact_sales_line") > 0
    [body] = hook.bodies
    assert body["text"].startswith("Hub run 1 (dag) FAILED")
    assert [c["check"] for c in body["failed_checks"] if c["severity"] == "error"] == ["missing_exchange_rates"]
    assert mail.messages[0][1]["Subject"] == "Hub run 1 (dag) FAILED"


def test_dag_step_that_fails_once_shows_retrying_then_success(wh, airflow_conn, tmp_path):
    # A step whose first attempt fails (a sequence is not rolled back with the step): the
    # step 90 dw.load_fx_daily, wrapped so that its first call fails and later ones do the work.
    wh.conn.execute("CREATE SEQUENCE public.flaky_attempt")
    wh.conn.execute("GRANT USAGE ON SEQUENCE public.flaky_attempt TO hub_owner")  # steps run as the owner
    wh.conn.execute("ALTER PROCEDURE dw.load_fx_daily() RENAME TO load_fx_daily_real")
    wh.conn.execute(
        "CREATE PROCEDURE dw.load_fx_daily() LANGUAGE plpgsql AS $$ BEGIN "
        "IF nextval('public.flaky_attempt') = 1 THEN RAISE EXCEPTION 'transient failure'; END IF; "
        "CALL dw.load_fx_daily_real(); END $$"
    )
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    dr = load_dag().test(run_conf={"inbox": str(inbox)})
    assert dr.state == "success"
    changes = wh.all("SELECT state, message FROM etl.pipeline_state_change WHERE step_order = 90 ORDER BY change_id")
    assert changes == [("running", None), ("retrying", "transient failure"), ("running", None), ("success", None)]
    assert wh.one("SELECT state, attempts FROM etl.pipeline_run_step WHERE step_order = 90") == ("success", 2)
    assert wh.scalar("SELECT count(*) FROM dw.fx_daily") > 0  # the second attempt did the work
    run_states = [
        s for (s,) in wh.all("SELECT state FROM etl.pipeline_state_change WHERE step_order IS NULL ORDER BY change_id")
    ]
    assert run_states == ["running", "retrying", "running", "success"]


def test_the_load_task_logs_the_first_rejected_lines_with_their_reasons(wh, airflow_conn, tmp_path, caplog, capsys):
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    caplog.set_level(logging.INFO)
    dr = load_dag().test(run_conf={"inbox": str(inbox)})
    assert dr.state == "success"
    logged = caplog.text + capsys.readouterr().out
    # the same lines as scripts/hub load prints (tests/test_fixtures_end_to_end.py)
    for line, reason in wh.all("SELECT file_line, reason_code FROM etl.rejected_row ORDER BY batch_id, file_line")[:3]:
        assert f"line {line}: {reason}: " in logged
    assert "read 814 = accepted 808 + rejected 5 + pending 1" in logged


def test_a_paused_hub_skips_the_dag_run_and_records_it(wh, airflow_conn, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    wh.conn.execute("CALL etl.pause('month-end close')")
    dr = load_dag().test(run_conf={"inbox": str(inbox)})
    assert {ti.state for ti in dr.get_task_instances()} == {"skipped"}
    assert wh.one("SELECT kind, state, airflow_run_id FROM etl.pipeline_run") == ("dag", "paused", dr.run_id)
    assert "month-end close" in wh.scalar("SELECT error_message FROM etl.pipeline_run")
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0
    assert wh.scalar("SELECT count(*) FROM dw.fact_production_run") == 0
    wh.conn.execute("CALL etl.resume()")
    assert load_dag().test(run_conf={"inbox": str(inbox)}).state == "success"
    assert wh.scalar("SELECT count(*) FROM dw.fact_production_run") > 0


def test_the_rebuild_param_recomputes_from_clean(wh, airflow_conn, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    assert load_dag().test(run_conf={"inbox": str(inbox)}).state == "success"
    # a changed rule: a run's production date from its end, not its start
    src = wh.scalar("SELECT pg_get_functiondef('dw.load_fact_production_run()'::regprocedure)")
    wh.conn.execute(src.replace("(r.start_ts AT TIME ZONE", "(r.end_ts AT TIME ZONE"))
    dr = load_dag().test(run_conf={"rebuild": True, "rebuild_from": "2026-03-01", "rebuild_to": "2026-03-31"})
    assert dr.state == "success"
    assert wh.one(
        "SELECT kind, state, rebuild_from::text, rebuild_to::text FROM etl.pipeline_run WHERE run_id = 2"
    ) == (
        "dag",
        "success",
        "2026-03-01",
        "2026-03-31",
    )
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE run_id = 2") == 0  # nothing loaded
    wrong = wh.scalar(
        "SELECT count(*) FROM dw.fact_production_run AS f JOIN dw.dim_plant AS p USING (plant_key) "
        "WHERE f.production_date <> (f.end_ts AT TIME ZONE p.timezone)::date"
    )
    assert wrong == 0


def test_the_dag_run_sends_what_a_psql_run_left_queued(wh, airflow_conn, channels, tmp_path):
    hook, _mail = channels
    wh.conn.execute("CALL etl.run_pipeline()")  # psql: queued, not sent
    assert hook.bodies == []
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    assert load_dag().test(run_conf={"inbox": str(inbox)}).state == "success"
    assert [b["run"]["run_id"] for b in hook.bodies] == [1, 2]  # the psql run first, then the DAG's
    assert wh.scalar("SELECT count(*) FROM etl.notification_outbox WHERE claimed_at IS NULL") == 0
