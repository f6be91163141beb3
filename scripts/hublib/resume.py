"""Resume the hub after `scripts/hub pause`: the next run proceeds.

The same from psql: CALL etl.resume(). Safe to repeat.

example:
  scripts/hub resume
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args) -> int:
    from hublib.db import connect, warehouse_url
    from hublib.migrate import require_migrated

    with connect(warehouse_url(), autocommit=True) as conn:
        require_migrated(conn)
        was = conn.execute("SELECT paused_by, paused_at, reason FROM etl.hub_pause").fetchone()
        conn.execute("CALL etl.resume()")
    if was:
        print(f"resume: the hub runs again (paused by {was[0]} since {was[1]:%Y-%m-%d %H:%M:%S %Z})")
    else:
        print("resume: the hub was not paused")
    return 0
