"""The hub's run notification as an Airflow notifier (used by dags/hub_pipeline.py).

`HubRunNotifier` is an `airflow.sdk.BaseNotifier`: the DAG's success and failure
callbacks are instances of it. It finds the hub run of the DAG run (the load task's
XCom `run_id`), ends it as failed when asked (a task failed for good), logs its steps and
sends its notification with `hublib.runs.notify_run`, the same code `scripts/hub run`
uses: the JSON log, and e-mail / webhook when configured. Only the DAG imports this
module (the command line needs no Airflow).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
from airflow.sdk import BaseNotifier

from hublib.runs import finish_run, log_steps, notify_run

log = logging.getLogger(__name__)


class HubRunNotifier(BaseNotifier):
    """Notifies the hub run of a DAG run; with `fail_run`, first ends it as failed."""

    template_fields = ()

    def __init__(
        self,
        conninfo: Callable[[], str],
        load_task: str,
        *,
        fail_run: bool = False,
        step_order: dict[str, int] | None = None,
    ):
        super().__init__()
        self.conninfo = conninfo
        self.load_task = load_task
        self.fail_run = fail_run
        self.step_order = step_order or {}

    def notify(self, context) -> None:
        ti = context["ti"]
        run_id = ti.xcom_pull(task_ids=self.load_task, key="run_id")
        if run_id is None:
            log.error("no hub run to notify: %s failed before it opened one", ti.task_id)
            return
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            if self.fail_run:
                finish_run(conn, run_id, "failed", f"task {ti.task_id} failed: {context.get('exception')}")
                log_steps(conn, run_id, self.step_order.get(ti.task_id))
            else:
                log_steps(conn, run_id)
            channels = notify_run(conn, run_id)
        log.info("hub run %s notified: %s", run_id, ", ".join(channels) or "already notified by another process")
