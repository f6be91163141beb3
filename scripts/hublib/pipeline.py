"""One recorded invocation of the pipeline: open a run, load folders, run the chain, end
the run, log and notify. `scripts/hub load` and `scripts/hub run` use it; the Airflow
DAG uses the same pieces across its tasks (dags/hub_pipeline.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from hublib.db import connect
from hublib.errors import HubError
from hublib.loader import PROGRESS_BYTES, Loader, LoadResult
from hublib.progress import StepProgress, interactive, live
from hublib.runs import finish_run, log_batches, log_steps, notify_run, send_outbox, start_run


class ProgressLoader(Loader):
    """The loader, with each file's progress: a live line with the elapsed time on a
    terminal, and for big files the rate (rows and MB per second) as a log line."""

    def load_file(self, feed, path):
        if not interactive():
            result = super().load_file(feed, path)
        else:
            with live(f"load {path.name}"):
                result = super().load_file(feed, path)
        try:
            size = path.stat().st_size
        except OSError:  # a file that vanished was named by the loader and left unregistered
            return result
        if size >= PROGRESS_BYTES and result.seconds:
            self.log(
                f"  {path.name}: {result.read / result.seconds:,.0f} rows/s, {size / 1e6 / result.seconds:,.1f} MB/s"
            )
        return result


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


def paused(conn: psycopg.Connection, run_id: int, log: Callable[[str], None]) -> bool:
    """True when etl.start_run recorded the run as paused (the hub is paused): say so."""
    state, message = conn.execute(
        "SELECT state, error_message FROM etl.pipeline_run WHERE run_id = %s", (run_id,)
    ).fetchone()
    if not conn.autocommit:
        conn.commit()
    if state != "paused":
        return False
    log(f"run {run_id}: paused: {message} (scripts/hub resume, or CALL etl.resume(), to resume)")
    return True


def invoke(
    url: str,
    kind: str,
    dirs: list[Path],
    *,
    chain: bool,
    log: Callable[[str], None],
    on_loaded: Callable[[LoadResult], None] | None = None,
    rebuild: tuple[date | None, date | None] | None = None,
    loader: Callable[[psycopg.Connection], LoadResult] | None = None,
    follow_symlinks: bool = False,
) -> Invocation:
    """Runs one invocation on one session (which holds the run) and notifies its end:
    load the paths (or call `loader`, which scripts/hub import gives: real exports through
    sources/), then (`chain`) the chain's steps, or (`rebuild` = (from, to), kind rebuild)
    etl.rebuild. Raises what failed after the run is recorded and notified."""
    with connect(url) as conn:
        send_outbox(conn, log)  # runs that ended where nothing could notify them (psql)
        run_id = open_run(conn, kind, log)
        if paused(conn, run_id, log):
            conn.autocommit = True
            return _close(conn, run_id, log)
        log(f"{kind}: run {run_id}")
        result = None
        try:
            if dirs or loader:
                result = (
                    loader(conn)
                    if loader
                    else ProgressLoader(conn, log=log, url=url).load(dirs, follow_symlinks=follow_symlinks)
                )
                log_batches(conn, run_id)
                conn.commit()
                if on_loaded:
                    on_loaded(result)
            if chain or rebuild:
                conn.autocommit = True
                steps = StepProgress(log)
                conn.add_notice_handler(steps.notice)
                try:
                    if rebuild:
                        conn.execute("CALL etl.rebuild(%s::date, %s::date, %s::bigint)", (*rebuild, run_id))
                    else:
                        conn.execute("CALL etl.run_pipeline(%s::bigint)", (run_id,))
                finally:
                    steps.close()
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
