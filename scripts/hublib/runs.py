"""Run records, the pipeline log and notifications: the glue around etl.start_run.

Every entry point (`scripts/hub load`, `scripts/hub run`, the Airflow DAG) opens a run with
`etl.start_run`, which waits for any other run (two runs never interleave), and ends it
by `etl.finish_run` or, for the chain, by the steps themselves (`etl.run_step`). When a
run has ended, `notify_run` sends its summary: always one JSON line to
`etl_pipeline.log` and the run's row; by e-mail and to a webhook when configured
(environment first, then `etl.setting`; never in code, no secret in the repository).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import psycopg

from hublib.db import ROOT

LOG_NAME = "etl_pipeline.log"
_LOGGER = "hub.pipeline"


# -- the JSON log -------------------------------------------------------------------------
class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=_plain, ensure_ascii=False)


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def log_dir() -> Path:
    return Path(os.environ.get("HUB_LOG_DIR") or ROOT / "logs")


def pipeline_logger() -> logging.Logger:
    """The rotating JSON-lines log (10 MB x 5 files) in HUB_LOG_DIR (default logs/)."""
    path = log_dir() / LOG_NAME
    logger = logging.getLogger(_LOGGER)
    current = [h for h in logger.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]
    if not current:
        for h in list(logger.handlers):
            logger.removeHandler(h)
            h.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=10 << 20, backupCount=5, encoding="utf-8")
        handler.setFormatter(_JsonLines())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_event(event: str, *, level: int = logging.INFO, **fields) -> None:
    """One JSON object per line: ts, level, event, and run_id / step / batch_id as given."""
    pipeline_logger().log(level, event, extra={"fields": fields})


# -- opening and closing runs -------------------------------------------------------------
def start_run(conn: psycopg.Connection, kind: str, dag_id: str | None = None, dag_run_id: str | None = None) -> int:
    """Opens a run on this session (waits for another run; see etl.start_run) and commits."""
    run_id = conn.execute("SELECT etl.start_run(%s, %s, %s)", (kind, dag_id, dag_run_id)).fetchone()[0]
    conn.commit()
    log_event("run started", run_id=run_id, kind=kind, airflow_run_id=dag_run_id)
    return run_id


def finish_run(conn: psycopg.Connection, run_id: int, state: str, message: str | None = None) -> None:
    if not conn.autocommit:
        conn.rollback()
    conn.execute("SELECT etl.finish_run(%s, %s, %s)", (run_id, state, message))
    if not conn.autocommit:
        conn.commit()


def log_batches(conn: psycopg.Connection, run_id: int) -> None:
    rows = conn.execute(
        "SELECT batch_id, feed_name, file_name, status, records_read, records_accepted, records_rejected, "
        "records_pending FROM etl.batch WHERE run_id = %s ORDER BY batch_id",
        (run_id,),
    ).fetchall()
    for b in rows:
        log_event(
            "batch loaded" if b[3] == "loaded" else f"batch {b[3]}",
            run_id=run_id,
            batch_id=b[0],
            feed=b[1],
            file=b[2],
            read=b[4],
            accepted=b[5],
            rejected=b[6],
            pending=b[7],
        )


def log_steps(conn: psycopg.Connection, run_id: int, only: int | None = None) -> None:
    rows = conn.execute(
        "SELECT step_order, step, state, attempts, duration_s, rows_written, message "
        "FROM reporting.pipeline_run_steps WHERE run_id = %s AND (%s::int IS NULL OR step_order = %s) "
        "AND state <> 'pending' ORDER BY step_order",
        (run_id, only, only),
    ).fetchall()
    for s in rows:
        log_event(
            f"step {s[2]}",
            level=logging.INFO if s[2] == "success" else logging.ERROR,
            run_id=run_id,
            step=s[1],
            step_order=s[0],
            attempts=s[3],
            seconds=s[4],
            rows_written=s[5],
            message=s[6],
        )


# -- notifications ------------------------------------------------------------------------
@dataclass
class Channels:
    webhook_url: str = ""
    email_to: list[str] = field(default_factory=list)
    email_from: str = "hub@localhost"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    on_success: bool = True


def channels(conn: psycopg.Connection) -> Channels:
    """Settings from etl.setting, each overridden by its environment variable."""
    settings = dict(
        conn.execute("SELECT setting_name, setting_value FROM etl.setting WHERE setting_name LIKE 'notify_%'")
    )

    def pick(env: str, setting: str, default: str = "") -> str:
        return os.environ.get(env) or settings.get(setting) or default

    host = pick("HUB_SMTP_HOST", "notify_smtp_host")
    port = os.environ.get("HUB_SMTP_PORT")
    if ":" in host:
        host, _, port_in_host = host.rpartition(":")
        port = port or port_in_host
    return Channels(
        webhook_url=pick("HUB_WEBHOOK_URL", "notify_webhook_url"),
        email_to=[a.strip() for a in pick("HUB_EMAIL_TO", "notify_email_to").split(",") if a.strip()],
        email_from=pick("HUB_EMAIL_FROM", "notify_email_from", "hub@localhost"),
        smtp_host=host,
        smtp_port=int(port or 25),
        smtp_user=os.environ.get("HUB_SMTP_USER", ""),
        smtp_password=os.environ.get("HUB_SMTP_PASSWORD", ""),
        smtp_starttls=os.environ.get("HUB_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        on_success=pick("HUB_NOTIFY_ON_SUCCESS", "notify_on_success", "true").lower() in ("1", "true", "yes"),
    )


def run_summary(conn: psycopg.Connection, run_id: int) -> dict:
    cur = conn.execute("SELECT * FROM reporting.pipeline_runs WHERE run_id = %s", (run_id,))
    row = cur.fetchone()
    if row is None:
        raise LookupError(f"no run {run_id} in etl.pipeline_run")
    summary = dict(zip([d.name for d in cur.description], row, strict=True))
    summary["checks"] = [
        {"check": c, "severity": s, "observed": o, "detail": d}
        for c, s, o, d in conn.execute(
            "SELECT check_name, severity, observed, detail FROM etl.dq_result "
            "WHERE run_id = %s AND NOT passed ORDER BY severity, check_name",
            (run_id,),
        )
    ]
    return summary


def message_text(s: dict) -> str:
    head = f"Hub run {s['run_id']} ({s['kind']}) {s['state'].upper()}"
    lines = [
        head,
        f"loaded {s['rows_loaded']:,} rows from {s['batches']} file(s), rejected {s['rows_rejected']:,}, "
        f"pending {s['rows_pending']:,}; {s['duration_s']} s",
    ]
    if s.get("failed_step"):
        lines.append(f"failed step: {s['failed_step']}")
    if s.get("error_message"):
        lines.append(f"error: {s['error_message']}")
    for c in s["checks"]:
        lines.append(f"check {c['check']} ({c['severity']}): {c['detail']}")
    if not s["checks"] and s["state"] == "success":
        lines.append("every data-quality check passed")
    where = f"where to look: SELECT * FROM reporting.pipeline_runs WHERE run_id = {s['run_id']}; "
    where += f"reporting.pipeline_run_steps; reporting.data_quality_results; {log_dir() / LOG_NAME}"
    if s.get("airflow_run_id"):
        where += f"; Airflow DAG {s['airflow_dag_id']} run {s['airflow_run_id']}"
    lines.append(where)
    return "\n".join(lines)


def _send_email(ch: Channels, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = ch.email_from
    msg["To"] = ", ".join(ch.email_to)
    msg.set_content(body)
    with smtplib.SMTP(ch.smtp_host, ch.smtp_port, timeout=30) as smtp:
        if ch.smtp_starttls:
            smtp.starttls()
        if ch.smtp_user:
            smtp.login(ch.smtp_user, ch.smtp_password)
        smtp.send_message(msg)


def _post_webhook(url: str, payload: dict) -> None:
    data = json.dumps(payload, default=_plain).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def notify_run(conn: psycopg.Connection, run_id: int) -> list[str]:
    """Sends the run's summary (it must have ended) and records where it went.
    A channel that fails is logged and does not hide the others; returns the channels used,
    none when another process has claimed this notification (etl.claim_notification).
    A paused run goes to the log only."""
    if not conn.autocommit:
        conn.rollback()
    claimed = conn.execute("SELECT etl.claim_notification(%s)", (run_id,)).fetchone()[0]
    if not conn.autocommit:
        conn.commit()
    if not claimed:
        return []
    s = run_summary(conn, run_id)
    text = message_text(s)
    ok = s["state"] == "success"
    ch = channels(conn)
    sent = ["log"]
    log_event(
        "run notification",
        level=logging.INFO if ok else logging.ERROR,
        run_id=run_id,
        kind=s["kind"],
        state=s["state"],
        rows_loaded=s["rows_loaded"],
        rows_rejected=s["rows_rejected"],
        failed_step=s["failed_step"],
        failed_checks=s["failed_checks"],
        error=s["error_message"],
        airflow_run_id=s["airflow_run_id"],
        message=text,
    )
    if s["state"] == "paused" or (ok and not ch.on_success):  # only the log
        return _recorded(conn, run_id, sent)
    subject = text.splitlines()[0]
    if ch.email_to and ch.smtp_host:
        try:
            _send_email(ch, subject, text)
            sent.append("email")
        except OSError as exc:
            log_event("e-mail notification failed", level=logging.ERROR, run_id=run_id, error=str(exc))
    if ch.webhook_url:
        payload = {
            "text": text,
            "run": {k: v for k, v in s.items() if k != "checks"},
            "failed_checks": s["checks"],
        }
        try:
            _post_webhook(ch.webhook_url, payload)
            sent.append("webhook")
        except OSError as exc:
            log_event("webhook notification failed", level=logging.ERROR, run_id=run_id, error=str(exc))
    return _recorded(conn, run_id, sent)


def _recorded(conn: psycopg.Connection, run_id: int, sent: list[str]) -> list[str]:
    conn.execute("SELECT etl.record_notification(%s, %s)", (run_id, sent))
    if not conn.autocommit:
        conn.commit()
    return sent


def send_outbox(conn: psycopg.Connection, log=None) -> list[int]:
    """Sends every queued notification nobody has claimed: runs that ended where nothing
    could send them, such as `CALL etl.run_pipeline()` in psql. Returns the runs notified."""
    if not conn.autocommit:
        conn.rollback()
    queued = [
        r[0]
        for r in conn.execute(
            "SELECT o.run_id FROM etl.notification_outbox AS o JOIN etl.pipeline_run AS r USING (run_id) "
            "WHERE o.claimed_at IS NULL AND r.state IN ('success', 'failed', 'paused') ORDER BY o.run_id"
        )
    ]
    if not conn.autocommit:
        conn.commit()
    sent = []
    for run_id in queued:
        channels = notify_run(conn, run_id)
        if channels:
            sent.append(run_id)
            if log:
                log(f"notified run {run_id} (queued, e.g. started from psql): {', '.join(channels)}")
    return sent
