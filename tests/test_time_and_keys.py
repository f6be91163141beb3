"""Local times, daylight saving, keys compared by instant, restatement by later batches,
master-data versions, and the pending life cycle of local times whose plant is unknown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import BERLIN, M1_IN_P1, feed_file


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        # Winter: Berlin is UTC+1.
        ("2026-01-15 10:00", "Europe/Berlin", "2026-01-15 09:00"),
        # 2026-03-29 02:00 Berlin jumps to 03:00: 02:30 does not exist.
        ("2026-03-29 02:30", "Europe/Berlin", None),
        ("2026-03-29 01:59", "Europe/Berlin", "2026-03-29 00:59"),
        ("2026-03-29 03:00", "Europe/Berlin", "2026-03-29 01:00"),
        # 2026-10-25 03:00 Berlin goes back to 02:00: 02:30 happens at 00:30Z (CEST, +2) and
        # again at 01:30Z (CET, +1). The first occurrence is taken.
        ("2026-10-25 02:30", "Europe/Berlin", "2026-10-25 00:30"),
        ("2026-10-25 03:00", "Europe/Berlin", "2026-10-25 02:00"),
        # New York: 2026-11-01 01:30 happens at 05:30Z (EDT, -4) and 06:30Z (EST, -5).
        ("2026-11-01 01:30", "America/New_York", "2026-11-01 05:30"),
        # 2026-03-08 02:30 New York does not exist.
        ("2026-03-08 02:30", "America/New_York", None),
        # Lord Howe shifts by 30 minutes: 2026-04-05 01:45 happens at 14:45Z (+11) and 15:15Z (+10:30).
        ("2026-04-05 01:45", "Australia/Lord_Howe", "2026-04-04 14:45"),
        ("2026-06-01 12:00", "UTC", "2026-06-01 12:00"),
    ],
)
def test_local_to_utc(wh, local, zone, expected):
    got = wh.scalar("SELECT etl.local_to_utc(%s::timestamp, %s)", (local, zone))
    assert got == (utc(expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-03-02T06:00", True),
        ("2026-03-02 06:00:59", True),
        ("2026-03-02T06:00:00.123456789Z", True),
        ("2026-03-02T06:00:00z", True),
        ("2026-03-02T06:00+01", True),
        ("2026-03-02T06:00+0130", True),
        ("2026-03-02T06:00-05:00", True),
        ("2024-02-29T00:00", True),
        ("2026-02-29T00:00", False),
        ("2026-03-02", False),
        ("2026-03-02T6:00", False),
        ("2026-03-02T06:60", False),
        ("2026-03-02T24:00", False),
        ("2026-03-02T06:00 UTC", False),
        ("0000-01-01T00:00", False),
        ("now", False),
        ("infinity", False),
        ("epoch", False),
    ],
)
def test_timestamp_grammar(wh, text, ok):
    assert wh.scalar("SELECT etl.is_timestamp(%s)", (text,)) is ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2026-02-29", None),
        ("2026-04-31", None),
        ("2026-12-31", "2026-12-31"),
        ("2026-1-05", None),
        ("20260105", None),
        ("today", None),
        ("0000-01-01", None),
    ],
)
def test_date_grammar(wh, text, expected):
    got = wh.scalar("SELECT etl.parse_date(%s)", (text,))
    assert (got.isoformat() if got else None) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12", None),
        ("-12.50", None),
        (".5", None),
        ("+3.", None),
        ("1e3", "unparsable_number"),
        ("1,5", "unparsable_number"),
        ("NaN", "unparsable_number"),
        ("Infinity", "unparsable_number"),
        ("", "unparsable_number"),
        ("0x1F", "unparsable_number"),
    ],
)
def test_decimal_grammar(wh, text, reason):
    got = wh.scalar("SELECT etl.value_error('v', %s, 'decimal')", (text,))
    assert (got[0] if got else None) == reason


def test_ambiguous_and_midnight_local_times_in_a_feed(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(
        tmp_path,
        "downtime_events",
        # fall-back night: 02:30 is read as its first occurrence, 00:30Z
        "E1,M1,2026-10-25 02:30,2026-10-25 02:45,JAM,,false",
        # a stop across local midnight in winter: 23:50 -> 00:20 next day
        "E2,M1,2026-01-15T23:50:00,2026-01-16T00:20:00,JAM,,false",
    )
    wh.load(tmp_path)
    rows = {r[0]: (r[1], r[2]) for r in wh.all("SELECT event_id, start_ts, end_ts FROM clean.downtime_event")}
    assert rows["E1"] == (utc("2026-10-25 00:30"), utc("2026-10-25 00:45"))
    assert rows["E2"] == (utc("2026-01-15 22:50"), utc("2026-01-15 23:20"))


def test_keys_compare_instants_not_text(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(
        tmp_path,
        "sensor_readings",
        "M1,2026-03-02T10:00:00+01:00,temp,70.0,C",  # line 2
        "M1,2026-03-02T09:00:00Z,temp,70,C",  # line 3: same instant, same parsed value: stored once
        "M1,2026-03-02 10:00,temp,70.00,C",  # line 4: Berlin local 10:00 = 09:00Z again
        "M1,2026-03-02T11:00:00+01:00,temp,71,C",  # line 5
        "M1,2026-03-02T10:00:00Z,temp,72,C",  # line 6: same instant as line 5, other value
    )
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted, f.rejected) == (5, 3, 2)
    assert wh.rejected(f.batch_id) == [
        (5, "duplicate_key", "machine_code, metric, reading_ts"),
        (6, "duplicate_key", "machine_code, metric, reading_ts"),
    ]
    assert "lines 5, 6" in wh.scalar("SELECT message FROM etl.rejected_row WHERE file_line = 5")
    assert wh.all("SELECT reading_ts, value, file_line FROM clean.sensor_reading") == [
        (utc("2026-03-02 09:00"), 70.0, 2)
    ]


def test_later_batch_restates_and_rejected_rows_never_replace(wh, tmp_path):
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1)
    feed_file(tmp_path / "1", "production_runs", "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,90,1.5")
    wh.load(tmp_path / "1")
    feed_file(
        tmp_path / "2",
        "production_runs",
        "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,95,1.5",
        name="production_runs_fix.csv",
    )
    wh.load(tmp_path / "2")
    assert wh.one("SELECT good_count, batch_id FROM clean.production_run") == (
        95,
        wh.batch("production_runs_fix.csv")["batch_id"],
    )
    feed_file(
        tmp_path / "3",
        "production_runs",
        "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,101,1.5",
        name="production_runs_bad.csv",
    )
    wh.load(tmp_path / "3")
    assert wh.scalar("SELECT good_count FROM clean.production_run") == 95


def test_master_data_keeps_every_version_in_any_arrival_order(wh, tmp_path):
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(
        tmp_path / "1",
        "machines",
        "M1,Press 1,P1,L2,press,,2019-05-01,active,2026-06-01T00:00:00Z",
        "M1,Press 1,P1,L1,press,,2019-05-01,active,2026-01-01T00:00:00Z",
    )
    wh.load(tmp_path / "1")
    # A late row with an older updated_at arrives in a later file: it is a version of its own.
    feed_file(tmp_path / "2", "machines", "M1,Press 1,P1,L0,press,,2019-05-01,idle,2025-01-01T00:00:00Z")
    wh.load(tmp_path / "2")
    assert [r[0] for r in wh.all("SELECT line_code FROM clean.machine ORDER BY updated_at")] == ["L0", "L1", "L2"]


def test_local_time_waits_for_its_plant_then_loads(wh, tmp_path):
    # Runs of M5 with local times, before anything is known of M5 or its plant P7.
    feed_file(
        tmp_path / "1",
        "production_runs",
        "R1,M5,SKU1,,A,2026-03-02 06:00,2026-03-02 08:00,10,9,1",  # local: pending
        "R2,M5,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1",  # offset: accepted now
    )
    first = wh.load(tmp_path / "1").files[-1]
    assert (first.read, first.accepted, first.rejected, first.pending) == (2, 1, 0, 1)
    assert wh.all("SELECT file_line, reason_code FROM etl.pending_record") == [(2, "plant_unknown")]
    # The machine arrives, naming plant P7, which is still unknown: it waits too.
    feed_file(tmp_path / "2", "machines", "M5,Lathe,P7,L1,lathe,,2020-01-01,active,2026-01-01 00:00")
    second = wh.load(tmp_path / "2").files[-1]
    assert second.pending == 1
    # The plant arrives: the machine is placed, then the run (master data first).
    feed_file(tmp_path / "3", "plants", "P7,Chicago,US,USD,America/Chicago,2020-01-01T00:00:00Z")
    wh.load(tmp_path / "3")
    assert wh.scalar("SELECT count(*) FROM etl.pending_record") == 0
    # America/Chicago in March 2026 before the 8th is CST, UTC-6.
    assert wh.one("SELECT start_ts, end_ts FROM clean.production_run WHERE run_id = 'R1'") == (
        utc("2026-03-02 12:00"),
        utc("2026-03-02 14:00"),
    )
    assert wh.scalar("SELECT updated_at FROM clean.machine") == utc("2026-01-01 06:00")
    batch = wh.batch("production_runs.csv")
    assert (batch["records_read"], batch["records_accepted"], batch["records_pending"]) == (2, 2, 0)
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")


def test_local_time_takes_the_zone_of_the_machine_version_valid_then(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN, "P2,Newark,US,USD,America/New_York,2020-01-01T00:00:00Z")
    feed_file(
        tmp_path,
        "machines",
        "M1,Press 1,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
        "M1,Press 1,P2,L9,press,,2019-05-01,active,2026-06-01T00:00:00Z",  # moved to New Jersey
    )
    feed_file(
        tmp_path,
        "downtime_events",
        "E1,M1,2026-05-15 10:00,2026-05-15 10:30,JAM,,false",  # Berlin, CEST +2 -> 08:00Z
        "E2,M1,2026-07-01 10:00,2026-07-01 10:30,JAM,,false",  # New York, EDT -4 -> 14:00Z
    )
    wh.load(tmp_path)
    assert dict(wh.all("SELECT event_id, start_ts FROM clean.downtime_event")) == {
        "E1": utc("2026-05-15 08:00"),
        "E2": utc("2026-07-01 14:00"),
    }


def test_zero_minute_event_is_valid(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(tmp_path, "downtime_events", "E1,M1,2026-03-02T06:00Z,2026-03-02T06:00Z,JAM,,false")
    assert wh.load(tmp_path).files[-1].accepted == 1


def test_sensor_readings_restate_by_key_within_the_batch_time_range(wh, tmp_path):
    """Sensor readings have no unique index; the key stays unique all the same."""
    feed_file(tmp_path / "1", "plants", BERLIN)
    feed_file(tmp_path / "1", "machines", M1_IN_P1)
    feed_file(
        tmp_path / "1",
        "sensor_readings",
        "M1,2026-03-02T06:00:00Z,temp,70,C",
        "M1,2026-03-02T06:01:00Z,temp,71,C",
        "M1,2026-03-02T06:02:00Z,temp,72,C",
        name="sensor_readings_1.csv",
    )
    wh.load(tmp_path / "1")
    # A later batch restates 06:01 (as local Berlin time 07:01) and adds 06:03.
    feed_file(
        tmp_path / "2",
        "sensor_readings",
        "M1,2026-03-02 07:01,temp,81,C",
        "M1,2026-03-02T06:03:00Z,temp,73,C",
        name="sensor_readings_2.csv",
    )
    wh.load(tmp_path / "2")
    rows = wh.all("SELECT reading_ts, value FROM clean.sensor_reading ORDER BY reading_ts")
    assert rows == [
        (utc("2026-03-02 06:00"), 70.0),
        (utc("2026-03-02 06:01"), 81.0),
        (utc("2026-03-02 06:02"), 72.0),
        (utc("2026-03-02 06:03"), 73.0),
    ]
    # Loading batch 1's content again is a no-op, and the restated value stays.
    assert {f.status for f in wh.load(tmp_path / "1").files} == {"skipped"}
    assert wh.scalar("SELECT value FROM clean.sensor_reading WHERE reading_ts = '2026-03-02 06:01Z'") == 81.0


def test_an_older_pending_reading_never_overwrites_a_newer_batch(wh, tmp_path):
    # Batch A: a local-time reading of M5 whose plant is unknown -> pending.
    feed_file(tmp_path / "a", "sensor_readings", "M5,2026-03-02 07:00,temp,1,C", name="sensor_readings_a.csv")
    wh.load(tmp_path / "a")
    # Batch B (newer): the same instant with an offset -> stored now.
    feed_file(tmp_path / "b", "sensor_readings", "M5,2026-03-02T06:00:00Z,temp,2,C", name="sensor_readings_b.csv")
    wh.load(tmp_path / "b")
    # The plant and machine arrive; A's reading is placed at 06:00Z but B is newer and stays.
    feed_file(tmp_path / "c", "plants", BERLIN)
    feed_file(tmp_path / "c", "machines", "M5,Lathe,P1,L1,lathe,,2020-01-01,active,2020-01-01T00:00Z")
    wh.load(tmp_path / "c")
    assert wh.all("SELECT value, batch_id FROM clean.sensor_reading") == [
        (2.0, wh.batch("sensor_readings_b.csv")["batch_id"])
    ]
    a = wh.batch("sensor_readings_a.csv")
    assert (a["records_accepted"], a["records_pending"]) == (1, 0)


@pytest.mark.parametrize(("length", "reason"), [(1000, None), (1001, "unparsable_number")])
def test_decimal_length_limit(wh, length, reason):
    text = "1." + "0" * (length - 2)
    got = wh.scalar("SELECT etl.value_error('v', %s, 'decimal')", (text,))
    assert (got[0] if got else None) == reason
