"""Each step of the chain works on what arrived since the last run, not on the history:
the fact steps read only new batches and the rows of machines whose history changed, and
the gate checks the machine-days the run touched."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import BERLIN, M1_IN_P1, feed_file

M2_IN_P1 = "M2,Press 2,P1,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z"
SKU1 = "SKU1,Widget,widgets,pcs,1.20,3.00,EUR,2020-01-01T00:00:00Z"


def run(run_id, machine, start, end, total=100, good=95, cycle="1"):
    return f"{run_id},{machine},SKU1,,A,{start},{end},{total},{good},{cycle}"


def chain(wh) -> dict[str, str]:
    """Runs the chain; returns each step's last notice by procedure."""
    notes: list[str] = []

    def keep(diag):
        notes.append(diag.message_primary)

    wh.conn.add_notice_handler(keep)
    wh.conn.execute("CALL etl.run_pipeline()")
    wh.conn.remove_notice_handler(keep)
    return {n.split(":")[0]: n for n in notes if ":" in n}


def test_a_new_batch_is_the_only_work_and_a_changed_machine_rekeys_only_its_rows(wh, tmp_path):
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1, M2_IN_P1)
    feed_file(tmp_path / "1", "products", SKU1)
    feed_file(
        tmp_path / "1",
        "production_runs",
        run("R1", "M1", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
        run("R2", "M2", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
        run("R3", "M2", "2026-03-03T06:00Z", "2026-03-03T08:00Z"),
    )
    feed_file(tmp_path / "1", "downtime_events", "E1,M1,2026-03-02T06:30Z,2026-03-02T06:40Z,JAM,,false")
    wh.load(tmp_path / "1")
    notes = chain(wh)
    assert notes["dw.load_fact_production_run"] == "dw.load_fact_production_run: 3 runs written"
    assert notes["dw.load_fact_downtime_event"] == "dw.load_fact_downtime_event: 1 events written"
    # the batches are marked processed by run 1; nothing is waiting
    assert wh.all("SELECT DISTINCT processed_run_id FROM etl.dirty_batch") == [(1,)]

    # One more run arrives: only its batch is read (1 row written, not 4).
    feed_file(tmp_path / "2", "production_runs", run("R4", "M1", "2026-03-03T06:00Z", "2026-03-03T08:00Z"))
    wh.load(tmp_path / "2")
    notes = chain(wh)
    assert notes["dw.load_fact_production_run"] == "dw.load_fact_production_run: 1 runs written"
    assert notes["dw.load_fact_downtime_event"] == "dw.load_fact_downtime_event: 0 events written"
    steps = dict(wh.all("SELECT step, rows_written FROM reporting.pipeline_run_steps WHERE run_id = 2"))
    assert steps["dw.load_fact_production_run"] == 1  # the new run; no fingerprint changed
    assert steps["dw.load_fact_downtime_event"] == 0

    # M2 moves to line L2 from 2026-03-03: its history changes, so its runs are re-keyed;
    # R3 (03-03) gets the new version, R2 (03-02) keeps the old one, M1's runs are not read.
    before = dict(wh.all("SELECT run_id, machine_key FROM dw.fact_production_run"))
    feed_file(
        tmp_path / "3",
        "machines",
        "M2,Press 2,P1,L2,press,Acme,2019-05-01,active,2026-03-03T00:00:00Z",
        name="machines_move.csv",
    )
    wh.load(tmp_path / "3")
    notes = chain(wh)
    assert notes["dw.load_fact_production_run"] == "dw.load_fact_production_run: 1 runs written"
    after = dict(wh.all("SELECT run_id, machine_key FROM dw.fact_production_run"))
    assert {r for r in after if after[r] != before[r]} == {"R3"}
    assert (
        wh.scalar(
            "SELECT m.line_code FROM dw.fact_production_run f JOIN dw.dim_machine m USING (machine_key) "
            "WHERE f.run_id = 'R3'"
        )
        == "L2"
    )


def test_the_gate_checks_what_the_run_touched(wh, tmp_path):
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1, M2_IN_P1)
    feed_file(tmp_path / "1", "products", SKU1)
    # R1: 2 h = 7200 s of run time, 4000 units at an ideal 2 s = 8000 s: performance 1.11
    feed_file(
        tmp_path / "1", "production_runs", run("R1", "M1", "2026-03-04T06:00Z", "2026-03-04T08:00Z", 4000, 4000, "2")
    )
    wh.load(tmp_path / "1")
    chain(wh)
    assert wh.one(
        "SELECT observed, passed FROM etl.dq_result WHERE run_id = 1 AND check_name = 'performance_above_one'"
    ) == (1, False)
    # Run 2 loads another machine's day: the old machine-day is not checked again.
    feed_file(tmp_path / "2", "production_runs", run("R2", "M2", "2026-03-05T06:00Z", "2026-03-05T08:00Z"))
    wh.load(tmp_path / "2")
    chain(wh)
    assert wh.one(
        "SELECT observed, passed FROM etl.dq_result WHERE run_id = 2 AND check_name = 'performance_above_one'"
    ) == (0, True)
    # Run 3 loads a run that overlaps the old R1 (06:00-08:00 against 07:00-09:00): found,
    # because one of the pair is new.
    feed_file(tmp_path / "3", "production_runs", run("R3", "M1", "2026-03-04T07:00Z", "2026-03-04T09:00Z"))
    wh.load(tmp_path / "3")
    wh.conn.execute("UPDATE etl.dq_check SET severity = 'warning' WHERE check_name = 'overlapping_runs'")
    chain(wh)
    assert wh.one(
        "SELECT observed, detail FROM etl.dq_result WHERE run_id = 3 AND check_name = 'overlapping_runs'"
    ) == (
        1,
        "1 pair(s) of overlapping runs, first: R1 and R3 on M1",
    )
    # Outside a run the gate checks everything: the pair again, and M1's 03-04, whose
    # performance is now (8000 + 100 x 1) / (2 x 7200) = 0.5625 with R3's time in it.
    wh.conn.execute("CALL etl.check_data_quality()")
    got = dict(wh.all("SELECT check_name, observed FROM etl.dq_result WHERE run_id IS NULL"))
    assert got["overlapping_runs"] == 1 and got["performance_above_one"] == 0
    assert wh.scalar("SELECT round(performance, 4) FROM reporting.oee_daily WHERE machine_code = 'M1'") == Decimal(
        "0.5625"
    )


def test_a_new_stop_that_spans_days_puts_an_old_machine_day_back_under_the_gate(wh, tmp_path):
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1)
    feed_file(tmp_path / "1", "products", SKU1)
    # R1: 2 h = 7200 s of run time, 3240 units at an ideal 2 s = 6480 s: performance 0.9.
    feed_file(
        tmp_path / "1", "production_runs", run("R1", "M1", "2026-03-04T06:00Z", "2026-03-04T08:00Z", 3240, 3240, "2")
    )
    wh.load(tmp_path / "1")
    chain(wh)
    assert wh.one(
        "SELECT observed, passed FROM etl.dq_result WHERE run_id = 1 AND check_name = 'performance_above_one'"
    ) == (0, True)
    # Run 2 loads only stops. S1 starts two UTC days before R1's day and ends inside R1
    # (06:00-07:00 of it): R1's run time drops to 3600 s, performance 6480 / 3600 = 1.8.
    # The gate finds R1's day although no run was loaded and S1 starts on 03-02; S2, on a
    # day without runs, adds nothing.
    feed_file(
        tmp_path / "2",
        "downtime_events",
        "S1,M1,2026-03-02T22:00Z,2026-03-04T07:00Z,BREAKDOWN,,false",
        "S2,M1,2026-03-10T10:00Z,2026-03-10T11:00Z,BREAKDOWN,,false",
    )
    wh.load(tmp_path / "2")
    chain(wh)
    observed, passed, detail = wh.one(
        "SELECT observed, passed, detail FROM etl.dq_result WHERE run_id = 2 AND check_name = 'performance_above_one'"
    )
    assert (observed, passed) == (1, False)
    assert detail.startswith("1 machine-day(s) with performance above 1, the highest 1.8")
    assert detail.endswith(" on M1 2026-03-04")
    assert wh.scalar("SELECT round(performance, 4) FROM reporting.oee_daily WHERE machine_code = 'M1'") == Decimal(
        "1.8000"
    )


