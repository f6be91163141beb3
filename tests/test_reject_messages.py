"""Every sentence a rejection gives, word for word: for each case of the bad-input corpus
(tests/bad_input/corpus.py) and a few more that reach the other branches of the file,
header and record rules, the batches' messages and the rejected rows' messages must be
those recorded in tests/bad_input/messages.json. The file was written by the loader as it
was before the header rules and their wording moved to SQL (issue 12), so it proves that
the move changed no word. HUB_WRITE_MESSAGES=1 rewrites it (only when a wording is meant
to change, and the diff is then reviewed)."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest

from tests.bad_input.corpus import R1, Case, H, Out, cases, csv_text, run, write_case

GOLDEN = Path(__file__).parent / "bad_input" / "messages.json"
PR = "production_runs.csv"
TEXT = H["production_runs"] + "\n" + R1 + "\n"


def more_cases() -> list[Case]:
    """Branches the corpus does not reach."""
    h = H["production_runs"]
    never_closed = [R1, 'R2,M1,SKU1,"WO2,A,x,y,1,1,1', *[f"line {n}" for n in range(10_001)]]
    return [
        Case("utf16_be_bom", {PR: codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")}, {PR: Out("rejected")}),
        Case("utf32_be_bom", {PR: codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be")}, {PR: Out("rejected")}),
        Case("no_line_end_in_64_kib", {PR: b"a" * 70_000}, {PR: Out("rejected")}),
        Case("control_byte_in_header", {PR: csv_text("production_runs", R1, header=h + ",\x01x")}, {}),
        Case("latin1_header", {PR: (h + ",caf\xe9\n" + R1 + ",1\n").encode("latin-1")}, {}),
        Case("binary_not_utf8_header", {PR: b"\x01\x02\xff\xfe\n" + R1.encode() + b"\n"}, {}),
        Case("nul_late_in_header", {PR: csv_text("production_runs", R1, header=h + ",x\x00y")}, {}),
        Case(
            "two_missing_columns",
            {PR: csv_text("production_runs", "a", header=h.replace(",good_count", "").replace("run_id,", ""))},
            {},
        ),
        Case("duplicate_with_a_quote", {PR: csv_text("production_runs", R1 + ",1,2", header=h + ",it's,it's")}, {}),
        Case(
            "duplicates_in_name_order",
            {PR: csv_text("production_runs", R1 + ",1,2", header=h + ",total_count,end_ts")},
            {},
        ),
        Case("unknown_with_a_tab", {PR: csv_text("production_runs", R1 + ",1,2", header=h + ",a\tb,Zed")}, {}),
        Case("header_csv_error", {PR: csv_text("production_runs", R1, header=h + ',"x"y')}, {}),
        Case(
            "broken_quoting_in_a_record",
            {PR: csv_text("production_runs", R1 + ",1", run(2).replace("M1", '"M1"x') + ",1", header=h + ",extra")},
            {},
        ),
        Case("quote_open_for_10001_lines", {PR: csv_text("production_runs", *never_closed)}, {}),
        Case("missing_and_duplicate", {PR: csv_text("production_runs", "a", header=h.replace("run_id", "end_ts"))}, {}),
    ]


# A case that removes a file, loads twice or passes options has no message of its own
# (tests/test_bad_input.py covers it).
ALL = [c for c in cases() + more_cases() if not (c.vanish or c.loads > 1 or c.args)]


def messages(wh) -> dict:
    batches = wh.all(
        "SELECT batch_id, file_name, status, reject_reason, message FROM etl.batch ORDER BY file_name, batch_id"
    )
    out = {}
    for batch_id, name, status, reason, message in batches:
        rows = wh.all(
            "SELECT file_line, reason_code, column_name, message FROM etl.rejected_row WHERE batch_id = %s "
            "ORDER BY file_line LIMIT 5",
            (batch_id,),
        )
        out[name] = {"status": status, "reason": reason, "message": message, "rows": [list(r) for r in rows]}
    return out


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_every_message_is_as_recorded(case: Case, wh, tmp_path):
    folder = tmp_path / "in"
    write_case(case, folder)
    wh.load(folder)
    got = messages(wh)
    if os.environ.get("HUB_WRITE_MESSAGES") == "1":
        recorded = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        recorded[case.name] = got
        GOLDEN.write_text(json.dumps(dict(sorted(recorded.items())), indent=1, ensure_ascii=False) + "\n")
        return
    assert got == json.loads(GOLDEN.read_text())[case.name]
