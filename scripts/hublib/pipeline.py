"""One recorded invocation of the pipeline: open a run, load folders, run the chain, end
the run, log and notify. `scripts/hub load` and `scripts/hub run` use it; the Airflow
DAG uses the same pieces across its tasks (dags/hub_pipeline.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.db import connect
from hublib.errors import HubError
from hublib.loader import Loader, LoadResult
from hublib.runs import finish_run, log_batches, log_steps, notify_run, start_run


@dataclass
class Invocation:
    run_id: int
    state: str
    load: LoadResult | None
    notified: list[str]
    failed_checks: str | None
    error: str | None


def open_run(conn: psycopg.Connection, kind: str, log: Callable[[str], None], **airflow) -> int:
    """etl.start_run, saying first when another run is in progress (it waits for it)."""
    busy = conn.execute(
        "SELECT r.run_id, r.kind, r.started_at, s.setting_value FROM etl.pipeline_run AS r "
        "CROSS JOIN etl.setting AS s WHERE s.setting_name = 'lock_wait_seconds' "
        "AND r.state IN ('pending', 'running', 'retrying') ORDER BY r.run_id LIMIT 1"
    ).fetchone()
    conn.commit()
    if busy:
        log(f"run {busy[0]} ({busy[1]}, started {busy[2]:%Y-%m-%d %H:%M:%S}) is in progress; waiting up to {busy[3]} s")
    try:
        return start_run(conn, kind, airflow.get("dag_id"), airflow.get("dag_run_id"))
    except psycopg.errors.LockNotAvailable as exc:
        conn.rollback()
        diag = exc.diag
        raise HubError(diag.message_primary or str(exc), diag.message_hint or "") from exc


def invoke(
    url: str,
    kind: str,
    dirs: list[Path],
    *,
    chain: bool,
    log: Callable[[str], None],
    on_loaded: Callable[[LoadResult], None] | None = None,
    follow_symlinks: bool = False,
) -> Invocation:
    """Runs one invocation on one session (which holds the run) and notifies its end.
    Raises what failed after the run is recorded and notified."""
    with connect(url) as conn:
        run_id = open_run(conn, kind, log)
        log(f"{kind}: run {run_id}")
        result = None
        try:
            if dirs:
                result = Loader(conn, log=log, url=url).load(dirs, follow_symlinks=follow_symlinks)
                log_batches(conn, run_id)
                conn.commit()
                if on_loaded:
                    on_loaded(result)
            if chain:
                conn.autocommit = True
                conn.add_notice_handler(lambda d: log(f"  {d.message_primary}"))
                conn.execute(sql.SQL("CALL etl.run_pipeline({})").format(sql.Literal(run_id)))
            else:
                finish_run(conn, run_id, "success")
        except BaseException as exc:
            if not conn.autocommit:
                conn.rollback()
            conn.autocommit = True
            message = _one_line(exc)
            finish_run(conn, run_id, "failed", message)  # a no-op when etl.run_step recorded it
            inv = _close(conn, run_id, log)
            if isinstance(exc, psycopg.Error):
                raise HubError(
                    f"run {run_id} failed: {inv.error}",
                    f"see SELECT * FROM reporting.pipeline_runs WHERE run_id = {run_id} "
                    "(and reporting.pipeline_run_steps, reporting.data_quality_results)",
                    exit_code=1,
                ) from exc
            raise
        conn.autocommit = True
        return _close(conn, run_id, log, result)


def _close(conn: psycopg.Connection, run_id: int, log: Callable[[str], None], result=None) -> Invocation:
    log_steps(conn, run_id)
    channels = notify_run(conn, run_id)
    state, failed_checks, error = conn.execute(
        "SELECT state, failed_checks, error_message FROM reporting.pipeline_runs WHERE run_id = %s", (run_id,)
    ).fetchone()
    if failed_checks:
        log(f"checks that did not pass: {failed_checks}")
    log(f"run {run_id}: {state}; notified: {', '.join(channels)}")
    return Invocation(run_id, state, result, channels, failed_checks, error)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, psycopg.Error) and exc.diag.message_primary:
        return exc.diag.message_primary
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
