"""Migrations: `schema/NNNN_*.sql` once each, then every `procedures/<schema>/*.sql`.

- A schema file is applied once, in name order, in its own transaction, and recorded with
  its sha256 in etl.schema_migration. An applied file that was edited since stops the
  migration with an error (write a new migration instead).
- Procedure files (one CREATE OR REPLACE each, with the GRANTs that go with it) are
  recorded with their sha256 in etl.procedure_file. A migrate applies only those whose
  checksum changed (or that are new), all in one transaction, in a deterministic dependency
  order: by schema folder (etl, staging, clean, dw, reporting, then any other
  alphabetically), by name within a folder, except that a file declaring
  `-- requires: <folder>/<file>.sql` comes after what it requires. When a schema file was
  applied in the same migrate (it may have dropped a routine to change its signature),
  every procedure file is applied again. A migrate with nothing new therefore replaces
  nothing and takes no lock that a reader of the reporting views would wait for.
- From 0002 on, everything runs as the hub_owner role (created by 0001), which owns it all.
  Only the owner migrates (a superuser or a member of hub_owner); anyone else gets one line.
- A session advisory lock keeps two migrates apart; the second waits.
- `behind(url, root)` compares a database with the checkout without changing anything;
  `load` and `run` call it and stop (exit 2) naming `scripts/hub migrate` when it is behind.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from hublib.errors import HubError

MIGRATE_LOCK_KEY = 72_120_001
SCHEMA_FILE_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
REQUIRES_RE = re.compile(r"^--\s*requires:\s*(\S+)\s*$", re.MULTILINE)
FOLDER_ORDER = ["etl", "staging", "clean", "dw", "reporting"]

BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS etl;
CREATE TABLE IF NOT EXISTS etl.schema_migration (
    filename text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE etl.schema_migration IS
'Applied schema/ files with their sha256. Grain: one row per file.';
"""


@dataclass
class MigrateResult:
    applied: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    routines: int = 0


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema_files(root: Path) -> list[Path]:
    files = sorted((root / "schema").glob("*.sql"))
    for f in files:
        if not SCHEMA_FILE_RE.match(f.name):
            raise HubError(
                f"schema/{f.name} does not follow the NNNN_what.sql naming",
                "rename it (four digits, underscore, lower-case words)",
            )
    numbers = [f.name[:4] for f in files]
    dupes = sorted({n for n in numbers if numbers.count(n) > 1})
    if dupes:
        raise HubError(f"two schema/ files share the number {dupes[0]}", "renumber the newer one")
    return files


def procedure_files(root: Path) -> list[Path]:
    """Procedure files in deterministic dependency order (see module docstring)."""
    proc_root = root / "procedures"
    files = sorted(proc_root.rglob("*.sql"))

    def rank(p: Path) -> tuple:
        folder = p.relative_to(proc_root).parts[0]
        pos = FOLDER_ORDER.index(folder) if folder in FOLDER_ORDER else len(FOLDER_ORDER)
        return (pos, folder, p.name)

    files.sort(key=rank)
    by_name = {p.relative_to(proc_root).as_posix(): p for p in files}
    requires: dict[Path, list[Path]] = {}
    for p in files:
        needed = []
        for name in REQUIRES_RE.findall(p.read_text()):
            if name not in by_name:
                raise HubError(
                    f"procedures/{p.relative_to(proc_root)} requires {name}, which does not exist",
                    "fix the '-- requires:' line",
                )
            needed.append(by_name[name])
        requires[p] = needed

    ordered: list[Path] = []
    state: dict[Path, str] = {}

    def visit(p: Path, chain: list[Path]) -> None:
        if state.get(p) == "done":
            return
        if state.get(p) == "visiting":
            cycle = " -> ".join(str(q.relative_to(proc_root)) for q in [*chain, p])
            raise HubError(f"procedure files require each other in a cycle: {cycle}")
        state[p] = "visiting"
        for q in requires[p]:
            visit(q, [*chain, p])
        state[p] = "done"
        ordered.append(p)

    for p in files:
        visit(p, [])
    return ordered


def _acquire_lock(conn: psycopg.Connection, key: int, what: str, wait_s: float = 600) -> None:
    deadline = time.monotonic() + wait_s
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
        if time.monotonic() > deadline:
            raise HubError(f"another {what} is still running after {wait_s:.0f} s", "try again later")
        time.sleep(0.2)


# The owner: a superuser, a member of hub_owner, or (on a database not yet migrated, where
# hub_owner does not exist) a role that may create it (0001 then makes it a member).
OWNER_CHECK = """
SELECT r.rolname,
       r.rolsuper
       OR CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'hub_owner')
           THEN pg_catalog.pg_has_role(r.rolname, 'hub_owner', 'MEMBER')
           ELSE r.rolcreaterole END
FROM pg_catalog.pg_roles AS r
WHERE r.rolname = current_user
"""


def _require_owner(conn: psycopg.Connection) -> None:
    user, may = conn.execute(OWNER_CHECK).fetchone()
    if not may:
        raise HubError(
            f"only the owner migrates, and login {user} is neither a superuser nor a member of hub_owner",
            "ask the warehouse's owner to run scripts/hub migrate (see docs/security.md)",
        )


