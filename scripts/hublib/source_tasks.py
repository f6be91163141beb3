"""Airflow tasks that import the configured sources before the chain (dags/hub_pipeline.py
calls `add_source_tasks` inside its DAG, between the inbox load and the first step).

Which sources: `HUB_SOURCES` (read when the DAG file is parsed), a comma-separated list of
`SOURCE=PATH` (import the export files in PATH through sources/SOURCE) or `SOURCE=pull`
(pull its [[pull]] tables from their database or API, from their watermarks), e.g.
`HUB_SOURCES="azure_pdm=/data/exports/azure, erp=pull"`. Each gets one task,
`import__<source>`, in the listed order; the batches belong to the DAG run's record. The
connection URLs and tokens of pulls come from the environment of the workers (for example
an Airflow connection given as `AIRFLOW_CONN_...` named by the pull's url_env).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import psycopg

from hublib.errors import HubError

log = logging.getLogger(__name__)


def configured_sources(spec: str | None = None) -> list[tuple[str, str | None]]:
    """(source, path or None for a pull) for each entry of HUB_SOURCES."""
    spec = os.environ.get("HUB_SOURCES", "") if spec is None else spec
    found = []
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        name, sep, where = entry.partition("=")
        if not sep or not name.strip() or not where.strip():
            raise HubError(f"HUB_SOURCES entry {entry!r} is not SOURCE=PATH or SOURCE=pull")
        found.append((name.strip(), None if where.strip() == "pull" else where.strip()))
    return found


def import_for_run(conninfo: str, run_id: int, source: str, path: str | None) -> dict[str, int]:
    """Imports one source under the run `run_id` (its batches belong to that run). Raises
    when a file could not be imported, so that the task fails and retries."""
    from hublib.runs import log_batches
    from hublib.sources import import_sources

    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT set_config('hub.run_id', %s, FALSE)", (str(run_id),))
        conn.commit()
        result = import_sources(conn, [(source, [Path(path)] if path else [])], log=log.info, pull=path is None)
        log_batches(conn, run_id)
        conn.commit()
    done = [m for m in result.mapped if m.file.status != "skipped"]
    counts = {
        "batches": len(done),
        "records": sum(m.records + m.malformed for m in done),
        "accepted": sum(m.file.accepted for m in done),
        "rejected": sum(m.file.rejected for m in done),
        "pending": sum(m.file.pending for m in done),
        "dropped": sum(sum(m.dropped.values()) for m in done),
    }
    log.info("import %s for run %s: %s", source, run_id, counts)
    if result.failed:
        raise RuntimeError(f"import {source}: " + "; ".join(f"{p.name}: {why}" for p, why in result.failed))
    return counts


def add_source_tasks(conninfo: Callable[[], str], run_task_id: str, spec: str | None = None) -> list:
    """Inside a DAG: one task per configured source, in order (the caller chains them);
    empty when none is configured. Each reads the run id from the XCom `run_id` of
    run_task_id."""
    from airflow.sdk import task

    tasks = []
    for source, path in configured_sources(spec):

        @task(task_id=f"import__{source}")
        def run_import(source=source, path=path, ti=None) -> dict[str, int]:
            run_id = ti.xcom_pull(task_ids=run_task_id, key="run_id")
            return import_for_run(conninfo(), int(run_id), source, path)

        tasks.append(run_import())
    return tasks
