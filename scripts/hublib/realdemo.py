"""`scripts/hub demo --real DIR`: the demo on real public data sets instead of generated
ones. DIR is a folder holding any of the sets that sources/ maps, each in a subfolder
named as the source (or as its source.toml's demo_folders say): azure_pdm,
sme_discrete_manufacturing, ai4i2020, superstore_normalized (docs/sources.md says where the
team keeps them). The hub reads that folder only because it is given on the command line."""

from __future__ import annotations

from pathlib import Path

from hublib.db import connect, private_cluster
from hublib.errors import HubError

DEMO_DB = "hub_demo"


def find_sets(folder: Path) -> list[tuple[str, list[Path]]]:
    from hublib.sources import available_sources, read_source

    plan = []
    for name in available_sources():
        source = read_source(name)
        for sub in source.demo_folders:
            if (folder / sub).is_dir():
                plan.append((name, [folder / sub]))
                break
    return plan


def real_demo(out, args: list[str]) -> int:
    from hublib.cli import do_migrate
    from hublib.demo import print_oee_summary
    from hublib.pipeline import invoke
    from hublib.sources import import_sources, print_import

    if len(args) != 1 or args[0].startswith("-"):
        raise HubError(
            "usage: scripts/hub demo --real DIR (the folder of the public data sets)",
            "docs/sources.md says which folder to give",
        )
    folder = Path(args[0])
    if not folder.is_dir():
        raise HubError(f"folder {folder} does not exist", "give the folder that holds the public data sets")
    plan = find_sets(folder)
    if not plan:
        raise HubError(
            f"{folder} holds none of the data sets sources/ maps",
            "expected subfolders such as azure_pdm, sme_discrete_manufacturing, ai4i2020, superstore_normalized",
        )
    out(f"demo --real: found {', '.join(f'{n} ({p[0]})' for n, p in plan)}")
    cluster = private_cluster()
    out("demo: starting the private PostgreSQL (first time: initdb) ...")
    cluster.up()
    with connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DEMO_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DEMO_DB}"')
    url = cluster.url(DEMO_DB)
    out(f"demo: fresh database {DEMO_DB}")
    do_migrate(url)
    holder = {}

    def load(conn):
        holder["result"] = import_sources(conn, plan, log=out)
        return holder["result"].load

    invoke(url, "run", [], chain=True, log=out, loader=load, on_loaded=lambda _r: print_import(holder["result"], out))
    with connect(url, autocommit=True) as conn:
        out("")
        print_oee_summary(conn, out)
        print_sensor_summary(conn, out)
        print_margin_summary(conn, out)
    out("")
    out("demo: explore it with")
    # scripts/hub psql keeps the password off the command line (docs/security.md)
    out(f"  scripts/hub --db {DEMO_DB} psql -c 'SELECT * FROM reporting.oee_daily'")
    out(f"  scripts/hub --db {DEMO_DB} psql -c 'SELECT * FROM reporting.profitability_monthly'")
    return 0


def print_sensor_summary(conn, out) -> None:
    """Per metric: machines, hours and the mean of the hourly means, over all sensor data."""
    rows = conn.execute(
        """
        SELECT plant_code, metric, count(DISTINCT machine_code), count(*), min(hour_start), max(hour_start),
            avg(avg_value)
        FROM reporting.sensor_hourly
        GROUP BY plant_code, metric
        ORDER BY plant_code, metric
        """
    ).fetchall()
    if not rows:
        return
    out("Sensor readings per plant and metric (hourly facts)")
    for plant, metric, machines, hours, first, last, mean in rows:
        out(
            f"  {plant:5} {metric:20} {machines:4} machine(s) {hours:8,} machine-hours "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}  mean {float(mean):10.3f}"
        )


def print_margin_summary(conn, out) -> None:
    """Revenue and gross margin per plant and product family for the latest month with sales."""
    month = conn.execute("SELECT max(month) FROM reporting.profitability_monthly").fetchone()[0]
    if month is None:
        return
    out(f"Revenue and gross margin by product family, {month:%B %Y}")
    for plant, family, revenue, margin, pct, currency in conn.execute(
        """
        SELECT plant_code, product_family, sum(revenue), sum(gross_margin),
            sum(gross_margin) / nullif(sum(revenue), 0), min(currency_code)
        FROM reporting.profitability_monthly
        WHERE month = %s
        GROUP BY plant_code, product_family
        ORDER BY plant_code, product_family
        """,
        (month,),
    ):
        pct_s = "    -" if pct is None else f"{float(pct) * 100:5.1f}%"
        rev_s = "-" if revenue is None else f"{float(revenue):,.2f}"
        mar_s = "-" if margin is None else f"{float(margin):,.2f}"
        out(f"  {plant:5} {family or '?':18} revenue {rev_s:>12} {currency}  margin {mar_s:>11}  {pct_s}")
