"""Pipeline benchmark: the hub's whole chain on a year of generated data, a one-day delta
on top of it, and the usual pandas alternatives side by side on a subset.

    .venv/bin/pip install -r requirements-bench.txt      # pandas, for the alternatives
    .venv/bin/python scripts/bench_pipeline.py [--machines 200] [--days 365] [--sensor-interval 1800]

What it does (each measured step in a child process of its own, so that its peak memory
is its own; the database server's memory is not counted for anyone):
  1. `scripts/hub generate` a year plus one day; the last day's rows are split off as the
     delta, and the first five weeks (about 1 M readings with the defaults) are the subset.
  2. reference: server-side COPY of the year's files into UNLOGGED text tables.
  3. hub: load the year (the COPY loader with its validation), then each chain step
     (`CALL etl.run_step`) timed on its own; then the one-day delta: load + every step.
  4. on the subset (readings plus the production data of those weeks), the outputs that
     matter here, hourly sensor facts and daily OEE:
       hub     load + the whole chain;
       (a)     the design such projects usually have: pandas read_csv, DataFrame.to_sql
               (default settings) into staging tables through SQLAlchemy, then the same
               transformations in SQL;
       (b)     the best pandas pipeline we know: read_csv, the hourly aggregation and the
               daily OEE in pandas, only the results written back with the COPY recipe of
               the pandas documentation (method=callable with COPY FROM STDIN).
Prints a table of seconds, rows/s, ratio and peak MB, then each target as met or missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import psycopg  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

START = date(2025, 3, 3)  # a Monday; the year runs to 2026-03-02, the delta is the day after
# The column whose first ten characters date a row, per feed (master data is never split).
DATE_COLUMN = {
    "production_runs": "start_ts",
    "downtime_events": "start_ts",
    "sensor_readings": "reading_ts",
    "gl_entries": "posting_date",
    "sales_lines": "invoice_date",
    "fx_rates": "rate_date",
}
MASTER = ("plants", "machines", "products", "accounts")


def feed_of(name: str) -> str:
    for feed in (*DATE_COLUMN, *MASTER):
        if name.startswith(feed):
            return feed
    raise ValueError(name)


# -- data ----------------------------------------------------------------------------------
def prepare(work: Path, machines: int, days: int, interval: int, subset_weeks: int) -> dict:
    from hublib.generate import generate

    everything, year, delta, subset = (work / n for n in ("all", "year", "delta", "subset"))
    t = time.perf_counter()
    generate(everything, seed=1, machines=machines, days=days + 1, start=START, sensor_interval=interval)
    last = (START + timedelta(days=days)).isoformat()
    subset_end = (START + timedelta(weeks=subset_weeks)).isoformat()
    counts = {"year": {}, "delta": {}, "subset": {}}
    for folder in (year, delta, subset):
        folder.mkdir()
    for path in sorted(everything.iterdir()):
        feed = feed_of(path.name)
        if feed in MASTER:
            for folder in (year, subset):
                shutil.copy(path, folder / path.name)
            counts["year"][feed] = counts["year"].get(feed, 0) + _rows(path)
            counts["subset"][feed] = counts["subset"].get(feed, 0) + _rows(path)
            continue
        with open(path, newline="") as src:
            reader = csv.reader(src)
            header = next(reader)
            col = header.index(DATE_COLUMN[feed])
            outs = {}
            for row in reader:
                day = row[col][:10]
                targets = ["delta"] if day == last else ["year"]
                if day < subset_end and feed in ("production_runs", "downtime_events", "sensor_readings"):
                    targets.append("subset")
                for target in targets:
                    if target not in outs:
                        fh = open(work / target / path.name, "w", newline="")  # noqa: SIM115 (closed below)
                        outs[target] = (fh, csv.writer(fh, lineterminator="\n"))
                        outs[target][1].writerow(header)
                    outs[target][1].writerow(row)
                    counts[target][feed] = counts[target].get(feed, 0) + 1
            for fh, _w in outs.values():
                fh.close()
    shutil.rmtree(everything)
    for folder in (year, delta, subset):
        folder.chmod(0o755)
        for p in folder.iterdir():
            p.chmod(0o644)
    print(f"generated and split in {time.perf_counter() - t:.0f} s: " + json.dumps(counts))
    return counts


def _rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def fresh_database(admin_url: str, name: str, migrate_it: bool) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(admin_url, dbname=name)
    if migrate_it:
        from hublib.migrate import migrate

        migrate(url, ROOT, log=lambda _m: None)
    return url


# -- children: each prints key=value lines, the last one its peak RSS ---------------------
def run_child(step: str, url: str, folder: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, "--url", url, "--folder", str(folder)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "scripts")),
    )
    if proc.returncode != 0:
        sys.exit(f"bench: {step} failed:\n{proc.stdout}\n{proc.stderr}")
    out = {}
    for line in proc.stdout.splitlines():
        if "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def child(step: str, url: str, folder: Path) -> None:
    {"reference": child_reference, "hub_load": child_hub_load, "hub_chain": child_hub_chain,
     "pandas_to_sql": child_pandas_to_sql, "pandas_best": child_pandas_best}[step](url, folder)  # fmt: skip
    print(f"maxrss_kb={peak_rss_kb()}")


def peak_rss_kb() -> int:
    """This process's own peak RSS: VmHWM (ru_maxrss would carry the forking parent's
    peak across exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_reference(url: str, folder: Path) -> None:
    rows = 0
    with psycopg.connect(url, autocommit=True) as conn:
        t = time.perf_counter()
        for path in sorted(folder.iterdir()):
            with open(path) as fh:
                header = fh.readline().strip().split(",")
            table = f"ref_{feed_of(path.name)}"
            cols = ", ".join(f'"{c}" text' for c in header)
            conn.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS {table} ({cols})")
            cur = conn.execute(f"COPY {table} FROM '{path}' (FORMAT csv, HEADER true)")
            rows += cur.rowcount
        print(f"seconds={time.perf_counter() - t:.3f}")
        print(f"rows={rows}")


