"""The file contract: names, headers, encodings, malformed records, whole-file rejections,
physical line numbers, re-loads. Every load must reconcile (the loader raises if not)."""

from __future__ import annotations

from tests.helpers import BERLIN, HEADERS, M1_IN_P1, feed_file, write

RUN = "R{n},M1,SKU1,WO1,A,2026-03-02T06:00:00Z,2026-03-02T08:00:00Z,100,95,1.5"


def _masters(folder):
    feed_file(folder, "plants", BERLIN)
    feed_file(folder, "machines", M1_IN_P1)


def test_feed_is_the_file_name_prefix_and_masters_load_first(wh, tmp_path):
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", RUN.format(n=1), name="production_runs_2026-03-02.csv")
    feed_file(tmp_path, "production_runs", RUN.format(n=2), name="Production_Runs_2026-03-01.CSV")
    write(tmp_path, "notes.txt", "not a feed")
    write(tmp_path, "production.csv", "not a feed either\n")
    result = wh.load(tmp_path)
    # plants, machines first; then the runs files in name order ("P" sorts before "p").
    assert [f.path.name for f in result.files] == [
        "plants.csv",
        "machines.csv",
        "Production_Runs_2026-03-01.CSV",
        "production_runs_2026-03-02.csv",
    ]
    assert sorted(p.name for p in result.ignored) == ["notes.txt", "production.csv"]
    assert wh.scalar("SELECT count(*) FROM clean.production_run") == 2


def test_header_any_case_any_order_and_bom_crlf(wh, tmp_path):
    _masters(tmp_path)
    header = "GOOD_COUNT, Total_Count ,ideal_cycle_time_s,run_id,machine_code,product_sku,shift_code,start_ts,end_ts"
    body = "95,100,1.5,R1,M1,SKU1,A,2026-03-02T06:00:00Z,2026-03-02T08:00:00Z"
    write(tmp_path, "production_runs.csv", b"\xef\xbb\xbf" + f"{header}\r\n{body}\r\n".encode())
    wh.load(tmp_path)
    assert wh.all("SELECT run_id, total_count, good_count, work_order FROM clean.production_run") == [
        ("R1", 100, 95, None)
    ]
    assert wh.batch("production_runs.csv")["load_method"] == "copy"


def test_gzip_is_read_and_hashed_by_content(wh, tmp_path):
    _masters(tmp_path)
    text = HEADERS["production_runs"] + "\n" + RUN.format(n=1) + "\n"
    write(tmp_path / "a", "production_runs_1.csv.gz", text, gz=True)
    write(tmp_path / "b", "production_runs_1.csv", text)
    first = wh.load(tmp_path, tmp_path / "a")
    assert first.files[-1].accepted == 1
    second = wh.load(tmp_path / "b")  # same content, not compressed: a no-op
    assert second.files[0].status == "skipped"
    assert second.files[0].skipped_as == first.files[-1].batch_id


def test_quoted_newline_keeps_physical_line_numbers(wh, tmp_path):
    _masters(tmp_path)
    rows = [
        'E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM,"jam in\nfeeder\nthree lines",false',
        "E2,M1,2026-03-02T07:00:00Z,2026-03-02T06:10:00Z,JAM,,false",  # starts on line 5
    ]
    feed_file(tmp_path, "downtime_events", *rows)
    wh.load(tmp_path)
    batch = wh.batch("downtime_events.csv")
    assert batch["load_method"] == "parsed"
    assert wh.rejected(batch["batch_id"]) == [(5, "end_before_start", "end_ts")]
    assert wh.scalar("SELECT reason_description FROM clean.downtime_event") == "jam in\nfeeder\nthree lines"


def test_malformed_record_is_rejected_alone(wh, tmp_path):
    _masters(tmp_path)
    feed_file(
        tmp_path,
        "production_runs",
        RUN.format(n=1),
        RUN.format(n=2) + ",extra",
        "R3,M1,SKU1",
        RUN.format(n=4),
    )
    result = wh.load(tmp_path)
    f = result.files[-1]
    assert (f.read, f.accepted, f.rejected) == (4, 2, 2)
    assert wh.rejected(f.batch_id) == [(3, "malformed_record", None), (4, "malformed_record", None)]
    msg, raw = wh.one("SELECT message, raw_values FROM etl.rejected_row WHERE file_line = 3")
    assert msg == "the record has 11 fields but the header has 10"
    assert raw["run_id"] == "R2" and raw["field_11"] == "extra"


def test_missing_column_rejects_every_record_with_the_file_reason(wh, tmp_path):
    _masters(tmp_path)
    header = HEADERS["production_runs"].replace(",good_count", "")
    feed_file(tmp_path, "production_runs", "a,b", "c,d", "e,f", header=header)
    result = wh.load(tmp_path)
    f = result.files[-1]
    assert (f.status, f.read, f.rejected, f.accepted) == ("rejected", 3, 3, 0)
    reasons = wh.all("SELECT DISTINCT reason_code, column_name, message FROM etl.rejected_row")
    assert reasons == [
        (
            "missing_column",
            "good_count",
            "production_runs.csv: required column 'good_count' missing from the header, "
            "so every record of the file is rejected",
        )
    ]


