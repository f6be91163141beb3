"""The hub's chain as an Airflow 3 DAG: load the inbox, then one task per step of
etl.pipeline_step, in order. See dags/README.md and the DAG's doc_md."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import pendulum
import psycopg
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, BaseHook, Param, Variable, task
from psycopg.conninfo import make_conninfo

try:
    from hublib.loader import Loader
    from hublib.runs import finish_run, log_batches, log_event, log_steps, notify_run, start_run
    from hublib.source_tasks import add_source_tasks
except ImportError as exc:  # pragma: no cover - a set-up mistake, said plainly in the import error
    raise ImportError(
        "the hub DAG needs the hub's Python glue: put the checkout's scripts/ folder on PYTHONPATH "
        f"(e.g. PYTHONPATH=/path/to/hub/scripts) ({exc})"
    ) from exc

DAG_ID = "hub_pipeline"
CONN_ID = os.environ.get("HUB_AIRFLOW_CONN_ID", "hub_warehouse")
LOAD_TASK = "etl__load_inbox"
RETRY_DELAY = timedelta(seconds=float(os.environ.get("HUB_RETRY_DELAY_SECONDS", "60")))
log = logging.getLogger(__name__)

DOC_MD = f"""
### Manufacturing & Financial Analytics Hub: the chain

1. **`{LOAD_TASK}`** opens this run's record (`etl.start_run('dag', ...)`: it waits while
   any other load or run is in progress) and COPYs every feed file of the inbox: the
   `inbox` param, else the Airflow Variable `hub_inbox`, else `$HUB_INBOX`. Files loaded
   before are skipped by content.
2. **One task per row of `etl.pipeline_step`**, in `step_order`, read from the warehouse
   when this file is parsed (the same list `scripts/hub run` and `CALL etl.run_pipeline()`
   use). Each is `CALL etl.run_step(run, step, try, max_tries)`: one transaction per step,
   its state recorded in `etl.pipeline_run_step` whatever happens.
3. The last step is the data-quality gate (`etl.check_data_quality`): a failed error
   check fails it (no retry; the same data fails the same way).

