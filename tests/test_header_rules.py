"""The header, file and record rules are decided and worded in SQL (issue 12): the loader
gives what it saw (bytes, the parsed header, the csv reader's complaint) and
etl.header_problem, etl.file_problem and etl.record_problem_message decide which rule
fails and say it. The header rules come from the feed contract (etl.feed_column)."""

from __future__ import annotations

import json
import re

import psycopg
import pytest

from tests.conftest import ROOT
from tests.helpers import BERLIN, HEADERS, M1_IN_P1, feed_file

RUNS = HEADERS["production_runs"].split(",")
WHOLE = "so every record of the file is rejected"


def header_problem(wh, header, error=None, feed="production_runs", file="runs.csv"):
    return wh.one(
        "SELECT reason_code, column_name, message, unknown_columns FROM etl.header_problem(%s, %s, %s::text[], %s)",
        (feed, file, header, error),
    )


@pytest.mark.parametrize(
    ("header", "error", "expected"),
    [
        (None, None, ("missing_column", None, "runs.csv is empty: no header row, no records", [])),
        (
            [],
            "',' expected after '\"'",
            (
                "malformed_header",
                None,
                "runs.csv: the header line is not one well-formed CSV record (',' expected after '\"': "
                f"a stray quote?), {WHOLE}",
                [],
            ),
        ),
        (
            [c for c in RUNS if c != "good_count"],
            None,
            (
                "missing_column",
                "good_count",
                f"runs.csv: required column 'good_count' missing from the header, {WHOLE}",
                [],
            ),
        ),
        (
            [c for c in RUNS if c not in ("run_id", "good_count")] + ["remarks"],
            None,
            (
                "missing_column",
                "run_id",
                f"runs.csv: required columns 'run_id', 'good_count' missing from the header, {WHOLE}",
                ["remarks"],
            ),
        ),
        (
            [*RUNS, "total_count", "end_ts"],
            None,
            ("duplicate_column", "end_ts", f"runs.csv: the header names 'end_ts' more than once, {WHOLE}", []),
        ),
        (
            [*RUNS, "it's", "it's"],
            None,
            (
                "duplicate_column",
                "it's",
                f'runs.csv: the header names "it\'s" more than once, {WHOLE}',
                ["it's", "it's"],
            ),
        ),
        (  # a missing column is told before a duplicate one
            ["end_ts" if c == "run_id" else c for c in RUNS],
            None,
            ("missing_column", "run_id", f"runs.csv: required column 'run_id' missing from the header, {WHOLE}", []),
        ),
        (
            [*RUNS, "", "a\tb", "zed"],
            None,
            (None, None, "unknown columns ignored: (empty), a\\tb, zed", ["", "a\tb", "zed"]),
        ),
        ([c for c in RUNS if c != "work_order"], None, (None, None, None, [])),  # work_order is optional
    ],
    ids=[
        "empty",
        "not_one_record",
        "missing",
        "two_missing",
        "duplicates_first_by_name",
        "duplicate_quoted_like_python",
        "missing_before_duplicate",
        "unknown_ignored",
        "optional_absent",
    ],
)
def test_each_header_rule_is_decided_and_worded_in_sql(wh, header, error, expected):
    assert header_problem(wh, header, error) == expected


def test_an_unknown_feed_is_refused(wh):
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown feed"):
        header_problem(wh, ["a"], feed="nonsense")


def test_shown_text_escapes_what_is_not_printable_like_the_file_names(wh):
    cases = [
        ("plain", False, "plain"),
        ("a\tb\x01c\x7f\xa0\u200b\U000e0001", False, "a\\tb\\x01c\\x7f\\xa0\\u200b\\U000e0001"),
        ("back\\slash", False, "back\\slash"),
        ("back\\slash", True, "'back\\\\slash'"),
        ("it's", True, '"it\'s"'),
        ('it\'s "x"', True, "'it\\'s \"x\"'"),
        ("", True, "''"),
        ("", False, ""),
    ]
    for text, quoted, want in cases:
        assert wh.scalar("SELECT etl.shown_text(%s, %s)", (text, quoted)) == want
        if quoted:
            assert want == repr(text)  # the way the loader's Python showed a name in quotes


