"""Every procedure is safe to run twice; reconciliation catches a lost row; plpgsql_check
finds nothing in any routine."""

from __future__ import annotations

import psycopg
import pytest

from hublib.errors import HubError
from hublib.loader import FileResult, Loader, inspect
from tests.helpers import BERLIN, HEADERS, M1_IN_P1, feed_file

FEEDS_WITH_ROWS = {
    "plants": [BERLIN, "P2,Bad,DE,EUR,Nowhere/City,2026-01-01T00:00Z"],
    "machines": [M1_IN_P1, "M9,Lathe,P9,L1,lathe,,2020-01-01,active,2026-01-01 00:00"],
    "products": [
        "SKU1,Widget,widgets,pcs,1.25,3.00,EUR,2026-01-01T00:00:00Z",
        "SKU2,W,f,pcs,x,3,EUR,2026-01-01T00:00Z",
    ],
    "accounts": ["4000,Raw material,cost,material,2026-01-01T00:00:00Z"],
    "production_runs": ["R1,M1,SKU1,,A,2026-03-02 06:00,2026-03-02 08:00,100,95,1.5", "R1,M1,SKU1,,A,x,y,1,1,1"],
    "downtime_events": ["E1,M1,2026-03-02T06:00Z,2026-03-02T06:10Z,JAM,,false"],
    "sensor_readings": ["M1,2026-03-02T06:00Z,temp,71.5,C", "M1,2026-03-02T06:00Z,temp,71.5,C"],
    "gl_entries": ["G1,2026-03-02,P1,,4000,-12.50,EUR,"],
    "sales_lines": ["I1,1,2026-03-02,C1,Customer One,DE,SKU1,P1,-2,3.00,10,EUR"],
    "fx_rates": ["2026-03-02,EUR,USD,1.0842"],
}


def _stage_and_validate_twice(wh, tmp_path, feed):
    """Register and stage a file by hand, then CALL its validation twice."""
    path = feed_file(tmp_path, feed, *FEEDS_WITH_ROWS[feed])
    with psycopg.connect(wh.url) as conn:
        loader = Loader(conn)
        ff = inspect(loader.feeds[feed], path)
        assert ff.header == HEADERS[feed].split(",")
        batch_id = loader._register(FileResult(path=path, feed=feed), ff, [], "copy")
        read = loader._copy_fast(batch_id, ff).read
        conn.execute(f"CALL etl.validate_{feed}(%s::bigint)", (batch_id,))
        conn.commit()
        first = wh.snapshot()
        conn.execute(f"CALL etl.validate_{feed}(%s::bigint)", (batch_id,))
        conn.commit()
        assert wh.snapshot() == first, f"validate_{feed} run twice changed something"
        conn.execute("CALL etl.close_batch(%s::bigint, %s::bigint)", (batch_id, read))
        conn.commit()
        closed = wh.snapshot()
        conn.execute("CALL etl.close_batch(%s::bigint, %s::bigint)", (batch_id, read))
        conn.commit()
        assert wh.snapshot() == closed, "close_batch run twice changed something"


@pytest.mark.parametrize("feed", list(FEEDS_WITH_ROWS))
def test_validation_and_close_twice_change_nothing(wh, tmp_path, feed):
    if feed not in ("plants", "machines"):
        feed_file(tmp_path / "m", "plants", BERLIN)
        feed_file(tmp_path / "m", "machines", M1_IN_P1)
        wh.load(tmp_path / "m")
    _stage_and_validate_twice(wh, tmp_path, feed)
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")


def test_retry_pending_and_run_pipeline_twice_change_nothing(wh, tmp_path):
    feed_file(tmp_path / "1", "downtime_events", "E1,M5,2026-03-02 06:00,2026-03-02 06:10,JAM,,false")
    wh.load(tmp_path / "1")
    feed_file(tmp_path / "2", "plants", BERLIN)
    feed_file(tmp_path / "2", "machines", "M5,Lathe,P1,L1,lathe,,2020-01-01,active,2026-01-01T00:00Z")
    wh.load(tmp_path / "2")
    for call in ("CALL etl.retry_pending()", "CALL etl.run_pipeline()"):
        wh.conn.execute(call)
        once = wh.snapshot()
        wh.conn.execute(call)
        assert wh.snapshot() == once, call
    assert wh.scalar("SELECT count(*) FROM clean.downtime_event") == 1


