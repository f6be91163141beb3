"""Read a real export through its mapping in sources/ (scripts/hub import SOURCE PATH...).

A source is a folder `sources/<name>/` (see docs/sources.md):
- `source.toml`: the export's files (file-name patterns, delimiter, encoding, the date
  style of date columns), and its mappings (target feed, driving file, SQL file);
- one SQL SELECT per mapping, from landing tables `src_<table>` (temporary tables whose
  text columns come from the file's header, plus source_file and source_line) to the
  feed's columns plus `source_line`, and optionally `record_part`, `covers`, `drop_reason`;
- `feeds/`: files in the hub's own feed format for what the export lacks (the plant, with
  its time zone and currency), loaded first like any feed file.

Each driving file is landed as text (the loader's record reader, so lines are physical
lines and a stray quote costs one record), its mapping's output goes into the target
feed's staging partition with the source line as file_line, and the feed's own
etl.validate_<feed> procedure judges it, so every feed rule holds. One batch per driving
file, mapping and record part; etl.record_source_batch proves every source row was mapped
or dropped by a named filter. A batch that is the only one of its file, with one record
per source row, also records the file's physical lines (docs/sources.md).

example:
  scripts/hub import azure_pdm /data/exports/azure_pdm
  scripts/hub import erp --pull --since 2026-03-01
"""

from __future__ import annotations

import argparse
import codecs
import csv
import fnmatch
import hashlib
import io
import json
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.db import ROOT
from hublib.errors import HubError
from hublib.loader import (
    PROGRESS_BYTES,
    Feed,
    FeedFile,
    FileResult,
    LineTally,
    Loader,
    LoadResult,
    Unopenable,
    _encoding_problem,
    _raw,
    discover,
    file_problem,
    inspect,
    iter_records,
)

SOURCES = ROOT / "sources"
# Columns of a mapping's output that are not feed columns.
META = ("source_line", "record_part", "covers", "drop_reason")


@dataclass
class SourceFile:
    table: str
    patterns: list[str]
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    dates: dict[str, str] = field(default_factory=dict)

    def matches(self, name: str) -> bool:
        return any(fnmatch.fnmatch(name.lower(), p.lower()) for p in self.patterns)


@dataclass
class Mapping:
    name: str
    feed: str
    driver: str
    sql_path: Path
    uses: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sql_path.read_text(encoding="utf-8").strip().rstrip(";")


@dataclass
class Pull:
    """Where a landing table's rows come from instead of a file: a query on another
    PostgreSQL database (kind postgres) or the pages of an HTTP API (kind http)."""

    table: str
    kind: str
    watermark: str | None = None
    # postgres: the query, and the environment variable holding the connection URL
    query: str | None = None
    url_env: str | None = None
    # http: the endpoint (or url_env), a bearer token's environment variable, the page
    # format, where the records sit in a JSON page, and the query parameters
    url: str | None = None
    token_env: str | None = None
    format: str = "json"
    records: str | None = None
    page_param: str = "page"
    first_page: int = 1
    since_param: str | None = None
    retries: int = 4
    backoff_s: float = 0.5
    timeout_s: float = 30.0
    max_pages: int = 100_000


@dataclass
class Source:
    name: str
    folder: Path
    description: str
    files: list[SourceFile]
    mappings: list[Mapping]
    # the folder names `scripts/hub demo --real DIR` looks for in DIR
    demo_folders: list[str] = field(default_factory=list)
    pulls: list[Pull] = field(default_factory=list)

    @property
    def feed_folder(self) -> Path:
        return self.folder / "feeds"

    def table_of(self, name: str) -> SourceFile | None:
        for f in self.files:
            if f.matches(name):
                return f
        return None


def available_sources(root: Path = SOURCES) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "source.toml").is_file()) if root.is_dir() else []