FILE = "runs.csv"
REJECTED = ", so the file is rejected"


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            {"bom": "UTF-16 LE", "nul_at": 2, "nul_count": 40},
            (
                "invalid_encoding",
                "the file starts with a UTF-16 LE byte-order mark; feeds are UTF-8 (convert it, e.g. with iconv)",
            ),
        ),
        (
            {"no_line_end_kib": 64, "control_byte": 1},
            ("unreadable_file", "no line end in the first 64 KiB: there is no header line"),
        ),
        (
            {"nul_at": 2, "nul_count": 1},
            (
                "invalid_encoding",
                "NUL byte at byte 2 of the header line (UTF-16 or UTF-32 without a byte-order mark?); feeds are UTF-8",
            ),
        ),
        (
            {"nul_at": 40, "nul_count": 3},
            (
                "invalid_encoding",
                "NUL byte at byte 40 of the header line (UTF-16 or UTF-32 without a byte-order mark?); feeds are UTF-8",
            ),
        ),
        (
            {"nul_at": 40, "nul_count": 2},
            ("invalid_encoding", "NUL byte at byte 40 of the header line (binary?); feeds are UTF-8"),
        ),
        (
            {"not_utf8_byte": 0x89, "not_utf8_at": 1, "png": True},
            ("unreadable_file", "binary data, not text (byte 0x89 at byte 1)"),
        ),
        (
            {"not_utf8_byte": 0xFF, "not_utf8_at": 3, "control_byte": 2},
            ("unreadable_file", "binary data, not text (byte 0xff at byte 3)"),
        ),
        (
            {"not_utf8_byte": 0xE9, "not_utf8_at": 116},
            ("invalid_encoding", "the header line is not UTF-8 (byte 0xe9 at byte 116); feeds are UTF-8"),
        ),
        ({"control_byte": 1}, ("unreadable_file", "binary data, not text (control byte 0x01 in the header line)")),
        (
            {"gzip": "not_gzip", "starts_with": "b'run_id,m'"},
            ("unreadable_file", "named .gz but not gzip data (it starts with b'run_id,m')"),
        ),
        (
            {"gzip": "truncated", "content_bytes": 1608},
            ("unreadable_file", "the gzip data ends early (a truncated file) after 1,608 bytes of content"),
        ),
        (
            {"gzip": "corrupt", "content_bytes": 1234567, "error": "Error -3"},
            ("unreadable_file", "corrupt gzip data after 1,234,567 bytes of content (Error -3)"),
        ),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else None,
)
def test_each_file_rule_is_decided_and_worded_in_sql(wh, facts, expected):
    reason, what = expected
    got = wh.one("SELECT reason_code, fault, message FROM etl.file_problem(%s, %s::jsonb)", (FILE, json.dumps(facts)))
    assert got == (reason, f"{FILE}: {what}", f"{FILE}: {what}{REJECTED}")


def test_a_source_read_as_another_encoding_skips_the_utf8_rules(wh):
    def problem(facts):
        return wh.all("SELECT reason_code FROM etl.file_problem('x.csv', %s::jsonb)", (json.dumps(facts),))

    assert problem({"not_utf8_byte": 0xE9, "not_utf8_at": 3, "encoding": "cp1252"}) == []
    assert problem({"bom": "UTF-16 LE", "encoding": "utf-16"}) == []
    assert problem({"control_byte": 1, "encoding": "cp1252"}) == [("unreadable_file",)]
    assert problem({"not_utf8_byte": 0xE9, "not_utf8_at": 3, "encoding": "utf-8-sig"}) == [("invalid_encoding",)]


@pytest.mark.parametrize(
    ("reason", "column", "detail", "expected"),
    [
        (
            "malformed_record",
            None,
            {"csv_error": "unexpected end of data"},
            "a quoted field opened here is never closed (a stray quote?)",
        ),
        ("malformed_record", None, {"csv_error": "',' expected after '\"'"}, "broken quoting: ',' expected after '\"'"),
        (
            "malformed_record",
            None,
            {"unclosed_within": 10000},
            "a quoted field opened here is not closed within 10,000 lines",
        ),
        (
            "malformed_record",
            None,
            {"fields": 11, "header_fields": 10},
            "the record has 11 fields but the header has 10",
        ),
        (
            "malformed_record",
            None,
            {"fields": 4, "header_fields": 10, "ran_to": 9, "line": 5},
            "the record has 4 fields but the header has 10 "
            "(a quoted field ran on to line 9; only line 5 is taken as this record)",
        ),
        ("invalid_encoding", "work_order", {"nul_at": 3}, "work_order holds a NUL byte (at character 3)"),
        ("invalid_encoding", "work_order", {"not_utf8": True}, "work_order holds bytes that are not valid UTF-8"),
        (
            "malformed_record",
            None,
            {"csv_error": "unexpected end of data", "file": "PdM_errors.csv", "file_line": 2},
            "PdM_errors.csv line 2: a quoted field opened here is never closed (a stray quote?)",
        ),
        (
            "malformed_record",
            None,
            {"page": 2, "page_error": "not JSON"},
            "page 2 of the API could not be read (not JSON)",
        ),
    ],
)
def test_each_record_fault_is_worded_in_sql(wh, reason, column, detail, expected):
    got = wh.scalar("SELECT etl.record_problem_message(%s, %s, %s::jsonb)", (reason, column, json.dumps(detail)))
    assert got == expected


def _masters(folder):
    feed_file(folder, "plants", BERLIN)
    feed_file(folder, "machines", M1_IN_P1)