def test_open_staging_partition_twice_is_harmless(wh):
    # a batch being loaded (a loaded one is history: no partition is opened for it again)
    batch_id = wh.scalar(
        "SELECT etl.register_batch('plants', 'plants.csv', '/x/plants.csv', 'sha-1', 1, '{}', '{}', 'copy')"
    )
    first = wh.scalar("SELECT etl.open_staging_partition(%s)", (batch_id,))
    assert wh.scalar("SELECT etl.open_staging_partition(%s)", (batch_id,)) == first == f"staging.plants_b{batch_id}"


def test_a_lost_row_fails_reconciliation_loudly(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN, "P2,,DE,EUR,Europe/Berlin,2026-01-01T00:00Z")
    wh.load(tmp_path)
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")
    wh.conn.execute("DELETE FROM etl.rejected_row")  # a row goes missing
    assert wh.all("SELECT file_name, is_reconciled FROM etl.batch_reconciliation") == [("plants.csv", False)]
    with psycopg.connect(wh.url) as conn, pytest.raises(HubError, match="reconciliation failed") as exc:
        Loader(conn).check_reconciliation()
    assert exc.value.exit_code == 3


def test_an_unbalanced_batch_cannot_be_closed(wh, tmp_path):
    path = feed_file(tmp_path, "plants", BERLIN)
    with psycopg.connect(wh.url) as conn:
        loader = Loader(conn)
        holder = FileResult(path=path, feed="plants")
        batch_id = loader._register(holder, inspect(loader.feeds["plants"], path), [], "copy")
        with pytest.raises(psycopg.errors.CheckViolation, match="does not reconcile: read 5 <> accepted 0"):
            conn.execute("CALL etl.close_batch(%s::bigint, 5::bigint)", (batch_id,))


def test_plpgsql_check_finds_nothing(wh, plpgsql_check_available):
    if not plpgsql_check_available:
        pytest.skip("plpgsql_check is not installed (Debian: apt-get install postgresql-15-plpgsql-check)")
    wh.conn.execute("CREATE EXTENSION IF NOT EXISTS plpgsql_check")
    routines = wh.all(
        "SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace "
        "JOIN pg_language AS l ON l.oid = p.prolang WHERE l.lanname = 'plpgsql' "
        "AND n.nspname IN ('etl', 'clean', 'dw', 'reporting') ORDER BY 1"
    )
    assert len(routines) >= 15
    # etl.apply_validated reads the pg_temp.validated table its caller builds; give the
    # checker the columns that contract promises (the feed's own columns come on top).
    wh.conn.execute(
        "CREATE TEMP TABLE validated (file_line bigint, check_reason text, check_column text, "
        "check_detail text, check_keep boolean)"
    )
    # dw.load_fact_sensor_hourly builds its own work tables; the same for them.
    wh.conn.execute("CREATE TEMP TABLE sensor_dirty (from_ts timestamptz, to_ts timestamptz)")
    wh.conn.execute(
        "CREATE TEMP TABLE sensor_hour (machine_code text, metric text, hour_start timestamptz, readings bigint, "
        "min_value float8, max_value float8, avg_value float8, stddev_value float8, sum_value float8, "
        "sum_squares float8, unit text)"
    )
    findings = []
    for (routine,) in routines:
        for (line,) in wh.all(
            "SELECT * FROM plpgsql_check_function(%s::regprocedure, fatal_errors => false, "
            "extra_warnings => true, performance_warnings => false)",
            (routine,),
        ):
            findings.append(f"{routine}: {line}")
    assert findings == []
