"""The hub's chain as an Airflow 3 DAG: load the inbox (or, with the rebuild param, note a
date range for recomputing), then one task per step of the chain, in order. The step list
is dags/pipeline_steps.json, so that the DAG parses while the warehouse is down; a test
asserts that it equals etl.pipeline_step after migrate. See dags/README.md and doc_md."""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pendulum
import psycopg
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, BaseHook, Param, Variable, task
from airflow.sdk.exceptions import AirflowSkipException
from psycopg.conninfo import make_conninfo

try:
    from hublib.loader import Loader
    from hublib.notifier import HubRunNotifier
    from hublib.report import print_load
    from hublib.runs import log_batches, log_event, notify_run, send_outbox, start_run
    from hublib.source_tasks import add_source_tasks
except ImportError as exc:  # pragma: no cover - a set-up mistake, said plainly in the import error
    raise ImportError(
        "the hub DAG needs the hub's Python glue: put the checkout's scripts/ folder on PYTHONPATH "
        f"(e.g. PYTHONPATH=/path/to/hub/scripts) ({exc})"
    ) from exc

DAG_ID = "hub_pipeline"
CONN_ID = os.environ.get("HUB_AIRFLOW_CONN_ID", "hub_warehouse")
LOAD_TASK = "etl__load_inbox"
STEPS_FILE = Path(__file__).with_name("pipeline_steps.json")
RETRY_DELAY = timedelta(seconds=float(os.environ.get("HUB_RETRY_DELAY_SECONDS", "60")))
log = logging.getLogger(__name__)

DOC_MD = f"""
### Manufacturing & Financial Analytics Hub: the chain

1. **`{LOAD_TASK}`** opens this run's record (`etl.start_run('dag', ...)`: it waits while
   any other load or run is in progress) and COPYs every feed file of the inbox: the
   `inbox` param, else the Airflow Variable `hub_inbox`, else `$HUB_INBOX`. Files loaded
   before are skipped by content.
   Sends first any notification queued by a run started from psql. While the hub is
   paused (`scripts/hub pause`) the run is recorded as paused and every task is skipped.
   With the `rebuild` param it loads nothing and notes `rebuild_from`..`rebuild_to` for
   recomputing from `clean` (`etl.mark_for_rebuild`), like `scripts/hub rebuild`.
2. **One task per step of the chain** (`dags/pipeline_steps.json`, equal to
   `etl.pipeline_step`: a test asserts it; the load task refuses to run when they differ).
   Each is `CALL etl.run_step(run, step, try, max_tries)` with the run id bound as a
   parameter: one transaction per step, its state recorded in `etl.pipeline_run_step`.
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
    """The chain as the repository defines it (dags/pipeline_steps.json): read from a file
    so that the DAG parses while the warehouse is down."""
    steps = json.loads(STEPS_FILE.read_text())
    if not steps:
        raise ValueError(f"{STEPS_FILE} lists no step: it must hold the chain of etl.pipeline_step")
    return [(s["order"], s["schema"], s["routine"], s["description"]) for s in steps]


STEPS = chain_steps()
STEP_ORDER = {f"{schema}__{routine}": order for order, schema, routine, _ in STEPS}
LAST_STEP = f"{STEPS[-1][1]}__{STEPS[-1][2]}"


def check_steps(conn: psycopg.Connection, run_id: int) -> None:
    """The run's steps (etl.pipeline_step when it opened) must be the DAG's."""
    have = conn.execute(
        "SELECT step_order, routine_schema, routine_name FROM etl.pipeline_run_step WHERE run_id = %s "
        "ORDER BY step_order",
        (run_id,),
    ).fetchall()
    want = [(order, schema, routine) for order, schema, routine, _ in STEPS]
    if have != want:
        extra = sorted(set(have) - set(want))
        missing = sorted(set(want) - set(have))
        raise ValueError(
            f"the DAG's steps ({STEPS_FILE.name}) differ from etl.pipeline_step: only in the warehouse {extra}, "
            f"only in the DAG {missing}; migrate the warehouse, or update {STEPS_FILE} to the checkout's"
        )


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
        ),
        "rebuild": Param(
            False,
            type="boolean",
            description="Load nothing; recompute dimensions and facts from clean (scripts/hub rebuild).",
        ),
        "rebuild_from": Param(None, type=["null", "string"], format="date", description="Rebuild: first day."),
        "rebuild_to": Param(None, type=["null", "string"], format="date", description="Rebuild: last day."),
    },
    default_args={
        "owner": "hub",
        "retries": 2,
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": RETRY_DELAY * 10,
        "execution_timeout": timedelta(hours=2),
        "on_retry_callback": _on_retry,
        "on_failure_callback": HubRunNotifier(warehouse_conninfo, LOAD_TASK, fail_run=True, step_order=STEP_ORDER),
    },
    tags=["hub"],
) as dag:

    @task(task_id=LOAD_TASK, execution_timeout=timedelta(hours=4))
    def load_inbox(params=None, dag_run=None, ti=None) -> int:
        """Opens this DAG run's record (its id goes to XCom run_id at once, so that the
        failure callback finds it) and loads every feed file of the inbox, or notes the
        rebuild range; returns the run id, which the steps receive as a bound parameter."""
        params = params or {}
        url = warehouse_conninfo()
        with psycopg.connect(url) as conn:
            send_outbox(conn, log.info)  # runs started from psql, not yet notified
            run_id = start_run(conn, "dag", DAG_ID, dag_run.run_id)
            ti.xcom_push(key="run_id", value=run_id)
            state, message = conn.execute(
                "SELECT state, error_message FROM etl.pipeline_run WHERE run_id = %s", (run_id,)
            ).fetchone()
            conn.commit()
            if state == "paused":
                notify_run(conn, run_id)
                raise AirflowSkipException(f"hub run {run_id}: {message} (scripts/hub resume to resume)")
            try:
                check_steps(conn, run_id)
                if params.get("rebuild"):
                    noted = conn.execute(
                        "SELECT etl.mark_for_rebuild(%s, %s::date, %s::date)",
                        (run_id, params.get("rebuild_from") or None, params.get("rebuild_to") or None),
                    ).fetchone()[0]
                    conn.commit()
                    log.info("run %s: rebuild, %s batch(es) and range(s) noted for the chain", run_id, noted)
                    return run_id
                inbox = params.get("inbox") or Variable.get("hub_inbox", default=os.environ.get("HUB_INBOX", ""))
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
        print_load(result, log.info)  # per-file counts and the first rejected lines with their reasons
        return run_id

    run_id = load_inbox()
    previous = run_id
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
            sql="CALL etl.run_step(%(run_id)s::bigint, %(step)s::integer, %(attempt)s::integer, %(retries)s::integer)",
            parameters={
                "run_id": run_id,  # the load task's return value (XComArg), bound, never spliced
                "step": order,
                "attempt": "{{ ti.try_number }}",
                "retries": "{{ ti.max_tries }}",
            },
            autocommit=True,
            split_statements=False,
            return_last=False,
            show_return_value_in_logs=False,
            do_xcom_push=False,
            hook_params={"enable_log_db_messages": True},
            retries=0 if is_gate else 2,
            on_success_callback=HubRunNotifier(warehouse_conninfo, LOAD_TASK) if task_id == LAST_STEP else None,
        )
        previous >> step
        previous = step