def read_source(name: str, root: Path = SOURCES) -> Source:
    folder = root / name
    spec_path = folder / "source.toml"
    if not spec_path.is_file():
        known = ", ".join(available_sources(root)) or "none"
        raise HubError(f"unknown source {name!r} (no {spec_path})", f"sources: {known}")
    try:
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise HubError(f"{spec_path}: {exc}", "fix the TOML") from exc
    files = [
        SourceFile(
            table=f["table"],
            patterns=list(f["patterns"]),
            delimiter=f.get("delimiter", ","),
            encoding=f.get("encoding", "utf-8-sig"),
            dates={k.lower(): v for k, v in f.get("dates", {}).items()},
        )
        for f in spec.get("file", [])
    ]
    for f in files:
        try:
            ascii_lines = "\r\n".encode(f.encoding).removeprefix(codecs.BOM_UTF8) == b"\r\n"
        except LookupError:
            ascii_lines = False
        if not ascii_lines:
            raise HubError(
                f"{spec_path}: file {f.table!r}: encoding {f.encoding!r} is unknown or writes line breaks "
                "other than as bytes 13 and 10",
                "an export's encoding is UTF-8 or one like it (latin-1, cp1252); convert UTF-16 first",
            )
    tables = {f.table for f in files}
    mappings = []
    for m in spec.get("mapping", []):
        mapping = Mapping(
            name=m["name"], feed=m["feed"], driver=m["driver"], sql_path=folder / m["sql"], uses=list(m.get("uses", []))
        )
        for t in [mapping.driver, *mapping.uses]:
            if t not in tables:
                raise HubError(f"{spec_path}: mapping {mapping.name!r} reads table {t!r}, which no [[file]] declares")
        if not mapping.sql_path.is_file():
            raise HubError(f"{spec_path}: mapping {mapping.name!r}: {mapping.sql_path} does not exist")
        mappings.append(mapping)
    pulls = []
    for p in spec.get("pull", []):
        pull = Pull(**p)
        if pull.table not in tables:
            raise HubError(f"{spec_path}: pull of table {pull.table!r}, which no [[file]] declares")
        if pull.kind not in ("postgres", "http"):
            raise HubError(f"{spec_path}: pull kind {pull.kind!r} (postgres or http)")
        if pull.kind == "postgres" and not (pull.query and pull.url_env):
            raise HubError(f"{spec_path}: a postgres pull needs query and url_env")
        if pull.kind == "http" and not (pull.url or pull.url_env):
            raise HubError(f"{spec_path}: an http pull needs url or url_env")
        pulls.append(pull)
    return Source(
        name, folder, spec.get("description", ""), files, mappings, list(spec.get("demo_folders", [name])), pulls
    )


@dataclass
class MappedResult:
    """One batch made by a mapping: a FileResult plus the source accounting."""

    file: FileResult
    mapping: str
    part: str
    source_rows: int = 0
    malformed: int = 0
    records: int = 0
    covered: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportResult:
    load: LoadResult
    mapped: list[MappedResult] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    # files of tables that no mapping drives: (file, what reads it)
    not_driving: list[tuple[Path, str]] = field(default_factory=list)