def child_hub_load(url: str, folder: Path) -> None:
    from hublib.loader import Loader
    from hublib.runs import start_run

    with psycopg.connect(url) as conn:
        t = time.perf_counter()
        start_run(conn, "load")
        result = Loader(conn, log=lambda _m: None, url=url).load([folder])
        conn.execute("SELECT etl.finish_run(current_setting('hub.run_id')::bigint, 'success')")
        conn.commit()
        print(f"seconds={time.perf_counter() - t:.3f}")
        print(f"rows={sum(f.read for f in result.files)}")
        print(f"rejected={sum(f.rejected for f in result.files)}")


def child_hub_chain(url: str, folder: Path) -> None:
    from hublib.runs import start_run

    with psycopg.connect(url) as conn:
        run_id = start_run(conn, "run")
        conn.autocommit = True
        steps = conn.execute(
            "SELECT step_order, routine_schema || '.' || routine_name FROM etl.pipeline_run_step "
            "WHERE run_id = %s ORDER BY step_order",
            (run_id,),
        ).fetchall()
        total = 0.0
        for order, name in steps:
            t = time.perf_counter()
            conn.execute(f"CALL etl.run_step({run_id}, {order})")
            seconds = time.perf_counter() - t
            total += seconds
            print(f"step {name}={seconds:.3f}")
        print(f"seconds={total:.3f}")


def _read_inputs(folder: Path):
    import pandas as pd

    def frames(feed):
        paths = sorted(folder.glob(f"{feed}*.csv"))
        return pd.concat([pd.read_csv(p) for p in paths], ignore_index=True) if paths else None

    return {f: frames(f) for f in ("plants", "machines", "production_runs", "downtime_events", "sensor_readings")}


