"""`scripts/hub demo`: from nothing to numbers on the private cluster."""

from __future__ import annotations

from hublib.db import ROOT, connect, private_cluster

DEMO_DB = "hub_demo"


def demo(out) -> int:
    from hublib.cli import do_load, do_migrate

    cluster = private_cluster()
    out("demo: starting the private PostgreSQL (first time: initdb) ...")
    cluster.up()
    admin = cluster.url("postgres")
    with connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DEMO_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DEMO_DB}"')
    url = cluster.url(DEMO_DB)
    out(f"demo: fresh database {DEMO_DB}")
    do_migrate(url)
    out(f"demo: loading {ROOT / 'fixtures'}")
    do_load(url, [ROOT / "fixtures"])
    out("")
    out("demo: explore it with")
    out(f"  psql '{url}' -c 'SELECT * FROM etl.batch_reconciliation'")
    out(f"  psql '{url}' -c 'SELECT batch_id, file_line, reason_code, message FROM etl.rejected_row'")
    return 0