def _recorded(conn: psycopg.Connection, table: str) -> dict[str, str] | None:
    if conn.execute("SELECT to_regclass(%s)", (f"etl.{table}",)).fetchone()[0] is None:
        return None
    return dict(conn.execute(f"SELECT filename, checksum FROM etl.{table}").fetchall())


def _procedure_name(root: Path, p: Path) -> str:
    return p.relative_to(root / "procedures").as_posix()


def behind(conn: psycopg.Connection, root: Path) -> tuple[list[str], list[str]]:
    """(schema files not applied, procedure files new or changed) in this database."""
    applied = _recorded(conn, "schema_migration") or {}
    schema = [f.name for f in schema_files(root) if f.name not in applied]
    recorded = _recorded(conn, "procedure_file") or {}
    names = [(_procedure_name(root, p), p) for p in procedure_files(root)]
    procs = [name for name, p in names if recorded.get(name) != sha256_of(p)]
    return schema, procs


def require_current(conn: psycopg.Connection, root: Path) -> None:
    """Stops with one line when the database is behind the checkout (load and run)."""
    schema, procs = behind(conn, root)
    if schema or procs:
        parts = []
        if schema:
            parts.append(f"{len(schema)} schema file(s) from {schema[0]}")
        if procs:
            parts.append(f"{len(procs)} procedure file(s)")
        raise HubError(
            f"the database is behind this checkout ({' and '.join(parts)} not applied)",
            "run scripts/hub migrate as the warehouse's owner first",
        )


def require_migrated(conn: psycopg.Connection) -> None:
    """Stops with one line when the database holds no warehouse (never migrated: the
    default `hub` after the demo, which made `hub_demo`). For the commands that do not
    need the very latest procedures (pause, resume, notify, dashboard, docs, export); it
    reads only the catalog, so a reporting login passes it too."""
    found = conn.execute(
        "SELECT count(*) FROM pg_catalog.pg_class AS c "
        "INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'etl' AND c.relname = 'schema_migration'"
    ).fetchone()[0]
    if not found:
        raise HubError(
            f"the database {conn.info.dbname} is not migrated (it holds no warehouse)",
            "run scripts/hub migrate, or give --db hub_demo for the demo's database",
        )


def migrate(url: str, root: Path, log=print) -> MigrateResult:
    result = MigrateResult()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET client_min_messages = warning")
        _require_owner(conn)
        _acquire_lock(conn, MIGRATE_LOCK_KEY, "migrate")
        try:
            if _recorded(conn, "schema_migration") is None:
                conn.execute(BOOTSTRAP)
            applied = _recorded(conn, "schema_migration")
            files = schema_files(root)
            names = {f.name for f in files}
            missing = sorted(set(applied) - names)
            if missing:
                raise HubError(
                    f"schema/{missing[0]} was applied to this database but is no longer in schema/",
                    "restore the file; applied migrations are never removed",
                )
            for f in files:
                checksum = sha256_of(f)
                if f.name in applied:
                    if applied[f.name] != checksum:
                        raise HubError(
                            f"schema/{f.name} was edited after it was applied "
                            f"(recorded sha256 {applied[f.name][:12]}, file now {checksum[:12]})",
                            "put the change in a new schema/ file and restore this one",
                        )
                    result.up_to_date.append(f.name)
                    continue
                with conn.transaction():
                    if not f.name.startswith("0001_"):
                        conn.execute("SET LOCAL ROLE hub_owner")
                    try:
                        conn.execute(f.read_text())
                    except psycopg.Error as exc:
                        raise HubError(
                            f"schema/{f.name} failed: {_first_line(exc)}",
                            "fix the file; nothing of it was applied",
                        ) from exc
                    conn.execute(
                        "INSERT INTO etl.schema_migration (filename, checksum) VALUES (%s, %s)",
                        (f.name, checksum),
                    )
                result.applied.append(f.name)
                log(f"applied schema/{f.name}")
            procs = procedure_files(root)
            recorded = {} if result.applied else (_recorded(conn, "procedure_file") or {})
            changed = [p for p in procs if recorded.get(_procedure_name(root, p)) != sha256_of(p)]
            if changed:
                with conn.transaction():
                    conn.execute("SET LOCAL ROLE hub_owner")
                    for p in changed:
                        try:
                            conn.execute(p.read_text())
                        except psycopg.Error as exc:
                            rel = p.relative_to(root)
                            raise HubError(
                                f"{rel} failed: {_first_line(exc)}",
                                "fix the file; no procedure file of this migrate was applied",
                            ) from exc
                        conn.execute(
                            "INSERT INTO etl.procedure_file AS f (filename, checksum) VALUES (%s, %s) "
                            "ON CONFLICT (filename) DO UPDATE SET checksum = excluded.checksum, "
                            "applied_at = clock_timestamp()",
                            (_procedure_name(root, p), sha256_of(p)),
                        )
            result.routines = len(changed)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK_KEY,))
    return result


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