OEE_SQL = """
WITH runs AS (
    SELECT r.run_id, r.machine_code,
        (r.start_ts::timestamp AT TIME ZONE p.timezone) AS start_ts,
        (r.end_ts::timestamp AT TIME ZONE p.timezone) AS end_ts,
        r.start_ts::date AS production_date, r.total_count, r.good_count, r.ideal_cycle_time_s
    FROM st_production_runs AS r
    JOIN (SELECT DISTINCT ON (machine_code) machine_code, plant_code FROM st_machines
          ORDER BY machine_code, updated_at DESC) AS m USING (machine_code)
    JOIN st_plants AS p USING (plant_code)
),
clipped AS (
    SELECT r.run_id, e.is_planned,
        tstzrange(greatest(e.start_ts::timestamptz, r.start_ts), least(e.end_ts::timestamptz, r.end_ts)) AS span
    FROM runs AS r JOIN st_downtime_events AS e ON e.machine_code = r.machine_code
     AND e.start_ts::timestamptz < r.end_ts AND e.end_ts::timestamptz > r.start_ts
),
per_run AS (
    SELECT run_id, range_agg(span) FILTER (WHERE is_planned) AS planned, range_agg(span) AS all_down
    FROM clipped GROUP BY run_id
),
secs AS (
    SELECT r.*, extract(epoch FROM r.end_ts - r.start_ts) AS scheduled_s,
        coalesce((SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(p.planned) x), 0) AS planned_s,
        coalesce((SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(p.all_down) x), 0) AS down_s
    FROM runs AS r LEFT JOIN per_run AS p USING (run_id)
)
INSERT INTO out_oee_daily
SELECT machine_code, production_date,
    sum(scheduled_s - down_s) / nullif(sum(scheduled_s - planned_s), 0) AS availability,
    sum(ideal_cycle_time_s * total_count) / nullif(sum(scheduled_s - down_s), 0) AS performance,
    sum(good_count)::numeric / nullif(sum(total_count), 0) AS quality,
    sum(ideal_cycle_time_s * good_count) / nullif(sum(scheduled_s - planned_s), 0) AS oee
FROM secs GROUP BY machine_code, production_date
"""

HOURLY_SQL = """
INSERT INTO out_sensor_hourly
SELECT machine_code, metric, date_trunc('hour', reading_ts::timestamptz, 'UTC'), count(*), min(value), max(value),
    avg(value), stddev_samp(value)
FROM (SELECT DISTINCT ON (machine_code, metric, reading_ts) * FROM st_sensor_readings
      ORDER BY machine_code, metric, reading_ts) AS r
GROUP BY 1, 2, 3
"""


def _outputs(conn) -> None:
    conn.execute(
        "CREATE TABLE out_sensor_hourly (machine_code text, metric text, hour_start timestamptz, readings bigint, "
        "min_value float8, max_value float8, avg_value float8, stddev_value float8)"
    )
    conn.execute(
        "CREATE TABLE out_oee_daily (machine_code text, production_date date, availability float8, "
        "performance float8, quality float8, oee float8)"
    )


def _engine(url: str):
    """A SQLAlchemy engine (psycopg 3) on the libpq connection string `url`."""
    import sqlalchemy

    info = conninfo_to_dict(url)
    return sqlalchemy.create_engine(
        sqlalchemy.URL.create(
            "postgresql+psycopg",
            username=info.get("user"),
            password=info.get("password"),
            host=info.get("host"),
            port=int(info.get("port", 5432)),
            database=info.get("dbname"),
        )
    )


def child_pandas_to_sql(url: str, folder: Path) -> None:
    """(a) read_csv, to_sql with default settings into staging, the same rules in SQL."""

    t = time.perf_counter()
    frames = _read_inputs(folder)
    engine = _engine(url)
    rows = 0
    for feed, df in frames.items():
        df.to_sql(f"st_{feed}", engine, index=False)
        rows += len(df)
    loaded = time.perf_counter() - t
    with engine.begin() as sa_conn:
        raw = sa_conn.connection.driver_connection
        _outputs(raw)
        raw.execute("SET work_mem = '256MB'")
        raw.execute(HOURLY_SQL)
        raw.execute(OEE_SQL)
    print(f"seconds={time.perf_counter() - t:.3f}")
    print(f"load_seconds={loaded:.3f}")
    print(f"rows={rows}")


