"""Pulls for `scripts/hub import SOURCE --pull`: the rows of a [[pull]] table of
sources/<name>/source.toml, from another PostgreSQL database or from an HTTP API, written
as one CSV file (header, then one record a row) that then lands and maps exactly like an
export file. Connection URLs and tokens come from the environment, never from the repo.

- postgres: the query runs in one REPEATABLE READ snapshot on the source database, rows
  after the watermark only (`WHERE watermark > last`), streamed with
  `COPY (SELECT ...) TO STDOUT (FORMAT csv, HEADER)`; the largest watermark of the same
  snapshot becomes the next one.
- http: pages `?page=1,2,...` (and `since=<last watermark>` when configured) until an
  empty page; JSON (a list of objects, or a list under a key) or CSV pages; a bearer
  token from the environment; retries with exponential back-off on 5xx answers, timeouts
  and refused connections; a 4xx answer stops the pull with a clear error. A page that
  is not valid JSON becomes one malformed record (rejected with its raw text: counted,
  nothing lost) and the pull goes on with the next page.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.errors import HubError
from hublib.loader import Feed, LineTally, inspect, iter_records


@dataclass
class Pulled:
    rows: int
    watermark: str | None
    # line of the written file -> the page of the API that record stands for, and why it
    # could not be read (the detail of its rejection)
    notes: dict[int, dict] = field(default_factory=dict)


def pull(p, last: str | None, path: Path, source: str, log=print) -> Pulled:
    if p.kind == "postgres":
        return pull_postgres(p, last, path, source)
    return pull_http(p, last, path, source, log)


def _env(name: str, source: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise HubError(
            f"source {source}: the environment variable {name} ({what}) is not set",
            f"export {name}=... (or an Airflow connection given as AIRFLOW_CONN_...); never put it in the repo",
        )
    return value


# -- PostgreSQL ---------------------------------------------------------------------------
def pull_postgres(p, last: str | None, path: Path, source: str) -> Pulled:
    url = _env(p.url_env, source, "the source database's connection URL")
    query = sql.SQL(p.query.strip().rstrip(";"))
    if p.watermark and last is not None:
        query = sql.SQL("SELECT * FROM ({}) AS q WHERE q.{} > {}").format(
            query, sql.Identifier(p.watermark), sql.Literal(last)
        )
    ordered = query
    if p.watermark:
        # a stable order, so that the same rows give the same file (and the same batch)
        ordered = sql.SQL("SELECT * FROM ({}) AS o ORDER BY o.{}, o::text").format(query, sql.Identifier(p.watermark))
    try:
        conn = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HubError(
            f"source {source}: cannot connect to the database in ${p.url_env}: {first}",
            "check the URL in that variable and that the server runs",
        ) from exc
    with conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.execute("SET LOCAL timezone = 'UTC'")
        try:
            rows, mark = conn.execute(
                sql.SQL("SELECT count(*), max(w.{})::text FROM ({}) AS w").format(
                    sql.Identifier(p.watermark or "?column?"), query
                )
                if p.watermark
                else sql.SQL("SELECT count(*), NULL::text FROM ({}) AS w").format(query)
            ).fetchone()
            copy_sql = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER true)").format(ordered)
            with open(path, "wb") as fh, conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for block in copy:
                    fh.write(block)
        except psycopg.Error as exc:
            raise HubError(
                f"source {source}: the pull query of table {p.table} failed: {exc.diag.message_primary or exc}",
                "fix the query in source.toml",
            ) from exc
    return Pulled(rows, mark)


# -- HTTP ---------------------------------------------------------------------------------
def _get(p, url: str, token: str | None, source: str) -> tuple[bytes, str]:
    headers = {"Accept": "application/json" if p.format == "json" else "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    shown = url.split("?")[0]
    for attempt in range(p.retries + 1):
        problem = None
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=p.timeout_s) as resp:
                return resp.read(), resp.headers.get_content_charset() or "utf-8"
        except urllib.error.HTTPError as exc:
            exc.close()  # the error holds the answer's connection
            if exc.code < 500:
                hint = (
                    f"check the token in ${p.token_env}" if exc.code in (401, 403) and p.token_env else "check the URL"
                )
                if exc.code in (401, 403) and not p.token_env:
                    hint = "the API wants a token: set token_env in source.toml and the token in that variable"
                raise HubError(f"source {source}: {shown} answered HTTP {exc.code} {exc.reason}", hint) from exc
            problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            problem = str(getattr(exc, "reason", exc))
        if attempt < p.retries:
            time.sleep(p.backoff_s * 2**attempt)
    raise HubError(
        f"source {source}: {shown} still failed after {p.retries + 1} attempts ({problem})",
        "try again later; the watermark did not move, so nothing is missed",
    )


def _records(p, body: bytes, charset: str) -> list[dict]:
    """A page's records; raises ValueError for a page that cannot be read."""
    text = body.decode(charset)
    if p.format == "csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    data = json.loads(text)
    if p.records:
        if not isinstance(data, dict) or not isinstance(data.get(p.records), list):
            raise ValueError(f"no list under {p.records!r}")
        data = data[p.records]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("not a list of objects")
    return data


