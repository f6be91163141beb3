"""Sensor telemetry: monthly partitions made ahead of the data, hourly facts maintained
incrementally (a restated reading changes exactly its hour), equal to an independent
aggregation of the generated files, re-runs that change nothing, partition pruning in
the reporting view, and the stop-versus-readings view worked out by hand."""

from __future__ import annotations

import csv
import itertools
import json
import math
import statistics
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from hublib.generate import generate
from tests.helpers import BERLIN, M1_IN_P1, feed_file


def partitions(wh, table):
    return [
        r[0]
        for r in wh.all(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY 1",
            (table,),
        )
    ]


def hourly(wh, where="TRUE"):
    return wh.all(
        "SELECT machine_code, metric, hour_start, readings, min_value, max_value, avg_value, stddev_value "
        f"FROM dw.fact_sensor_hourly WHERE {where} ORDER BY 1, 2, 3"
    )


def test_partitions_are_made_ahead_of_the_data_and_for_late_data(wh, tmp_path):
    now = wh.scalar("SELECT date_trunc('month', clock_timestamp(), 'UTC')")
    wh.conn.execute("CALL etl.run_pipeline()")
    # the current month and the three after it (months_ahead = 3), for both tables
    months = [(now.year + (now.month - 1 + i) // 12, (now.month - 1 + i) % 12 + 1) for i in range(4)]
    expected = [f"sensor_reading_y{y}m{m:02d}" for y, m in months]
    assert partitions(wh, "clean.sensor_reading") == expected
    assert partitions(wh, "dw.fact_sensor_hourly") == [
        n.replace("sensor_reading", "fact_sensor_hourly") for n in expected
    ]
    # data from long ago gets its month when it is loaded, and its hourly facts next run
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(tmp_path, "sensor_readings", "M1,2019-05-31T23:59:59Z,vibration,1.5,mm/s")
    wh.load(tmp_path)
    assert "sensor_reading_y2019m05" in partitions(wh, "clean.sensor_reading")
    wh.conn.execute("CALL etl.run_pipeline()")
    assert "fact_sensor_hourly_y2019m05" in partitions(wh, "dw.fact_sensor_hourly")
    assert hourly(wh) == [("M1", "vibration", datetime(2019, 5, 31, 23, tzinfo=UTC), 1, 1.5, 1.5, 1.5, None)]
    # the partition holds only its month (range bounds in UTC)
    bound = wh.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'sensor_reading_y2019m05'")
    assert bound == "FOR VALUES FROM ('2019-05-01 00:00:00+00') TO ('2019-06-01 00:00:00+00')"


def _expected_from_files(folder):
    """The hourly facts computed in Python from the generated CSV files: one reading per
    machine, metric and instant (the generator's duplicates are identical), grouped by UTC hour."""
    readings = {}
    for path in sorted(folder.glob("sensor_readings_*.csv")):
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                ts = datetime.strptime(row["reading_ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                readings[(row["machine_code"], row["metric"], ts)] = float(row["value"])
    groups = defaultdict(list)
    for (machine, metric, ts), value in readings.items():
        groups[(machine, metric, ts.replace(minute=0, second=0))].append(value)
    return {
        key: (
            len(v),
            min(v),
            max(v),
            statistics.fmean(v),
            statistics.stdev(v) if len(v) > 1 else None,
        )
        for key, v in groups.items()
    }


def test_hourly_facts_equal_an_independent_aggregation_of_the_generated_files(wh, tmp_path):
    generate(tmp_path, seed=5, machines=3, days=2, sensor_interval=300)
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    expected = _expected_from_files(tmp_path)
    got = {(m, k, h): (n, lo, hi, avg, sd) for m, k, h, n, lo, hi, avg, sd in hourly(wh)}
    assert got.keys() == expected.keys()
    assert len(got) > 400  # 3 machines x 3 metrics x 48 hours, less the dropouts
    for key, (n, lo, hi, avg, sd) in expected.items():
        g = got[key]
        assert g[:3] == (n, lo, hi), key
        assert math.isclose(g[3], avg, rel_tol=1e-12), key
        assert (g[4] is None and sd is None) or math.isclose(g[4], sd, rel_tol=1e-9), key
    assert dict(wh.all("SELECT metric, unit FROM dw.dim_metric WHERE metric_key > 0")) == {
        "temperature": "degC",
        "vibration": "mm/s",
        "power": "kW",
    }
    # a second run finds nothing to do and changes nothing
    before = wh.snapshot()
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.snapshot() == before


def test_a_restated_reading_changes_exactly_its_hour(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(
        tmp_path,
        "sensor_readings",
        "M1,2026-03-10T10:00:00Z,vibration,10,mm/s",
        "M1,2026-03-10T10:20:00Z,vibration,20,mm/s",
        "M1,2026-03-10T10:40:00Z,vibration,30,mm/s",
        "M1,2026-03-10T11:00:00Z,vibration,5,mm/s",
        "M1,2026-03-10T10:40:00Z,temperature,50,degC",
        "M1,2026-03-10T09:59:59Z,vibration,7,mm/s",
    )
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    before = {row[:3]: row for row in hourly(wh)}
    # 10:00 vibration: 10, 20, 30: mean 20, sample sd sqrt((100 + 0 + 100) / 2) = 10
    assert before[("M1", "vibration", datetime(2026, 3, 10, 10, tzinfo=UTC))][3:] == (3, 10.0, 30.0, 20.0, 10.0)
    later = tmp_path / "later"
    feed_file(later, "sensor_readings", "M1,2026-03-10T10:40:00Z,vibration,60,mm/s", name="sensor_readings_fix.csv")
    wh.load(later)
    notes = []
    wh.conn.add_notice_handler(lambda d: notes.append(d.message_primary))
    wh.conn.execute("CALL etl.run_pipeline()")
    after = {row[:3]: row for row in hourly(wh)}
    changed = {k for k in after if after[k] != before.get(k)} | {k for k in before if k not in after}
    assert changed == {("M1", "vibration", datetime(2026, 3, 10, 10, tzinfo=UTC))}
    # 10, 20, 60: mean 30; deviations -20, -10, 30: (400 + 100 + 900) / 2 = 700, sd = sqrt(700)
    n, lo, hi, avg, sd = after[("M1", "vibration", datetime(2026, 3, 10, 10, tzinfo=UTC))][3:]
    assert (n, lo, hi, avg) == (3, 10.0, 60.0, 30.0) and math.isclose(sd, math.sqrt(700))
    # only that hour was recomputed: one piece of one hour, one row written
    [note] = [m for m in notes if m.startswith("dw.load_fact_sensor_hourly")]
    assert note.startswith("dw.load_fact_sensor_hourly: 1 piece(s) recomputed, 1 hour rows written, 0 deleted")


def test_the_reporting_view_prunes_to_the_months_asked_for(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(
        tmp_path,
        "sensor_readings",
        "M1,2026-02-27T10:00:00Z,power,40,kW",
        "M1,2026-03-10T10:00:00Z,power,41,kW",
        "M1,2026-04-02T10:00:00Z,power,42,kW",
    )
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    rows = wh.all(
        "SELECT machine_code, metric, hour_start, readings, avg_value, unit, plant_code, line_code "
        "FROM reporting.sensor_hourly WHERE hour_start >= '2026-03-01' AND hour_start < '2026-04-01'"
    )
    assert rows == [("M1", "power", datetime(2026, 3, 10, 10, tzinfo=UTC), 1, 41.0, "kW", "P1", "L1")]
    plan = wh.scalar(
        "EXPLAIN (FORMAT JSON) SELECT * FROM reporting.sensor_hourly "
        "WHERE hour_start >= '2026-03-01' AND hour_start < '2026-04-01'"
    )
    text = json.dumps(plan)
    assert "fact_sensor_hourly_y2026m03" in text
    assert "fact_sensor_hourly_y2026m02" not in text and "fact_sensor_hourly_y2026m04" not in text


def test_sensor_before_downtime_against_the_trailing_normal(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(tmp_path, "downtime_events", "E1,M1,2026-03-10T10:20:00Z,2026-03-10T10:50:00Z,JAM,,false")
    feed_file(
        tmp_path,
        "sensor_readings",
        # the trailing normal: the 7 days before 07:00 (three hours before the stop's hour 10:00)
        "M1,2026-03-05T08:00:00Z,vibration,1,mm/s",
        "M1,2026-03-05T08:30:00Z,vibration,3,mm/s",
        "M1,2026-03-06T08:00:00Z,vibration,1,mm/s",
        "M1,2026-03-06T08:30:00Z,vibration,3,mm/s",
        "M1,2026-03-03T06:59:59Z,vibration,100,mm/s",  # just before the window: not normal
        # the hours before the stop
        "M1,2026-03-10T08:10:00Z,vibration,2,mm/s",
        "M1,2026-03-10T09:10:00Z,vibration,6,mm/s",
        "M1,2026-03-10T09:40:00Z,vibration,6,mm/s",
        "M1,2026-03-10T10:10:00Z,vibration,50,mm/s",  # in the stop's own hour: not before it
    )
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    rows = wh.all(
        "SELECT event_id, metric, hours_before, readings, avg_value, normal_readings, normal_avg, normal_stddev, "
        "z_score, is_outside_normal FROM reporting.sensor_before_downtime ORDER BY hours_before"
    )
    # normal: 1, 3, 1, 3: n 4, mean 8 / 4 = 2, variance (20 - 8 x 8 / 4) / 3 = 4 / 3, sd 1.154701
    sd = math.sqrt(4 / 3)
    assert [r[:8] for r in rows] == [
        ("E1", "vibration", 1, 2, 6.0, 4, 2.0, pytest.approx(sd)),  # 09:00: 6 and 6
        ("E1", "vibration", 2, 1, 2.0, 4, 2.0, pytest.approx(sd)),  # 08:00: 2
    ]
    # z = (6 - 2) / 1.154701 = 3.4641 > 3: outside; (2 - 2) / sd = 0: inside
    assert rows[0][8] == pytest.approx(4 / sd) and rows[0][9] is True
    assert rows[1][8] == 0 and rows[1][9] is False


def test_generated_telemetry_drifts_before_breakdowns_and_has_its_faults(wh, tmp_path):
    generate(tmp_path, seed=2, machines=6, days=21, sensor_interval=300)
    lines = []
    for path in sorted(tmp_path.glob("sensor_readings_*.csv")):
        with open(path, newline="") as fh:
            lines += [(r["machine_code"], r["metric"], r["reading_ts"]) for r in csv.DictReader(fh)]
    keys = set(lines)
    assert len(lines) > len(keys)  # some readings sent twice
    assert any(a[:2] == b[:2] and a[2] > b[2] for a, b in itertools.pairwise(lines))  # out of order
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    # vibration in the hour before a breakdown is further from normal than three hours before
    z = dict(
        wh.all(
            "SELECT hours_before, avg(z_score) FROM reporting.sensor_before_downtime "
            "WHERE metric = 'vibration' AND reason_code <> 'MICRO_STOP' GROUP BY 1"
        )
    )
    assert z[1] > 0.8 and z[1] > 3 * z[3]
    # and the dropouts: some machine-hours have no readings at all
    hours = wh.scalar("SELECT count(*) FROM dw.fact_sensor_hourly WHERE metric = 'power'")
    assert hours < 6 * 21 * 24


def test_hourly_sums_do_not_depend_on_the_order_of_the_rows(wh, tmp_path):
    """Readings whose float sum depends on the order they are added in: 1e16 + 1 is 1e16
    in double precision, so (1e16 + 1) - 1e16 + 1 = 1 but 1 + 1 + 1e16 - 1e16 = 2. The
    facts are summed in numeric: the exact 2 whatever the order, on any database."""
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    values = ["10000000000000000", "1", "-10000000000000000", "1"]
    feed_file(tmp_path, "sensor_readings", *[f"M1,2026-03-02T06:0{i}:00Z,temp,{v},C" for i, v in enumerate(values)])
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    # sum 2, mean 2 / 4 = 0.5, squares 1e32 + 1 + 1e32 + 1 = 2e32 + 2 (2e32 as a double)
    assert wh.one("SELECT sum_value, avg_value, sum_squares FROM dw.fact_sensor_hourly") == (2.0, 0.5, 2e32)
    first = wh.all("SELECT * FROM reporting.sensor_hourly")
    assert wh.all("SELECT * FROM reporting.sensor_hourly") == first
    assert first[0][6] == 0.5
