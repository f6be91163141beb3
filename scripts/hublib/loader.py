"""The COPY loader: find feed files, register each as a batch, stream it into staging,
and have its etl.validate_<feed> procedure turn it into typed rows.

A file being loaded is one FeedFile (feed, path, fingerprint, size, line count, header,
and what, if anything, makes its bytes unfit to be records). It is read once whole to
take that picture (`inspect`), then once more into staging (and a third time only when
COPY refuses it and it must be parsed).

One file = one transaction: register, COPY, validate, record its lines, close (which
proves that records read = accepted + rejected + pending and that every physical line is
the header, a blank line or part of a record). A failure leaves no trace of that file.
(The two-session COPY commits the registration and the halves first; a failure then
discards the batch, and a batch a dead load left 'loading' is discarded by the next load.)
One file never stops a load: a file whose bytes cannot be records is a rejected batch
with its reason; a file that cannot be opened is named, nothing is registered for it, and
the load goes on (the command then exits 2).

Three ways into staging, chosen per file:
- copy2: a plain file of 64 MiB or more without any quote character is split at a
  newline near its middle and the halves are COPYed from two sessions at once into the
  two halves of the staging partition (COPY is bound by one CPU core). The registration
  is committed first so that the second session sees the partition; a failure discards
  the batch (etl.discard_batch) and the file takes the next way.
- copy: the bytes go to the server as they are, in 1 MiB blocks (memory stays flat
  whatever the size); the staging partition numbers the records. Used when the header
  holds only known columns. If COPY refuses the data (a record with the wrong number of
  fields, broken quoting, bad UTF-8, a NUL byte) or the records are not one a line (a
  quoted newline, a blank line, a lone CR), the file is read again the last way.
- parsed: read record by record (`iter_records`), tracking the physical line each record
  starts on; malformed records and bad encoding become rejected rows right away, the rest
  are COPYed row by row. Used for files with unknown extra columns too. A malformed
  record is rejected at its first line only and reading resumes on the next physical
  line, so a stray quote costs one record, never the rest of the file.
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
import zlib
from collections import deque
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
# How far the header line is looked for, and where binary bytes are looked for.
SNIFF_BYTES = 64 << 10
# A quoted field may span at most this many lines; a quote left open longer is a stray
# quote (the record is rejected at its first line and reading resumes on the next).
MAX_RECORD_LINES = 10_000
LOAD_LOCK_KEY = 72_120_002
BOM = codecs.BOM_UTF8
NUL_SHOWN = "\u2400"  # what a NUL byte looks like in etl.rejected_row.raw_values
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
class FeedFile:
    """A file being loaded: every step takes this. `problem` is set when the bytes cannot
    be records at all (what was found and where; SQL decides the reason and the words)."""

    feed: Feed
    path: Path
    sha256: str = ""
    size: int = 0  # bytes of content (decompressed for .gz)
    lines: int = 0  # physical lines (LF, CRLF or a lone CR end one; a last line without an end counts)
    has_quote: bool = False
    header: list[str] | None = None  # None: no header line (an empty file)
    header_error: str | None = None  # the csv reader's complaint: the header line is not one record
    unknown: list[str] = field(default_factory=list)  # header names not of the feed (etl.header_problem's)
    # what makes the bytes unfit to be records, as facts for etl.file_problem (which
    # decides and words it), e.g. {"bom": "UTF-16 LE"}; None when nothing was seen
    problem: dict | None = None
    # how `iter_records` reads it: feeds are always comma-separated UTF-8; a source export
    # (scripts/hub import) says its own in sources/<name>/source.toml
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    @property
    def gz(self) -> bool:
        return self.path.name.lower().endswith(".gz")

    @property
    def shown(self) -> str:
        return shown_name(self.path.name)

    def open(self):
        return gzip.open(self.path, "rb") if self.gz else open(self.path, "rb")


@dataclass
class FileResult:
    path: Path
    feed: str
    batch_id: int | None = None
    status: str = "loaded"  # loaded, rejected, skipped (already loaded), unopened, failed
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    lines: int | None = None
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
    # Why each ignored path was left alone, for the ones that deserve a word.
    ignored_why: dict[Path, str] = field(default_factory=dict)
    warned: set[Path] = field(default_factory=set)  # ignored paths the load has warned of already
    still_pending: int = 0

    @property
    def needs_attention(self) -> list[FileResult]:
        """Files that could not be opened (or failed): nothing registered, the command exits 2."""
        return [f for f in self.files if f.status in ("unopened", "failed")]


def shown_name(name: str) -> str:
    """A file name fit for a report line: control characters escaped (a newline in a file
    name must not forge a line of the report)."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in db_text(name))