Connection: `{CONN_ID}` (`AIRFLOW_CONN_{CONN_ID.upper()}`). Run history:
`SELECT * FROM reporting.pipeline_runs ORDER BY run_id DESC;`. Notifications go to
`etl_pipeline.log` in `$HUB_LOG_DIR`, and by e-mail / webhook when `HUB_EMAIL_TO` +
`HUB_SMTP_HOST` / `HUB_WEBHOOK_URL` (or the `notify_*` rows of `etl.setting`) are set.
"""


def warehouse_conninfo() -> str:
    """libpq connection string of the Airflow connection CONN_ID (schema = database)."""
    c = BaseHook.get_connection(CONN_ID)
    extra = c.extra_dejson or {}
    options = {k: v for k, v in extra.items() if k in ("sslmode", "options", "application_name")}
    return make_conninfo(
        host=c.host or None,
        port=c.port or None,
        user=c.login or None,
        password=c.password or None,
        dbname=c.schema or None,
        connect_timeout=10,
        **options,
    )


def chain_steps() -> list[tuple[int, str, str, str]]:
    """The chain, as the warehouse defines it (etl.pipeline_step)."""
    try:
        with psycopg.connect(warehouse_conninfo()) as conn:
            return conn.execute(
                "SELECT step_order, routine_schema, routine_name, description "
                "FROM etl.pipeline_step ORDER BY step_order"
            ).fetchall()
    except psycopg.Error as exc:
        raise RuntimeError(
            f"cannot read the chain (etl.pipeline_step) through Airflow connection {CONN_ID!r}: "
            f"{str(exc).strip().splitlines()[0]}; check AIRFLOW_CONN_{CONN_ID.upper()} and run scripts/hub migrate"
        ) from exc


STEPS = chain_steps()
STEP_ORDER = {f"{schema}__{routine}": order for order, schema, routine, _ in STEPS}
LAST_STEP = f"{STEPS[-1][1]}__{STEPS[-1][2]}"


def _run_id(context) -> int | None:
    return context["ti"].xcom_pull(task_ids=LOAD_TASK, key="run_id")


def _on_retry(context) -> None:
    ti = context["ti"]
    run_id, order = _run_id(context), STEP_ORDER.get(ti.task_id)
    log_event("task up for retry", level=logging.WARNING, run_id=run_id, task=ti.task_id, try_number=ti.try_number)
    if run_id is None or order is None:
        return
    with psycopg.connect(warehouse_conninfo(), autocommit=True) as conn:
        # killed before etl.run_step could record it (a timeout): record it now
        conn.execute(
            "SELECT etl.record_step(%s, %s, 'retrying', %s, NULL, %s) FROM etl.pipeline_run_step "
            "WHERE run_id = %s AND step_order = %s AND state = 'running'",
            (run_id, order, ti.try_number, str(context.get("exception")), run_id, order),
        )


def _on_failure(context) -> None:
    """A task failed for good: end the run as failed (if etl.run_step has not) and notify."""
    ti = context["ti"]
    run_id = _run_id(context)
    if run_id is None:
        log.error("no run record to end: %s failed before it opened one", ti.task_id)
        return
    with psycopg.connect(warehouse_conninfo(), autocommit=True) as conn:
        message = f"task {ti.task_id} failed: {context.get('exception')}"
        finish_run(conn, run_id, "failed", message)
        log_steps(conn, run_id, STEP_ORDER.get(ti.task_id))
        notify_run(conn, run_id)


def _on_success(context) -> None:
    """The last step succeeded: the run has ended as success; notify."""
    run_id = _run_id(context)
    with psycopg.connect(warehouse_conninfo(), autocommit=True) as conn:
        log_steps(conn, run_id)
        notify_run(conn, run_id)


with DAG(
    dag_id=DAG_ID,
    description="Load the inbox, run the hub's chain, gate on data quality.",
    doc_md=DOC_MD,
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "inbox": Param(
            "",
            type="string",
            description="Folder of feed files; empty: the Variable hub_inbox, else $HUB_INBOX.",
        )
    },
    default_args={
        "owner": "hub",
        "retries": 2,
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": RETRY_DELAY * 10,
        "execution_timeout": timedelta(hours=2),
        "on_retry_callback": _on_retry,
        "on_failure_callback": _on_failure,
    },
    tags=["hub"],
) as dag:

    @task(task_id=LOAD_TASK, execution_timeout=timedelta(hours=4))
    def load_inbox(params=None, dag_run=None, ti=None) -> int:
        """Opens this DAG run's record (its id goes to XCom run_id at once, so that the
        failure callback finds it) and loads every feed file of the inbox."""
        inbox = (params or {}).get("inbox") or Variable.get("hub_inbox", default=os.environ.get("HUB_INBOX", ""))
        url = warehouse_conninfo()
        with psycopg.connect(url) as conn:
            run_id = start_run(conn, "dag", DAG_ID, dag_run.run_id)
            ti.xcom_push(key="run_id", value=run_id)
            try:
                if not inbox:
                    raise ValueError("no inbox: set the inbox param, the Variable hub_inbox or $HUB_INBOX")
                folder = Path(inbox)
                if not folder.is_dir():
                    raise FileNotFoundError(f"inbox folder {folder} does not exist")
                result = Loader(conn, log=log.info, url=url).load([folder])
                log_batches(conn, run_id)
                conn.commit()
            except Exception:
                conn.rollback()  # the failure callback ends the run once no retry is left
                raise
        log.info(
            "run %s: %s file(s), read %s, accepted %s, rejected %s, pending %s",
            run_id,
            len(result.files),
            sum(f.read for f in result.files),
            sum(f.accepted for f in result.files),
            sum(f.rejected for f in result.files),
            sum(f.pending for f in result.files),
        )
        return run_id

    previous = load_inbox()
    # the sources configured in HUB_SOURCES (hublib/source_tasks.py): one import task each
    for imported in add_source_tasks(warehouse_conninfo, LOAD_TASK):
        previous >> imported
        previous = imported
    for order, schema, routine, description in STEPS:
        task_id = f"{schema}__{routine}"
        is_gate = task_id == LAST_STEP and routine == "check_data_quality"
        step = SQLExecuteQueryOperator(
            task_id=task_id,
            doc_md=description,
            conn_id=CONN_ID,
            sql=(
                f"CALL etl.run_step({{{{ ti.xcom_pull(task_ids='{LOAD_TASK}', key='run_id') | int }}}}, {order}, "
                "{{ ti.try_number }}, {{ ti.max_tries }})"
            ),
            autocommit=True,
            split_statements=False,
            return_last=False,
            show_return_value_in_logs=False,
            do_xcom_push=False,
            hook_params={"enable_log_db_messages": True},
            retries=0 if is_gate else 2,
            on_success_callback=_on_success if task_id == LAST_STEP else None,
        )
        previous >> step
        previous = step
