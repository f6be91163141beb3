"""Regenerate the data dictionary (docs/data-dictionary.md) from the database's comments.

Reads the catalog of the warehouse (DATABASE_URL, or the private cluster): every schema,
every table and view with its comment (which states the grain), every column with its type
and comment, the feeds' columns (etl.feed_column), the reason codes of rejected and pending
rows (etl.reason) and the data-quality checks (etl.dq_check). The output is deterministic:
the same database gives the same bytes, so a test can tell when the committed file is stale.

example:
  scripts/hub migrate && scripts/hub docs
  scripts/hub docs --check      (exit 1 when docs/data-dictionary.md is stale)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import psycopg

from hublib.db import ROOT

DEFAULT_OUT = ROOT / "docs" / "data-dictionary.md"
# In the order a reader meets them: what BI reads first, the pipeline's layers after.
SCHEMAS = ["reporting", "dw", "clean", "staging", "etl"]
# Staging copies the feeds' text as read: its columns are the feeds' columns (listed once,
# under "Feeds"), so its tables are listed without their columns.
COLUMNS_LISTED = {"reporting", "dw", "clean", "etl"}
KINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="where to write it (default docs/data-dictionary.md)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the file differs from the database"
    )


def run(args) -> int:
    from hublib.db import connect, warehouse_url
    from hublib.migrate import require_migrated

    with connect(warehouse_url(), autocommit=True) as conn:
        require_migrated(conn)
        text = data_dictionary(conn)
    out: Path = args.out
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"hub: {out} is stale; run scripts/hub docs and commit it", file=sys.stderr)
            return 1
        print(f"docs: {out} is current")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"docs: {out} written ({text.count(chr(10))} lines)")
    return 0


def _cell(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def data_dictionary(conn: psycopg.Connection) -> str:
    lines = [
        "# Data dictionary",
        "",
        "Written by `scripts/hub docs` from the database's own comments (`COMMENT ON`); do not",
        "edit it by hand: change the comment in a migration or a view's file, migrate, run",
        "`scripts/hub docs`, commit. A test fails when this file and a freshly migrated",
        "database disagree. The rules behind the numbers are in [oee.md](oee.md) and",
        "[finance.md](finance.md); how BI tools use the views in [tableau.md](tableau.md).",
        "",
        "## Schemas",
        "",
        "| schema | what it holds |",
        "| --- | --- |",
    ]
    schema_comments = dict(
        conn.execute(
            "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ANY(%s)",
            (SCHEMAS,),
        ).fetchall()
    )
    for schema in SCHEMAS:
        lines.append(f"| [`{schema}`](#{schema}) | {_cell(schema_comments.get(schema))} |")

    relations = conn.execute(
        """
        SELECT n.nspname, c.relname, c.relkind, c.oid, obj_description(c.oid, 'pg_class')
        FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
        ORDER BY n.nspname, c.relname
        """,
        (SCHEMAS,),
    ).fetchall()
    columns: dict[int, list[tuple]] = {}
    for oid, name, typ, notnull, comment in conn.execute(
        """
        SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
            col_description(a.attrelid, a.attnum)
        FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """,
        (SCHEMAS,),
    ):
        columns.setdefault(oid, []).append((name, typ, notnull, comment))

    for schema in SCHEMAS:
        lines += ["", f"## {schema}", "", _cell(schema_comments.get(schema)), ""]
        rels = [r for r in relations if r[0] == schema]
        lines += ["| name | kind | description and grain |", "| --- | --- | --- |"]
        for _s, name, kind, _oid, comment in rels:
            target = f"[`{schema}.{name}`](#{schema}{name})" if schema in COLUMNS_LISTED else f"`{schema}.{name}`"
            lines.append(f"| {target} | {KINDS[kind]} | {_cell(comment)} |")
        if schema not in COLUMNS_LISTED:
            lines += ["", "Columns: those of the feed, all `text`, plus `batch_id` and `file_line` (see Feeds)."]
            continue
        for _s, name, kind, oid, comment in rels:
            lines += ["", f"### {schema}.{name}", "", f"{KINDS[kind].capitalize()}. {_cell(comment)}", ""]
            lines += ["| column | type | description |", "| --- | --- | --- |"]
            for col, typ, notnull, col_comment in columns.get(oid, []):
                null = " not null" if notnull and kind in ("r", "p") else ""
                lines.append(f"| `{col}` | {typ}{null} | {_cell(col_comment)} |")

    lines += [
        "",
        "## Feeds",
        "",
        "The input files (the contract is [feeds.md](feeds.md)); columns in header order.",
        "",
    ]
    feeds = conn.execute(
        "SELECT feed_name, description, clean_table, key_columns FROM etl.feed ORDER BY load_order, feed_name"
    ).fetchall()
    feed_columns: dict[str, list[tuple]] = {}
    for feed, col, optional, value_type, desc in conn.execute(
        "SELECT feed_name, column_name, is_optional, value_type, description FROM etl.feed_column "
        "ORDER BY feed_name, ordinal"
    ):
        feed_columns.setdefault(feed, []).append((col, optional, value_type, desc))
    for feed, desc, clean_table, keys in feeds:
        lines += [
            "",
            f"### {feed}",
            "",
            f"{_cell(desc)} Loads into `clean.{clean_table}`; a record is identified by "
            + ", ".join(f"`{k}`" for k in keys)
            + ".",
            "",
            "| column | type | required | description |",
            "| --- | --- | --- | --- |",
        ]
        for col, optional, value_type, col_desc in feed_columns.get(feed, []):
            lines.append(f"| `{col}` | {value_type} | {'optional' if optional else 'yes'} | {_cell(col_desc)} |")

    lines += [
        "",
        "## Reason codes",
        "",
        "Why a record was rejected (`etl.rejected_row`) or waits (`etl.pending_record`).",
        "",
        "| reason_code | meaning |",
        "| --- | --- |",
    ]
    for code, desc in conn.execute("SELECT reason_code, description FROM etl.reason ORDER BY reason_code"):
        lines.append(f"| `{code}` | {_cell(desc)} |")

    lines += [
        "",
        "## Data-quality checks",
        "",
        "Run at the gate of every pipeline run (`etl.dq_check`); an `error` fails the run, a `warning` is reported.",
        "",
        "| check | severity | threshold | description |",
        "| --- | --- | --- | --- |",
    ]
    for name, severity, threshold, desc in conn.execute(
        "SELECT check_name, severity, threshold, description FROM etl.dq_check ORDER BY check_name"
    ):
        lines.append(f"| `{name}` | {severity} | {'' if threshold is None else threshold} | {_cell(desc)} |")
    return "\n".join(lines) + "\n"