def test_overlapping_runs_on_a_first_load_and_then_only_the_new_runs(wh, tmp_path):
    wh.conn.execute("UPDATE etl.dq_check SET severity = 'warning' WHERE check_name = 'overlapping_runs'")
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1, M2_IN_P1)
    feed_file(tmp_path / "1", "products", SKU1)
    # Runs of M1 from 06:00 to 08:00, one a day: R4 to R10 on 03-05 to 03-11, R1 on 03-02.
    # R2 [07:00, 09:00) overlaps R1 [06:00, 08:00). R3 has no length and overlaps nothing;
    # X1, at R1's hours, is another machine's.
    runs = [run(f"R{i}", "M1", f"2026-03-{1 + i:02d}T06:00Z", f"2026-03-{1 + i:02d}T08:00Z") for i in range(4, 11)]
    runs += [
        run("R1", "M1", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
        run("R2", "M1", "2026-03-02T07:00Z", "2026-03-02T09:00Z"),
        run("R3", "M1", "2026-03-02T07:30Z", "2026-03-02T07:30Z"),
        run("X1", "M2", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
    ]
    feed_file(tmp_path / "1", "production_runs", *runs)
    wh.load(tmp_path / "1")
    chain(wh)
    # Every run is new: the runs are ordered once, and the one pair is found.
    assert wh.one(
        "SELECT observed, detail FROM etl.dq_result WHERE run_id = 1 AND check_name = 'overlapping_runs'"
    ) == (1, "1 pair(s) of overlapping runs, first: R1 and R2 on M1")
    # Run 2 loads 2 runs of 13 (few: each new run is looked up): R11 overlaps R5 [03-06
    # 06:00, 08:00) by an hour, R12 only touches R6's end. The old pair is not said again
    # (a warning is said once, for the data that raised it).
    feed_file(
        tmp_path / "2",
        "production_runs",
        run("R11", "M1", "2026-03-06T07:00Z", "2026-03-06T10:00Z"),
        run("R12", "M1", "2026-03-07T08:00Z", "2026-03-07T09:00Z"),
    )
    wh.load(tmp_path / "2")
    chain(wh)
    assert wh.one(
        "SELECT observed, detail FROM etl.dq_result WHERE run_id = 2 AND check_name = 'overlapping_runs'"
    ) == (1, "1 pair(s) of overlapping runs, first: R11 and R5 on M1")
    # Run 3 loads 4 runs of 17 (many: all runs are ordered once, and only pairs with a new
    # run count): R13 starts inside R8, R14 to R16 overlap nothing.
    feed_file(
        tmp_path / "3",
        "production_runs",
        run("R13", "M1", "2026-03-09T07:59Z", "2026-03-09T09:00Z"),
        run("R14", "M1", "2026-03-20T06:00Z", "2026-03-20T08:00Z"),
        run("R15", "M1", "2026-03-21T06:00Z", "2026-03-21T08:00Z"),
        run("R16", "M1", "2026-03-22T06:00Z", "2026-03-22T08:00Z"),
    )
    wh.load(tmp_path / "3")
    chain(wh)
    assert wh.one(
        "SELECT observed, detail FROM etl.dq_result WHERE run_id = 3 AND check_name = 'overlapping_runs'"
    ) == (1, "1 pair(s) of overlapping runs, first: R13 and R8 on M1")
    # Outside a run, everything: the three pairs.
    wh.conn.execute("CALL etl.check_data_quality()")
    assert wh.one(
        "SELECT observed, detail FROM etl.dq_result WHERE run_id IS NULL AND check_name = 'overlapping_runs'"
    ) == (3, "3 pair(s) of overlapping runs, first: R1 and R2 on M1, R11 and R5 on M1, R13 and R8 on M1")


def test_a_first_fill_of_the_stops_builds_their_keys_after_and_the_next_load_upserts(wh, tmp_path):
    from hublib.generate import generate

    generate(tmp_path / "1", seed=3, machines=40, days=100, sensor_interval=0)
    table = "'dw.fact_downtime_event'::regclass"
    shape = (
        f"SELECT (SELECT array_agg(pg_get_indexdef(indexrelid) ORDER BY 1) FROM pg_index WHERE indrelid = {table}), "
        f"(SELECT array_agg(conname || ' ' || pg_get_constraintdef(oid) ORDER BY 1) FROM pg_constraint "
        f"WHERE conrelid = {table})"
    )
    before = wh.one(shape)
    wh.load(tmp_path / "1")
    stops = wh.scalar("SELECT count(*) FROM clean.downtime_event")
    assert stops >= 50000  # the bulk path: indexes dropped, rows inserted, indexes built
    notes = chain(wh)
    assert notes["dw.load_fact_downtime_event"] == f"dw.load_fact_downtime_event: {stops} events written"
    # the same primary key, indexes and constraints as the schema made them
    assert wh.one(shape) == before
    # every stop keyed to the machine version valid at its start and to its reason
    assert (
        wh.scalar(
            "SELECT count(*) FROM clean.downtime_event AS e "
            "JOIN dw.fact_downtime_event AS f USING (event_id) "
            "JOIN dw.dim_machine AS m ON f.machine_key = m.machine_key "
            "JOIN dw.dim_downtime_reason AS r ON f.reason_key = r.reason_key "
            "WHERE e.machine_code = m.machine_code AND e.start_ts >= m.valid_from AND e.start_ts < m.valid_to "
            "AND e.reason_code = r.reason_code AND (f.machine_code, f.reason_code, f.start_ts, f.end_ts, "
            "f.is_planned, f.batch_id) = (e.machine_code, e.reason_code, e.start_ts, e.end_ts, e.is_planned, "
            "e.batch_id) AND f.duration_s = extract(EPOCH FROM e.end_ts - e.start_ts)"
        )
        == stops
    )
    # The next load restates one stop: an upsert on the rebuilt primary key, one row written.
    event_id, machine, start = wh.one(
        "SELECT event_id, machine_code, to_char(start_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM dw.fact_downtime_event ORDER BY event_id LIMIT 1"
    )
    feed_file(tmp_path / "2", "downtime_events", f"{event_id},{machine},{start},{start},BREAKDOWN,,false")
    wh.load(tmp_path / "2")
    notes = chain(wh)
    assert notes["dw.load_fact_downtime_event"] == "dw.load_fact_downtime_event: 1 events written"
    assert wh.one("SELECT duration_s, reason_code FROM dw.fact_downtime_event WHERE event_id = %s", (event_id,)) == (
        0,
        "BREAKDOWN",
    )
    assert wh.scalar("SELECT count(*) FROM dw.fact_downtime_event") == stops
