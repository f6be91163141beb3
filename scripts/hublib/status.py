"""Is the warehouse healthy? Cluster, schema, pause, last runs, pending records, feed freshness, quality.

Prints where the warehouse is (its URL without the password), whether it is up, the
migrations applied and any still pending in this checkout, whether the hub is paused (who,
when, why), the last runs (kind, state, duration, rows loaded and rejected, failed checks),
the records waiting in etl.pending_record, each feed's last file and its age against its
freshness check, the last data-quality results, and notifications still queued.

Exit status: 0 when healthy; 1 when the warehouse cannot be reached, is behind this
checkout (schema or procedure files not applied: load, run, import and rebuild refuse to
start until scripts/hub migrate), the last run failed, or an error-severity check of the
last gate failed. It never starts the private cluster. It reads the etl schema: run it as
the owner or an ETL login (docs/security.md).

example:
  scripts/hub status
  scripts/hub --db hub_demo status --json | jq .runs[0]
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from decimal import Decimal

import psycopg
from psycopg.conninfo import conninfo_to_dict

LAST_RUNS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="one JSON object for scripts (same facts, same exit status)"
    )
    parser.add_argument(
        "--runs", type=int, default=LAST_RUNS, metavar="N", help=f"last runs shown (default {LAST_RUNS})"
    )


def without_password(url: str) -> str:
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(DATABASE_URL is not a valid connection string)"
    info.pop("password", None)
    host, port, db, user = (
        info.get("host", "localhost"),
        info.get("port", 5432),
        info.get("dbname", ""),
        info.get("user"),
    )
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db}"


def collect(runs: int = LAST_RUNS) -> dict:
    """Every fact status prints, as plain data (the JSON output)."""
    from hublib.db import ROOT, chosen_db, private_cluster, with_dbname

    report: dict = {"cluster": {}, "problems": []}
    url = os.environ.get("DATABASE_URL")
    if url:
        url = with_dbname(url, chosen_db()) if chosen_db() else url
        report["cluster"] = {"kind": "DATABASE_URL", "url": without_password(url)}
    else:
        cluster = private_cluster()
        c = {"kind": "private", "data_directory": str(cluster.data), "initialized": cluster.initialized()}
        port = cluster.running_port() if c["initialized"] else None
        c["running"] = port is not None
        report["cluster"] = c
        if port is None:
            report["problems"].append(
                "the private cluster is not running (scripts/hub db up)"
                if c["initialized"]
                else "the private cluster does not exist yet (scripts/hub db up, or scripts/hub demo)"
            )
            return _finish(report)
        url = cluster.url(chosen_db()) if chosen_db() else cluster.url()
        c["url"] = without_password(url)
    try:
        conn = psycopg.connect(url, connect_timeout=5, autocommit=True)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        report["cluster"]["reachable"] = False
        report["problems"].append(f"cannot connect: {first}")
        return _finish(report)
    report["cluster"]["reachable"] = True
    with conn:
        conn.execute("SET timezone = 'UTC'")
        report["cluster"]["server_version"] = conn.info.server_version
        may_read = conn.execute(
            "SELECT coalesce((SELECT has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace AS n "
            "WHERE n.nspname = 'etl'), TRUE)"
        ).fetchone()[0]
        if not may_read:
            # a reporting login: it reads only the reporting views (docs/security.md)
            report["problems"].append(
                f"login {conn.info.user} may not read the etl schema: status needs the owner or an ETL login "
                "(a reporting login reads the run history in reporting.pipeline_runs)"
            )
            return _finish(report)
        _schema(conn, report, ROOT)
        if report["schema"]["applied"]:
            _warehouse(conn, report, runs)
    return _finish(report)


def _schema(conn, report: dict, root) -> None:
    from hublib.migrate import behind, schema_files

    files = [f.name for f in schema_files(root)]
    has_table = conn.execute("SELECT to_regclass('etl.schema_migration') IS NOT NULL").fetchone()[0]
    applied = (
        [r[0] for r in conn.execute("SELECT filename FROM etl.schema_migration ORDER BY filename")] if has_table else []
    )
    # the check load, run, import and rebuild make (hublib.migrate.require_current)
    pending, procedures = behind(conn, root)
    report["schema"] = {
        "applied": len(applied),
        "in_checkout": len(files),
        "pending": pending,
        "pending_procedures": procedures if applied else [],
    }
    if not applied:
        report["problems"].append("the database is not migrated (scripts/hub migrate)")
    elif pending or procedures:
        parts = [f"{len(pending)} schema file(s)"] if pending else []
        parts += [f"{len(procedures)} procedure file(s)"] if procedures else []
        report["problems"].append(
            f"the database is behind this checkout ({' and '.join(parts)} not applied; load, run, import and "
            "rebuild refuse to start): scripts/hub migrate"
        )


def _rows(cur) -> list[dict]:
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _warehouse(conn, report: dict, runs: int) -> None:
    has_pause = conn.execute("SELECT to_regclass('etl.hub_pause') IS NOT NULL").fetchone()[0]
    pause = _rows(conn.execute("SELECT paused_by, paused_at, reason FROM etl.hub_pause")) if has_pause else []
    report["paused"] = pause[0] if pause else None
    report["runs"] = _rows(
        conn.execute(
            "SELECT run_id, kind, state, started_at, finished_at, duration_s, batches, rows_loaded, rows_rejected, "
            "rows_pending, failed_error_checks, failed_warning_checks, failed_checks, failed_step, error_message, "
            "started_by, airflow_run_id FROM reporting.pipeline_runs ORDER BY run_id DESC LIMIT %s",
            (runs,),
        )
    )
    report["pending_records"] = conn.execute("SELECT count(*) FROM etl.pending_record").fetchone()[0]
    report["feeds"] = _rows(
        conn.execute(
            """
            SELECT f.feed_name AS feed, b.file_name AS last_file, b.finished_at AS delivered_at,
                round((extract(EPOCH FROM clock_timestamp() - b.finished_at) / 3600)::numeric, 1) AS age_h,
                c.threshold AS limit_h, c.severity,
                CASE WHEN c.threshold IS NULL OR b.finished_at IS NULL THEN NULL
                    ELSE extract(EPOCH FROM clock_timestamp() - b.finished_at) / 3600 <= c.threshold END AS fresh
            FROM etl.feed AS f
            LEFT JOIN LATERAL (
                SELECT x.file_name, x.finished_at FROM etl.batch AS x
                WHERE x.feed_name = f.feed_name AND x.status = 'loaded'
                ORDER BY x.finished_at DESC NULLS LAST, x.batch_id DESC LIMIT 1
            ) AS b ON TRUE
            LEFT JOIN etl.dq_check AS c
                ON c.check_function = 'etl.dq_feed_freshness' AND c.target = f.feed_name AND c.is_enabled
            ORDER BY f.load_order
            """
        )
    )
    gate = conn.execute("SELECT max(run_id) FROM etl.dq_result").fetchone()[0]
    report["quality"] = {
        "run_id": gate,
        "results": _rows(
            conn.execute(
                "SELECT check_name, severity, passed, observed, threshold, detail FROM etl.dq_result "
                "WHERE run_id = %s ORDER BY passed, severity, check_name",
                (gate,),
            )
        )
        if gate
        else [],
    }
    has_outbox = conn.execute("SELECT to_regclass('etl.notification_outbox') IS NOT NULL").fetchone()[0]
    report["queued_notifications"] = (
        conn.execute("SELECT count(*) FROM etl.notification_outbox WHERE claimed_at IS NULL").fetchone()[0]
        if has_outbox
        else 0
    )
    last = next((r for r in report["runs"] if r["state"] != "paused"), None)
    if last and last["state"] == "failed":
        report["problems"].append(f"the last run ({last['run_id']}, {last['kind']}) failed: {last['error_message']}")
    failed = [r["check_name"] for r in report["quality"]["results"] if r["severity"] == "error" and not r["passed"]]
    if failed:
        report["problems"].append(f"error checks failed in run {gate}: {', '.join(failed)}")


def _finish(report: dict) -> dict:
    report["healthy"] = not report["problems"]
    return report


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _t(value) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def print_report(r: dict, out=print) -> None:
    c = r["cluster"]
    if c["kind"] == "private":
        state = "running" if c.get("running") else ("stopped" if c["initialized"] else "not created")
        out(f"cluster    private, {state}; data in {c['data_directory']}")
    else:
        out("cluster    DATABASE_URL")
    if c.get("url"):
        reach = "" if c.get("reachable", True) else " (unreachable)"
        out(f"url        {c['url']}{reach}  (password: scripts/hub db url)")
    s = r.get("schema")
    if s:
        pend = f"; pending: {', '.join(s['pending'])} (scripts/hub migrate)" if s["pending"] else "; none pending"
        if not s["applied"]:
            pend = "; not migrated (scripts/hub migrate)"
        out(f"schema     {s['applied']} migrations applied, {s['in_checkout']} in this checkout{pend}")
        if s["pending_procedures"]:
            out(
                f"procedures {len(s['pending_procedures'])} file(s) new or changed since the last migrate: "
                f"{', '.join(s['pending_procedures'])} (scripts/hub migrate)"
            )
    if "runs" in r:
        p = r["paused"]
        if p:
            out(f"paused     by {p['paused_by']} at {_t(p['paused_at'])} UTC: {p['reason'] or 'no reason given'}")
            out("           (runs are recorded as paused and do nothing; scripts/hub resume)")
        else:
            out("paused     no")
        out(f"last runs  (newest first; {len(r['runs'])} shown)" if r["runs"] else "last runs  none yet")
        for run in r["runs"]:
            checks = f"; failed checks: {run['failed_checks']}" if run["failed_checks"] else ""
            err = f"; {run['error_message']}" if run["state"] in ("failed", "paused") and run["error_message"] else ""
            out(
                f"  {run['run_id']:>5} {run['kind']:8} {run['state']:8} {_t(run['started_at'])}  "
                f"{run['duration_s']:>7} s  loaded {run['rows_loaded']:,} "
                f"rejected {run['rows_rejected']:,}{checks}{err}"
            )
        out(f"pending    {r['pending_records']:,} record(s) wait for their machine or plant (etl.pending_record)")
        out("feeds      last file, its age against the freshness check")
        for f in r["feeds"]:
            if f["last_file"] is None:
                out(f"  {f['feed']:16} never delivered")
                continue
            verdict = "" if f["fresh"] is None else ("ok" if f["fresh"] else f"STALE ({f['severity']})")
            limit = f", limit {f['limit_h']} h" if f["limit_h"] is not None else ""
            out(f"  {f['feed']:16} {f['last_file']:40} {f['age_h']:>8} h ago{limit}  {verdict}".rstrip())
        q = r["quality"]
        if q["run_id"]:
            failed = [x for x in q["results"] if not x["passed"]]
            out(f"quality    run {q['run_id']}: {len(q['results']) - len(failed)} passed, {len(failed)} failed")
            for x in failed:
                out(f"  {x['check_name']} ({x['severity']}): {x['detail']}")
        else:
            out("quality    no data-quality results yet")
        if r["queued_notifications"]:
            out(f"notify     {r['queued_notifications']} notification(s) queued (scripts/hub notify sends them)")
    for p in r["problems"]:
        out(f"PROBLEM    {p}")
    out("healthy" if r["healthy"] else "NOT healthy")


def run(args) -> int:
    report = collect(args.runs)
    if args.json:
        print(json.dumps(report, default=_plain, indent=2))
    else:
        print_report(report)
    return 0 if report["healthy"] else 1
