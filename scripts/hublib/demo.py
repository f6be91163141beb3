"""`scripts/hub demo`: from nothing to numbers on the private cluster."""

from __future__ import annotations

import shutil

from hublib.db import ROOT, connect, private_cluster

DEMO_DB = "hub_demo"
DEMO_DATA = ROOT / "out" / "demo-data"
EXPORTS = ROOT / "out" / "exports"


def demo(out) -> int:
    from hublib.cli import do_export, do_load, do_migrate
    from hublib.generate import generate

    cluster = private_cluster()
    first = not cluster.initialized()
    out("demo: creating the private PostgreSQL (initdb) ..." if first else "demo: starting the private PostgreSQL ...")
    cluster.up()
    with connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DEMO_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DEMO_DB}"')
    url = cluster.url(DEMO_DB)
    out(f"demo: fresh database {DEMO_DB}")
    do_migrate(url)
    shutil.rmtree(DEMO_DATA, ignore_errors=True)
    written = generate(DEMO_DATA, seed=1, machines=9, days=56)
    out(f"demo: generated {len(written)} feed files, {sum(written.values()):,} rows, in {DEMO_DATA}")
    do_load(url, [DEMO_DATA], chain=True)
    with connect(url, autocommit=True) as conn:
        out("")
        print_oee_summary(conn, out)
        print_finance_summary(conn, out)
    out("")
    do_export(url, EXPORTS)
    from hublib.dashboard import DEFAULT_OUT, write_dashboard

    with connect(url, autocommit=True) as conn:
        dashboard = write_dashboard(conn, DEFAULT_OUT)
    out(f"demo: dashboard written to {dashboard} (open it in a browser; it works offline)")
    out("")
    out("demo: explore it with (each line works as printed, from the checkout)")
    out(f"  scripts/hub --db {DEMO_DB} status")
    out(f"  scripts/hub --db {DEMO_DB} export out/exports --install-hyper --twbx")
    # scripts/hub psql keeps the password off the command line (docs/security.md)
    out(f"  scripts/hub --db {DEMO_DB} psql -c 'SELECT * FROM reporting.oee_monthly'")
    out(f"  a browser: {dashboard}")
    out(f"  Tableau: {EXPORTS} (CSV; hub.hyper when tableauhyperapi is installed), see docs/tableau.md")
    return 0


def _pct(x) -> str:
    return "    -" if x is None else f"{float(x) * 100:5.1f}%"


def last_full_month(conn):
    """The latest month the production data covers from its first to its last day (else
    the latest month with data), as a date (the first day), or None without runs."""
    return conn.execute(
        """
        WITH span AS (
            SELECT min(production_date) AS first_day, max(production_date) AS last_day FROM reporting.oee_daily
        )
        SELECT coalesce(
            max(m.month) FILTER (
                WHERE m.month >= s.first_day AND (m.month + INTERVAL '1 month' - INTERVAL '1 day')::date <= s.last_day
            ),
            max(m.month)
        )
        FROM reporting.oee_monthly AS m CROSS JOIN span AS s
        """
    ).fetchone()[0]


def print_oee_summary(conn, out) -> None:
    """OEE by plant and line for the last full month, the five worst machines, the top
    downtime reasons; all from the reporting views."""
    month = last_full_month(conn)
    if month is None:
        out("no production runs loaded: nothing to summarise")
        return
    label = month.strftime("%B %Y")
    out(f"OEE by plant and line, {label}")
    out(f"  {'plant':6}{'line':6}{'availability':>13}{'performance':>13}{'quality':>9}{'OEE':>8}")
    for plant, line, a, p, q, oee in conn.execute(
        "SELECT plant_code, line_code, availability, performance, quality, oee FROM reporting.oee_monthly "
        "WHERE month = %s ORDER BY plant_code, line_code",
        (month,),
    ):
        out(f"  {plant or '?':6}{line or '?':6}{_pct(a):>13}{_pct(p):>13}{_pct(q):>9}{_pct(oee):>8}")

    out(f"Five worst machines, {label} (OEE = ideal good time / planned production time)")
    for machine, plant, line, oee, days in conn.execute(
        """
        SELECT
            machine_code,
            min(plant_code),
            min(line_code),
            sum(coalesce(oee * planned_production_min, 0)) / nullif(sum(planned_production_min), 0),
            count(*)
        FROM reporting.oee_daily
        WHERE date_trunc('month', production_date) = %s
        GROUP BY machine_code
        ORDER BY 4 NULLS FIRST, machine_code
        LIMIT 5
        """,
        (month,),
    ):
        out(f"  {machine:10} {plant}/{line}  OEE {_pct(oee)} over {days} days")

    out(f"Top downtime reasons, {label} (minutes inside runs)")
    for plant, reason, planned, minutes, share in conn.execute(
        "SELECT plant_code, reason_code, is_planned, downtime_min, share_of_month FROM reporting.downtime_pareto "
        "WHERE month = %s ORDER BY downtime_min DESC, plant_code, reason_code LIMIT 5",
        (month,),
    ):
        kind = "planned" if planned else "unplanned"
        out(f"  {plant:4} {reason:12} {kind:9} {float(minutes):8,.0f} min  {_pct(share)} of the plant's month")


def print_finance_summary(conn, out) -> None:
    """Cost per unit against standard, and margin, for the same month as the OEE summary."""
    month = last_full_month(conn)
    if month is None:
        return
    label = month.strftime("%B %Y")
    rows = conn.execute(
        """
        SELECT c.plant_code, c.product_sku, c.cost_per_unit, c.standard_cost_per_unit, p.revenue,
            p.gross_margin_pct, p.revenue_mom_pct, c.currency_code
        FROM reporting.cost_per_unit_monthly AS c
        LEFT JOIN reporting.profitability_monthly AS p USING (month, plant_code, product_sku)
        WHERE c.month = %s
        ORDER BY c.plant_code, c.product_sku
        """,
        (month,),
    ).fetchall()
    currency = rows[0][7] if rows else ""
    out(f"Cost per unit and margin, {label} ({currency})")
    out(f"  {'plant':6}{'product':10}{'cost/unit':>11}{'standard':>10}{'revenue':>14}{'margin':>8}{'vs prev':>9}")
    for plant, sku, cpu, std, revenue, margin, mom, _currency in rows:
        cpu_s = "-" if cpu is None else f"{float(cpu):.3f}"
        std_s = "-" if std is None else f"{float(std):.3f}"
        rev_s = "-" if revenue is None else f"{float(revenue):,.0f}"
        out(f"  {plant:6}{sku:10}{cpu_s:>11}{std_s:>10}{rev_s:>14}{_pct(margin):>8}{_pct(mom):>9}")
