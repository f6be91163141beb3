"""A private PostgreSQL cluster: initdb on first use, start on demand, stop on request.

Used for `.pgdata/` (when DATABASE_URL is unset) and for the disposable cluster of the
test suite. As root, PostgreSQL refuses to run, so the server runs as the `postgres`
OS user (through runuser) and its data directory must be reachable by that user; when
the requested place is not (say, under root's 0700 home), the cluster goes to
/var/tmp/hub-pgdata-<hash> instead and `db url` says where.

The server listens on 127.0.0.1 only (no unix socket), with scram-sha-256 passwords;
the generated superuser password lives beside the data directory, readable by the
invoking user only. Time zone UTC, encoding UTF8, C collation.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from hublib.errors import HubError

SERVER_USER_AS_ROOT = "postgres"
DATABASE = "hub"
SUPERUSER = "postgres"

BASE_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "max_connections": "50",
    "shared_buffers": "'256MB'",
    "maintenance_work_mem": "'256MB'",
    "max_wal_size": "'4GB'",
    "logging_collector": "off",
}
# A disposable cluster trades durability for speed; never used for .pgdata.
DISPOSABLE_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def find_pg_bin() -> Path:
    """Directory holding initdb and pg_ctl (PG_BIN, then Debian's layout, then PATH)."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    for tool in ("pg_ctl", "initdb"):
        found = shutil.which(tool)
        if found:
            candidates.append(Path(found).resolve().parent)
    for cand in candidates:
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    raise HubError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found",
        "install PostgreSQL 15+ (Debian: apt-get install postgresql; macOS: brew install "
        "postgresql@15) or set PG_BIN, or point DATABASE_URL at an existing server",
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """Could PostgreSQL listen here? (It sets SO_REUSEADDR too, so TIME_WAIT is no obstacle.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Cluster:
    """A cluster living in `base` (data/, password, port); see the module docstring."""

    base: Path
    disposable: bool = False

    def __post_init__(self) -> None:
        self.base = Path(self.base).absolute()
        self.as_root = os.geteuid() == 0
        self.server_user = SERVER_USER_AS_ROOT if self.as_root else pwd.getpwuid(os.getuid()).pw_name
        if self.as_root:
            self.base = self._reachable_base(self.base)
        self.data = self.base / "data"
        self.bin = find_pg_bin()

    # -- locating --------------------------------------------------------------------------
    def _reachable_base(self, wanted: Path) -> Path:
        try:
            pwd.getpwnam(SERVER_USER_AS_ROOT)
        except KeyError as exc:
            raise HubError(
                "running as root, but there is no 'postgres' OS user to run the server",
                "install PostgreSQL from your distribution's packages (it creates the user) or run as a normal user",
            ) from exc
        wanted.parent.mkdir(parents=True, exist_ok=True)
        if self._user_can_reach_dir(wanted.parent):
            return wanted
        digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"hub-pgdata-{digest}"

    def _user_can_reach_dir(self, directory: Path) -> bool:
        result = subprocess.run(
            ["runuser", "-u", SERVER_USER_AS_ROOT, "--", "test", "-x", str(directory)],
            capture_output=True,
        )
        return result.returncode == 0

    # -- running tools as the server user ----------------------------------------------------
    def _run(self, args: list[str], *, check: bool = True):
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", self.server_user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd="/", env=self._env(), stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            log = self._log_tail()
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
            raise HubError(
                f"{args[0]} failed for the private cluster at {self.data}: {detail[0]}",
                f"see {self.data / 'server.log'}" + (f" ({log})" if log else ""),
            )
        return result

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["LC_ALL"] = "C"
        env.pop("PGDATA", None)
        if self.as_root:
            env["HOME"] = "/tmp"
        return env

    def _log_tail(self) -> str:
        try:
            lines = (self.data / "server.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    # -- state -----------------------------------------------------------------------------
    @property
    def password_file(self) -> Path:
        return self.base / "password"

    @property
    def port_file(self) -> Path:
        return self.base / "port"

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").exists() and self.password_file.exists()

    def running_port(self) -> int | None:
        """Port of the running server, or None when it is not running."""
        pidfile = self.data / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except OSError:
            return None
        if len(lines) < 4:
            return None
        try:
            os.kill(int(lines[0]), 0)
        except (ProcessLookupError, ValueError):
            return None
        except PermissionError:
            pass
        status = self._run(["pg_ctl", "status", "-D", str(self.data)], check=False)
        if status.returncode != 0:
            return None
        return int(lines[3])

    def url(self, dbname: str = DATABASE) -> str:
        password = quote(self.password_file.read_text().strip(), safe="")
        port = self.running_port() or int(self.port_file.read_text())
        # the name percent-encoded: any database name (--db 'x"; drop') stays one valid URL
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{quote(dbname, safe='')}"

    @contextlib.contextmanager
    def _lock(self):
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.base / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    # -- lifecycle -------------------------------------------------------------------------
    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            os.chmod(self.base, 0o755)
        if self.data.exists():
            shutil.rmtree(self.data)
        self.data.mkdir(mode=0o700)
        if self.as_root:
            shutil.chown(self.data, self.server_user, self.server_user)
        password = secrets.token_hex(16)
        pwfile = self.base / ".initdb-password"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        if self.as_root:
            shutil.chown(pwfile, self.server_user, self.server_user)
        try:
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-instructions",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        settings = dict(BASE_SETTINGS)
        if self.disposable:
            settings.update(DISPOSABLE_SETTINGS)
        conf = "".join(f"{k} = {v}\n" for k, v in settings.items())
        auto = self.data / "postgresql.auto.conf"
        with open(auto, "a") as fh:
            fh.write("# written by scripts/hub\n" + conf)
        self.password_file.write_text(password + "\n")
        os.chmod(self.password_file, 0o600)

    def up(self) -> str:
        """Start the cluster (initdb first when needed); returns the warehouse URL."""
        with self._lock():
            if not self.initialized():
                self.init()
            port = self.running_port()
            if port is None:
                port = self._start()
            self._ensure_database(port)
            return self.url()

    def _start(self) -> int:
        try:
            port = int(self.port_file.read_text())
        except (OSError, ValueError):
            port = 0
        if not port or not _port_is_free(port):
            port = _free_port()
        self.port_file.write_text(f"{port}\n")
        stale = self.data / "postmaster.pid"
        if stale.exists():
            stale.unlink()
        self._run(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.data),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.data / "server.log"),
                "-o",
                f"-p {port}",
            ]
        )
        return port

    def _ensure_database(self, port: int) -> None:
        import psycopg

        admin = self.url("postgres")
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{DATABASE}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def down(self) -> bool:
        with self._lock():
            if self.running_port() is None:
                return False
            self._run(["pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "60"])
            return True

    def destroy(self) -> None:
        """Stop and remove the cluster entirely (tests, `demo`)."""
        self.down()
        shutil.rmtree(self.base, ignore_errors=True)