def _copy_recipe(table, conn, keys, data_iter):
    """The pandas documentation's COPY recipe (io.sql "insertion method"), for psycopg 3."""
    import io

    dbapi_conn = conn.connection
    with dbapi_conn.cursor() as cur:
        buf = io.StringIO()
        csv.writer(buf).writerows(data_iter)
        buf.seek(0)
        columns = ", ".join(f'"{k}"' for k in keys)
        name = f"{table.schema}.{table.name}" if table.schema else table.name
        with cur.copy(f"COPY {name} ({columns}) FROM STDIN WITH CSV") as copy:
            copy.write(buf.getvalue())


def child_pandas_best(url: str, folder: Path) -> None:
    """(b) read_csv, hourly facts and daily OEE in pandas, results written with COPY."""
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    f = _read_inputs(folder)
    rows = sum(len(df) for df in f.values())
    s = f["sensor_readings"].drop_duplicates(["machine_code", "metric", "reading_ts"], keep="last")
    s["hour_start"] = pd.to_datetime(s["reading_ts"], utc=True).dt.floor("h")
    hourly = (
        s.groupby(["machine_code", "metric", "hour_start"])["value"]
        .agg(readings="count", min_value="min", max_value="max", avg_value="mean", stddev_value="std")
        .reset_index()
    )
    machines = f["machines"].sort_values("updated_at").drop_duplicates("machine_code", keep="last")
    zone = machines.merge(f["plants"], on="plant_code")[["machine_code", "timezone"]]
    runs = f["production_runs"].merge(zone, on="machine_code")
    parts = []
    for tz, g in runs.groupby("timezone"):
        g = g.copy()
        start_local = pd.to_datetime(g["start_ts"]).dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        g["start"] = start_local.dt.tz_convert("UTC")
        end_local = pd.to_datetime(g["end_ts"]).dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        g["end"] = end_local.dt.tz_convert("UTC")
        g["production_date"] = start_local.dt.date
        parts.append(g)
    runs = pd.concat(parts, ignore_index=True)
    ev = f["downtime_events"]
    ev = ev.assign(e_start=pd.to_datetime(ev["start_ts"], utc=True), e_end=pd.to_datetime(ev["end_ts"], utc=True))
    j = runs[["run_id", "machine_code", "start", "end"]].merge(ev, on="machine_code")
    j = j[(j["e_start"] < j["end"]) & (j["e_end"] > j["start"])].copy()
    j["a"] = j[["e_start", "start"]].max(axis=1)
    j["b"] = j[["e_end", "end"]].min(axis=1)

    def union_seconds(d):
        d = d.sort_values(["run_id", "a"])
        prev_end = d.groupby("run_id")["b"].cummax().groupby(d["run_id"]).shift()
        start = d["a"].where(prev_end.isna() | (d["a"] > prev_end), prev_end)
        secs = (d["b"] - start).dt.total_seconds().clip(lower=0)
        return secs.groupby(d["run_id"]).sum()

    down = union_seconds(j)
    planned = union_seconds(j[j["is_planned"]])
    runs["scheduled_s"] = (runs["end"] - runs["start"]).dt.total_seconds()
    runs["down_s"] = runs["run_id"].map(down).fillna(0.0)
    runs["planned_s"] = runs["run_id"].map(planned).fillna(0.0)
    runs["ideal_out"] = runs["ideal_cycle_time_s"] * runs["total_count"]
    runs["ideal_good"] = runs["ideal_cycle_time_s"] * runs["good_count"]
    runs["run_s"] = runs["scheduled_s"] - runs["down_s"]
    runs["pp_s"] = runs["scheduled_s"] - runs["planned_s"]
    d = runs.groupby(["machine_code", "production_date"])[
        ["run_s", "pp_s", "ideal_out", "ideal_good", "good_count", "total_count"]
    ].sum()
    oee = pd.DataFrame(
        {
            "availability": d["run_s"] / d["pp_s"].replace(0, np.nan),
            "performance": d["ideal_out"] / d["run_s"].replace(0, np.nan),
            "quality": d["good_count"] / d["total_count"].replace(0, np.nan),
            "oee": d["ideal_good"] / d["pp_s"].replace(0, np.nan),
        }
    ).reset_index()
    engine = _engine(url)
    hourly.to_sql("out_sensor_hourly", engine, index=False, method=_copy_recipe)
    oee.to_sql("out_oee_daily", engine, index=False, method=_copy_recipe)
    print(f"seconds={time.perf_counter() - t:.3f}")
    print(f"rows={rows}")
    print(f"hourly_rows={len(hourly)} oee_rows={len(oee)}")


