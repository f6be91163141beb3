"""SCD2 history of machines and products: new, changed, unchanged, type-1-only changes,
late and out-of-order rows placed where they belong, inferred members completed in place,
facts keyed to the version valid at their time, and the database's own guards."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from tests.helpers import BERLIN, feed_file

OPEN = datetime(9999, 12, 31, tzinfo=UTC)
FIRST = datetime(1900, 1, 1, tzinfo=UTC)


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def machine(line, updated, name="Press A", status="active"):
    return f"MA,{name},P1,{line},press,,2019-05-01,{status},{updated}"


def load(wh, folder, *files):
    # These tests leave products, shifts or plants unknown (-1) on purpose, which the
    # gate's unknown_members check rightly fails (test_quality_gate.py); it is off here.
    wh.conn.execute("UPDATE etl.dq_check SET is_enabled = FALSE WHERE check_name = 'unknown_members'")
    for feed, rows in files:
        feed_file(folder, feed, *rows)
    wh.load(folder)
    wh.conn.execute("CALL etl.run_pipeline()")


def versions(wh, code="MA"):
    return wh.all(
        "SELECT machine_key, valid_from, valid_to, is_current, is_inferred, line_code, machine_name "
        "FROM dw.dim_machine WHERE machine_code = %s ORDER BY valid_from",
        (code,),
    )


def test_new_changed_unchanged_and_type1_only(wh, tmp_path):
    load(wh, tmp_path / "1", ("plants", [BERLIN]), ("machines", [machine("L1", "2026-01-01T00:00Z")]))
    [(key1, *v1)] = versions(wh)
    assert v1 == [FIRST, OPEN, True, False, "L1", "Press A"]
    # Unchanged attributes in a newer row: no new version.
    load(wh, tmp_path / "2", ("machines", [machine("L1", "2026-02-01T00:00Z")]))
    assert [v[0] for v in versions(wh)] == [key1]
    # A type-1 change (the name) rewrites every version, adds none.
    load(wh, tmp_path / "3", ("machines", [machine("L1", "2026-03-01T00:00Z", name="Press Alpha")]))
    assert [(v[0], v[6]) for v in versions(wh)] == [(key1, "Press Alpha")]
    # A type-2 change (the line) closes the version and opens one.
    load(wh, tmp_path / "4", ("machines", [machine("L2", "2026-04-01T00:00Z", name="Press Alpha")]))
    assert [v[1:6] for v in versions(wh)] == [
        (FIRST, utc("2026-04-01 00:00"), False, False, "L1"),
        (utc("2026-04-01 00:00"), OPEN, True, False, "L2"),
    ]
    assert versions(wh)[0][0] == key1  # the first version kept its key


def test_late_older_row_is_placed_in_history_and_facts_follow(wh, tmp_path):
    runs = [
        "R1,MA,SKU1,,A,2026-03-05T08:00Z,2026-03-05T09:00Z,10,9,1",
        "R2,MA,SKU1,,A,2026-03-08T08:00Z,2026-03-08T09:00Z,10,9,1",
        "R3,MA,SKU1,,A,2026-03-12T08:00Z,2026-03-12T09:00Z,10,9,1",
    ]
    load(
        wh,
        tmp_path / "1",
        ("plants", [BERLIN]),
        ("machines", [machine("L1", "2026-01-01T00:00Z"), machine("L2", "2026-03-10T00:00Z")]),
        ("production_runs", runs),
    )
    lines = (
        "SELECT f.run_id, m.line_code FROM dw.fact_production_run f "
        "JOIN dw.dim_machine m USING (machine_key) ORDER BY 1"
    )
    assert wh.all(lines) == [("R1", "L1"), ("R2", "L1"), ("R3", "L2")]
    # A row dated 2026-03-07 arrives late (after the 03-10 one): it becomes a version of
    # its own between them, and run R2 (03-08) moves to it; R1 and R3 keep theirs.
    load(wh, tmp_path / "2", ("machines", [machine("L3", "2026-03-07T00:00Z")]))
    assert [(v[1], v[2], v[5]) for v in versions(wh)] == [
        (FIRST, utc("2026-03-07 00:00"), "L1"),
        (utc("2026-03-07 00:00"), utc("2026-03-10 00:00"), "L3"),
        (utc("2026-03-10 00:00"), OPEN, "L2"),
    ]
    assert wh.all(lines) == [("R1", "L1"), ("R2", "L3"), ("R3", "L2")]


def test_out_of_order_rows_in_one_file_give_the_same_history(wh, tmp_path):
    load(
        wh,
        tmp_path,
        ("plants", [BERLIN]),
        ("machines", [machine("L3", "2026-05-01T00:00Z"), machine("L1", "2026-01-01T00:00Z"),
                      machine("L2", "2026-03-01T00:00Z")]),
    )  # fmt: skip
    assert [v[5] for v in versions(wh)] == ["L1", "L2", "L3"]
    assert [v[3] for v in versions(wh)] == [False, False, True]


def test_inferred_member_is_completed_not_duplicated(wh, tmp_path):
    # A run of MZ (offset time) arrives before anything is known of MZ.
    load(wh, tmp_path / "1", ("production_runs", ["R1,MZ,SKU1,,A,2026-03-05T08:00Z,2026-03-05T09:00Z,10,9,1"]))
    [(key, *inferred)] = versions(wh, "MZ")
    assert inferred == [FIRST, OPEN, True, True, None, None]
    load(
        wh,
        tmp_path / "2",
        ("plants", [BERLIN]),
        ("machines", ["MZ,Lathe Z,P1,L4,lathe,,2020-01-01,active,2026-01-01T00:00Z"]),
    )
    assert versions(wh, "MZ") == [(key, FIRST, OPEN, True, False, "L4", "Lathe Z")]
    assert wh.scalar("SELECT machine_key FROM dw.fact_production_run") == key


def test_product_history_and_point_in_time_keys(wh, tmp_path):
    load(
        wh,
        tmp_path,
        ("plants", [BERLIN]),
        ("machines", [machine("L1", "2026-01-01T00:00Z")]),
        ("products", ["SKU1,Widget,widgets,pcs,1.20,3.00,EUR,2026-01-01T00:00Z",
                      "SKU1,Widget v2,widgets,pcs,1.35,3.00,EUR,2026-03-10T00:00Z"]),
        ("production_runs", ["R1,MA,SKU1,,A,2026-03-05T08:00Z,2026-03-05T09:00Z,10,9,1",
                             "R2,MA,SKU1,,A,2026-03-12T08:00Z,2026-03-12T09:00Z,10,9,1"]),
    )  # fmt: skip
    got = wh.all(
        "SELECT f.run_id, p.standard_cost, p.product_name FROM dw.fact_production_run f "
        "JOIN dw.dim_product p USING (product_key) ORDER BY 1"
    )
    # The cost is the version's (SCD2); the name the latest (type 1).
    assert got == [("R1", Decimal("1.20"), "Widget v2"), ("R2", Decimal("1.35"), "Widget v2")]


def test_the_database_forbids_overlapping_and_double_current_versions(wh, tmp_path):
    load(wh, tmp_path, ("plants", [BERLIN]), ("machines", [machine("L1", "2026-01-01T00:00Z")]))
    with psycopg.connect(wh.url) as conn, pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute(
            "INSERT INTO dw.dim_machine (machine_code, valid_from, valid_to, is_current) "
            "VALUES ('MA', '2026-02-01', '2026-03-01', FALSE)"
        )
        conn.commit()  # the constraints are deferred to the commit
    with psycopg.connect(wh.url) as conn, pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute("UPDATE dw.dim_machine SET valid_to = '2026-02-01' WHERE machine_code = 'MA'")
        conn.execute(
            "INSERT INTO dw.dim_machine (machine_code, valid_from, valid_to, is_current) "
            "VALUES ('MA', '2026-02-01', '9999-12-31', TRUE)"
        )
        conn.commit()


def test_dimension_loads_twice_change_nothing(wh, tmp_path):
    load(
        wh,
        tmp_path,
        ("plants", [BERLIN]),
        ("machines", [machine("L1", "2026-01-01T00:00Z"), machine("L2", "2026-03-10T00:00Z")]),
        ("production_runs", ["R1,MX,SKU9,,A,2026-03-05T08:00Z,2026-03-05T09:00Z,10,9,1"]),
    )
    for proc in ("dw.load_dim_small", "dw.load_dim_machine", "dw.load_dim_product",
                 "dw.load_fact_production_run", "dw.load_fact_downtime_event"):  # fmt: skip
        before = wh.snapshot()
        wh.conn.execute(f"CALL {proc}()")
        assert wh.snapshot() == before, proc


def test_duplicate_master_key_in_one_batch_never_reaches_the_history(wh, tmp_path):
    # Two rows for MA at the same updated_at with different lines: both rejected as
    # duplicate_key; the identical pair for MB counts twice and makes one version.
    load(
        wh,
        tmp_path,
        ("plants", [BERLIN]),
        ("machines", [machine("L1", "2026-01-01T00:00Z"), machine("L2", "2026-01-01T00:00Z"),
                      "MB,Press B,P1,L1,press,,2019-05-01,active,2026-01-01T00:00Z",
                      "MB,Press B,P1,L1,press,,2019-05-01,active,2026-01-01T00:00Z"]),
    )  # fmt: skip
    assert wh.rejected(wh.batch("machines.csv")["batch_id"]) == [
        (2, "duplicate_key", "machine_code, updated_at"),
        (3, "duplicate_key", "machine_code, updated_at"),
    ]
    assert versions(wh) == []
    assert len(versions(wh, "MB")) == 1
    assert wh.batch("machines.csv")["records_accepted"] == 2