def test_a_required_column_added_to_the_contract_is_demanded_of_every_file(wh, tmp_path):
    # what the migration of a new required column would say
    wh.conn.execute(
        "INSERT INTO etl.feed_column (feed_name, column_name, ordinal, is_optional, value_type, description) "
        "VALUES ('production_runs', 'operator_code', 11, FALSE, 'text', 'Who ran it.')"
    )
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", "R1,M1,SKU1,WO1,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5")
    f = wh.load(tmp_path).files[-1]
    assert (f.status, f.read, f.rejected) == ("rejected", 1, 1)
    sentence = f"production_runs.csv: required column 'operator_code' missing from the header, {WHOLE}"
    assert f.message == sentence
    assert wh.all("SELECT file_line, reason_code, column_name, message FROM etl.rejected_row") == [
        (2, "missing_column", "operator_code", sentence)
    ]


def test_an_optional_column_made_required_in_the_contract_rejects_a_file_without_it(wh, tmp_path):
    _masters(tmp_path)
    header = HEADERS["production_runs"].replace("work_order,", "")
    feed_file(
        tmp_path / "a", "production_runs", "R1,M1,SKU1,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5", header=header
    )
    feed_file(
        tmp_path / "b", "production_runs", "R2,M1,SKU1,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5", header=header
    )
    assert wh.load(tmp_path, tmp_path / "a").files[-1].status == "loaded"
    wh.conn.execute(
        "UPDATE etl.feed_column SET is_optional = FALSE "
        "WHERE feed_name = 'production_runs' AND column_name = 'work_order'"
    )
    f = wh.load(tmp_path / "b").files[-1]
    assert (f.status, f.message) == (
        "rejected",
        f"production_runs.csv: required column 'work_order' missing from the header, {WHOLE}",
    )


def test_the_loader_carries_the_words_sql_gives(wh, tmp_path):
    """Another wording in SQL is the wording the loader records: it adds none of its own."""
    wh.conn.execute(
        "CREATE OR REPLACE FUNCTION etl.record_problem_message(p_reason_code text, p_column_name text, "
        "p_detail jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'SQL says ' || p_detail::text $$"
    )
    wh.conn.execute(
        "CREATE OR REPLACE FUNCTION etl.file_problem(p_file text, p_facts jsonb) "
        "RETURNS TABLE (reason_code text, fault text, message text) LANGUAGE sql IMMUTABLE SECURITY DEFINER "
        "SET search_path = pg_catalog, pg_temp AS $$ SELECT 'unreadable_file', 'f', 'SQL says ' || p_facts::text $$"
    )
    _masters(tmp_path)
    feed_file(tmp_path, "production_runs", "R1,M1,SKU1,WO1,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5,extra")
    (tmp_path / "downtime_events.csv").write_bytes("event_id\n".encode("utf-16"))
    files = {f.path.name: f for f in wh.load(tmp_path).files}
    assert wh.all("SELECT file_line, reason_code, message FROM etl.rejected_row") == [
        (2, "malformed_record", 'SQL says {"fields": 11, "header_fields": 10}')
    ]
    said = files["downtime_events.csv"].message
    assert said.startswith("SQL says ") and json.loads(said.removeprefix("SQL says "))["bom"] == "UTF-16 LE"


def test_no_sentence_of_a_rejection_is_left_in_python():
    fragments = [
        "so every record of the file is rejected",
        "so the file is rejected",
        "byte-order mark",
        "is empty: no header row",
        "unknown columns ignored",
        "holds a NUL byte",
        "not valid UTF-8",
        "fields but the header has",
        "is never closed",
        "broken quoting",
        "could not be read (",
        "binary data, not text",
    ]
    for name in ("loader.py", "sources.py", "pulls.py"):
        text = (ROOT / "scripts" / "hublib" / name).read_text()
        code = re.sub(r'"""(.|\n)*?"""', "", text)  # docstrings may describe the rules
        code = "\n".join(line.split("#", 1)[0] for line in code.splitlines())
        left = [f for f in fragments if f in code]
        assert left == [], f"{name} words {left}"


# Characters whose printability is the same in every Unicode version: ASCII, Latin-1, the
# format and separator characters a name may smuggle in, private use, and a few printable
# letters and symbols from further on.
STABLE = (
    [chr(c) for c in range(1, 0x100)]
    + list("\u061c\u180e\u1680\u2000\u200b\u200d\u200e\u2028\u2029\u202e\u2060\u2066\u3000\ufeff\ue000")
    + list("\U000e0001\U000f0000éü中ʼ€🙂")
)


def test_shown_text_shows_a_name_as_the_python_loader_did(wh):
    """etl.shown_text took over showing header names from Python (repr and shown_name):
    the same text for any name made of characters whose printability is stable."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hublib.loader import shown_name

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(name=st.text(alphabet=st.sampled_from(STABLE), max_size=12))
    def check(name):
        quoted, plain = wh.one("SELECT etl.shown_text(%s, TRUE), etl.shown_text(%s, FALSE)", (name, name))
        assert quoted == repr(name)
        assert plain == shown_name(name)

    check()
