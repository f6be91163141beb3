"""Every physical line accounted for: the batch's line counts, the CHECKs that prove them,
etl.record_batch_lines' argument checks, and the data-quality gate seeing a batch whose
lines do not add up."""

from __future__ import annotations

import psycopg
import pytest

from tests.helpers import HEADERS, feed_file, write

RUN = "R{n},M1,SKU1,WO{n},A,2026-03-02T06:00:00Z,2026-03-02T08:00:00Z,100,95,1.5"


def test_one_stray_quote_in_1000_records_costs_one_record(wh, tmp_path):
    rows = [RUN.format(n=n) for n in range(1, 1001)]
    rows[9] = rows[9].replace("WO10", '"WO10')  # record 10 starts on line 11
    feed_file(tmp_path, "production_runs", *rows)
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted, f.rejected, f.pending) == (1000, 999, 1, 0)
    assert wh.rejected(f.batch_id) == [(11, "malformed_record", None)]
    # 1001 lines = 1 header + 0 blank + 1000 records + 0 continuation lines
    assert wh.one(
        "SELECT file_lines, header_lines, blank_lines, continuation_lines FROM etl.batch WHERE batch_id = %s",
        (f.batch_id,),
    ) == (1001, 1, 0, 0)
    assert wh.scalar("SELECT count(*) FROM clean.production_run") == 999
    assert wh.scalar("SELECT raw_values->>'work_order' FROM etl.rejected_row") == '"WO10'


def test_blank_lines_quoted_newlines_and_a_last_line_without_its_end(wh, tmp_path):
    text = (
        HEADERS["downtime_events"]
        + "\n\n"
        + 'E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM,"three\nline\nfield",false\n'
        + "\n"
        + "E2,M1,2026-03-02T07:00:00Z,2026-03-02T07:10:00Z,JAM,,false"  # no line end
    )
    write(tmp_path, "downtime_events.csv", text)
    f = wh.load(tmp_path).files[-1]
    # lines: header 1, blank 2, E1 3-5, blank 6, E2 7 -> 7 = 1 + 2 + 2 records + 2 continuation
    assert wh.one(
        "SELECT file_lines, header_lines, blank_lines, records_read, continuation_lines FROM etl.batch "
        "WHERE batch_id = %s",
        (f.batch_id,),
    ) == (7, 1, 2, 2, 2)
    assert wh.all("SELECT event_id, file_line FROM clean.downtime_event ORDER BY 1") == [("E1", 3), ("E2", 7)]


def test_checks_refuse_lines_that_do_not_add_up(wh, tmp_path):
    feed_file(tmp_path, "production_runs", RUN.format(n=1), 'R2,M1,"SKU1')
    f = wh.load(tmp_path).files[-1]
    with pytest.raises(psycopg.errors.CheckViolation, match="batch_lines_reconciled_check"):
        wh.conn.execute("UPDATE etl.batch SET file_lines = file_lines + 1 WHERE batch_id = %s", (f.batch_id,))
    with pytest.raises(psycopg.errors.CheckViolation, match="rejected_row_line_count_check"):
        wh.conn.execute("UPDATE etl.rejected_row SET line_count = 2 WHERE reason_code = 'malformed_record'")
    # A rejected record said to cover more lines than the batch's continuation lines: the
    # view (and so the data-quality gate) says the batch does not reconcile.
    wh.conn.execute("UPDATE etl.rejected_row SET reason_code = 'value_not_allowed', line_count = 2")
    assert wh.all(
        "SELECT is_reconciled, lines_reconciled FROM etl.batch_reconciliation WHERE batch_id = %s", (f.batch_id,)
    ) == [(False, True)]
    detail = wh.scalar("SELECT detail FROM etl.dq_batch_reconciliation(NULL, 0)")
    assert detail == f"1 batch(es) do not reconcile: batch {f.batch_id} (production_runs.csv)"