def db_text(text: str) -> str:
    """A file name or path as the database can store it: bytes that are not UTF-8 (kept as
    surrogates by Python) written as \\xNN escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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


def _stem_feed(stem: str, feeds) -> str | None:
    matches = [f for f in feeds if stem == f or stem.startswith(f + "_")]
    return max(matches, key=len) if matches else None


def feed_of(file_name: str, feeds: dict[str, Feed]) -> str | None:
    """`<feed>.csv`, `<feed>_<anything>.csv` (or .csv.gz), matched case-insensitively;
    the longest feed name wins."""
    lower = file_name.lower()
    for ext in (".csv.gz", ".csv"):
        if lower.endswith(ext):
            return _stem_feed(lower[: -len(ext)], feeds)
    return None


def looks_like_feed(file_name: str, feeds: dict[str, Feed]) -> str | None:
    """The feed a name starts like (`production_runs.txt`, `plants.csv.bz2`), if any."""
    lower = file_name.lower()
    return _stem_feed(lower.split(".", 1)[0], feeds)


def discover(
    dirs: list[Path], feeds: dict[str, Feed], *, follow_symlinks: bool = False
) -> tuple[list[tuple[Feed, Path]], list[Path], dict[Path, str]]:
    """Feed files of the folders (and files given as such) in load order: master data first (plants, machines,
    products, accounts), then the other feeds; each feed's files by file name. Also the
    paths left alone, with why for the ones named like a feed and for symlinks."""
    found: list[tuple[Feed, Path]] = []
    ignored: list[Path] = []
    why: dict[Path, str] = {}
    for d in dirs:
        if not d.exists():
            raise HubError(f"folder {d} does not exist", "give a folder that holds feed files")
        single = not d.is_dir()  # a file named on the command line
        root = (d.parent if single else d).resolve()
        for p in [d] if single else sorted(d.iterdir()):
            name = feed_of(p.name, feeds)
            like = name or looks_like_feed(p.name, feeds)
            if p.is_symlink():
                if not p.exists():
                    ignored.append(p)
                    why[p] = "a symbolic link whose target does not exist"
                    continue
                target = p.resolve()
                if not (follow_symlinks or single) and not target.is_relative_to(root):
                    ignored.append(p)
                    why[p] = (
                        f"a symbolic link to {shown_name(str(target))}, outside the folder being loaded "
                        "(--follow-symlinks loads such links)"
                    )
                    continue
            if p.is_dir():
                if like:
                    ignored.append(p)
                    why[p] = f"a folder, not a file (its name looks like feed {like}; folders are not searched)"
                continue
            if not p.is_file():
                ignored.append(p)
                why[p] = "not a regular file (a device, socket or pipe)"
                continue
            if name is None:
                ignored.append(p)
                if like:
                    why[p] = f"named like feed {like} but not .csv or .csv.gz"
            else:
                found.append((feeds[name], p))
    found.sort(key=lambda fp: (fp[0].load_order, fp[1].name, str(fp[1])))
    return found, ignored, why


class Unopenable(Exception):
    """The file cannot be opened or read (permissions, vanished, an I/O error)."""


class LineCounter:
    """Physical lines of bytes read in blocks, the one way `inspect` and the COPY count
    them: LF, CRLF and a lone CR each end a line, a CRLF split between two blocks is one,
    and a last line without its end counts too."""

    def __init__(self) -> None:
        self._ends = 0
        self._last = b""

    def feed(self, block: bytes) -> None:
        self._ends += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
        if self._last == b"\r" and block[:1] == b"\n":
            self._ends -= 1
        self._last = block[-1:]

    @property
    def lines(self) -> int:
        return self._ends + (1 if self._last not in (b"\n", b"\r", b"") else 0)


def inspect(feed: Feed, path: Path) -> FeedFile:
    """Read the file once, whole: fingerprint, size, physical lines, whether it holds a
    quote, its header, and whether its bytes can be records at all."""
    ff = FeedFile(feed, path)
    h = hashlib.sha256()
    head = bytearray()
    counter = LineCounter()
    try:
        fh = ff.open()
    except OSError as exc:
        raise Unopenable(exc.strerror or str(exc)) from exc
    try:
        with fh:
            first = True
            while block := fh.read(BLOCK):
                h.update(block)
                ff.size += len(block)
                if len(head) < SNIFF_BYTES:
                    head += block[: SNIFF_BYTES - len(head)]
                if first and block.startswith(BOM):
                    block = block[len(BOM) :]
                first = False
                if not block:
                    continue
                counter.feed(block)
                if not ff.has_quote and b'"' in block:
                    ff.has_quote = True
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        return _unreadable_gzip(ff, exc)
    except OSError as exc:
        raise Unopenable(exc.strerror or str(exc)) from exc
    ff.sha256 = h.hexdigest()
    ff.lines = counter.lines
    ff.problem = sniff(bytes(head), ff.size)
    if ff.problem is None:
        _read_header(ff, bytes(head))
    return ff


def _unreadable_gzip(ff: FeedFile, exc: BaseException) -> FeedFile:
    """A .gz whose bytes do not decompress: the fingerprint is that of the bytes as stored."""
    h = hashlib.sha256()
    with open(ff.path, "rb") as raw:
        start = raw.read(8)
        h.update(start)
        while block := raw.read(BLOCK):
            h.update(block)
    ff.sha256 = h.hexdigest()
    if not start.startswith(b"\x1f\x8b"):
        ff.problem = {"gzip": "not_gzip", "starts_with": repr(start[:8])}
    elif isinstance(exc, EOFError):
        ff.problem = {"gzip": "truncated", "content_bytes": _gzip_content_size(ff.path)}
    else:
        ff.problem = {"gzip": "corrupt", "content_bytes": _gzip_content_size(ff.path), "error": str(exc)}
    ff.lines = 0
    return ff


def _gzip_content_size(path: Path) -> int:
    """The bytes of content a damaged gzip gives before it ends or breaks (every member;
    the reads of inspect() lose the last, partial block)."""
    size = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as raw:
        while block := raw.read(BLOCK):
            while block:
                try:
                    size += len(d.decompress(block))
                except zlib.error:
                    return size
                if not d.eof:
                    break
                block = d.unused_data
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return size


def sniff(head: bytes, size: int) -> dict | None:
    """What makes the bytes of a file unfit to be CSV records, from its first SNIFF_BYTES,
    as facts for etl.file_problem (which decides which one counts and words it), or None.
    Every fact found here is a fault; the header line is the bytes up to the first line end."""
    facts: dict = {}
    for mark, name in (
        (codecs.BOM_UTF32_LE, "UTF-32 LE"),
        (codecs.BOM_UTF32_BE, "UTF-32 BE"),
        (codecs.BOM_UTF16_LE, "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "UTF-16 BE"),
    ):
        if head.startswith(mark):
            facts["bom"] = name
            break
    body = head[len(BOM) :] if head.startswith(BOM) else head
    ends = [i for i in (body.find(b"\n"), body.find(b"\r")) if i >= 0]
    header = body[: min(ends)] if ends else body
    if not ends and size > len(head):
        facts["no_line_end_kib"] = SNIFF_BYTES // 1024
    if b"\x00" in header:
        facts["nul_at"] = header.index(b"\x00") + 1
        facts["nul_count"] = header.count(b"\x00")
    control = [b for b in header[:1024] if b < 0x20 and b not in (0x09,)]
    if control:
        facts["control_byte"] = control[0]
    try:
        header.decode("utf-8")
    except UnicodeDecodeError as exc:
        facts["not_utf8_byte"] = header[exc.start]
        facts["not_utf8_at"] = exc.start + 1
        if head.startswith(b"\x89PNG"):
            facts["png"] = True
    return facts or None


def _read_header(ff: FeedFile, head: bytes) -> None:
    """The header's column names (trimmed, lower case); None for an empty file. A header
    line that is not one well-formed CSV record sets header_error (the csv reader's words)."""
    text = head.decode("utf-8-sig", errors="replace")
    line = text.split("\n", 1)[0].split("\r", 1)[0]
    if ff.lines == 0:
        ff.header = None
        return
    try:
        row = next(csv.reader([line], strict=True), [])
    except csv.Error as exc:
        ff.header = []
        ff.header_error = str(exc)
        return
    ff.header = [c.strip().lower() for c in row]


def _rejection(
    batch_id: int, line: int, reason: str, column: str | None, detail: dict | None, raw: dict, span: int = 1
) -> str:
    """One spooled rejection: a JSON array, one per line, in staging.rejected_row's column
    order. `detail`: what the reader saw, worded by etl.close_batch (None: a record of a
    file rejected whole, which takes the file's sentence)."""
    detail_json = None if detail is None else json.dumps(detail, ensure_ascii=False)
    return json.dumps([batch_id, line, reason, column, detail_json, json.dumps(raw, ensure_ascii=False), span]) + "\n"


@dataclass
class Record:
    """One record of a file as `iter_records` reads it."""

    line: int  # the physical line it starts on
    span: int  # physical lines it covers (1 for a malformed record)
    fields: list[str]
    problem: tuple[str, str | None, dict] | None = None  # reason, column, what the reader saw


@dataclass
class LineTally:
    """Physical lines of a file as the record reader saw them."""

    lines: int | None = 0  # None: not counted (a mapped batch whose records are not its file's lines)
    header: int = 0
    blank: int = 0
    continuation: int = 0
    read: int = 0


class _TooLong(Exception):
    """A record ran over MAX_RECORD_LINES lines."""


def _line_feed(lines: Iterator[str], back: deque[str], taken: list[str]) -> Iterator[str]:
    """The physical lines for the csv reader: first the ones given back (the lines a
    malformed record took after its first), then the file's; each one handed out is noted
    in `taken` (the caller empties it at every record)."""
    while True:
        if back:
            line = back.popleft()
        else:
            line = next(lines, None)
            if line is None:
                return
        taken.append(line)
        if len(taken) > MAX_RECORD_LINES:
            raise _TooLong
        yield line


def iter_records(ff: FeedFile, tally: LineTally) -> Iterator[Record]:
    """Every data record of the file (the header, line 1, is skipped) with the physical
    line it starts on. A record whose quoting is broken, or whose field count differs from
    the header's, is a malformed_record at its first line only (with what the reader saw,
    which etl.record_problem_message words); reading resumes on the next physical line.
    Blank lines are not records. `tally` counts every line.
    The csv module reads the lines (no read-ahead: it takes exactly a record's lines);
    after a malformed record the lines it took after its first are given back, and the
    reader starts again on them."""
    expected = len(ff.header) if ff.header else None
    with ff.open() as fh:
        lines = iter(io.TextIOWrapper(fh, encoding=ff.encoding, errors="surrogateescape", newline=""))
        if next(lines, None) is None:
            return
        tally.header = 1
        done = 1  # lines consumed by the records so far (the header)
        back: deque[str] = deque()
        taken: list[str] = []
        reader = csv.reader(_line_feed(lines, back, taken), strict=True, delimiter=ff.delimiter)
        while True:
            start = done + 1
            taken.clear()
            problem = None
            try:
                fields = next(reader)
            except StopIteration:
                break
            except _TooLong:
                problem = {"unclosed_within": MAX_RECORD_LINES}
            except csv.Error as exc:
                problem = {"csv_error": str(exc)}
            if problem is None:
                spanned = len(taken)
                if not fields:
                    tally.blank += spanned
                    done += spanned
                    continue
                if expected is None or len(fields) == expected:
                    tally.read += 1
                    tally.continuation += spanned - 1
                    done += spanned
                    yield Record(start, spanned, fields)
                    continue
                problem = {"fields": len(fields), "header_fields": expected}
                if spanned == 1:
                    tally.read += 1
                    done += 1
                    yield Record(start, 1, fields, ("malformed_record", None, problem))
                    continue
                problem.update(ran_to=start + spanned - 1, line=start)
            # Malformed: its first line only; the others are read again, by a new reader.
            if not taken:
                break
            first = taken[0]
            back.extendleft(reversed(taken[1:]))
            tally.read += 1
            done += 1
            yield Record(start, 1, _first_line_fields(first, ff.delimiter), ("malformed_record", None, problem))
            taken.clear()
            reader = csv.reader(_line_feed(lines, back, taken), strict=True, delimiter=ff.delimiter)
        tally.lines = done


def _first_line_fields(line: str, delimiter: str = ",") -> list[str]:
    """The raw values kept for a malformed record: its first line cut at every delimiter,
    quotes left as they are (its quoting is what is broken)."""
    return line.rstrip("\r\n").split(delimiter)


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
    def load(self, dirs: list[Path], *, follow_symlinks: bool = False) -> LoadResult:
        files, ignored, why = discover(dirs, self.feeds, follow_symlinks=follow_symlinks)
        result = LoadResult(ignored=ignored, ignored_why=why)
        for p, reason in why.items():
            if reason.startswith("a symbolic link to"):  # outside the folder: said now, once
                self.log(f"warning: skipped {shown_name(str(p))}: {reason}")
                result.warned.add(p)
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
            self.log(f"discarded batch {batch_id} ({shown_name(file_name)}): an earlier load did not finish it")
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
            "records_pending, rejected_rows, pending_rows, file_lines, header_lines, blank_lines, "
            "continuation_lines FROM etl.batch_reconciliation "
            "WHERE NOT is_reconciled ORDER BY batch_id"
        ).fetchall()
        self.conn.commit()
        if bad:
            b = bad[0]
            raise HubError(
                f"reconciliation failed for {len(bad)} batch(es), first batch {b[0]} ({shown_name(b[1])}): "
                f"read {b[2]} <> accepted {b[3]} + rejected {b[4]} + pending {b[5]} "
                f"(rows kept: rejected {b[6]}, pending {b[7]}), or lines {b[8]} <> header {b[9]} "
                f"+ blank {b[10]} + records {b[2]} + continuation {b[11]}",
                "see etl.batch_reconciliation; this is a bug, please report it",
                exit_code=3,
            )

    # -- one file ------------------------------------------------------------------------
    def load_file(self, feed: Feed, path: Path) -> FileResult:
        """One file, in a transaction of its own. Whatever its bytes, it ends loaded,
        rejected, skipped (same content already loaded), or, when it cannot be opened or
        the database refused it, unopened / failed with nothing registered."""
        started = time.monotonic()
        fr = FileResult(path=path, feed=feed.name)
        try:
            ff = inspect(feed, path)
            row = self.conn.execute(
                "SELECT batch_id FROM etl.batch WHERE feed_name = %s AND sha256 = %s", (feed.name, ff.sha256)
            ).fetchone()
            self.conn.commit()
            if row:
                fr.status = "skipped"
                fr.skipped_as = row[0]
                fr.message = f"same content already loaded as batch {row[0]}; nothing to do"
                return fr
            if ff.size >= PROGRESS_BYTES:
                self.log(f"loading {ff.shown} ({ff.size / 1e6:,.0f} MB) ...")
            if ff.problem is not None:
                self._load_unreadable(fr, ff)
            else:
                self._load_with_header(fr, ff)
            self.conn.commit()
        except (Unopenable, OSError) as exc:
            self.conn.rollback()
            self._forget(fr)
            fr.status = "unopened"
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            fr.message = f"{shown_name(path.name)} cannot be read: {detail}; nothing was registered for it"
            self.log(f"warning: {fr.message}")
            return fr
        except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded) as exc:
            # Not the bytes (those are handled above) but the database refusing this file:
            # a bug to report, yet not a reason to leave the other files unloaded.
            self.conn.rollback()
            self._forget(fr)
            fr.status = "failed"
            first = (exc.diag.message_primary or str(exc)).splitlines()[0]
            fr.message = f"{shown_name(path.name)}: the database refused the file ({first}); nothing was registered"
            self.log(f"warning: {fr.message}")
            return fr
        except BaseException:
            self.conn.rollback()
            raise
        fr.seconds = time.monotonic() - started
        if ff.size >= PROGRESS_BYTES:
            self.log(f"loaded {ff.shown}: {fr.read:,} records in {fr.seconds:.1f} s")
        return fr

    def _forget(self, fr: FileResult) -> None:
        """After a rollback: a two-session batch committed its registration; drop it."""
        if fr.batch_id is not None and fr.method == "copy2":
            self.conn.execute("CALL etl.discard_batch(%s::bigint)", (fr.batch_id,))
            self.conn.commit()
        fr.batch_id = None
        fr.method = None

    def _register(self, fr: FileResult, ff: FeedFile, unknown, method, split_line=None) -> int:
        batch_id = self.conn.execute(
            "SELECT etl.register_batch(%s, %s, %s, %s, %s::bigint, %s::text[], %s::text[], %s, %s::bigint)",
            (
                ff.feed.name,
                db_text(ff.path.name),
                db_text(str(ff.path.absolute())),
                ff.sha256,
                ff.size,
                ff.header or [],
                unknown,
                method,
                split_line,
            ),
        ).fetchone()[0]
        fr.batch_id = batch_id
        fr.method = method
        return batch_id

    def _close(
        self,
        fr: FileResult,
        tally: LineTally | None,
        status: str = "loaded",
        message: str | None = None,
        reason: str | None = None,
    ):
        """Record the file's lines (None: its bytes are not text) and close the batch."""
        fr.read = tally.read if tally else 0
        fr.lines = tally.lines if tally else None
        fr.status = status
        fr.message = message or fr.message
        self.conn.execute(
            "CALL etl.record_batch_lines(%s::bigint, %s::bigint, %s::integer, %s::bigint, %s::bigint, %s)",
            (
                fr.batch_id,
                tally.lines if tally else None,
                tally.header if tally else 0,
                tally.blank if tally else 0,
                tally.continuation if tally else 0,
                reason,
            ),
        )
        self.conn.execute(
            "CALL etl.close_batch(%s::bigint, %s::bigint, %s, %s, %s)",
            (fr.batch_id, fr.read, status, message, fr.method),
        )

    def _load_unreadable(self, fr: FileResult, ff: FeedFile) -> None:
        got = file_problem(self.conn, ff)
        if got is None:
            raise HubError(f"etl.file_problem finds nothing wrong in {ff.shown} ({ff.problem})", "please report it")
        reason, _fault, message = got
        self._register(fr, ff, [], None)
        self._close(fr, None, "rejected", message, reason)

    def _load_with_header(self, fr: FileResult, ff: FeedFile) -> None:
        """The header rules are etl.header_problem's (the feed contract decides, SQL words):
        a file without a header line, or failing one of them, is rejected whole."""
        feed, header = ff.feed, ff.header
        reason, column, message, unknown = self.conn.execute(
            "SELECT reason_code, column_name, message, unknown_columns FROM etl.header_problem(%s, %s, %s::text[], %s)",
            (feed.name, ff.shown, header, ff.header_error),
        ).fetchone()
        fr.unknown_columns = ff.unknown = unknown
        if reason is not None:
            batch_id = self._register(fr, ff, unknown, "parsed")
            # an empty file has no records to reject (and no header line)
            tally = LineTally() if header is None else self._reject_whole_file(batch_id, ff, reason, column)
            self._close(fr, tally, "rejected", message, reason)
            return

        # Into staging: from two sessions, from one, or record by record, whichever of these
        # the file allows first (see the module docstring).
        batch_id, tally = None, None
        if not unknown:
            split = self._split_point(ff)
            if split is not None:
                batch_id, tally = self._copy_two_sessions(fr, ff, split)
            if tally is None:
                batch_id = self._register(fr, ff, unknown, "copy")
                tally = self._copy_fast(batch_id, ff)
        if tally is None:
            if batch_id is None:
                batch_id = self._register(fr, ff, unknown, "parsed")
            fr.method = "parsed"
            tally = self._copy_parsed(batch_id, ff)
        partition = self._partition(feed, batch_id)
        self.conn.execute(sql.SQL("ANALYZE {}").format(partition))
        self.conn.execute(
            sql.SQL("CALL etl.{}(%s::bigint)").format(sql.Identifier(f"validate_{feed.name}")), (batch_id,)
        )
        self._close(fr, tally, "loaded", message)  # message: the unknown columns ignored, if any

    def _partition(self, feed: Feed, batch_id: int, half: int | None = None) -> sql.Composed:
        """The staging partition of a batch (or one of its halves): the name is
        etl.staging_partition_name's, the one naming rule."""
        name = self.conn.execute(
            "SELECT etl.staging_partition_name(%s, %s::bigint, %s::integer)", (feed.name, batch_id, half)
        ).fetchone()[0]
        return sql.SQL("staging.{}").format(sql.Identifier(name))

    def _split_point(self, ff: FeedFile) -> tuple[int, int] | None:
        """(byte offset, line number) where a second session can start COPYing, or None.
        Only for a plain file of PARALLEL_MIN_BYTES or more with no quote character at all,
        so that every newline ends a record."""
        size = ff.size
        if self.url is None or size < PARALLEL_MIN_BYTES or ff.gz or ff.has_quote:
            return None
        newlines = 0
        offset = None
        with ff.open() as fh:
            pos = 0
            while offset is None and (block := fh.read(BLOCK)):
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

    def _copy_two_sessions(self, fr: FileResult, ff: FeedFile, split) -> tuple[int | None, LineTally | None]:
        """COPY the two halves of a file from two sessions at once (COPY is bound by one
        CPU core). The registration is committed first, so that the second session sees
        the partition; if anything goes wrong the batch is discarded and (None, None)
        sends the file down the one-session path."""
        offset, split_line = split
        batch_id = self._register(fr, ff, [], "copy2", split_line)
        self.conn.commit()
        leaves = [self._partition(ff.feed, batch_id, n) for n in (1, 2)]
        columns = sql.SQL(", ").join(map(sql.Identifier, ff.header))
        results: list = [None, None]

        def run(n: int, conn: psycopg.Connection) -> None:
            try:
                span = (0, offset) if n == 0 else (offset, ff.size)
                results[n] = _copy_range(conn, leaves[n], columns, ff, *span)
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
            if first_rows == first_lines - 1 and second_rows == second_lines and first_lines + second_lines == ff.lines:
                return batch_id, LineTally(lines=ff.lines, header=1, read=first_rows + second_rows)
        self.conn.rollback()
        self.conn.execute("CALL etl.discard_batch(%s::bigint)", (batch_id,))
        self.conn.commit()
        fr.batch_id = None
        fr.method = None
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, _COPY_REFUSALS):
                raise r
        return None, None

    def _copy_fast(self, batch_id: int, ff: FeedFile) -> LineTally | None:
        """Stream the bytes as they are. None when the file needs the parsed path."""
        columns = sql.SQL(", ").join(map(sql.Identifier, ff.header))
        try:
            with self.conn.transaction():  # a savepoint: a refused COPY leaves nothing behind
                rows, lines = _copy_range(self.conn, self._partition(ff.feed, batch_id), columns, ff)
                if rows != lines - 1 or lines != ff.lines:
                    # Some record spans lines (a quoted newline), a line is blank or ends
                    # in a lone CR: the sequence numbers are not physical line numbers.
                    raise _NeedsParsing()
        except (_NeedsParsing, *_COPY_REFUSALS):
            return None
        return LineTally(lines=lines, header=1, read=rows)

    def _copy_parsed(self, batch_id: int, ff: FeedFile) -> LineTally:
        """Read record by record; returns the tally of the file's lines."""
        header = ff.header
        positions = [i for i, h in enumerate(header) if h not in ff.unknown]
        columns = [header[i] for i in positions]
        copy_sql = sql.SQL("COPY {} (file_line, {}) FROM STDIN").format(
            self._partition(ff.feed, batch_id), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        tally = LineTally()
        with _spool() as rejects:
            with self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for rec in iter_records(ff, tally):
                    problem = rec.problem or _encoding_problem(header, rec.fields)
                    if problem is not None:
                        reason, column, detail = problem
                        raw = _raw(header, rec.fields)
                        rejects.write(_rejection(batch_id, rec.line, reason, column, detail, raw, rec.span))
                        continue
                    copy.write_row([rec.line, *(rec.fields[i] if rec.fields[i] != "" else None for i in positions)])
            self._write_rejections(rejects)
        self._check_tally(ff, tally)
        return tally

    def _reject_whole_file(self, batch_id, ff: FeedFile, reason, column) -> LineTally:
        """Every record of the file a rejected row with the file's reason (etl.close_batch
        gives each the file's sentence)."""
        tally = LineTally()
        with _spool() as rejects:
            for rec in iter_records(ff, tally):
                raw = _raw(ff.header, rec.fields)
                rejects.write(_rejection(batch_id, rec.line, reason, column, None, raw, rec.span))
            self._write_rejections(rejects)
        self._check_tally(ff, tally)
        return tally

    @staticmethod
    def _check_tally(ff: FeedFile, tally: LineTally) -> None:
        """The record reader and the first reading count lines the same way (the fuzz test
        holds them to it): a difference means the file changed while it was loaded."""
        if tally.lines != ff.lines:
            raise Unopenable(f"the file changed while it was loaded ({ff.lines:,} lines, then {tally.lines:,})")

    def _write_rejections(self, spool) -> None:
        """COPY the spooled rejections (one JSON array per line) into staging.rejected_row, from
        where etl.close_batch moves them into etl.rejected_row (hub_etl may not write etl)."""
        if spool.tell() == 0:
            return
        spool.seek(0)
        with (
            self.conn.cursor() as cur,
            cur.copy(
                "COPY staging.rejected_row (batch_id, file_line, reason_code, column_name, detail, raw_values, "
                "line_count) FROM STDIN"
            ) as copy,
        ):
            for text in spool:
                copy.write_row(json.loads(text))


def _spool():
    """Rejections wait here while the staging COPY is open: memory up to 8 MiB, then disk."""
    return tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")


def _encoding_problem(header: list[str], fields: list[str]) -> tuple[str, str, dict] | None:
    """invalid_encoding for the first field holding a NUL byte or bytes that are not UTF-8,
    with what was seen (etl.record_problem_message words it)."""
    for i, value in enumerate(fields):
        column = header[i] if i < len(header) else f"field_{i + 1}"
        if "\x00" in value:
            return ("invalid_encoding", column, {"nul_at": value.index(chr(0)) + 1})
        if _has_surrogate(value):
            return ("invalid_encoding", column, {"not_utf8": True})
    return None


def file_problem(conn: psycopg.Connection, ff: FeedFile, encoding: str | None = None) -> tuple[str, str, str] | None:
    """(reason code, fault, message) for a file whose bytes cannot be records, as
    etl.file_problem decides and words it from ff.problem; None when it finds nothing wrong
    (only possible for a source export read as another encoding than UTF-8)."""
    facts = dict(ff.problem or {})
    if encoding is not None:
        facts["encoding"] = encoding
    return conn.execute(
        "SELECT reason_code, fault, message FROM etl.file_problem(%s, %s::jsonb)", (ff.shown, json.dumps(facts))
    ).fetchone()


def _raw(header: list[str] | None, fields: list[str]) -> dict[str, str]:
    """A record's values by column name; fields beyond the header as field_<n>."""
    header = header or []
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


def _copy_range(conn, target, columns, ff: FeedFile, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """COPY a file (or the bytes [start, end) of a plain one) into target, in a
    transaction of its own (a savepoint inside the caller's); returns (rows COPY stored,
    lines in the range). The range starting at 0 holds the header, and maybe a byte-order
    mark, which is dropped. Lines are counted the way `inspect` counts them."""
    header = start == 0
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER {}, ENCODING 'UTF8')").format(
        target, columns, sql.SQL("true" if header else "false")
    )
    counter = LineCounter()
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(copy_sql) as copy, ff.open() as fh:
            fh.seek(start)
            left = float("inf") if end is None else end - start
            first = True
            while left > 0 and (block := fh.read(BLOCK if end is None else min(BLOCK, int(left)))):
                left -= len(block)
                if first and header and block.startswith(BOM):
                    block = block[len(BOM) :]
                first = False
                if not block:
                    continue
                counter.feed(block)
                copy.write(block)
        rows = cur.rowcount
    return rows, counter.lines


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", NUL_SHOWN)
