"""The COPY loader: find feed files, register each as a batch, stream it into staging,
and have its etl.validate_<feed> procedure turn it into typed rows.

One file = one transaction: register, COPY, validate, close (which proves that records
read = accepted + rejected + pending). A failure leaves no trace of that file. (The
two-session COPY commits the registration and the halves first; a failure then discards
the batch, and a batch a dead load left 'loading' is discarded by the next load.)

Three ways into staging, chosen per file:
- copy2: a plain file of 64 MiB or more without any quote character is split at a
  newline near its middle and the halves are COPYed from two sessions at once into the
  two halves of the staging partition (COPY is bound by one CPU core). The registration
  is committed first so that the second session sees the partition; a failure discards
  the batch (etl.discard_batch) and the file takes the next way.
- copy: the bytes go to the server as they are, in 1 MiB blocks (memory stays flat
  whatever the size); the staging partition numbers the records. Used when the header
  holds only known columns. If COPY refuses the data (a record with the wrong number of
  fields, broken quoting, bad UTF-8) or a record spans lines (so record numbers are not
  line numbers), the file is read again the last way.
- parsed: Python's csv module reads record by record, tracking the physical line each
  record starts on; malformed records and bad encoding become rejected rows right away,
  the rest are COPYed row by row. Used for files with unknown extra columns too.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.errors import HubError

BLOCK = 1 << 20
# Files this big (and plain, and without quotes) are COPYed from two sessions at once.
PARALLEL_MIN_BYTES = 64 << 20
# Files this big get a line when they start and when they are done.
PROGRESS_BYTES = 16 << 20
LOAD_LOCK_KEY = 72_120_002
BOM = codecs.BOM_UTF8
csv.field_size_limit(1 << 30)


@dataclass
class Feed:
    name: str
    load_order: int
    columns: list[str]
    optional: set[str]

    @property
    def required(self) -> list[str]:
        return [c for c in self.columns if c not in self.optional]


@dataclass
class FileResult:
    path: Path
    feed: str
    batch_id: int | None = None
    status: str = "loaded"
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    method: str | None = None
    skipped_as: int | None = None
    unknown_columns: list[str] = field(default_factory=list)
    message: str | None = None
    samples: list[tuple[int, str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class LoadResult:
    files: list[FileResult] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    still_pending: int = 0


def read_feeds(conn: psycopg.Connection) -> dict[str, Feed]:
    rows = conn.execute(
        """
        SELECT f.feed_name, f.load_order, c.column_name, c.is_optional
        FROM etl.feed AS f
        INNER JOIN etl.feed_column AS c ON c.feed_name = f.feed_name
        ORDER BY f.load_order, c.ordinal
        """
    ).fetchall()
    feeds: dict[str, Feed] = {}
    for name, order, column, optional in rows:
        feed = feeds.setdefault(name, Feed(name, order, [], set()))
        feed.columns.append(column)
        if optional:
            feed.optional.add(column)
    return feeds


def feed_of(file_name: str, feeds: dict[str, Feed]) -> str | None:
    """`<feed>.csv`, `<feed>_<anything>.csv` (or .csv.gz), matched case-insensitively;
    the longest feed name wins."""
    lower = file_name.lower()
    for ext in (".csv.gz", ".csv"):
        if lower.endswith(ext):
            stem = lower[: -len(ext)]
            break
    else:
        return None
    matches = [f for f in feeds if stem == f or stem.startswith(f + "_")]
    return max(matches, key=len) if matches else None


def discover(dirs: list[Path], feeds: dict[str, Feed]) -> tuple[list[tuple[Feed, Path]], list[Path]]:
    """Feed files of the folders (and files given as such) in load order: master data first (plants, machines,
    products, accounts), then the other feeds; each feed's files by file name."""
    found: list[tuple[Feed, Path]] = []
    ignored: list[Path] = []
    for d in dirs:
        if not d.exists():
            raise HubError(f"folder {d} does not exist", "give a folder that holds feed files")
        for p in [d] if d.is_file() else sorted(d.iterdir()):
            if not p.is_file():
                continue
            name = feed_of(p.name, feeds)
            if name is None:
                ignored.append(p)
            else:
                found.append((feeds[name], p))
    found.sort(key=lambda fp: (fp[0].load_order, fp[1].name, str(fp[1])))
    return found, ignored


