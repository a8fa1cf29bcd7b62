"""A throwaway PostgreSQL server for the team tests: initdb + pg_ctl in a temp folder, as the
`postgres` user when we run as root (PostgreSQL refuses root), listening only on a Unix
socket in that folder."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def find_binaries() -> Path | None:
    """The folder of initdb/pg_ctl: $PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(str(Path(which).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


@dataclass
class Server:
    bin: Path
    folder: Path
    user: str | None  # run the binaries as this user (root cannot run PostgreSQL)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def start(self) -> None:
        options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.folder}"

    def admin_sql(self, statement: str, database: str = "postgres") -> str:
        result = self._run("psql", "-h", str(self.folder), "-U", "postgres", "-d", database,
                           "-At", "-v", "ON_ERROR_STOP=1", "-c", statement)  # fmt: skip
        return result.stdout.strip()

    def new_database(self) -> str:
        name = f"t{uuid.uuid4().hex[:10]}"
        self.admin_sql(f"CREATE DATABASE {name}")
        return name


def start_server() -> Server:
    binaries = find_binaries()
    if binaries is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl)")
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="annotator-pg-", dir="/tmp"))
    folder.chmod(0o755)
    if user:
        shutil.chown(folder, user=user)
    server = Server(binaries, folder, user)
    server._run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
    server.start()
    return server
