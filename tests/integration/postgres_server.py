"""A private PostgreSQL 15 cluster for tests: initdb into a temporary folder, run by an
unprivileged user (PostgreSQL refuses root), listening on 127.0.0.1 and a socket in that folder,
with a role that logs in with a password (scram-sha-256), so a catalog's password path is real.

    with PostgresServer() as pg:          # or the `postgres_server` fixture
        pg.dsn                            # "host=127.0.0.1 port=N dbname=homer user=homer"
        pg.password
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("HOMER_PG_BIN", "/usr/lib/postgresql/15/bin"))
RUN_AS = os.environ.get("HOMER_PG_USER", "nobody")


class PostgresServer:
    def __init__(self, dbname="homer", user="homer", password="pg-Secret-4242"):
        self.dbname, self.user, self.password = dbname, user, password
        self.port = None
        self.dir = None

    @property
    def dsn(self):
        """A libpq keyword/value connection string, without the password."""
        return f"host=127.0.0.1 port={self.port} dbname={self.dbname} user={self.user}"

    def _run(self, *args, **kw):
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", RUN_AS, "--"]
        done = subprocess.run(prefix + [str(a) for a in args], capture_output=True, text=True, **kw)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(str(args[0])).name} failed ({done.returncode}): {done.stderr}{done.stdout}")
        return done

    def start(self):
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb): run scripts/bootstrap.sh")
        from conftest import free_port_pair  # below the ephemeral range, never handed out twice
        self.port = free_port_pair()
        self.dir = Path(tempfile.mkdtemp(prefix="homer-pg-"))
        if os.geteuid() == 0:
            ent = pwd.getpwnam(RUN_AS)
            os.chown(self.dir, ent.pw_uid, ent.pw_gid)
        os.chmod(self.dir, 0o700)
        data, pwfile = self.dir / "data", self.dir / "superuser.pw"
        self._write_owned(pwfile, "postgres-superuser\n")
        self._run(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth", "scram-sha-256",
                  "-E", "UTF8", "--locale", "C")
        conf = (f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        with open(data / "postgresql.conf", "a") as f:
            f.write(conf)
        self._run(PG_BIN / "pg_ctl", "-D", data, "-l", self.dir / "postgres.log", "-w", "-t", "30", "start")
        # Two -c: CREATE DATABASE cannot run inside the one transaction a multi-statement -c is.
        self._run(PG_BIN / "psql", "-h", self.dir, "-p", self.port, "-U", "postgres", "-d", "postgres",
                  "-v", "ON_ERROR_STOP=1", "-c", f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'",
                  "-c", f"CREATE DATABASE {self.dbname} OWNER {self.user}",
                  env={**os.environ, "PGPASSWORD": "postgres-superuser"})
        return self

    def _write_owned(self, path, text):
        path.write_text(text)
        if os.geteuid() == 0:
            ent = pwd.getpwnam(RUN_AS)
            os.chown(path, ent.pw_uid, ent.pw_gid)

    def psql(self, sql):
        """Run `sql` as the test role (password auth); psql's output."""
        return self._run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", self.user, "-d", self.dbname,
                         "-At", "-v", "ON_ERROR_STOP=1", "-c", sql,
                         env={**os.environ, "PGPASSWORD": self.password}).stdout

    def log(self):
        return (self.dir / "postgres.log").read_text(errors="replace") if self.dir else ""

    def stop(self):
        if self.dir is None:
            return
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "-t", "30", "stop")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