def _sha(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def landing_file(
    conn: psycopg.Connection, path: Path, table: str, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> FeedFile:
    """An export file as the loader sees a feed file (`inspect`: fingerprint, size, physical
    lines, unreadable bytes), read as its source says, with its header (trimmed, lower case,
    a nameless column column_<n>). Raises Unopenable, or _FileProblem when it has no usable
    header or its bytes cannot be records (etl.file_problem decides and words that, knowing
    the encoding the source declares)."""
    ff = inspect(Feed(f"src_{table}", 0, [], set()), path)
    ff.delimiter, ff.encoding = delimiter, encoding
    if ff.problem is not None:
        got = file_problem(conn, ff, codecs.lookup(encoding).name)
        conn.commit()
        if got is not None:
            raise _FileProblem(got[1])
    with io.TextIOWrapper(ff.open(), encoding=encoding, errors="surrogateescape", newline="") as text:
        first = text.readline()
    try:
        row = next(csv.reader([first], strict=True, delimiter=delimiter), [])
    except csv.Error as exc:
        raise _FileProblem(f"{ff.shown}: the header line is not one well-formed record ({exc})") from exc
    if not row:
        raise _FileProblem(f"{ff.shown} has no header row")
    ff.header = [c.strip().lower() or f"column_{i + 1}" for i, c in enumerate(row)]
    if len(set(ff.header)) != len(ff.header):
        raise _FileProblem(f"{ff.shown}: the header names a column more than once")
    return ff


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(q for q in p.iterdir() if q.is_file()))
        elif p.is_file():
            found.append(p)
        else:
            raise HubError(f"{p} does not exist", "give the export's folder or files")
    return found


def require_matches(source: Source, paths: list[Path], by_table: dict) -> None:
    """A folder (or files) where no file pattern of the source matches is a mistake (the
    wrong folder, the wrong source): stop before anything is loaded, the source's own feed
    files included."""
    if not by_table:
        patterns = ", ".join(p for f in source.files for p in f.patterns)
        raise HubError(
            f"no file of {', '.join(map(str, paths))} matches a file pattern of source {source.name} ({patterns})",
            "give the folder of that source's export (docs/sources.md)",
        )


class Importer:
    """Imports the files of one source on the loader's session (its lock, counts, checks)."""

    def __init__(self, loader: Loader, source: Source, log=print):
        self.loader = loader
        self.conn = loader.conn
        self.source = source
        self.log = log
        # file name -> {line: message} for records that stand for something other than a
        # line of a file (a pulled page that could not be read)
        self.notes: dict[str, dict[int, dict]] = {}

    def run(self, paths: list[Path], result: ImportResult) -> None:
        by_table: dict[str, list[Path]] = {}
        for p in _files(paths):
            spec = self.source.table_of(p.name)
            if spec is None:
                result.ignored.append(p)
            else:
                by_table.setdefault(spec.table, []).append(p)
        require_matches(self.source, paths, by_table)
        self._import(by_table, result)

    def pull(self, result: ImportResult, since: str | None = None, full: bool = False) -> None:
        """Pulls every [[pull]] table of the source (from its watermark, or from `since`, or
        everything), imports what came, then moves each table's watermark on."""
        from hublib import pulls

        if not self.source.pulls:
            raise HubError(f"source {self.source.name} declares no [[pull]]", "see docs/sources.md")
        spool = Path(tempfile.mkdtemp(prefix="hub-pull-"))
        try:
            by_table: dict[str, list[Path]] = {}
            marks = {}
            for p in self.source.pulls:
                last = None
                if not full:
                    last = since
                    if last is None:
                        row = self.conn.execute(
                            "SELECT watermark FROM etl.source_watermark WHERE source_name = %s AND table_name = %s",
                            (self.source.name, p.table),
                        ).fetchone()
                        last = row[0] if row else None
                self.conn.commit()
                path = spool / f"{p.table}.pull.csv"
                got = pulls.pull(p, last, path, self.source.name, self.log)
                self.notes[path.name] = got.notes
                self.log(
                    f"pulled {self.source.name}.{p.table}: {got.rows} row(s)"
                    + (f" after {p.watermark} {last}" if last is not None else "")
                    + (f", {len(got.notes)} malformed page(s)" if got.notes else "")
                )
                marks[p.table] = (got.watermark, got.rows)
                if got.rows or got.notes:
                    by_table.setdefault(p.table, []).append(path)
            failed_before = len(result.failed)
            self._import(by_table, result)
            if len(result.failed) == failed_before:
                for table, (mark, rows) in marks.items():
                    self.conn.execute(
                        "CALL etl.set_source_watermark(%s, %s, %s, %s::bigint)", (self.source.name, table, mark, rows)
                    )
                self.conn.commit()
        finally:
            shutil.rmtree(spool, ignore_errors=True)

    def _import(self, by_table: dict[str, list[Path]], result: ImportResult) -> None:
        drivers = {m.driver for m in self.source.mappings}
        for table, paths in by_table.items():
            if table in drivers:
                continue
            readers = [m.name for m in self.source.mappings if table in m.uses]
            what = f"looked up by mapping {', '.join(readers)}" if readers else "read by no mapping"
            result.not_driving.extend((p, what) for p in paths)
        # The source's own feed files (its plant, ...) first, as any feed files.
        if self.source.feed_folder.is_dir():
            feed_files, _ignored, _why = discover([self.source.feed_folder], self.loader.feeds)
            for feed, path in feed_files:
                result.load.files.append(self.loader.load_file(feed, path))

        # Each file read once whole (fingerprint, lines, header); one that cannot be is named.
        files: dict[Path, FeedFile] = {}
        given = set(by_table)
        for table, paths in by_table.items():
            spec = self._spec(table)
            for p in paths:
                try:
                    files[p] = landing_file(self.conn, p, table, spec.delimiter, spec.encoding)
                except Unopenable as exc:
                    result.failed.append((p, f"{p.name} cannot be read: {exc}"))
                except _FileProblem as exc:
                    result.failed.append((p, str(exc)))
        by_table = {t: kept for t, ps in by_table.items() if (kept := [p for p in ps if p in files])}
        shas = {p: ff.sha256 for p, ff in files.items()}
        landed: set[str] = set()
        # Master-data feeds first, like a load: mappings in the feeds' load order.
        order = {name: f.load_order for name, f in self.loader.feeds.items()}
        for mapping in sorted(self.source.mappings, key=lambda m: order.get(m.feed, 99)):
            drivers = by_table.get(mapping.driver, [])
            if not drivers:
                continue
            missing = [t for t in mapping.uses if t not in by_table]
            if missing:
                for p in drivers:
                    result.failed.append(
                        (
                            p,
                            f"mapping {mapping.name} also needs the {', '.join(missing)} file(s), "
                            + ("not given" if set(missing) - given else "which cannot be read (above)"),
                        )
                    )
                continue
            try:
                for t in mapping.uses:
                    if t not in landed:
                        self._land(self._spec(t), [files[p] for p in by_table[t]])
                        landed.add(t)
            except _FileProblem as exc:
                self.conn.rollback()
                landed.clear()
                for p in drivers:
                    result.failed.append((p, f"mapping {mapping.name} cannot look up in a file: {exc}"))
                continue
            lookup_shas = [shas[p] for t in sorted(mapping.uses) for p in by_table[t]]
            for path in drivers:
                try:
                    rows, malformed, tally = self._land(self._spec(mapping.driver), [files[path]])
                    landed.discard(mapping.driver)
                    result.mapped.extend(self._map(mapping, files[path], lookup_shas, rows, malformed, tally))
                except _FileProblem as exc:
                    self.conn.rollback()
                    landed.clear()
                    result.failed.append((path, str(exc)))

    def _spec(self, table: str) -> SourceFile:
        return next(f for f in self.source.files if f.table == table)

    # -- landing ---------------------------------------------------------------------
    def _land(self, spec: SourceFile, files: list[FeedFile]) -> tuple[int, list[tuple], LineTally]:
        """(Re)creates pg_temp.src_<table> from the files' headers and COPYs their records
        as text, read by the loader's record reader (a stray quote costs one record, every
        physical line is counted). Returns the well-formed record count, the malformed
        records (line, reason, column, detail, raw values, lines covered) and the lines of
        the last file."""
        table = sql.Identifier(f"src_{spec.table}")
        header: list[str] | None = None
        rows = 0
        malformed: list[tuple] = []
        self.conn.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(table))
        for ff in files:
            path = ff.path
            if ff.size >= PROGRESS_BYTES:
                self.log(f"landing {ff.shown} ({ff.size / 1e6:,.0f} MB) ...")
            if header is None:
                header = ff.header
                columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header)
                self.conn.execute(
                    sql.SQL("CREATE TEMP TABLE {} (source_file text, source_line bigint, {})").format(table, columns)
                )
            elif ff.header != header:
                raise _FileProblem(f"{ff.shown}: its header differs from that of {files[0].shown}")
            copy_sql = sql.SQL("COPY pg_temp.{} (source_file, source_line, {}) FROM STDIN").format(
                table, sql.SQL(", ").join(map(sql.Identifier, header))
            )
            tally = LineTally()
            try:
                with self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
                    for rec in iter_records(ff, tally):
                        problem = rec.problem or _encoding_problem(header, rec.fields)
                        if problem is not None:
                            reason, column, seen = problem
                            # what the reader saw and where (etl.record_problem_message words it),
                            # or the page of an API this record stands for
                            note = self.notes.get(path.name, {}).get(rec.line)
                            detail = note or {**seen, "file": path.name, "file_line": rec.line}
                            malformed.append((rec.line, reason, column, detail, _raw(header, rec.fields), rec.span))
                            continue
                        rows += 1
                        copy.write_row([path.name, rec.line, *(f if f != "" else None for f in rec.fields)])
                Loader._check_tally(ff, tally)
            except (Unopenable, OSError) as exc:
                raise _FileProblem(f"{ff.shown} cannot be read: {exc}") from exc
        assert header is not None
        missing_dates = [c for c in spec.dates if c not in header]
        if missing_dates:
            raise _FileProblem(f"{files[0].shown}: date column(s) {', '.join(missing_dates)} missing from the header")
        for column, style in spec.dates.items():
            self.conn.execute(
                sql.SQL("UPDATE pg_temp.{} SET {} = etl.source_date({}, %s)").format(
                    table, sql.Identifier(column), sql.Identifier(column)
                ),
                (style,),
            )
        self.conn.execute(sql.SQL("ANALYZE pg_temp.{}").format(table))
        self.conn.commit()
        return rows, malformed, tally

    # -- mapping ---------------------------------------------------------------------
    def _map(self, mapping: Mapping, ff: FeedFile, lookup_shas: list[str], rows: int, malformed, tally) -> list:
        path = ff.path
        feed = self.loader.feeds[mapping.feed]
        text = mapping.text
        try:
            with self.conn.transaction():
                self.conn.execute("DROP TABLE IF EXISTS pg_temp.mapped")
                self.conn.execute(sql.SQL("CREATE TEMP TABLE mapped AS {}").format(sql.SQL(text)))
        except psycopg.errors.UndefinedColumn as exc:
            raise _FileProblem(
                f"{path.name} cannot be read by mapping {mapping.name}: {exc.diag.message_primary} "
                f"(a column the mapping needs is missing from the file's header)"
            ) from exc
        except psycopg.Error as exc:
            where = mapping.sql_path.relative_to(ROOT) if mapping.sql_path.is_relative_to(ROOT) else mapping.sql_path
            raise HubError(
                f"mapping {where} failed on {path.name}: {exc.diag.message_primary or exc}",
                "fix the mapping's SQL (docs/sources.md)",
            ) from exc
        out_columns = [
            r[0]
            for r in self.conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'pg_temp.mapped'::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum"
            )
        ]
        unknown = [c for c in out_columns if c not in META and c not in feed.columns]
        missing = [c for c in feed.required if c not in out_columns]
        if "source_line" not in out_columns or unknown or missing:
            raise HubError(
                f"mapping {mapping.name} of source {self.source.name}: its SELECT must give source_line and the "
                f"{feed.name} columns"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""),
                "see docs/sources.md",
            )
        part_sql = "coalesce(record_part::text, '')" if "record_part" in out_columns else "''"
        covers_sql = "coalesce(covers, 1)" if "covers" in out_columns else "1"
        drop_sql = "drop_reason" if "drop_reason" in out_columns else "NULL::text"
        self.conn.execute("DROP TABLE IF EXISTS pg_temp.mapped_meta")
        self.conn.execute(
            f"CREATE TEMP TABLE mapped_meta AS SELECT {part_sql} AS part, {covers_sql}::bigint AS covers, "
            f"{drop_sql} AS drop_reason, source_line::bigint AS source_line, ctid AS row_id FROM pg_temp.mapped"
        )
        dup = self.conn.execute(
            "SELECT part, source_line FROM pg_temp.mapped_meta WHERE drop_reason IS NULL "
            "GROUP BY part, source_line HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            raise HubError(
                f"mapping {mapping.name} gives two records for line {dup[1]} of {path.name}"
                + (f" in part {dup[0]!r}" if dup[0] else ""),
                "give each record of one source line its own record_part (docs/sources.md)",
            )
        parts = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT part FROM pg_temp.mapped_meta WHERE part <> '' OR drop_reason IS NULL ORDER BY 1"
            )
        ] or [""]
        self.conn.commit()

        # A batch that is the only one made of its file counts the file's physical lines;
        # batches that share a file (parts, or mappings driven by one table) leave them NULL.
        if len(parts) > 1 or sum(m.driver == mapping.driver for m in self.source.mappings) > 1:
            tally = None
        results = []
        for part in parts:
            results.append(self._batch(mapping, feed, ff, lookup_shas, part, out_columns, rows, malformed, tally))
        self.conn.execute("DROP TABLE pg_temp.mapped_meta")
        self.conn.commit()
        return results

    def _batch(
        self, mapping, feed: Feed, ff: FeedFile, lookup_shas, part, out_columns, rows, malformed, tally
    ) -> MappedResult:
        started = time.monotonic()
        path, sha = ff.path, ff.sha256
        fr = FileResult(path=path, feed=feed.name)
        mr = MappedResult(fr, mapping.name, part, source_rows=rows, malformed=len(malformed))
        batch_sha = _sha(
            "hub-import", self.source.name, mapping.name, part, sha, _sha(mapping.text), *sorted(lookup_shas)
        )
        row = self.conn.execute("SELECT batch_id FROM etl.batch WHERE sha256 = %s", (batch_sha,)).fetchone()
        if row:
            self.conn.commit()
            fr.status, fr.skipped_as = "skipped", row[0]
            fr.message = f"same file and mapping already imported as batch {row[0]}; nothing to do"
            return mr
        where = sql.SQL("m.part = {} AND m.drop_reason IS NULL").format(sql.Literal(part))
        mr.covered, mr.records = self.conn.execute(
            sql.SQL(
                "SELECT coalesce(sum(m.covers), 0)::bigint, count(*) FROM pg_temp.mapped_meta AS m WHERE {}"
            ).format(where)
        ).fetchone()
        mr.dropped = {
            reason: n
            for reason, n in self.conn.execute(
                "SELECT drop_reason, sum(covers)::bigint FROM pg_temp.mapped_meta "
                "WHERE drop_reason IS NOT NULL AND (part = %s OR part = '') GROUP BY 1 ORDER BY 1",
                (part,),
            )
        }
        try:
            header = [c for c in out_columns if c in feed.columns]
            batch = FeedFile(feed, path, sha256=batch_sha, size=ff.size, header=header)
            batch_id = self.loader._register(fr, batch, [], "mapped")
            partition = self.loader._partition(feed, batch_id)
            columns = sql.SQL(", ").join(map(sql.Identifier, header))
            self.conn.execute(
                sql.SQL(
                    "INSERT INTO {} (file_line, {}) SELECT m.source_line, {} FROM pg_temp.mapped_meta AS m "
                    "INNER JOIN pg_temp.mapped AS d ON d.ctid = m.row_id WHERE {}"
                ).format(
                    partition,
                    columns,
                    sql.SQL(", ").join(sql.SQL("d.{}::text").format(sql.Identifier(c)) for c in header),
                    where,
                )
            )
            with self.conn.cursor() as cur:
                # through staging.rejected_row: etl.close_batch moves them (hub_etl may not write etl)
                cur.executemany(
                    "INSERT INTO staging.rejected_row (batch_id, file_line, reason_code, column_name, detail, "
                    "raw_values, line_count) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            batch_id,
                            line,
                            reason,
                            column,
                            json.dumps(detail, ensure_ascii=False),
                            json.dumps(raw, ensure_ascii=False),
                            span,
                        )
                        for line, reason, column, detail, raw, span in malformed
                    ],
                )
            self.conn.execute(sql.SQL("ANALYZE {}").format(partition))
            self.conn.execute(
                sql.SQL("CALL etl.{}(%s::bigint)").format(sql.Identifier(f"validate_{feed.name}")), (batch_id,)
            )
            note = f"mapping {mapping.name}" + (f", part {part}" if part else "")
            read = mr.records + len(malformed)
            # The file's lines are this batch's only when its records are the file's records
            # one for one (no record folds source rows, none is dropped).
            if tally is None or read != tally.read:
                tally = LineTally(lines=None, read=read)
            self.loader._close(fr, tally, "loaded", note)
            self.conn.execute(
                "CALL etl.record_source_batch(%s::bigint, %s, %s, %s, %s, %s, %s::bigint, %s::bigint, %s::bigint, "
                "%s::bigint, %s::jsonb)",
                (
                    batch_id,
                    self.source.name,
                    mapping.name,
                    part,
                    path.name,
                    sha,
                    rows,
                    len(malformed),
                    mr.records,
                    mr.covered,
                    json.dumps(mr.dropped),
                ),
            )
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        fr.seconds = time.monotonic() - started
        return mr


