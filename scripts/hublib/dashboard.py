"""Write a self-contained HTML dashboard of the reporting views (opens offline, from disk).

Five pages on one sheet (OEE, Downtime, Cost per unit, Profitability, Sensors before
downtime), filters by plant, line and month, values on hover. The data are the reporting
views summed to their additive measures in SQL (below); every ratio on screen is then
re-aggregated in the browser as a sum divided by a sum (RATIOS, the same formulas as the
Tableau workbook's calculated fields), never an average of ratios. Plotly's JavaScript is
embedded in the file: no network request, no server.

example:
  scripts/hub --db hub_demo dashboard out/dashboard.html
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from hublib.db import ROOT

DEFAULT_OUT = ROOT / "out" / "dashboard.html"

# ratio -> (numerator, denominator): both additive measures; the ratio of a set of rows is
# sum(numerator) / sum(denominator), NULL when the denominator sums to 0. Tableau's
# calculated fields are written from the same table (hublib.workbook).
RATIOS: dict[str, tuple[str, str]] = {
    "availability": ("run_time_min", "planned_production_min"),
    "performance": ("ideal_output_min", "run_time_min"),
    "quality": ("ideal_good_min", "ideal_output_min"),
    "oee": ("ideal_good_min", "planned_production_min"),
    "good_ratio": ("good_count", "total_count"),
    "share_of_downtime": ("downtime_min", "downtime_min_all_reasons"),
    "cost_per_unit": ("allocated_cost", "good_units"),
    "standard_cost_per_unit": ("standard_cost", "good_units"),
    "gross_margin_pct": ("gross_margin", "revenue"),
    "share_outside_normal": ("hours_outside_normal", "stop_hours"),
    "mean_z_score": ("sum_z_score", "stop_hours_with_normal"),
}

# Each data set: the SQL that sums a reporting view to the grain the charts filter on.
QUERIES = {
    "oee": """
        SELECT plant_code AS plant, line_code AS line, machine_code AS machine,
            to_char(production_date, 'YYYY-MM') AS month,
            sum(planned_production_min)::float8 AS planned_production_min,
            sum(run_time_min)::float8 AS run_time_min,
            sum(ideal_output_min)::float8 AS ideal_output_min,
            sum(ideal_good_min)::float8 AS ideal_good_min,
            sum(total_count)::float8 AS total_count,
            sum(good_count)::float8 AS good_count
        FROM reporting.oee_daily
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    """,
    "downtime": """
        SELECT plant_code AS plant, to_char(month, 'YYYY-MM') AS month, reason_code AS reason,
            is_planned AS planned, events, downtime_min::float8 AS downtime_min
        FROM reporting.downtime_pareto ORDER BY 1, 2, 3, 4
    """,
    "cost": """
        SELECT plant_code AS plant, to_char(month, 'YYYY-MM') AS month, product_sku AS product,
            good_units::float8 AS good_units, allocated_cost::float8 AS allocated_cost,
            (standard_cost_per_unit * good_units)::float8 AS standard_cost, currency_code AS currency
        FROM reporting.cost_per_unit_monthly ORDER BY 1, 2, 3
    """,
    "profit": """
        SELECT plant_code AS plant, to_char(month, 'YYYY-MM') AS month, product_sku AS product,
            revenue::float8 AS revenue, cogs::float8 AS cogs, gross_margin::float8 AS gross_margin,
            currency_code AS currency
        FROM reporting.profitability_monthly ORDER BY 1, 2, 3
    """,
    "country": """
        SELECT plant_code AS plant, to_char(month, 'YYYY-MM') AS month, customer_country AS country,
            sum(revenue)::float8 AS revenue, sum(cogs)::float8 AS cogs, sum(gross_margin)::float8 AS gross_margin,
            min(currency_code) AS currency
        FROM reporting.profitability_by_country_monthly
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    """,
    "sensors": """
        SELECT plant_code AS plant, line_code AS line, to_char(stop_start, 'YYYY-MM') AS month,
            metric, unit, hours_before,
            count(*)::float8 AS stop_hours,
            (count(*) FILTER (WHERE is_outside_normal))::float8 AS hours_outside_normal,
            (count(z_score))::float8 AS stop_hours_with_normal,
            coalesce(sum(z_score), 0)::float8 AS sum_z_score
        FROM reporting.sensor_before_downtime
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    """,
}

PAGES = [
    ("oee", "OEE", ["oee_trend", "oee_apq", "oee_worst"]),
    ("downtime", "Downtime", ["downtime_pareto", "downtime_planned"]),
    ("cost", "Cost per unit", ["cost_vs_standard", "cost_trend"]),
    ("profit", "Profitability", ["profit_trend", "profit_by_product", "profit_by_country"]),
    ("sensors", "Sensors before downtime", ["sensors_outside", "sensors_z"]),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "out", nargs="?", type=Path, default=DEFAULT_OUT, help=f"the HTML file to write (default {DEFAULT_OUT})"
    )


def run(args) -> int:
    from hublib.db import connect, warehouse_url
    from hublib.migrate import require_migrated

    with connect(warehouse_url(), autocommit=True) as conn:
        require_migrated(conn)
        path = write_dashboard(conn, args.out)
    print(f"dashboard: {path} (open it in a browser; it works offline)", flush=True)
    return 0


def dashboard_data(conn: psycopg.Connection) -> dict:
    data = {}
    with conn.transaction():
        # Sensor months are the UTC month of the stop (the view's hours are UTC hours).
        conn.execute("SET LOCAL TIME ZONE 'UTC'")
        for name, query in QUERIES.items():
            cur = conn.execute(query)
            columns = [d.name for d in cur.description]
            data[name] = {"columns": columns, "rows": [list(r) for r in cur.fetchall()]}
    return data


def write_dashboard(conn: psycopg.Connection, out: Path) -> Path:
    from plotly.offline import get_plotlyjs

    payload = {
        "data": dashboard_data(conn),
        "ratios": RATIOS,
        "pages": PAGES,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": conn.info.dbname,
    }
    # "</" never appears inside the JSON's script element.
    blob = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    html = (
        TEMPLATE.replace("/*PLOTLY*/", get_plotlyjs())
        .replace("/*DATA*/", blob)
        .replace("/*APP*/", (Path(__file__).with_name("dashboard.js")).read_text(encoding="utf-8"))
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out.resolve()


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline';
  img-src data: blob:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Manufacturing & Financial Analytics Hub</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2933;
  background: #f5f7fa; }
header { background: #1f2933; color: #fff; padding: 12px 24px; }
header h1 { font-size: 20px; margin: 0 0 4px 0; }
header p { margin: 0; font-size: 13px; color: #cbd2d9; }
#filters { position: sticky; top: 0; z-index: 10; background: #fff; border-bottom: 1px solid #d9e2ec;
  padding: 8px 24px; display: flex; gap: 18px; align-items: center; flex-wrap: wrap; font-size: 14px; }
#filters select { font-size: 14px; padding: 2px 4px; }
#filters nav a { margin-right: 12px; color: #243b53; }
section { padding: 8px 24px 16px 24px; }
section h2 { font-size: 18px; margin: 12px 0 4px 0; }
section p.note { font-size: 13px; color: #52606d; margin: 0 0 8px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
.chart { background: #fff; border: 1px solid #d9e2ec; border-radius: 4px; height: 360px; }
</style>
</head>
<body>
<header>
  <h1>Manufacturing &amp; Financial Analytics Hub</h1>
  <p id="subtitle"></p>
</header>
<div id="filters">
  <label>Plant <select id="f-plant"></select></label>
  <label>Line <select id="f-line"></select></label>
  <label>Month <select id="f-month"></select></label>
  <nav id="nav"></nav>
</div>
<main id="pages"></main>
<script>/*PLOTLY*/</script>
<script id="hub-data" type="application/json">/*DATA*/</script>
<script>/*APP*/</script>
</body>
</html>
"""