def test_optional_column_may_be_absent_and_unknown_columns_are_reported(wh, tmp_path):
    _masters(tmp_path)
    header = HEADERS["production_runs"].replace("work_order,", "") + ",operator,Remarks"
    feed_file(
        tmp_path, "production_runs", "R1,M1,SKU1,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,2,ann,ok", header=header
    )
    result = wh.load(tmp_path)
    f = result.files[-1]
    assert (f.accepted, f.unknown_columns, f.method) == (1, ["operator", "remarks"], "parsed")
    assert wh.batch("production_runs.csv")["unknown_columns"] == ["operator", "remarks"]
    assert f.message == "unknown columns ignored: operator, remarks"


def test_duplicate_header_column_rejects_the_file(wh, tmp_path):
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", RUN.format(n=1) + ",7", header=HEADERS["production_runs"] + ",total_count")
    f = wh.load(tmp_path).files[-1]
    assert (f.status, f.rejected) == ("rejected", 1)
    assert wh.rejected(f.batch_id) == [(2, "duplicate_column", "total_count")]


def test_empty_file_and_header_only_file(wh, tmp_path):
    write(tmp_path, "plants_empty.csv", b"")
    write(tmp_path, "plants_header.csv", HEADERS["plants"] + "\n")
    files = wh.load(tmp_path).files
    assert [(f.path.name, f.status, f.read) for f in files] == [
        ("plants_empty.csv", "rejected", 0),
        ("plants_header.csv", "loaded", 0),
    ]


def test_an_empty_or_bom_only_file_is_rejected_with_a_reason(wh, tmp_path):
    write(tmp_path, "plants_empty.csv", b"")
    write(tmp_path, "plants_bom.csv", b"\xef\xbb\xbf")
    wh.load(tmp_path)
    # no header: none of the feed's columns, so missing_column (docs/feeds.md)
    assert wh.all("SELECT file_name, status, reject_reason, file_lines FROM etl.batch ORDER BY file_name") == [
        ("plants_bom.csv", "rejected", "missing_column", 0),
        ("plants_empty.csv", "rejected", "missing_column", 0),
    ]


def test_a_truncated_gzip_says_how_much_content_it_gave(wh, tmp_path):
    import gzip

    # level 0 stores the bytes as they are: a 10-byte gzip header, a 5-byte block header,
    # then the 7,000 bytes of content and an 8-byte trailer (7,023 bytes). Cut to 6,015
    # bytes, the file gives 6,015 - 10 - 5 = 6,000 bytes of content, then ends early.
    data = gzip.compress(b"x" * 7000, compresslevel=0, mtime=0)
    assert len(data) == 7023
    write(tmp_path, "plants.csv.gz", data[:6015])
    wh.load(tmp_path)
    batch = wh.batch("plants.csv.gz")
    assert (batch["status"], batch["reject_reason"]) == ("rejected", "unreadable_file")
    assert "the gzip data ends early (a truncated file) after 6,000 bytes of content" in wh.scalar(
        "SELECT message FROM etl.batch WHERE file_name = 'plants.csv.gz'"
    )


def test_a_symlink_outside_the_folder_is_reported_once(hub_env, tmp_path):
    from tests.conftest import run_hub

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plants.csv").symlink_to("/etc/hostname")
    proc = run_hub("load", str(tmp_path / "in"), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    said = [line for line in (proc.stdout + proc.stderr).splitlines() if "plants.csv" in line]
    assert len(said) == 1, said
    assert said[0].startswith("warning: skipped ") and "outside the folder being loaded" in said[0]


def test_invalid_utf8_rejects_only_that_record(wh, tmp_path):
    _masters(tmp_path)
    good = HEADERS["production_runs"] + "\n" + RUN.format(n=1) + "\n"
    bad = "R2,M1,SKU1,WO\xff,A,2026-03-02T06:00Z,2026-03-02T08:00Z,1,1,1\n".encode("latin-1")
    write(tmp_path, "production_runs.csv", good.encode() + bad)
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted, f.rejected) == (2, 1, 1)
    assert wh.rejected(f.batch_id) == [(3, "invalid_encoding", "work_order")]
    assert wh.scalar("SELECT raw_values->>'work_order' FROM etl.rejected_row") == "WO\ufffd"


def test_blank_lines_are_not_records(wh, tmp_path):
    _masters(tmp_path)
    write(tmp_path, "production_runs.csv", HEADERS["production_runs"] + "\n\n" + RUN.format(n=1) + "\n\n")
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted) == (1, 1)
    assert wh.scalar("SELECT file_line FROM clean.production_run") == 3


def test_unterminated_quote_is_one_malformed_record(wh, tmp_path):
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", RUN.format(n=1), 'R2,M1,"SKU1,WO,A')
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted, f.rejected) == (2, 1, 1)
    assert wh.rejected(f.batch_id) == [(3, "malformed_record", None)]