class _FileProblem(Exception):
    """A file that cannot be mapped: named, nothing registered for it, the import goes on."""


def import_sources(
    conn: psycopg.Connection,
    plan: list[tuple[str, list[Path]]],
    log=print,
    *,
    root: Path = SOURCES,
    pull: bool = False,
    since: str | None = None,
    full: bool = False,
) -> ImportResult:
    """Imports each (source name, paths) of the plan on one session under the load lock
    (with pull, each source's [[pull]] tables instead of paths); then retries pending rows
    and proves every batch reconciles, like a load."""
    loader = Loader(conn, log=log)
    result = ImportResult(load=LoadResult())
    sources = [(read_source(name, root), paths) for name, paths in plan]
    loader.acquire_lock()
    try:
        loader.discard_unfinished()
        for source, paths in sources:
            importer = Importer(loader, source, log)
            if pull:
                importer.pull(result, since=since, full=full)
            else:
                importer.run(paths, result)
        result.load.files.extend(m.file for m in result.mapped)
        conn.execute("CALL etl.retry_pending()")
        conn.commit()
        result.load.still_pending = conn.execute("SELECT count(*) FROM etl.pending_record").fetchone()[0]
        loader.refresh_counts(result.load)
        loader.check_reconciliation()
    finally:
        loader.release_lock()
    return result


