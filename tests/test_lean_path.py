"""The lean path of validation (docs/performance.md) against the full grammar: the same
files loaded with etl.setting validation_path = 'lean' (the default) and = 'full' must give
exactly the same outcome: batches and their counts, rejected and pending rows (line,
reason, column, message, raw values) and every clean row. Over the whole bad-input corpus,
over generated data, and over values built to sit on the edge of the cheap tests.
The lean path must also really run (etl.batch.lean_rows), or the comparison proves nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from tests.bad_input.corpus import cases, write_case
from tests.conftest import ROOT
from tests.helpers import BERLIN, M1_IN_P1, Warehouse, feed_file
from tests.test_bad_input import _load

CASES = [c for c in cases() if not c.vanish]

# What a load leaves behind, in an order that does not depend on the path taken.
OUTCOME = {
    "batches": "SELECT file_name, status, records_read, records_accepted, records_rejected, records_pending, "
    "file_lines, reject_reason, message FROM etl.batch ORDER BY batch_id",
    "rejected": "SELECT b.file_name, r.file_line, r.reason_code, r.column_name, r.message, r.raw_values::text "
    "FROM etl.rejected_row AS r JOIN etl.batch AS b USING (batch_id) ORDER BY b.batch_id, r.file_line",
    "pending": "SELECT b.file_name, p.file_line, p.reason_code, p.message, p.raw_values::text "
    "FROM etl.pending_record AS p JOIN etl.batch AS b USING (batch_id) ORDER BY b.batch_id, p.file_line",
}


def outcome(wh: Warehouse) -> dict:
    """The etl rows above, and every row of every clean table as PostgreSQL writes it out
    (text: a numeric's scale, -0 and the exact instant count)."""
    wh.conn.execute("SET TimeZone = 'UTC'")
    got = {name: wh.all(query) for name, query in OUTCOME.items()}
    tables = wh.all(
        "SELECT relname FROM pg_class WHERE relnamespace = 'clean'::regnamespace AND relkind IN ('r', 'p') "
        "AND NOT relispartition ORDER BY 1"
    )
    for (table,) in tables:
        got[f"clean.{table}"] = [r[0] for r in wh.all(f'SELECT c::text FROM clean."{table}" AS c ORDER BY 1')]
    return got


@pytest.fixture
def full_wh(warehouse_server):
    """A second migrated database, set to take the full grammar for every row."""
    name = f"full_{uuid.uuid4().hex[:10]}"
    info = {
        "host": warehouse_server.host,
        "port": warehouse_server.port,
        "user": warehouse_server.user,
        "password": warehouse_server.password,
    }
    with psycopg.connect(make_conninfo(dbname="postgres", **info), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{warehouse_server.template_dbname}"')
    conn = psycopg.connect(make_conninfo(dbname=name, **info), autocommit=True)
    conn.execute("UPDATE etl.setting SET setting_value = 'full' WHERE setting_name = 'validation_path'")
    try:
        yield Warehouse(conn)
    finally:
        conn.close()
        with psycopg.connect(make_conninfo(dbname="postgres", **info), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_both_paths_agree_on_the_bad_input_corpus(case, wh, full_wh, tmp_path, monkeypatch, capsys):
    results = []
    for n, target in enumerate((wh, full_wh)):
        folder = tmp_path / f"in{n}"
        write_case(case, folder)
        for _ in range(case.loads):
            status, _output = _load(case, folder, target, monkeypatch, capsys)
        results.append((status, outcome(target)))
    assert results[0] == results[1]
    assert full_wh.scalar("SELECT count(*) FROM etl.batch WHERE lean_rows IS NOT NULL") == 0


def test_both_paths_agree_on_generated_data(wh, full_wh, tmp_path):
    """A fortnight of three machines: every feed, local times and offsets, the generator's
    late and faulty rows."""
    folder = tmp_path / "gen"
    subprocess.run(
        [sys.executable, "-m", "hublib", "generate", str(folder), "--machines", "3", "--days", "14"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
    )
    for target in (wh, full_wh):
        target.load(folder)
    lean, full = outcome(wh), outcome(full_wh)
    assert lean == full
    assert sum(len(v) for k, v in lean.items() if k.startswith("clean.")) > 10_000
    # the sensor files (UTC instants) went the lean way, row for row
    lean_rows, accepted = wh.one(
        "SELECT sum(lean_rows), sum(records_accepted) FROM etl.batch WHERE feed_name = 'sensor_readings'"
    )
    assert lean_rows == accepted > 0


def _sensor_folder(folder, values: list[str], stamps: list[str]):
    feed_file(folder, "plants", BERLIN)
    feed_file(folder, "machines", M1_IN_P1)
    rows = [f"M1,{ts},temp,{v},C" for ts, v in zip(stamps, values, strict=True)]
    feed_file(folder, "sensor_readings", *rows)


def test_a_common_shape_that_is_no_date_sends_the_batch_to_the_full_grammar(wh, full_wh, tmp_path):
    """2026-02-30T... has the shape; its cast raises, and the whole batch takes the full
    grammar: that value is rejected as the full grammar words it, the others accepted."""
    stamps = ["2026-03-02T06:00:00Z", "2026-02-30T06:00:00Z", "2026-03-02T06:02:00+01:00", "2026-03-02T06:03:00Z"]
    for n, target in enumerate((wh, full_wh)):
        _sensor_folder(tmp_path / f"in{n}", ["1.5"] * 4, stamps)
        target.load(tmp_path / f"in{n}")
    assert outcome(wh) == outcome(full_wh)
    assert wh.rejected() == [(3, "unparsable_timestamp", "reading_ts")]
    assert wh.scalar("SELECT lean_rows FROM etl.batch WHERE feed_name = 'sensor_readings'") is None


def test_the_lean_path_leaves_to_the_full_grammar_what_it_cannot_prove(wh, full_wh, tmp_path):
    """Lower-case z, a fraction, a space separator, a local time, a value with spaces
    around it, 24:00 and 23:59:60: not proven by the cheap tests, each row takes the full
    grammar (and gets its verdict there); the two plain rows are the lean ones."""
    stamps = [
        "2026-03-02T06:00:00Z",
        "2026-03-02T06:01:00z",
        "2026-03-02T06:02:00.250Z",
        "2026-03-02 06:03:00Z",
        "2026-03-02T07:04:00",
        " 2026-03-02T06:05:00Z ",
        "2026-03-02T24:00:00Z",
        "2026-03-02T23:59:60Z",
        "2026-03-02T06:08:00-05:30",
    ]
    values = ["1.5", "2", " 3.25 ", "-4", "+5", ".5", "6", "7", "8."]
    for n, target in enumerate((wh, full_wh)):
        _sensor_folder(tmp_path / f"in{n}", values, stamps)
        target.load(tmp_path / f"in{n}")
    assert outcome(wh) == outcome(full_wh)
    assert wh.rejected() == [(8, "unparsable_timestamp", "reading_ts"), (9, "unparsable_timestamp", "reading_ts")]
    # lines 2 and 10 only: "2" and "8." and the rest are grammatical but not of the lean shapes
    assert wh.scalar("SELECT lean_rows FROM etl.batch WHERE feed_name = 'sensor_readings'") == 2


DIGITS = st.sampled_from("0123456789")
NEAR = st.sampled_from("0123456789 +-:.TZz\t")


@st.composite
def near_timestamps(draw) -> str:
    """Strings of the lean shapes' length, mostly digits where digits go, with now and
    then a character that is not."""

    def part(n: int) -> str:
        return "".join(draw(st.one_of(DIGITS, DIGITS, DIGITS, NEAR)) for _ in range(n))

    text = f"{part(4)}-{part(2)}-{part(2)}T{part(2)}:{part(2)}:{part(2)}"
    tail = draw(st.sampled_from(["Z", "z", "", "+", "-"]))
    if tail in "+-" and tail:
        text += tail + part(2) + draw(st.sampled_from([":", "-", "0"])) + part(2)
    else:
        text += tail
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=near_timestamps())
def test_the_cheap_timestamp_test_never_accepts_what_the_grammar_rejects(wh, value):
    """etl.is_common_timestamp(v) implies etl.is_timestamp(v); a cast that raises is the
    batch fallback, and is allowed only for values the grammar rejects."""
    try:
        with wh.conn.transaction():
            lean = wh.scalar("SELECT etl.is_common_timestamp(%s)", (value,))
    except psycopg.errors.DataError:
        lean = None
    full = wh.scalar("SELECT etl.is_timestamp(%s)", (value,))
    if lean:
        assert full, value
    if lean is None:
        assert not full, value
    if full and len(value) in (20, 25) and value[10] == "T" and value[-1] != "z" and value[19] in "Z+-":
        assert lean, value  # every grammatical value of the two shapes is proven


def test_an_offset_beyond_what_postgresql_holds_is_a_rejected_record(wh, full_wh, tmp_path):
    """+16:00 is beyond PostgreSQL's +-15:59: the grammar rejects that value alone, where
    its cast used to fail (and refuse) the whole file (found by a prober); +15:59 and
    -15:59 are instants: 06:02 at +15:59 is 06:02 - 15:59 = 14:03 UTC the day before,
    06:03 at -15:59 is 06:03 + 15:59 = 22:02 UTC."""
    stamps = [
        "2026-03-02T06:00:00Z",
        "2026-03-02T06:01:00+16:00",
        "2026-03-02T06:02:00+15:59",
        "2026-03-02T06:03:00-15:59",
    ]
    for n, target in enumerate((wh, full_wh)):
        _sensor_folder(tmp_path / f"in{n}", ["1.5"] * 4, stamps)
        result = target.load(tmp_path / f"in{n}")
        assert [f.status for f in result.files] == ["loaded", "loaded", "loaded"]
    assert outcome(wh) == outcome(full_wh)
    assert wh.rejected() == [(3, "unparsable_timestamp", "reading_ts")]
    assert wh.all("SELECT reading_ts::text FROM clean.sensor_reading ORDER BY file_line") == [
        ("2026-03-02 06:00:00+00",),
        ("2026-03-01 14:03:00+00",),
        ("2026-03-02 22:02:00+00",),
    ]


def test_the_validation_path_setting_takes_lean_or_full_only(wh, tmp_path):
    """A misspelt setting stops the validation with a sentence, rather than silently
    choosing a path."""
    wh.conn.execute("UPDATE etl.setting SET setting_value = 'off' WHERE setting_name = 'validation_path'")
    _sensor_folder(tmp_path, ["1.5"], ["2026-03-02T06:00:00Z"])
    f = wh.load(tmp_path).files[-1]
    assert f.status == "failed"
    assert "etl.validate_feed: etl.setting validation_path is 'off', not lean or full" in f.message
