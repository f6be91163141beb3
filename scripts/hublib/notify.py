"""Send the queued run notifications: runs that ended where nothing could send them (psql).

A run started with CALL etl.run_pipeline() in psql cannot send e-mail or call a webhook:
its notification waits in etl.notification_outbox. Every scripts/hub load / run /
rebuild and every DAG run sends what waits there first; this command sends it now (put it
in cron after a psql-scheduled run, or call it by hand).

example:
  scripts/hub notify
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args) -> int:
    from hublib.db import connect, warehouse_url
    from hublib.migrate import require_migrated
    from hublib.runs import send_outbox

    with connect(warehouse_url(), autocommit=True) as conn:
        require_migrated(conn)
        sent = send_outbox(conn, print)
    print(f"notify: {len(sent)} queued notification(s) sent")
    return 0
