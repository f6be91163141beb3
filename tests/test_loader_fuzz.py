"""Property-based fuzzing of the loader (Hypothesis): valid feed files get random
byte-level mutations (bytes inserted, deleted, flipped; the file truncated; lines
duplicated; stray quotes, NULs, line ends; a gzip cut short), and every load must hold:

- no exception escapes (no traceback), and every file ends loaded or rejected;
- records read = accepted + rejected + pending, with the rows kept to prove it;
- every physical line is accounted for: the batch's line count is the file's, counted here
  independently, and equals header + blank + records + continuation lines;
- every record left intact, when nothing before it holds a quote (nothing can run on into
  it), is accepted (or rejected as duplicate_key when a mutated record took its key).
  Mutations work on records (a record with a quoted line break is one unit).

A few hundred examples run in the normal suite (about half a minute); set
HUB_FUZZ_EXAMPLES=5000 (say) for a longer, randomised run.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hublib.loader import Loader
from tests.helpers import BERLIN, HEADERS, M1_IN_P1, feed_file

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "300"))

BASE = {
    "production_runs": [
        f"R{n},M1,SKU1,WO{n},A,2026-03-02T{n:02d}:00:00Z,2026-03-02T{n:02d}:30:00Z,100,95,1.5" for n in range(1, 9)
    ],
    "sensor_readings": [f"M1,2026-03-02T06:{m:02d}:00Z,temp,{20 + m}.5,C" for m in range(8)],
    "gl_entries": [f"G{n},2026-03-0{n},P1,CC1,5100,{n}00.25,EUR,entry {n}" for n in range(1, 9)],
    # The last record holds a quoted field over three lines (one chunk, mutated as one).
    "downtime_events": [
        *[f"E{n},M1,2026-03-02T0{n}:00:00Z,2026-03-02T0{n}:10:00Z,JAM,,false" for n in range(1, 7)],
        'E7,M1,2026-03-02T08:00:00Z,2026-03-02T08:10:00Z,JAM,"jam in\nthe feeder,\nagain",false',
    ],
}
SPECIAL = [b'"', b"\x00", b"\n", b"\r", b"\r\n", b",", b"\xff", b"\xef\xbb\xbf", b'""', b" "]


@dataclass
class Chunk:
    data: bytes
    original: int | None  # index of the base record it still is, byte for byte (0 = header)


def physical_lines(data: bytes) -> int:
    """Lines the way the feed contract counts them: LF, CRLF or a lone CR end a line, a
    last line without an end counts, a leading byte-order mark is not a line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return n + (1 if data and data[-1:] not in (b"\n", b"\r") else 0)


mutation = st.one_of(
    st.tuples(
        st.just("insert"),
        st.integers(0, 8),
        st.integers(0, 200),
        st.sampled_from(SPECIAL) | st.binary(min_size=1, max_size=4),
    ),
    st.tuples(st.just("delete"), st.integers(0, 8), st.integers(0, 200), st.integers(1, 6)),
    st.tuples(st.just("flip"), st.integers(0, 8), st.integers(0, 200), st.integers(1, 255)),
    st.tuples(st.just("duplicate"), st.integers(0, 8), st.just(0), st.just(0)),
    st.tuples(st.just("truncate"), st.integers(0, 8), st.integers(0, 200), st.just(0)),
)


def mutate(feed: str, ops) -> list[Chunk]:
    chunks = [Chunk((HEADERS[feed] + "\n").encode(), 0)]
    chunks += [Chunk((row + "\n").encode(), i + 1) for i, row in enumerate(BASE[feed])]
    for op, line, pos, arg in ops:
        if not chunks:
            break
        i = line % len(chunks)
        data = chunks[i].data
        at = pos % (len(data) + 1)
        if op == "insert":
            chunks[i] = Chunk(data[:at] + arg + data[at:], None)
        elif op == "delete":
            chunks[i] = Chunk(data[:at] + data[at + arg :], None)
        elif op == "flip" and data:
            at = pos % len(data)
            chunks[i] = Chunk(data[:at] + bytes([data[at] ^ arg]) + data[at + 1 :], None)
        elif op == "duplicate":
            chunks.insert(i + 1, Chunk(data, None))
        elif op == "truncate":
            chunks = [*chunks[:i], Chunk(data[:at], None if at < len(data) else chunks[i].original)]
    return chunks


