"""The generator: same seed, same bytes; what it writes loads cleanly, runs of a machine
never overlap, its late and out-of-order rows end up as the history they describe."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from hublib.generate import generate
from tests.conftest import run_hub


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", seed=7, machines=6, days=10)
    generate(tmp_path / "b", seed=7, machines=6, days=10)
    generate(tmp_path / "c", seed=8, machines=6, days=10)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_generated_data_loads_without_rejections_and_runs_the_chain(wh, tmp_path):
    written = generate(tmp_path, seed=3, machines=6, days=21)
    result = wh.load(tmp_path)
    assert sum(f.read for f in result.files) == sum(written.values())
    assert sum(f.rejected + f.pending for f in result.files) == 0
    wh.conn.execute("CALL etl.run_pipeline()")
    # Runs of one machine never overlap.
    assert (
        wh.scalar(
            "SELECT count(*) FROM dw.fact_production_run a JOIN dw.fact_production_run b "
            "ON a.machine_code = b.machine_code AND a.run_id < b.run_id "
            "AND a.start_ts < b.end_ts AND b.start_ts < a.end_ts"
        )
        == 0
    )
    # Counts were made with the stops in mind: performance never above 1.
    assert wh.scalar("SELECT count(*) FROM reporting.oee_daily WHERE performance_above_1") == 0
    # Three plants; ratios are fractions.
    assert wh.scalar("SELECT count(DISTINCT plant_code) FROM reporting.oee_daily") == 3
    assert wh.scalar("SELECT bool_and(oee BETWEEN 0 AND 1) FROM reporting.oee_daily")


def test_late_master_row_is_placed_between_older_and_newer_versions(wh, tmp_path):
    generate(tmp_path, seed=1, machines=6, days=21)
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    # CHI-M01: installed as assembly on L1; retrofitted (row in machines_late.csv, which
    # loads after machines.csv) on day 21 // 6 = 3, 2026-02-19 06:00 Chicago (CST, UTC-6);
    # moved to L2 on day 21 // 3 = 7, 2026-02-23 06:00 Chicago.
    rows = wh.all(
        "SELECT valid_from, line_code, machine_type FROM dw.dim_machine WHERE machine_code = 'CHI-M01' ORDER BY 1"
    )
    assert rows == [
        (datetime(1900, 1, 1, tzinfo=UTC), "L1", "assembly"),
        (datetime(2026, 2, 19, 12, tzinfo=UTC), "L1", "servo-assembly"),
        (datetime(2026, 2, 23, 12, tzinfo=UTC), "L2", "servo-assembly"),
    ]


def test_runs_are_written_in_plant_time_and_stops_with_offsets(tmp_path):
    generate(tmp_path, seed=1, machines=3, days=2)
    with open(tmp_path / "production_runs_2026-02-16.csv") as fh:
        first = next(csv.DictReader(fh))
    assert (first["start_ts"], first["shift_code"]) == ("2026-02-16 06:00:00", "A")
    with open(tmp_path / "downtime_events_2026-02-16.csv") as fh:
        stops = list(csv.DictReader(fh))
    assert all(s["start_ts"][-6] in "+-" for s in stops)


def test_generate_command(tmp_path):
    proc = run_hub("generate", str(tmp_path / "g"), "--seed", "2", "--machines", "3", "--days", "3")
    assert proc.returncode == 0, proc.stderr
    assert "plants.csv" in proc.stdout and "(seed 2)" in proc.stdout
    bad = run_hub("generate", str(tmp_path / "g"), "--days", "zero")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.startswith("hub: ")


def _ids(folder):
    """Every id of the event and finance feeds (run, stop, GL entry, invoice)."""
    ids = set()
    for path in folder.iterdir():
        if path.name.startswith(("production_runs", "downtime_events", "gl_entries", "sales_lines")):
            with path.open(newline="") as fh:
                ids |= {row[0] for row in csv.reader(fh)} - {"run_id", "event_id", "entry_id", "invoice_id"}
    return ids


def test_ids_never_collide_across_calls_with_another_start_or_seed(tmp_path):
    from datetime import date

    generate(tmp_path / "feb", seed=1, machines=3, days=7, start=date(2026, 2, 2), sensor_interval=0)
    generate(tmp_path / "mar", seed=1, machines=3, days=7, start=date(2026, 3, 2), sensor_interval=0)
    generate(tmp_path / "feb2", seed=2, machines=3, days=7, start=date(2026, 2, 2), sensor_interval=0)
    feb, mar, feb2 = _ids(tmp_path / "feb"), _ids(tmp_path / "mar"), _ids(tmp_path / "feb2")
    assert feb and mar and feb2
    assert not feb & mar and not feb & feb2 and not mar & feb2
    assert any(i.startswith("RUN-S1-20260202-") for i in feb) and any(i.startswith("GL-S2-20260202-") for i in feb2)


def test_generate_refuses_a_folder_with_feed_files_unless_forced(tmp_path):
    hand_made = tmp_path / "machines.csv"
    hand_made.write_text("machine_code\nHAND\n")
    (tmp_path / "notes.txt").write_text("not a feed file\n")
    proc = run_hub("generate", str(tmp_path), "--days", "2", "--machines", "3", "--sensor-interval", "0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"hub: {tmp_path} already holds feed files (machines.csv); generate would write over them; "
        "pick an empty or new folder, or add --force to write over them"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["machines.csv", "notes.txt"]
    assert hand_made.read_text() == "machine_code\nHAND\n"
    # a folder with other files only is fine; --force writes over the feed files
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x\n")
    assert run_hub("generate", str(tmp_path / "other"), "--days", "2", "--sensor-interval", "0").returncode == 0
    proc = run_hub("generate", str(tmp_path), "--days", "2", "--machines", "3", "--sensor-interval", "0", "--force")
    assert proc.returncode == 0, proc.stderr
    assert hand_made.read_text().startswith("machine_code,")