def open_bytes(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def fingerprint(path: Path) -> tuple[str, int]:
    """sha256 and size of the content (decompressed for .gz)."""
    h = hashlib.sha256()
    size = 0
    try:
        with open_bytes(path) as fh:
            while block := fh.read(BLOCK):
                h.update(block)
                size += len(block)
    except (OSError, EOFError) as exc:
        raise HubError(f"{path}: cannot read the file: {exc}", "check that it is a complete file") from exc
    return h.hexdigest(), size


def read_header(path: Path) -> list[str] | None:
    """The header's column names (trimmed, lower case), or None for an empty file."""
    with open_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
        try:
            row = next(csv.reader(text))
        except StopIteration:
            return None
        except csv.Error:
            return None
    return [c.strip().lower() for c in row]


def _rejection(batch_id: int, line: int, reason: str, column: str | None, message: str, raw: dict) -> str:
    """One spooled rejection: a JSON array, one per line, in etl.rejected_row's column order."""
    return json.dumps([batch_id, line, reason, column, message, json.dumps(raw, ensure_ascii=False)]) + "\n"


class Loader:
    def __init__(self, conn: psycopg.Connection, log=print, url: str | None = None):
        """`url` (the same database as `conn`) lets big files be COPYed from two sessions."""
        self.conn = conn
        self.log = log
        self.url = url
        # The validation's pg_temp.validated holds a whole batch; the default 8 MB of temp
        # buffers makes it spill to files (must be set before the session's first temp table).
        conn.execute("SET temp_buffers = '256MB'")
        self.feeds = read_feeds(conn)
        conn.commit()

    # -- locking -------------------------------------------------------------------------
    def acquire_lock(self) -> None:
        wait_s = float(
            self.conn.execute(
                "SELECT setting_value FROM etl.setting WHERE setting_name = 'lock_wait_seconds'"
            ).fetchone()[0]
        )
        self.conn.commit()
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            got = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (LOAD_LOCK_KEY,)).fetchone()[0]
            self.conn.commit()
            if got:
                return
            if not told:
                self.log(f"another load or run holds the warehouse lock; waiting up to {wait_s:.0f} s ...")
                told = True
            if time.monotonic() > deadline:
                raise HubError(
                    f"another load or run still held the warehouse lock after {wait_s:.0f} s",
                    "wait for it to finish (see pg_stat_activity) and try again",
                )
            time.sleep(0.5)

    def release_lock(self) -> None:
        self.conn.rollback()
        self.conn.execute("SELECT pg_advisory_unlock(%s)", (LOAD_LOCK_KEY,))
        self.conn.commit()

    # -- the whole load --------------------------------------------------------------------
    def load(self, dirs: list[Path]) -> LoadResult:
        files, ignored = discover(dirs, self.feeds)
        result = LoadResult(ignored=ignored)
        self.acquire_lock()
        try:
            self.discard_unfinished()
            for feed, path in files:
                result.files.append(self.load_file(feed, path))
            self.conn.execute("CALL etl.retry_pending()")
            self.conn.commit()
            result.still_pending = self.conn.execute("SELECT count(*) FROM etl.pending_record").fetchone()[0]
            self.refresh_counts(result)
            self.check_reconciliation()
        finally:
            self.release_lock()
        return result

    def discard_unfinished(self) -> None:
        """Batches still 'loading' while we hold the lock were left by a load that died
        after committing its registration (two-session COPY): remove them."""
        stale = self.conn.execute(
            "SELECT batch_id, file_name FROM etl.batch WHERE status = 'loading' ORDER BY batch_id"
        ).fetchall()
        for batch_id, file_name in stale:
            self.conn.execute("CALL etl.discard_batch(%s::bigint)", (batch_id,))
            self.log(f"discarded batch {batch_id} ({file_name}): an earlier load did not finish it")
        self.conn.commit()

    def refresh_counts(self, result: LoadResult) -> None:
        """Counts after the pending retry (a retry can resolve rows of this load)."""
        for fr in result.files:
            if fr.batch_id is None:
                continue
            fr.accepted, fr.rejected, fr.pending = self.conn.execute(
                "SELECT records_accepted, records_rejected, records_pending FROM etl.batch WHERE batch_id = %s",
                (fr.batch_id,),
            ).fetchone()
            fr.samples = self.conn.execute(
                "SELECT file_line, reason_code, message FROM etl.rejected_row WHERE batch_id = %s "
                "ORDER BY file_line LIMIT 3",
                (fr.batch_id,),
            ).fetchall()
        self.conn.commit()

    def check_reconciliation(self) -> None:
        bad = self.conn.execute(
            "SELECT batch_id, file_name, records_read, records_accepted, records_rejected, "
            "records_pending, rejected_rows, pending_rows FROM etl.batch_reconciliation "
            "WHERE NOT is_reconciled ORDER BY batch_id"
        ).fetchall()
        self.conn.commit()
        if bad:
            b = bad[0]
            raise HubError(
                f"reconciliation failed for {len(bad)} batch(es), first batch {b[0]} ({b[1]}): "
                f"read {b[2]} <> accepted {b[3]} + rejected {b[4]} + pending {b[5]} "
                f"(rows kept: rejected {b[6]}, pending {b[7]})",
                "see etl.batch_reconciliation; this is a bug, please report it",
                exit_code=3,
            )

    # -- one file ------------------------------------------------------------------------
    def load_file(self, feed: Feed, path: Path) -> FileResult:
        started = time.monotonic()
        fr = FileResult(path=path, feed=feed.name)
        sha, size = fingerprint(path)
        row = self.conn.execute("SELECT batch_id FROM etl.batch WHERE sha256 = %s", (sha,)).fetchone()
        self.conn.commit()
        if row:
            fr.status = "skipped"
            fr.skipped_as = row[0]
            fr.message = f"same content already loaded as batch {row[0]}; nothing to do"
            return fr

        if size >= PROGRESS_BYTES:
            self.log(f"loading {path.name} ({size / 1e6:,.0f} MB) ...")
        header = read_header(path)
        try:
            if header is None:
                self._load_empty(fr, feed, path, sha, size)
            else:
                self._load_with_header(fr, feed, path, sha, size, header)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        fr.seconds = time.monotonic() - started
        if size >= PROGRESS_BYTES:
            self.log(f"loaded {path.name}: {fr.read:,} records in {fr.seconds:.1f} s")
        return fr

    def _register(self, fr, feed, path, sha, size, header, unknown, method, split_line=None) -> int:
        batch_id = self.conn.execute(
            "SELECT etl.register_batch(%s, %s, %s, %s, %s::bigint, %s::text[], %s::text[], %s, %s::bigint)",
            (feed.name, path.name, str(path.resolve()), sha, size, header, unknown, method, split_line),
        ).fetchone()[0]
        fr.batch_id = batch_id
        fr.method = method
        return batch_id

    def _close(self, fr: FileResult, read: int, status: str = "loaded", message: str | None = None):
        fr.read = read
        fr.status = status
        fr.message = message or fr.message
        self.conn.execute(
            "CALL etl.close_batch(%s::bigint, %s::bigint, %s, %s, %s)",
            (fr.batch_id, read, status, message, fr.method),
        )

    def _load_empty(self, fr, feed, path, sha, size) -> None:
        self._register(fr, feed, path, sha, size, [], [], "parsed")
        self._close(fr, 0, "rejected", f"{path.name} is empty: no header row, no records")

    def _load_with_header(self, fr, feed, path, sha, size, header) -> None:
        known = set(feed.columns)
        unknown = [h for h in header if h not in known]
        fr.unknown_columns = unknown
        duplicated = sorted({h for h in header if header.count(h) > 1})
        missing = [c for c in feed.required if c not in header]
        if duplicated or missing:
            if missing:
                reason, column = "missing_column", missing[0]
                what = "required column" + ("s " if len(missing) > 1 else " ")
                message = (
                    f"{path.name}: {what}{', '.join(repr(m) for m in missing)} "
                    f"missing from the header, so every record of the file is rejected"
                )
            else:
                reason, column = "duplicate_column", duplicated[0]
                message = (
                    f"{path.name}: the header names {duplicated[0]!r} more than once, "
                    f"so every record of the file is rejected"
                )
            batch_id = self._register(fr, feed, path, sha, size, header, unknown, "parsed")
            read = self._reject_whole_file(batch_id, path, header, reason, column, message)
            self._close(fr, read, "rejected", message)
            return

        # Into staging: from two sessions, from one, or record by record, whichever of these
        # the file allows first (see the module docstring).
        batch_id, read = None, None
        if not unknown:
            split = self._split_point(path, size)
            if split is not None:
                batch_id, read = self._copy_two_sessions(fr, feed, path, sha, size, header, split)
            if read is None:
                batch_id = self._register(fr, feed, path, sha, size, header, unknown, "copy")
                read = self._copy_fast(batch_id, feed, path, header)
        if read is None:
            if batch_id is None:
                batch_id = self._register(fr, feed, path, sha, size, header, unknown, "parsed")
            fr.method = "parsed"
            read = self._copy_parsed(batch_id, feed, path, header)
        try:
            partition = self._partition(feed, batch_id)
            self.conn.execute(sql.SQL("ANALYZE {}").format(partition))
            self.conn.execute(
                sql.SQL("CALL etl.{}(%s::bigint)").format(sql.Identifier(f"validate_{feed.name}")), (batch_id,)
            )
            message = None
            if unknown:
                message = f"unknown columns ignored: {', '.join(unknown)}"
            self._close(fr, read, "loaded", message)
        except BaseException:
            if fr.method == "copy2":
                self.conn.rollback()
                self.conn.execute("CALL etl.discard_batch(%s::bigint)", (batch_id,))
                self.conn.commit()
            raise

    @staticmethod
    def _partition(feed: Feed, batch_id: int) -> sql.Composed:
        return sql.SQL("staging.{}").format(sql.Identifier(f"{feed.name}_b{batch_id}"))

    def _split_point(self, path: Path, size: int) -> tuple[int, int] | None:
        """(byte offset, line number) where a second session can start COPYing, or None.
        Only for a plain file of PARALLEL_MIN_BYTES or more with no quote character at all,
        so that every newline ends a record."""
        if self.url is None or size < PARALLEL_MIN_BYTES or path.name.lower().endswith(".gz"):
            return None
        newlines = 0
        offset = None
        with open(path, "rb") as fh:
            pos = 0
            while block := fh.read(BLOCK):
                if b'"' in block:
                    return None
                if offset is None:
                    if pos + len(block) > size // 2:
                        cut = block.find(b"\n", max(0, size // 2 - pos))
                        if cut >= 0:
                            offset = pos + cut + 1
                            newlines += block.count(b"\n", 0, cut + 1)
                        else:
                            newlines += block.count(b"\n")
                    else:
                        newlines += block.count(b"\n")
                pos += len(block)
        if offset is None or offset >= size or newlines < 2:
            return None  # no second half, or a first half holding only the header
        return offset, newlines + 1

    def _copy_two_sessions(self, fr, feed, path, sha, size, header, split) -> tuple[int | None, int | None]:
        """COPY the two halves of a file from two sessions at once (COPY is bound by one
        CPU core). The registration is committed first, so that the second session sees
        the partition; if anything goes wrong the batch is discarded and (None, None)
        sends the file down the one-session path."""
        offset, split_line = split
        batch_id = self._register(fr, feed, path, sha, size, header, [], "copy2", split_line)
        self.conn.commit()
        leaves = [sql.SQL("staging.{}").format(sql.Identifier(f"{feed.name}_b{batch_id}_{n}")) for n in (1, 2)]
        columns = sql.SQL(", ").join(map(sql.Identifier, header))
        results: list = [None, None]

        def run(n: int, conn: psycopg.Connection) -> None:
            try:
                results[n] = _copy_range(conn, leaves[n], columns, path, *((0, offset) if n == 0 else (offset, size)))
            except BaseException as exc:  # reported below, after both sessions ended
                results[n] = exc

        with psycopg.connect(self.url) as second:
            thread = threading.Thread(target=run, args=(1, second))
            thread.start()
            run(0, self.conn)
            thread.join()
        if all(isinstance(r, tuple) for r in results):
            (first_rows, first_lines), (second_rows, second_lines) = results
            # One record a line in both halves (the first also holds the header).
            if first_rows == first_lines - 1 and second_rows == second_lines:
                return batch_id, first_rows + second_rows
        self.conn.rollback()
        self.conn.execute("CALL etl.discard_batch(%s::bigint)", (batch_id,))
        self.conn.commit()
        fr.batch_id = None
        fr.method = None
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, _COPY_REFUSALS):
                raise r
        return None, None

    def _copy_fast(self, batch_id: int, feed: Feed, path: Path, header: list[str]) -> int | None:
        """Stream the bytes as they are. None when the file needs the parsed path."""
        columns = sql.SQL(", ").join(map(sql.Identifier, header))
        try:
            with self.conn.transaction():  # a savepoint: a refused COPY leaves nothing behind
                rows, lines = _copy_range(self.conn, self._partition(feed, batch_id), columns, path)
                if rows != lines - 1:
                    # Some record spans lines (a quoted newline) or a line is blank: the
                    # sequence numbers are not physical line numbers. Read it properly.
                    raise _NeedsParsing()
        except (_NeedsParsing, *_COPY_REFUSALS):
            return None
        return rows

    def _copy_parsed(self, batch_id: int, feed: Feed, path: Path, header: list[str]) -> int:
        """Read record by record; returns the number of data records."""
        known = set(feed.columns)
        positions = [i for i, h in enumerate(header) if h in known]
        columns = [header[i] for i in positions]
        copy_sql = sql.SQL("COPY {} (file_line, {}) FROM STDIN").format(
            self._partition(feed, batch_id), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        read = 0
        with _spool() as rejects:
            with self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for line, fields, problem in iter_records(path):
                    if line == 1:
                        continue
                    read += 1
                    if problem is None and len(fields) != len(header):
                        problem = (
                            "malformed_record",
                            f"the record has {len(fields)} fields but the header has {len(header)}",
                        )
                    if problem is None and any(_has_surrogate(f) for f in fields):
                        problem = ("invalid_encoding", "the record holds bytes that are not valid UTF-8")
                    if problem is not None:
                        raw = _raw(header, fields)
                        rejects.write(_rejection(batch_id, line, problem[0], None, problem[1], raw))
                        continue
                    copy.write_row([line, *(fields[i] if fields[i] != "" else None for i in positions)])
            self._write_rejections(rejects)
        return read

    def _reject_whole_file(self, batch_id, path, header, reason, column, message) -> int:
        read = 0
        with _spool() as rejects:
            for line, fields, _problem in iter_records(path):
                if line == 1:
                    continue
                read += 1
                rejects.write(_rejection(batch_id, line, reason, column, message, _raw(header, fields)))
            self._write_rejections(rejects)
        return read

    def _write_rejections(self, spool) -> None:
        """COPY the spooled rejections (one JSON array per line) into staging.rejected_row, from
        where etl.close_batch moves them into etl.rejected_row (hub_etl may not write etl)."""
        if spool.tell() == 0:
            return
        spool.seek(0)
        with (
            self.conn.cursor() as cur,
            cur.copy(
                "COPY staging.rejected_row (batch_id, file_line, reason_code, column_name, message, raw_values) "
                "FROM STDIN"
            ) as copy,
        ):
            for text in spool:
                copy.write_row(json.loads(text))


def _spool():
    """Rejections wait here while the staging COPY is open: memory up to 8 MiB, then disk."""
    return tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")


def _raw(header: list[str], fields: list[str]) -> dict[str, str]:
    """A record's values by column name; fields beyond the header as field_<n>."""
    return {header[i] if i < len(header) else f"field_{i + 1}": _printable(v) for i, v in enumerate(fields)}


class _NeedsParsing(Exception):
    pass


# What COPY says when the data is not clean CSV of the header's shape.
_COPY_REFUSALS = (
    psycopg.errors.DataError,
    psycopg.errors.BadCopyFileFormat,
    psycopg.errors.CharacterNotInRepertoire,
    psycopg.errors.UntranslatableCharacter,
)


def _copy_range(conn, target, columns, path: Path, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """COPY a file (or the bytes [start, end) of a plain one) into target, in a
    transaction of its own (a savepoint inside the caller's); returns (rows COPY stored,
    lines in the range). The range starting at 0 holds the header, and maybe a byte-order
    mark, which is dropped. Counting lines costs a memchr per block."""
    header = start == 0
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER {}, ENCODING 'UTF8')").format(
        target, columns, sql.SQL("true" if header else "false")
    )
    lines = 0
    last = b""
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(copy_sql) as copy, open_bytes(path) if end is None else open(path, "rb") as fh:
            fh.seek(start)
            left = float("inf") if end is None else end - start
            first = True
            while left > 0 and (block := fh.read(BLOCK if end is None else min(BLOCK, int(left)))):
                left -= len(block)
                if first and header and block.startswith(BOM):
                    block = block[len(BOM) :]
                first = False
                lines += block.count(b"\n")
                last = block[-1:]
                copy.write(block)
        rows = cur.rowcount
    return rows, lines + (1 if last not in (b"\n", b"") else 0)


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def iter_records(
    path: Path, *, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> Iterator[tuple[int, list[str], tuple[str, str] | None]]:
    """(physical line the record starts on, fields, problem) for every record, header
    included (line 1). Blank lines are not records. Broken quoting yields a
    malformed_record problem for the lines involved and reading goes on. (Feed files are
    comma-separated UTF-8; a source export of sources/ may declare other ones.)"""
    with open_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.reader(text, strict=True, delimiter=delimiter)
        end = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = end + 1
                end = reader.line_num
                yield start, [], ("malformed_record", f"broken quoting: {exc}")
                continue
            start = end + 1
            end = reader.line_num
            if not fields:
                continue
            yield start, fields, None