# -- the run -------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machines", type=int, default=200)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sensor-interval", type=int, default=1800, help="seconds between readings")
    ap.add_argument("--subset-weeks", type=int, default=5)
    ap.add_argument("--skip-alternatives", action="store_true", help="no pandas runs (pandas not installed)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    ap.add_argument("--work", help="folder for the generated files; reused when it holds them already")
    ap.add_argument("--child")
    ap.add_argument("--url")
    ap.add_argument("--folder")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.url, Path(args.folder))
        return
    if not args.skip_alternatives:
        try:
            import pandas  # noqa: F401
        except ImportError:
            sys.exit(
                "bench: pandas is missing: .venv/bin/pip install -r requirements-bench.txt (or --skip-alternatives)"
            )

    from hublib.db import private_cluster

    if os.environ.get("DATABASE_URL"):
        admin = make_conninfo(os.environ["DATABASE_URL"], dbname="postgres")
    else:
        admin = private_cluster().up().rsplit("/", 1)[0] + "/postgres"
    if args.work:
        work = Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="hub-bench-pipeline-", dir="/var/tmp"))
    work.chmod(0o755)
    if (work / "counts.json").exists():
        counts = json.loads((work / "counts.json").read_text())
        print(f"reusing the files in {work}")
    else:
        counts = prepare(work, args.machines, args.days, args.sensor_interval, args.subset_weeks)
        (work / "counts.json").write_text(json.dumps(counts))
    year_rows = sum(counts["year"].values())
    results: list[tuple[str, float, int | None, float | None]] = []  # name, seconds, rows, peak MB

    def record(name, out, rows=None):
        seconds = float(out["seconds"])
        peak = int(out["maxrss_kb"]) / 1024 if "maxrss_kb" in out else None
        results.append((name, seconds, rows if rows is not None else int(out.get("rows", 0)) or None, peak))
        print(f"  {name:<40} {seconds:9.2f} s", flush=True)
        return seconds

    print("reference: server-side COPY of the year's files into UNLOGGED tables")
    ref_url = fresh_database(admin, "bench_ref", False)
    ref = record("reference COPY (year)", run_child("reference", ref_url, work / "year"))

    print("hub: the year")
    hub_url = fresh_database(admin, "bench_hub", True)
    load_s = record("hub load (year)", run_child("hub_load", hub_url, work / "year"))
    chain = run_child("hub_chain", hub_url, work / "year")
    steps = {k[5:]: float(v) for k, v in chain.items() if k.startswith("step ")}
    for name, seconds in steps.items():
        results.append((f"  step {name}", seconds, None, None))
    chain_s = record("hub chain steps (year)", chain, rows=year_rows)
    full_s = load_s + chain_s
    results.append(("hub total (year): load + chain", full_s, year_rows, None))

    print("hub: one more day on top of the year")
    delta_rows = sum(counts["delta"].values())
    dload = record("hub load (one-day delta)", run_child("hub_load", hub_url, work / "delta"))
    dchain = run_child("hub_chain", hub_url, work / "delta")
    dsteps = {k[5:]: float(v) for k, v in dchain.items() if k.startswith("step ")}
    for name, seconds in dsteps.items():
        results.append((f"  delta step {name}", seconds, None, None))
    dchain_s = record("hub chain steps (one-day delta)", dchain, rows=delta_rows)
    delta_s = dload + dchain_s
    results.append(("hub total (one-day delta)", delta_s, delta_rows, None))

    alt = {}
    subset_rows = sum(counts["subset"].values())
    print("the subset: hub and the pandas alternatives")
    sub_url = fresh_database(admin, "bench_sub_hub", True)
    s_load = record("hub load (subset)", run_child("hub_load", sub_url, work / "subset"))
    s_chain = run_child("hub_chain", sub_url, work / "subset")
    s_peak = results[-1][3]
    alt["hub"] = (s_load + float(s_chain["seconds"]), s_peak)
    results.append(("hub load + chain (subset)", alt["hub"][0], subset_rows, s_peak))
    if not args.skip_alternatives:
        out = run_child("pandas_to_sql", fresh_database(admin, "bench_sub_a", False), work / "subset")
        alt["a"] = (record("(a) pandas to_sql + SQL (subset)", out), int(out["maxrss_kb"]) / 1024)
        out = run_child("pandas_best", fresh_database(admin, "bench_sub_b", False), work / "subset")
        alt["b"] = (record("(b) pandas in memory + COPY (subset)", out), int(out["maxrss_kb"]) / 1024)

    info = conninfo_to_dict(admin)
    with psycopg.connect(admin) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    print()
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {version} at {info.get('host')}:{info.get('port')}"
    )
    print(
        f"data: {args.machines} machines, {args.days} days + 1, a reading every {args.sensor_interval} s; "
        f"year {year_rows:,} rows ({counts['year'].get('sensor_readings', 0):,} readings), "
        f"delta {delta_rows:,}, subset {subset_rows:,}"
    )
    print(f"{'step':<44} {'seconds':>9} {'rows/s':>11} {'ratio':>7} {'peak MB':>8}")
    for name, seconds, rows, peak in results:
        rate = f"{rows / seconds:11,.0f}" if rows and seconds else " " * 11
        ratio = f"{seconds / ref:7.2f}" if "(year)" in name or "delta" in name else " " * 7
        mb = f"{peak:8.0f}" if peak else " " * 8
        print(f"{name:<44} {seconds:9.2f} {rate} {ratio} {mb}")
    print("ratio = seconds / reference COPY seconds (year rows only)")
    print()
    # the targets of issue 12 (docs/performance.md)
    targets = [
        ("hub whole chain (load + steps) within 12x of the reference COPY", full_s <= 12 * ref, f"{full_s / ref:.1f}x"),
        ("stretch: within 3x of the reference COPY", full_s <= 3 * ref, f"{full_s / ref:.1f}x"),
        ("one-day delta under 2% of the full-year chain", delta_s < 0.02 * full_s, f"{delta_s / full_s:.1%}"),
        ("loader peak memory under 100 MB", max(r[3] or 0 for r in results if "load" in r[0]) < 100,
         f"{max(r[3] or 0 for r in results if 'load' in r[0]):.0f} MB"),
    ]  # fmt: skip
    if "a" in alt:
        targets.append(("at least 3x faster than (a)", alt["a"][0] >= 3 * alt["hub"][0],
                        f"{alt['a'][0] / alt['hub'][0]:.1f}x"))  # fmt: skip
        targets.append(("faster than (b)", alt["b"][0] > alt["hub"][0], f"{alt['b'][0] / alt['hub'][0]:.2f}x"))
        targets.append(("at most a tenth of (b)'s peak memory", alt["hub"][1] * 10 <= alt["b"][1],
                        f"{alt['hub'][1]:.0f} MB vs {alt['b'][1]:.0f} MB"))  # fmt: skip
    for text, ok, figure in targets:
        print(f"  {'MET   ' if ok else 'MISSED'} {text}: {figure}")
    if not args.keep and not args.work:
        shutil.rmtree(work)
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in ("bench_ref", "bench_hub", "bench_sub_hub", "bench_sub_a", "bench_sub_b"):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