def _mark_key(value):
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def pull_http(p, last: str | None, path: Path, source: str, log=print) -> Pulled:
    base = p.url or _env(p.url_env, source, "the API's URL")
    token = _env(p.token_env, source, "the API's bearer token") if p.token_env else None
    records: list[dict] = []
    bad: list[tuple[int, int, str, str]] = []  # (position among records, page, why, raw text)
    page = p.first_page
    for _ in range(p.max_pages):
        params = {p.page_param: page}
        if p.since_param and last is not None:
            params[p.since_param] = last
        sep = "&" if "?" in base else "?"
        body, charset = _get(p, f"{base}{sep}{urllib.parse.urlencode(params)}", token, source)
        try:
            got = _records(p, body, charset)
        except (ValueError, UnicodeDecodeError) as exc:
            bad.append((len(records), page, str(exc), body.decode("utf-8", "replace")))
            log(f"  page {page} of {source}.{p.table} cannot be read ({exc}): kept as a rejected record")
            page += 1
            continue
        if not got:
            break
        records.extend(got)
        page += 1
    else:
        raise HubError(f"source {source}: more than {p.max_pages} pages", "raise max_pages in source.toml")

    if last is not None and p.watermark and not p.since_param:
        # the API cannot filter: keep what is after the watermark here
        records = [r for r in records if _mark_key(r.get(p.watermark)) > _mark_key(last)]
    header: list[str] = []
    for r in records:
        for k in r:
            if k not in header:
                header.append(k)
    if not header:
        header = [p.watermark or "value", "page"] if bad else []
    if len(header) == 1:
        header.append("_page")  # so that a page's one field can never pass for a record
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        if header:
            w.writerow(header)
        pending = sorted(bad)
        for i, r in enumerate([*records, None]):
            while pending and pending[0][0] == i:
                _pos, page_no, _why, raw = pending.pop(0)
                # on one physical line (line breaks written as \r and \n): the record reader takes a
                # malformed record's first line only
                flat = raw.replace("\r", "\\r").replace("\n", "\\n")
                w.writerow([f"page {page_no}: {flat}"])
            if r is None:
                break
            w.writerow(["" if r.get(k) is None else _text(r.get(k)) for k in header])
    # where each unreadable page landed (the physical line its record starts on)
    why = {page_no: reason for _pos, page_no, reason, _raw in bad}
    notes: dict[int, dict] = {}
    if bad:
        written = inspect(Feed(f"src_{p.table}", 0, [], set()), path)
        written.header = header
        for rec in iter_records(written, LineTally()):
            if len(rec.fields) == 1 and rec.fields[0].startswith("page "):
                page_no = int(rec.fields[0].split(":", 1)[0].split()[1])
                # etl.record_problem_message words it: "page N of the API could not be read (why)"
                notes[rec.line] = {"page": page_no, "page_error": str(why.get(page_no))}
    mark = None
    if p.watermark and records:
        mark = str(max((r.get(p.watermark) for r in records), key=_mark_key))
    return Pulled(len(records), mark, notes)


def _text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
