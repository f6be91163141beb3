"""Load benchmark: how close the hub's loader comes to PostgreSQL's own COPY.

    scripts/hub migrate >/dev/null; .venv/bin/python scripts/bench_load.py [--rows 10000000]

Generates a sensor_readings file (200 machines x 5 metrics, one reading a minute, UTC
timestamps as a historian writes them) and measures, each in its own process so that peak
memory is that step's own:
  reference   server-side COPY of the file into an UNLOGGED table (what PostgreSQL can do)
  floor typed server-side COPY into a logged table of the clean types: the floor of any
              load that keeps typed rows durably (casts and WAL, no checks)
  hub copy    the hub's streaming COPY into its staging partition (register + COPY; from
              two sessions at once, as the loader does for a big plain file without quotes)
  hub load    the whole `scripts/hub load`: hashing, COPY, ANALYZE, validation into
              clean.sensor_reading, rejected rows, reconciliation
  hub load full  the same with etl.setting validation_path = 'full': the full grammar for
              every row, without the lean path
Each against a fresh database on the private cluster (or the server DATABASE_URL names,
which must then allow server-side COPY from a file: superuser or pg_read_server_files).
Prints seconds, rows/s, ratio to the reference (rows/s over reference rows/s) and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import psycopg  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

METRICS = [("temperature_c", "C", 60.0, 4.0), ("vibration_mm_s", "mm/s", 2.2, 0.6),
           ("spindle_rpm", "rpm", 1450.0, 30.0), ("current_a", "A", 12.0, 1.5),
           ("pressure_bar", "bar", 6.0, 0.3)]  # fmt: skip


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    machines = [f"M{m:03d}" for m in range(1, 201)]
    per_minute = len(machines) * len(METRICS)
    start = 1_772_323_200  # 2026-03-01T00:00:00Z
    import datetime as dt

    with open(path, "w", buffering=1 << 20) as fh:
        fh.write("machine_code,reading_ts,metric,value,unit\n")
        written = 0
        minute = 0
        while written < rows:
            ts = dt.datetime.fromtimestamp(start + 60 * minute, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines = []
            for m in machines:
                for name, unit, mean, sd in METRICS:
                    lines.append(f"{m},{ts},{name},{rng.gauss(mean, sd):.3f},{unit}\n")
            take = min(per_minute, rows - written)
            fh.write("".join(lines[:take]))
            written += take
            minute += 1


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(admin_url, dbname=name)


def run_child(step: str, url: str, path: Path) -> tuple[float, int, str]:
    """Run one step in a child process; return (seconds, peak RSS bytes, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, "--url", url, "--file", str(path)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "scripts")),
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"bench: step {step} failed:\n{proc.stdout}\n{proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: children run one at a time,
    # and each reports its own peak on its last line too (the authoritative figure).
    own = int(proc.stdout.strip().splitlines()[-1].split("=")[1])
    return seconds, own * 1024 if own else max(peak, before) * 1024, proc.stdout


def child(step: str, url: str, path: Path) -> None:
    if step == "reference":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE UNLOGGED TABLE bench_ref (machine_code text, reading_ts text, metric text, value text, "
                "unit text)"
            )
            t = time.perf_counter()
            conn.execute(f"COPY bench_ref FROM '{path}' (FORMAT csv, HEADER true)")
            print(f"copy_seconds={time.perf_counter() - t:.3f}")
    elif step == "floor_typed":
        # The physical floor of a load that keeps typed rows: server-side COPY into a
        # logged table of the clean types (every row through WAL, every value cast).
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_typed (machine_code text, reading_ts timestamptz, metric text, "
                "value double precision, unit text)"
            )
            t = time.perf_counter()
            conn.execute(f"COPY bench_typed FROM '{path}' (FORMAT csv, HEADER true)")
            print(f"copy_seconds={time.perf_counter() - t:.3f}")
    elif step == "hub_copy":
        from hublib.loader import FileResult, Loader, inspect

        with psycopg.connect(url) as conn:
            loader = Loader(conn, log=lambda _m: None, url=url)
            feed = loader.feeds["sensor_readings"]
            fr = FileResult(path=path, feed=feed.name)
            ff = inspect(feed, path)
            t = time.perf_counter()
            # What the loader does: two sessions when the file allows, else one.
            split = loader._split_point(ff)
            batch_id, tally = (None, None)
            if split is not None:
                batch_id, tally = loader._copy_two_sessions(fr, ff, split)
            if tally is None:
                batch_id = loader._register(fr, ff, [], "copy")
                tally = loader._copy_fast(batch_id, ff)
            rows = tally.read if tally else None
            conn.commit()
            print(f"copy_seconds={time.perf_counter() - t:.3f} rows={rows} method={fr.method}")
    elif step in ("hub_load", "hub_load_full"):
        from hublib.loader import Loader

        folder = path.parent
        with psycopg.connect(url) as conn:
            if step == "hub_load_full":  # the full grammar for every row (no lean path)
                conn.execute("UPDATE etl.setting SET setting_value = 'full' WHERE setting_name = 'validation_path'")
                conn.commit()
            t = time.perf_counter()
            result = Loader(conn, log=lambda _m: None, url=url).load([folder])
            f = result.files[0]
            seconds = time.perf_counter() - t
            lean = conn.execute("SELECT lean_rows FROM etl.batch WHERE batch_id = %s", (f.batch_id,)).fetchone()[0]
            print(
                f"load_seconds={seconds:.3f} read={f.read} accepted={f.accepted} rejected={f.rejected} lean_rows={lean}"
            )
    print(f"maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    ap.add_argument("--child")
    ap.add_argument("--url")
    ap.add_argument("--file")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.url, Path(args.file))
        return

    from hublib.db import private_cluster
    from hublib.migrate import migrate

    if os.environ.get("DATABASE_URL"):
        admin = make_conninfo(os.environ["DATABASE_URL"], dbname="postgres")
    else:
        admin = private_cluster().up().rsplit("/", 1)[0] + "/postgres"
    work = Path(tempfile.mkdtemp(prefix="hub-bench-", dir="/tmp"))
    work.chmod(0o755)
    path = work / "sensor_readings_bench.csv"
    t = time.perf_counter()
    generate(path, args.rows)
    path.chmod(0o644)
    size = path.stat().st_size
    print(f"generated {args.rows:,} rows, {size / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s: {path}")

    results = []
    for step in ("reference", "floor_typed", "hub_copy", "hub_load", "hub_load_full"):
        url = fresh_database(admin, f"hub_bench_{step}")
        if step.startswith("hub"):
            migrate(url, ROOT, log=lambda _m: None)
        seconds, peak, output = run_child(step, url, path)
        inner = dict(kv.split("=") for kv in output.split() if "=" in kv)
        measured = float(inner.get("copy_seconds") or inner.get("load_seconds"))
        results.append((step, measured, peak, inner))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "hub_bench_{step}" WITH (FORCE)')

    ref = results[0][1]
    info = conninfo_to_dict(admin)
    print()
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"PostgreSQL at {info.get('host')}:{info.get('port')}")  # fmt: skip
    print(f"{'step':<14} {'seconds':>8} {'rows/s':>12} {'ratio':>6} {'peak MB':>8}")
    for step, seconds, peak, _inner in results:
        print(f"{step:<14} {seconds:8.2f} {args.rows / seconds:12,.0f} {ref / seconds:6.2f} {peak / 1e6:8.0f}")
    print("ratio = reference seconds / step seconds (1.00 = as fast as server-side COPY)")
    for step, _seconds, _peak, inner in results[2:]:
        print(f"{step}: {inner}")
    if not args.keep:
        path.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
