"""The bad-input corpus: each case is a folder of files and what loading it must give
(exit status, per file: status, records read / accepted / rejected / pending, physical
lines, reason codes at their lines, words of the message). tests/test_bad_input.py loads
every case through the command line; `python tests/bad_input/corpus.py DIR` writes the
folders out to look at.

A case's files are bytes; a name ending in "/" is made a folder, a value LinkTo(target)
a symbolic link (target relative to the case folder; "../x" leaves it)."""

from __future__ import annotations

import gzip
import random
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

H = {
    "plants": "plant_code,plant_name,country_code,currency_code,timezone,updated_at",
    "machines": "machine_code,machine_name,plant_code,line_code,machine_type,manufacturer,"
    "commissioned_on,status,updated_at",
    "production_runs": "run_id,machine_code,product_sku,work_order,shift_code,start_ts,end_ts,"
    "total_count,good_count,ideal_cycle_time_s",
    "downtime_events": "event_id,machine_code,start_ts,end_ts,reason_code,reason_description,is_planned",
    "sensor_readings": "machine_code,reading_ts,metric,value,unit",
    "gl_entries": "entry_id,posting_date,plant_code,cost_center,account_code,amount,currency_code,description",
}
BERLIN = "P1,Berlin Works,DE,EUR,Europe/Berlin,2020-01-01T00:00:00Z"
M1 = "M1,Press 1,P1,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z"


def run(n: int, **kw) -> str:
    v = {"machine": "M1", "start": "2026-03-02T06:00:00Z", "end": "2026-03-02T08:00:00Z", "total": "100"}
    v.update(kw)
    return f"R{n},{v['machine']},SKU1,WO{n},A,{v['start']},{v['end']},{v['total']},95,1.5"


def reading(m: int, value: str = "1.5") -> str:
    return f"M1,2026-03-02T06:{m:02d}:00Z,temp,{value},C"


def gl(n: int, date: str = "2026-03-02") -> str:
    return f"G{n},{date},P1,CC1,6000,100.00,EUR,entry {n}"


def csv_text(feed: str, *rows: str, header: str | None = None, nl: str = "\n") -> bytes:
    return (nl.join([header or H[feed], *rows]) + nl).encode()


MASTERS = {"plants.csv": csv_text("plants", BERLIN), "machines.csv": csv_text("machines", M1)}


@dataclass
class LinkTo:
    target: str


@dataclass
class Out:
    """What one file must give. reasons: (line, reason code, column) of every rejected row."""

    status: str = "loaded"
    read: int | None = None
    accepted: int | None = None
    rejected: int | None = None
    pending: int = 0
    lines: int | None = None
    reasons: list[tuple[int, str, str | None]] | None = None
    method: str | None = None


@dataclass
class Case:
    name: str
    files: dict[str, bytes | LinkTo | None]
    expect: dict[str, Out]
    exit: int = 0
    says: list[str] = field(default_factory=list)  # words the output must hold
    masters: bool = True
    vanish: list[str] = field(default_factory=list)  # files removed after discovery
    loads: int = 1  # load the folder this many times (the later loads change nothing)
    checks: list[tuple[str, object]] = field(default_factory=list)  # (SQL giving one value, that value)
    args: list[str] = field(default_factory=list)  # given to `scripts/hub load` after the folder


def _runs_1000_with_stray_quote() -> bytes:
    rows = [run(n) for n in range(1, 1001)]
    rows[9] = rows[9].replace("WO10", '"WO10')  # row 10 is line 11
    return csv_text("production_runs", *rows)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _corrupt_gzip() -> bytes:
    data = bytearray(_gzip(csv_text("production_runs", *[run(n) for n in range(1, 400)])))
    for i in range(40, 60):
        data[i] ^= 0xFF
    return bytes(data)


