"""Pause the hub: until `scripts/hub resume`, every run started is recorded as paused and does nothing.

A run started while paused, from the command line (load, run, rebuild), from psql
(CALL etl.run_pipeline()) or by the Airflow DAG, is recorded in etl.pipeline_run with
state `paused` and changes nothing else; a run in progress finishes. `scripts/hub status`
says who paused the hub, when and why. The same from psql: CALL etl.pause('reason').
Airflow's own DAG pause (the toggle in its UI) stops the scheduler from starting runs at
all; this pause also holds the command line and psql.

example:
  scripts/hub pause --reason "ERP migration until Monday"
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", metavar="TEXT", help="why (shown by scripts/hub status and in the paused runs)")


def run(args) -> int:
    from hublib.db import connect, warehouse_url
    from hublib.migrate import require_migrated

    with connect(warehouse_url(), autocommit=True) as conn:
        require_migrated(conn)
        conn.execute("CALL etl.pause(%s)", (args.reason,))
        by, at, reason = conn.execute("SELECT paused_by, paused_at, reason FROM etl.hub_pause").fetchone()
    print(f"pause: the hub is paused (by {by} at {at:%Y-%m-%d %H:%M:%S %Z}: {reason or 'no reason given'})")
    print("pause: runs started now are recorded as paused and do nothing; scripts/hub resume to resume")
    return 0