def _masters(conn_url: str, folder: Path) -> None:
    feed_file(folder, "plants", BERLIN)
    feed_file(folder, "machines", M1_IN_P1)
    feed_file(folder, "accounts", "5100,Material,cost,material,2020-01-01T00:00:00Z")
    with psycopg.connect(conn_url) as conn:
        Loader(conn, log=lambda _m: None).load([folder])


def test_fuzzed_feed_files_never_lose_a_line(wh):
    with tempfile.TemporaryDirectory() as tmp:
        _masters(wh.url, Path(tmp) / "masters")
    conn = psycopg.connect(wh.url)
    loader = Loader(conn, log=lambda _m: None)
    seen = {"examples": 0, "rejected_files": 0, "malformed": 0, "intact_lines": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize="HUB_FUZZ_EXAMPLES" not in os.environ,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        feed=st.sampled_from(sorted(BASE)),
        ops=st.lists(mutation, min_size=1, max_size=4),
        gz=st.sampled_from([False, False, False, True]),
        gz_cut=st.none() | st.integers(1, 400),
    )
    def check(feed, ops, gz, gz_cut):
        chunks = mutate(feed, ops)
        data = b"".join(c.data for c in chunks)
        with tempfile.TemporaryDirectory() as tmp:
            name = f"{feed}.csv" + (".gz" if gz else "")
            path = Path(tmp) / name
            truncated = False
            if gz:
                packed = gzip.compress(data, mtime=0)
                truncated = gz_cut is not None and gz_cut < len(packed)
                path.write_bytes(packed[:gz_cut] if truncated else packed)
            else:
                path.write_bytes(data)
            result = loader.load([Path(tmp)])
        (f,) = result.files
        seen["examples"] += 1
        assert f.status in ("loaded", "rejected", "skipped"), f.message
        if f.status == "skipped":
            return
        batch = conn.execute(
            "SELECT records_read, records_accepted, records_rejected, records_pending, file_lines, header_lines, "
            "blank_lines, continuation_lines, reject_reason FROM etl.batch WHERE batch_id = %s",
            (f.batch_id,),
        ).fetchone()
        read, accepted, rejected, pending, lines, header, blank, continuation, reason = batch
        assert read == accepted + rejected + pending
        kept = conn.execute("SELECT count(*) FROM etl.rejected_row WHERE batch_id = %s", (f.batch_id,)).fetchone()[0]
        assert kept == rejected
        if truncated:  # a truncated gzip: a rejected file, its bytes not records
            assert (f.status, reason, lines, read) == ("rejected", "unreadable_file", None, 0), f.message
        if lines is None:  # bytes that are not text: a rejected file with its reason
            assert f.status == "rejected" and reason in ("invalid_encoding", "unreadable_file")
            seen["rejected_files"] += 1
            conn.commit()
            return
        assert lines == physical_lines(data)
        assert lines == header + blank + read + continuation
        bad = dict(
            conn.execute(
                "SELECT file_line, reason_code FROM etl.rejected_row WHERE batch_id = %s "
                "UNION ALL SELECT file_line, 'pending' FROM etl.pending_record WHERE batch_id = %s",
                (f.batch_id, f.batch_id),
            ).fetchall()
        )
        conn.commit()
        seen["malformed"] += sum(1 for r in bad.values() if r == "malformed_record")
        if chunks[0].original != 0 or reason is not None:
            return  # the header was touched: the whole file may be rejected
        before = b""
        for chunk in chunks:
            starts_a_line = before == b"" or before[-1:] in (b"\n", b"\r")
            if chunk.original and starts_a_line and chunk.data.endswith(b"\n") and b'"' not in before:
                line = physical_lines(before) + 1
                seen["intact_lines"] += 1
                assert bad.get(line, "duplicate_key") == "duplicate_key", (line, bad.get(line), data)
            before += chunk.data

    check()
    conn.close()
    assert seen["examples"] == EXAMPLES
    # The mutations reach the interesting cases at all (not a test that cannot fail).
    assert seen["malformed"] > 0 and seen["rejected_files"] > 0 and seen["intact_lines"] > EXAMPLES, seen