def _random_bytes(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + zlib.compress(b"\x00" * 64)

R1 = run(1)


def cases() -> list[Case]:
    c: list[Case] = []
    add = c.append
    pr = "production_runs.csv"
    # -- physical lines and quoting -------------------------------------------------------
    add(
        Case(
            "stray_quote_in_row_10_of_1000",
            {pr: _runs_1000_with_stray_quote()},
            {pr: Out("loaded", 1000, 999, 1, lines=1001, reasons=[(11, "malformed_record", None)])},
            says=["line 11: malformed_record: a quoted field opened here is never closed"],
        )
    )
    rows = [run(n) for n in range(1, 1001)]
    add(
        Case(
            "stray_quote_at_start_of_header",
            {pr: csv_text("production_runs", *rows, header='"' + H["production_runs"])},
            {pr: Out("rejected", 1000, 0, 1000, lines=1001)},
            says=["header line is not one well-formed CSV record", "line 2: malformed_header"],
        )
    )
    add(
        Case(
            "unbalanced_quote_in_middle_of_header",
            {pr: csv_text("production_runs", R1, header=H["production_runs"].replace("shift_code", '"shift_code'))},
            {pr: Out("rejected", 1, 0, 1, lines=2, reasons=[(2, "malformed_header", None)])},
        )
    )
    add(
        Case(
            "unbalanced_quote_at_end_of_file",
            {pr: csv_text("production_runs", R1, run(2), 'R3,M1,"SKU1,WO3,A')},
            {pr: Out("loaded", 3, 2, 1, lines=4, reasons=[(4, "malformed_record", None)])},
        )
    )
    rows = [run(n) for n in range(1, 11)]
    rows[3] = rows[3].replace("WO4", '"WO4')  # line 5
    rows[7] = rows[7].replace("SKU1", 'SKU1"')  # line 9: closes the quote of line 5, far on
    add(
        Case(
            "quote_closed_far_on",
            {pr: csv_text("production_runs", *rows)},
            {pr: Out("loaded", 10, 9, 1, lines=11, reasons=[(5, "malformed_record", None)])},
            says=["only line 5 is taken as this record"],
        )
    )
    add(
        Case(
            "quoted_newline_loads",
            {
                "downtime_events.csv": csv_text(
                    "downtime_events",
                    'E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM,"jam in\nfeeder",false',
                    "E2,M1,2026-03-02T07:00:00Z,2026-03-02T07:10:00Z,JAM,,false",
                )
            },
            {"downtime_events.csv": Out("loaded", 2, 2, 0, lines=4, reasons=[], method="parsed")},
        )
    )
    add(
        Case(
            "blank_lines_and_whitespace_line",
            {pr: b"\n".join([H["production_runs"].encode(), b"", R1.encode(), b"   ", run(2).encode(), b"", b""])},
            {pr: Out("loaded", 3, 2, 1, lines=6, reasons=[(4, "malformed_record", None)])},
        )
    )
    add(
        Case(
            "ragged_rows",
            {pr: csv_text("production_runs", R1, run(2) + ",extra", "R3,M1,SKU1", run(4))},
            {
                pr: Out(
                    "loaded", 4, 2, 2, lines=5, reasons=[(3, "malformed_record", None), (4, "malformed_record", None)]
                )
            },
        )
    )
    # -- empty and almost empty files --------------------------------------------------------
    add(Case("empty_file", {pr: b""}, {pr: Out("rejected", 0, 0, 0, lines=0)}, says=["is empty"]))
    add(Case("header_only", {pr: csv_text("production_runs")}, {pr: Out("loaded", 0, 0, 0, lines=1)}))
    add(Case("bom_only", {pr: b"\xef\xbb\xbf"}, {pr: Out("rejected", 0, 0, 0, lines=0)}))
    add(
        Case(
            "empty_files_of_two_feeds_are_two_batches",
            {pr: b"", "downtime_events.csv": b""},
            {pr: Out("rejected", 0, lines=0), "downtime_events.csv": Out("rejected", 0, lines=0)},
        )
    )
    # -- line ends, separators, encodings ------------------------------------------------------
    add(
        Case(
            "cr_only_line_ends",
            {pr: csv_text("production_runs", R1, run(2), nl="\r")},
            {pr: Out("loaded", 2, 2, 0, lines=3, method="copy")},
        )
    )
    add(
        Case(
            "bom_and_crlf",
            {pr: b"\xef\xbb\xbf" + csv_text("production_runs", R1, run(2), nl="\r\n")},
            {pr: Out("loaded", 2, 2, 0, lines=3, method="copy")},
        )
    )
    semi = H["production_runs"].replace(",", ";")
    add(
        Case(
            "semicolon_separator",
            {pr: csv_text("production_runs", R1.replace(",", ";"), header=semi)},
            {pr: Out("rejected", 1, 0, 1, lines=2, reasons=[(2, "missing_column", "run_id")])},
            says=["missing from the header"],
        )
    )
    add(
        Case(
            "tab_separator",
            {pr: csv_text("production_runs", R1.replace(",", "\t"), header=H["production_runs"].replace(",", "\t"))},
            {pr: Out("rejected", 1, 0, 1, lines=2, reasons=[(2, "missing_column", "run_id")])},
        )
    )
    add(
        Case(
            "latin1_file",
            {pr: (H["production_runs"] + "\n" + R1 + "\n" + run(2).replace("WO2", "Wé2") + "\n").encode("latin-1")},
            {pr: Out("loaded", 2, 1, 1, lines=3, reasons=[(3, "invalid_encoding", "work_order")])},
        )
    )
    add(
        Case(
            "bad_utf8_in_one_row",
            {pr: csv_text("production_runs", R1) + run(2).encode().replace(b"WO2", b"WO\xc3\x28") + b"\n"},
            {pr: Out("loaded", 2, 1, 1, lines=3, reasons=[(3, "invalid_encoding", "work_order")])},
        )
    )
    add(
        Case(
            "nul_byte_in_one_row",
            {pr: csv_text("production_runs", R1, run(2).replace("WO2", "WO\x002"), run(3))},
            {pr: Out("loaded", 3, 2, 1, lines=4, reasons=[(3, "invalid_encoding", "work_order")])},
            says=["work_order holds a NUL byte"],
        )
    )
    add(
        Case(
            "nul_byte_in_header",
            {pr: csv_text("production_runs", R1, header=H["production_runs"].replace("shift", "sh\x00ift"))},
            {pr: Out("rejected", 0, 0, 0, lines=None, reasons=[])},
            says=["NUL byte at byte"],
        )
    )
    text = H["production_runs"] + "\n" + R1 + "\n"
    add(
        Case(
            "utf16_with_bom",
            {pr: text.encode("utf-16")},
            {pr: Out("rejected", 0, 0, 0, lines=None)},
            says=["UTF-16 LE byte-order mark"],
        )
    )
    add(
        Case(
            "utf16_without_bom",
            {pr: text.encode("utf-16-le")},
            {pr: Out("rejected", 0, 0, 0, lines=None)},
            says=["UTF-16 or UTF-32 without a byte-order mark"],
        )
    )
    add(
        Case(
            "utf32",
            {pr: text.encode("utf-32")},
            {pr: Out("rejected", 0, 0, 0, lines=None)},
            says=["UTF-32 LE byte-order mark"],
        )
    )
    add(Case("png_image", {pr: PNG}, {pr: Out("rejected", 0, 0, 0, lines=None)}, says=["binary data"]))
    add(
        Case(
            "random_bytes",
            {pr: _random_bytes(7, 4096)},
            {pr: Out("rejected", 0, 0, 0, lines=None)},
        )
    )
    # -- compression ---------------------------------------------------------------------------
    gz = "production_runs.csv.gz"
    add(Case("gzip_loads", {gz: _gzip(csv_text("production_runs", R1))}, {gz: Out("loaded", 1, 1, 0, lines=2)}))
    add(Case("corrupt_gzip", {gz: _corrupt_gzip()}, {gz: Out("rejected", 0, lines=None)}, says=["gzip"]))
    add(
        Case(
            "truncated_gzip",
            {gz: _gzip(csv_text("production_runs", *[run(n) for n in range(1, 200)]))[:300]},
            {gz: Out("rejected", 0, lines=None)},
            says=["truncated"],
        )
    )
    add(
        Case(
            "plain_file_named_gz",
            {gz: csv_text("production_runs", R1)},
            {gz: Out("rejected", 0, lines=None)},
            says=["named .gz but not gzip data"],
        )
    )
    # -- the folder: names, links, what is not a file ------------------------------------------
    add(
        Case(
            "vanished_file",
            {pr: csv_text("production_runs", R1), "production_runs_2.csv": csv_text("production_runs", run(2))},
            {pr: Out("unopened"), "production_runs_2.csv": Out("loaded", 1, 1, 0, lines=2)},
            exit=2,
            vanish=[pr],
            says=["cannot be read", "exit status 2"],
        )
    )
    add(
        Case(
            "directory_named_like_a_feed",
            {"production_runs_2026.csv/": None, pr: csv_text("production_runs", R1)},
            {pr: Out("loaded", 1, 1, 0)},
            says=["ignored production_runs_2026.csv: a folder, not a file"],
        )
    )
    add(
        Case(
            "unknown_file_named_like_a_feed",
            {"production_runs.txt": csv_text("production_runs", R1)},
            {},
            says=["ignored production_runs.txt: named like feed production_runs but not .csv or .csv.gz"],
        )
    )
    add(
        Case(
            "symlink_outside_the_folder",
            {pr: LinkTo("/etc/passwd")},
            {},
            says=["warning: skipped", "outside the folder being loaded"],
        )
    )
    add(
        Case(
            "symlink_outside_the_folder_followed_when_asked",
            {
                "../elsewhere/": None,
                "../elsewhere/x.csv": csv_text("production_runs", R1),
                pr: LinkTo("../elsewhere/x.csv"),
            },
            {pr: Out("loaded", 1, 1, 0, lines=2)},
            args=["--follow-symlinks"],
        )
    )
    add(
        Case(
            "symlink_loop_and_dangling_symlink",
            {pr: LinkTo("production_runs.csv"), "production_runs_2.csv": LinkTo("gone.csv")},
            {},
            says=[
                "ignored production_runs.csv: a symbolic link whose target does not exist",
                "ignored production_runs_2.csv: a symbolic link whose target does not exist",
            ],
        )
    )
    add(
        Case(
            "symlink_inside_the_folder",
            {"data/": None, "data/x.txt": csv_text("production_runs", R1), pr: LinkTo("data/x.txt")},
            {pr: Out("loaded", 1, 1, 0)},
        )
    )
    add(
        Case(
            "newline_in_file_name",
            {"production_runs_a\nload: 9 file(s) loaded.csv": csv_text("production_runs", R1)},
            {"production_runs_a\nload: 9 file(s) loaded.csv": Out("loaded", 1, 1, 0)},
            says=["production_runs_a\\nload: 9 file(s) loaded.csv"],
        )
    )
    add(
        Case(
            "file_name_not_utf8",
            {"production_runs_\udcff.csv": csv_text("production_runs", R1)},
            {"production_runs_\\xff.csv": Out("loaded", 1, 1, 0)},
            says=["production_runs_\\xff.csv  "],
        )
    )
    add(
        Case(
            "same_content_under_another_name",
            {pr: csv_text("production_runs", R1), "production_runs_copy.csv": csv_text("production_runs", R1)},
            {pr: Out("loaded", 1, 1, 0), "production_runs_copy.csv": Out("skipped")},
            says=["already loaded"],
        )
    )
    add(
        Case(
            "same_file_twice",
            {pr: csv_text("production_runs", R1)},
            {pr: Out("loaded", 1, 1, 0)},
            loads=2,
            says=["0 file(s) loaded, 3 already loaded"],
        )
    )
    # -- headers -------------------------------------------------------------------------------
    add(
        Case(
            "missing_column",
            {pr: csv_text("production_runs", "a,b", header=H["production_runs"].replace(",good_count", ""))},
            {pr: Out("rejected", 1, 0, 1, reasons=[(2, "missing_column", "good_count")])},
        )
    )
    add(
        Case(
            "duplicate_column",
            {pr: csv_text("production_runs", R1 + ",7", header=H["production_runs"] + ",total_count")},
            {pr: Out("rejected", 1, 0, 1, reasons=[(2, "duplicate_column", "total_count")])},
        )
    )
    add(
        Case(
            "trailing_comma_in_header_and_rows",
            {pr: csv_text("production_runs", R1 + ",", header=H["production_runs"] + ",")},
            {pr: Out("loaded", 1, 1, 0, method="parsed")},
            says=["unknown columns ignored: (empty)"],
        )
    )
    add(
        Case(
            "trailing_comma_in_header_only",
            {pr: csv_text("production_runs", R1, header=H["production_runs"] + ",")},
            {pr: Out("loaded", 1, 0, 1, reasons=[(2, "malformed_record", None)])},
            says=["the record has 10 fields but the header has 11"],
        )
    )
    # -- values ----------------------------------------------------------------------------------
    numbers = ["1e309", "NaN", "Infinity", '"1,234.5"', "0x10", "１２"]
    add(
        Case(
            "numbers",
            {"sensor_readings.csv": csv_text("sensor_readings", *[reading(i, v) for i, v in enumerate(numbers)])},
            {
                "sensor_readings.csv": Out(
                    "loaded", 6, 0, 6, reasons=[(i + 2, "unparsable_number", "value") for i in range(6)]
                )
            },
        )
    )
    dates = ["2026-02-30", "0000-01-01", "10000-01-01"]
    add(
        Case(
            "impossible_dates",
            {"gl_entries.csv": csv_text("gl_entries", *[gl(i, d) for i, d in enumerate(dates)])},
            {
                "gl_entries.csv": Out(
                    "loaded", 3, 0, 3, reasons=[(i + 2, "unparsable_date", "posting_date") for i in range(3)]
                )
            },
        )
    )
    add(
        Case(
            "open_ended_gl_date_9999_12_31",
            {"gl_entries.csv": csv_text("gl_entries", gl(1), gl(2, "9999-12-31"))},
            {"gl_entries.csv": Out("loaded", 2, 1, 1, reasons=[(3, "value_not_allowed", "posting_date")])},
            says=["1990-01-01"],
        )
    )
    add(
        Case(
            "dst_gap_and_repeated_hour",
            {
                pr: csv_text(
                    "production_runs",
                    run(1, start="2026-03-29 02:30", end="2026-03-29 04:00"),
                    run(2, start="2026-10-25 02:30", end="2026-10-25 04:00"),
                )
            },
            {pr: Out("loaded", 2, 1, 1, reasons=[(2, "nonexistent_local_time", "start_ts")])},
        )
    )
    add(
        Case(
            "negative_and_zero_durations",
            {pr: csv_text("production_runs", run(1, end="2026-03-02T05:00:00Z"), run(2, end="2026-03-02T06:00:00Z"))},
            {pr: Out("loaded", 2, 1, 1, reasons=[(2, "end_before_start", "end_ts")])},
        )
    )
    add(
        Case(
            "duplicates_within_a_file",
            {pr: csv_text("production_runs", R1, run(1, total="120"), run(2), run(2))},
            {pr: Out("loaded", 4, 2, 2, reasons=[(2, "duplicate_key", "run_id"), (3, "duplicate_key", "run_id")])},
            checks=[("SELECT string_agg(run_id, ',') FROM clean.production_run", "R2")],
        )
    )
    add(
        Case(
            "duplicates_across_files_restate",
            {
                pr: csv_text("production_runs", R1),
                "production_runs_2.csv": csv_text("production_runs", run(1, total="120")),
            },
            {pr: Out("loaded", 1, 1, 0), "production_runs_2.csv": Out("loaded", 1, 1, 0)},
            checks=[("SELECT string_agg(total_count::text, ',') FROM clean.production_run", "120")],
        )
    )
    add(
        Case(
            "facts_before_their_master_data",
            {pr: csv_text("production_runs", run(1, machine="M9"), run(2, machine="M9", start="2026-03-02 06:00"))},
            {pr: Out("loaded", 2, 1, 0, pending=1)},
            checks=[("SELECT count(*) FROM etl.pending_record", 1)],
        )
    )
    add(
        Case(
            "five_mb_field",
            {
                "downtime_events.csv": csv_text(
                    "downtime_events",
                    "E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM," + "x" * (5 << 20) + ",false",
                )
            },
            {"downtime_events.csv": Out("loaded", 1, 1, 0, lines=2)},
            checks=[("SELECT length(reason_description) FROM clean.downtime_event", 5 << 20)],
        )
    )
    add(
        Case(
            "five_mb_key",
            {pr: csv_text("production_runs", R1, run(2).replace("R2", "R" + "x" * (5 << 20)))},
            {pr: Out("loaded", 2, 1, 1, lines=3, reasons=[(3, "value_not_allowed", "run_id")])},
            says=["is not allowed: longer than 200 characters"],
        )
    )
    add(
        Case(
            "lone_cr_in_a_quoted_field",
            {
                "downtime_events.csv": csv_text(
                    "downtime_events",
                    'E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM,"a\rb",false',
                    "E2,M1,2026-03-02T07:00:00Z,2026-03-02T07:10:00Z,JAM,,false",
                )
            },
            {"downtime_events.csv": Out("loaded", 2, 2, 0, lines=4)},
            checks=[("SELECT reason_description FROM clean.downtime_event WHERE event_id = 'E1'", "a\rb")],
        )
    )
    add(
        Case(
            "injection_strings_are_values",
            {pr: csv_text("production_runs", run(1).replace("WO1", "'); DROP TABLE clean.production_run; --"))},
            {pr: Out("loaded", 1, 1, 0)},
            checks=[("SELECT work_order FROM clean.production_run", "'); DROP TABLE clean.production_run; --")],
        )
    )
    add(
        Case(
            "control_characters_in_values",
            {pr: csv_text("production_runs", run(1).replace("WO1", "W\x01O\x1b[31m"))},
            {pr: Out("loaded", 1, 1, 0)},
        )
    )
    return c


def write_case(case: Case, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(MASTERS) if case.masters else {}
    files.update(case.files)
    for name, content in files.items():
        path = folder / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        elif isinstance(content, LinkTo):
            path.symlink_to(content.target)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/bad_input/corpus.py DIR", file=sys.stderr)
        return 2
    for case in cases():
        write_case(case, Path(argv[0]) / case.name)
    print(f"{len(cases())} cases written under {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