def print_import(result: ImportResult, out) -> None:
    mapped_ids = {id(m.file) for m in result.mapped}
    rows = [("source file", "mapping", "part", "feed", "rows", "records", "accepted", "rejected", "pending", "dropped")]
    for f in result.load.files:
        if id(f) in mapped_ids:
            continue
        if f.status == "skipped":
            rows.append((f.path.name, "(feed file)", "", f.feed, "-", "-", "-", "-", "-", "already loaded"))
        else:
            rows.append(
                (
                    f.path.name,
                    "(feed file)",
                    "",
                    f.feed,
                    str(f.read),
                    str(f.read),
                    str(f.accepted),
                    str(f.rejected),
                    str(f.pending),
                    "",
                )
            )
    for m in result.mapped:
        f = m.file
        if f.status == "skipped":
            rows.append((f.path.name, m.mapping, m.part, f.feed, "-", "-", "-", "-", "-", "already imported"))
            continue
        dropped = ", ".join(f"{k} {v}" for k, v in m.dropped.items())
        rows.append(
            (
                f.path.name,
                m.mapping,
                m.part,
                f.feed,
                str(m.source_rows + m.malformed),
                str(m.records + m.malformed),  # as the summary: malformed records are records rejected
                str(f.accepted),
                str(f.rejected),
                str(f.pending),
                dropped,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out(
            "  ".join(
                c.rjust(w) if 4 <= i <= 8 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    for m in result.mapped:
        for line, reason, message in m.file.samples:
            out(f"{m.file.path.name} line {line} ({m.mapping}{' ' + m.part if m.part else ''}): {reason}: {message}")
        if m.file.rejected > len(m.file.samples):
            more = m.file.rejected - len(m.file.samples)
            out(f"  ... {more} more: SELECT * FROM etl.rejected_row WHERE batch_id = {m.file.batch_id}")
    for p, what in result.not_driving:
        out(f"{p.name}: {what} (not itself imported)")
    for p in result.ignored:
        out(f"ignored {p.name}: no file pattern of the source matches it")
    for p, why in result.failed:
        out(f"not imported: {p}: {why}")
    done = [m for m in result.mapped if m.file.status != "skipped"]
    # the source's own feed files are batches of this import too (the table's "(feed file)" rows)
    feeds = [f for f in result.load.files if id(f) not in mapped_ids and (f.batch_id or f.status == "skipped")]
    fed = [f for f in feeds if f.status != "skipped"]
    skipped = len(result.mapped) - len(done) + len(feeds) - len(fed)
    out(
        f"import: {len(done) + len(fed)} batch(es) imported, {skipped} already imported; "
        f"records {sum(m.records + m.malformed for m in done) + sum(f.read for f in fed)} = "
        f"accepted {sum(m.file.accepted for m in done) + sum(f.accepted for f in fed)} "
        f"+ rejected {sum(m.file.rejected for m in done) + sum(f.rejected for f in fed)} "
        f"+ pending {sum(m.file.pending for m in done) + sum(f.pending for f in fed)}; "
        f"source rows dropped by filters {sum(sum(m.dropped.values()) for m in done)}"
    )


# -- the command ------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help=f"a folder of sources/ ({', '.join(available_sources()) or 'none yet'})")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="the export's folder(s) or file(s)")
    parser.add_argument(
        "--pull", action="store_true", help="pull the source's [[pull]] tables (database query or HTTP API) instead"
    )
    parser.add_argument("--since", metavar="VALUE", help="with --pull: rows whose watermark is after VALUE")
    parser.add_argument("--full", action="store_true", help="with --pull: every row, whatever the watermark")


def run(args: argparse.Namespace) -> int:
    """Import a real export through its mapping in sources/: read, map, validate, count."""
    from hublib.cli import out, require_current
    from hublib.db import warehouse_url
    from hublib.pipeline import invoke

    read_source(args.source)  # a clear error for an unknown source before anything starts
    if args.pull == bool(args.paths):
        raise HubError(
            "give the export's PATH(s), or --pull (and no PATH)",
            f"scripts/hub import {args.source} PATH... | scripts/hub import {args.source} --pull",
        )
    if (args.since or args.full) and not args.pull:
        raise HubError("--since and --full go with --pull")
    if args.paths:
        source = read_source(args.source)
        require_matches(source, args.paths, [p for p in _files(args.paths) if source.table_of(p.name)])
    url = warehouse_url()
    require_current(url)  # as `load`: never migrates, stops naming scripts/hub migrate when behind
    holder: dict[str, ImportResult] = {}

    def load(conn):
        holder["result"] = import_sources(
            conn, [(args.source, args.paths)], log=out, pull=args.pull, since=args.since, full=args.full
        )
        return holder["result"].load

    invoke(url, "load", [], chain=False, log=out, loader=load, on_loaded=lambda _r: print_import(holder["result"], out))
    # while the hub is paused the run is recorded as paused and nothing is imported (no result)
    return 2 if "result" in holder and holder["result"].failed else 0