def test_reloading_a_folder_changes_nothing(wh, tmp_path):
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", RUN.format(n=1), "R2,M1,SKU1,,A,bad,2026-03-02T08:00Z,1,1,1")
    feed_file(tmp_path, "downtime_events", "E1,M7,2026-03-02 06:00,2026-03-02 06:05,JAM,,false")  # pending
    wh.load(tmp_path)
    before = wh.snapshot()
    again = wh.load(tmp_path)
    assert {f.status for f in again.files} == {"skipped"}
    assert wh.snapshot() == before


def test_two_session_copy_numbers_lines_like_one_session(wh, tmp_path, monkeypatch):
    import hublib.loader

    monkeypatch.setattr(hublib.loader, "PARALLEL_MIN_BYTES", 1)
    _masters(tmp_path / "m")
    wh.load(tmp_path / "m")
    rows = [f"M1,2026-03-02T06:{m:02d}:00Z,temp,{m},C" for m in range(60)]
    rows[45] = "M1,2026-03-02T06:45:00Z,temp,-,C"  # second half, line 47
    feed_file(tmp_path, "sensor_readings", *rows)
    f = wh.load(tmp_path).files[-1]
    assert (f.method, f.read, f.accepted, f.rejected) == ("copy2", 60, 59, 1)
    assert wh.rejected(f.batch_id) == [(47, "unparsable_number", "value")]
    lines = [r[0] for r in wh.all("SELECT file_line FROM clean.sensor_reading ORDER BY reading_ts")]
    assert lines == [n + 2 for n in range(60) if n != 45]
    assert wh.batch("sensor_readings.csv")["load_method"] == "copy2"


def test_two_session_copy_falls_back_when_copy_refuses_a_record(wh, tmp_path, monkeypatch):
    import hublib.loader

    monkeypatch.setattr(hublib.loader, "PARALLEL_MIN_BYTES", 1)
    _masters(tmp_path / "m")
    wh.load(tmp_path / "m")
    rows = [f"M1,2026-03-02T06:{m:02d}:00Z,temp,{m},C" for m in range(40)]
    rows[30] = "M1,2026-03-02T06:30:00Z,temp"  # too few fields, line 32
    feed_file(tmp_path, "sensor_readings", *rows)
    f = wh.load(tmp_path).files[-1]
    assert (f.method, f.read, f.accepted, f.rejected) == ("parsed", 40, 39, 1)
    assert wh.rejected(f.batch_id) == [(32, "malformed_record", None)]
    # The discarded two-session attempt left nothing behind.
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE status = 'loading'") == 0
    # (the ten feeds' parent tables, and the loader's rejections on their way to etl)
    assert (
        wh.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' AND tablename <> 'rejected_row'") == 10
    )


def test_a_batch_left_loading_by_a_dead_load_is_discarded(wh, tmp_path):
    _masters(tmp_path)
    wh.conn.execute(
        "SELECT etl.register_batch('plants', 'plants_dead.csv', '/x', 'deadbeef', 1, '{}', '{}', 'copy2', 5)"
    )
    assert wh.scalar("SELECT count(*) FROM etl.batch_reconciliation WHERE NOT is_reconciled") == 1
    wh.load(tmp_path)
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE file_name = 'plants_dead.csv'") == 0
    assert "discarded batch 1 (plants_dead.csv): an earlier load did not finish it" in wh.messages
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")


def test_two_loads_never_interleave(wh, tmp_path):
    """A second load waits for the warehouse lock the first one holds, then loads."""
    import threading
    import time

    import psycopg

    from hublib.loader import LOAD_LOCK_KEY

    _masters(tmp_path)
    holder = psycopg.connect(wh.url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", (LOAD_LOCK_KEY,))
    done = threading.Event()
    result = {}

    def second_load():
        result["files"] = wh.load(tmp_path).files
        done.set()

    thread = threading.Thread(target=second_load)
    thread.start()
    time.sleep(1.5)
    assert not done.is_set(), "the second load did not wait for the lock"
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0
    holder.execute("SELECT pg_advisory_unlock(%s)", (LOAD_LOCK_KEY,))
    thread.join(timeout=60)
    holder.close()
    assert [f.accepted for f in result["files"]] == [1, 1]
    assert "another load or run holds the warehouse lock; waiting up to 600 s ..." in wh.messages


def test_a_load_gives_up_after_the_configured_wait(wh, tmp_path):
    import psycopg
    import pytest

    from hublib.errors import HubError
    from hublib.loader import LOAD_LOCK_KEY

    _masters(tmp_path)
    wh.conn.execute("UPDATE etl.setting SET setting_value = '1' WHERE setting_name = 'lock_wait_seconds'")
    with psycopg.connect(wh.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOAD_LOCK_KEY,))
        with pytest.raises(HubError, match="still held the warehouse lock after 1 s"):
            wh.load(tmp_path)
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0