def test_record_batch_lines_checks_its_arguments_and_is_safe_to_repeat(wh, tmp_path):
    feed_file(tmp_path, "plants", "P1,Berlin Works,DE,EUR,Europe/Berlin,2020-01-01T00:00:00Z")
    wh.conn.execute("SELECT etl.register_batch('plants', 'p.csv', '/p.csv', 'x', 1, '{}', '{}', 'copy')")
    batch_id = wh.scalar("SELECT max(batch_id) FROM etl.batch")
    call = "CALL etl.record_batch_lines(%s::bigint, %s::bigint, %s::integer, %s::bigint, %s::bigint, %s)"
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="impossible line counts"):
        wh.conn.execute(call, (batch_id, 3, 2, 0, 0, None))
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown reason nope"):
        wh.conn.execute(call, (batch_id, 3, 1, 0, 0, "nope"))
    with pytest.raises(psycopg.errors.NoDataFound, match="batch 999 does not exist"):
        wh.conn.execute(call, (999, 3, 1, 0, 0, None))
    wh.conn.execute(call, (batch_id, 3, 1, 1, 0, None))
    wh.conn.execute(call, (batch_id, 3, 1, 1, 0, None))  # again: the same
    # 3 lines = 1 header + 1 blank + 1 record: the batch closes.
    wh.conn.execute("UPDATE etl.batch SET records_accepted = 1 WHERE batch_id = %s", (batch_id,))
    wh.conn.execute("CALL etl.close_batch(%s::bigint, 1::bigint)", (batch_id,))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="is already loaded"):
        wh.conn.execute(call, (batch_id, 3, 1, 1, 0, None))
    # Closing a batch whose lines do not add up is refused by the CHECK.
    wh.conn.execute("SELECT etl.register_batch('plants', 'q.csv', '/q.csv', 'y', 1, '{}', '{}', 'copy')")
    other = wh.scalar("SELECT max(batch_id) FROM etl.batch")
    wh.conn.execute(call, (other, 5, 1, 0, 0, None))
    with pytest.raises(psycopg.errors.CheckViolation, match="batch_lines_reconciled_check"):
        wh.conn.execute("CALL etl.close_batch(%s::bigint, 0::bigint)", (other,))


def test_a_file_that_grows_while_it_is_loaded_is_left_for_the_next_load(wh, tmp_path, monkeypatch):
    import hublib.loader

    feed_file(tmp_path, "production_runs", RUN.format(n=1), "R2,M1,SKU1")  # a malformed record: parsed
    feed_file(tmp_path, "production_runs", RUN.format(n=3), name="production_runs_2.csv")
    real = hublib.loader.inspect

    def inspect_then_append(feed, path):
        ff = real(feed, path)
        if path.name == "production_runs.csv":
            with path.open("a") as fh:
                fh.write(RUN.format(n=4) + "\n")
        return ff

    monkeypatch.setattr(hublib.loader, "inspect", inspect_then_append)
    result = wh.load(tmp_path)
    grown, other = result.files
    assert (grown.status, grown.batch_id) == ("unopened", None)
    assert grown.message == (
        "production_runs.csv cannot be read: the file changed while it was loaded (3 lines, then 4); "
        "nothing was registered for it"
    )
    assert result.needs_attention == [grown]
    assert (other.status, other.accepted) == ("loaded", 1)
    assert wh.all("SELECT file_name FROM etl.batch") == [("production_runs_2.csv",)]
    monkeypatch.undo()
    again = wh.load(tmp_path)  # the next load takes it
    assert [(f.path.name, f.status, f.read) for f in again.files] == [
        ("production_runs.csv", "loaded", 3),
        ("production_runs_2.csv", "skipped", 0),
    ]


def test_a_quote_left_open_longer_than_the_limit_is_a_stray_quote(wh, tmp_path, monkeypatch):
    import hublib.loader

    monkeypatch.setattr(hublib.loader, "MAX_RECORD_LINES", 3)
    rows = [RUN.format(n=n) for n in range(1, 9)]
    rows[1] = rows[1].replace("WO2", '"WO2')  # line 3 opens a quote ...
    rows[5] = rows[5].replace("WO6", 'WO6"')  # ... that line 7 would close, 5 lines on
    feed_file(tmp_path, "production_runs", *rows)
    f = wh.load(tmp_path).files[-1]
    assert (f.read, f.accepted, f.rejected) == (8, 7, 1)
    assert wh.rejected(f.batch_id) == [(3, "malformed_record", None)]
    assert wh.scalar("SELECT message FROM etl.rejected_row") == (
        "a quoted field opened here is not closed within 3 lines"
    )
    # WO6" on line 7 is a quote inside an unquoted field: a value like any other.
    assert wh.scalar("SELECT work_order FROM clean.production_run WHERE run_id = 'R6'") == 'WO6"'
