"""A remote cache and a remote executor for Bazel on 127.0.0.1, each stopped when its test ends.

* **Remote cache**: Debian's nginx (built ``--with-http_dav_module``) serves Bazel's HTTP cache
  protocol (``/ac/<sha>``, ``/cas/<sha>``) with the config below. ``user root;`` matters: as
  www-data the worker cannot write its temp and cache directories and every PUT is a 500.
* **Remote execution**: BuildGrid (PyPI ``buildgrid``, pinned below, in its own venv in the test
  cache) is the REAPI server. Its scheduler needs PostgreSQL (0.4.4 refuses SQLite), run from
  Debian's ``postgresql`` as the ``postgres`` user in a temporary data directory. The connection
  string must name psycopg2 (``postgresql+psycopg2://``): with SQLAlchemy 2.1's default driver
  (psycopg 3) BuildGrid's job notifier fails (``'Connection' object has no attribute 'poll'``)
  and each job waited about 600 s before a worker got it. The worker is Debian sid's buildbox
  1.4.30 in a container of the sid root: ``buildbox-casd`` (local CAS, proxying BuildGrid's),
  ``buildbox-worker`` (the Remote Workers API client) and ``buildbox-run-hosttools`` (runs the
  command in the staged input root, in the container). A worker that loses the server ends, so
  the worker is started after the server and both end together.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.emulation import _key, _read_marker, _write_marker
from tests.support.locks import locked
from tests.support.sid_lab import Container

__all__ = [
    "BUILDGRID",
    "buildbox_worker",
    "buildgrid",
    "buildgrid_venv",
    "free_port",
    "nginx_cache",
]

#: BuildGrid's release for Python 3.11 (later ones need a newer Python), with its PostgreSQL
#: drivers.
BUILDGRID = "buildgrid[database]==0.4.4"
_CASD_DIR = "/var/cache/buildbox-casd"
_PG_BIN = Path("/usr/lib/postgresql/15/bin")
_INSTALL = "run .ci/install-system-deps.sh as root (nginx, postgresql)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, what: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)  # polling a port; the server says nothing else when it is ready
    pytest.fail(f"{what} did not listen on 127.0.0.1:{port}:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


_NGINX_CONF = """user root;  worker_processes 1;  pid {d}/nginx.pid;  error_log {d}/error.log;
daemon off;
events {{ worker_connections 64; }}
http {{ client_body_temp_path {d}/body;  access_log off;
  server {{ listen 127.0.0.1:{port};
    location / {{ root {d}/cache; dav_methods PUT; create_full_put_path on;
                 client_max_body_size 1G; }} }} }}
"""


@contextmanager
def nginx_cache(directory: Path) -> Iterator[str]:
    """An empty WebDAV cache in ``directory``; yields its URL for ``--remote_cache``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).is_file():
        pytest.fail(f"nginx is not installed: {_INSTALL}")
    for sub in ("cache", "body"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(_NGINX_CONF.format(d=directory, port=port), encoding="utf-8")
    log = directory / "error.log"
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory)])
    try:
        _wait_for_port(port, "nginx", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def buildgrid_venv(cache_dir: Path) -> Path:
    """The ``bgd`` of a venv with :data:`BUILDGRID`, made once (about a minute)."""
    venv = cache_dir / "buildgrid-venv"
    key = _key({"requirement": BUILDGRID, "python": list(sys.version_info[:2])})
    with locked(cache_dir / ".buildgrid-venv.lock"):
        if _read_marker(venv) != key:
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", BUILDGRID], check=True,
                           timeout=1800)  # fmt: skip
            _write_marker(venv, key)
    return venv / "bin" / "bgd"


_BGD_CONF = """server:
  - !channel
    address: "127.0.0.1:{port}"
    insecure-mode: true
authorization:
  method: none
connections:
  - !sql-connection &sql
    connection-string: postgresql+psycopg2://bgd@127.0.0.1:{pg_port}/bgd
storages:
  - !lru-storage &cas
    size: 4096MB
caches:
  - !lru-action-cache &ac
    storage: *cas
    max-cached-refs: 10000
    allow-updates: true
    cache-failed-actions: false
schedulers:
  - !sql-scheduler &scheduler
    sql: *sql
    storage: *cas
    action-cache: *ac
    bot-session-keepalive-timeout: 60
    property-set: !dynamic-property-set
      match-property-keys: [OSFamily, ISA]
instances:
  - name: ''
    services:
      - !action-cache
        cache: *ac
      - !execution
        scheduler: *scheduler
      - !cas
        storage: *cas
      - !bytestream
        storage: *cas
"""


def _pg(tool: str) -> str:
    path = _PG_BIN / tool
    if not path.is_file():
        pytest.fail(f"PostgreSQL 15 is not installed ({path}): {_INSTALL}")
    return str(path)


def _as_postgres(*argv: str) -> None:
    done = subprocess.run(["runuser", "-u", "postgres", "--", *argv], capture_output=True,
                          text=True, check=False, timeout=300)  # fmt: skip
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(argv)} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}"
        )


@contextmanager
def _postgres() -> Iterator[int]:
    """A throwaway PostgreSQL as the ``postgres`` user (it refuses root), trust auth, one
    database ``bgd``; yields its port. Its data lie in /tmp: the ``postgres`` user cannot
    reach a directory under root's home."""
    directory = Path(tempfile.mkdtemp(prefix="crossgo-postgres-"))
    shutil.chown(directory, "postgres")
    data, log, port = directory / "data", directory / "postgres.log", free_port()
    _as_postgres(_pg("initdb"), "-D", str(data), "--auth=trust", "-U", "bgd")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={directory}"
    _as_postgres(_pg("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
    try:
        _as_postgres(_pg("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "bgd", "bgd")
        yield port
    finally:
        stop = [
            "runuser",
            "-u",
            "postgres",
            "--",
            _pg("pg_ctl"),
            "-D",
            str(data),
            "-m",
            "immediate",
        ]
        subprocess.run([*stop, "stop"], capture_output=True, check=False, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def buildgrid(bgd: Path, directory: Path) -> Iterator[int]:
    """BuildGrid with an in-memory CAS and action cache; yields its gRPC port."""
    directory.mkdir(parents=True, exist_ok=True)
    with _postgres() as pg_port:
        database = f"postgresql+psycopg2://bgd@127.0.0.1:{pg_port}/bgd"
        subprocess.run([str(bgd), "migrate", "apply", database], check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        port = free_port()
        conf = directory / "bgd.yml"
        conf.write_text(_BGD_CONF.format(port=port, pg_port=pg_port), encoding="utf-8")
        log = directory / "bgd.log"
        with log.open("wb") as out:
            process = subprocess.Popen([str(bgd), "server", "start", str(conf)], stdout=out,
                                       stderr=subprocess.STDOUT, env={**os.environ})  # fmt: skip
        try:
            _wait_for_port(port, "BuildGrid", log)
            yield port
        finally:
            _stop(process)


def buildbox_worker(box: Container, port: int, directory: Path) -> None:
    """buildbox-casd and buildbox-worker (runner: buildbox-run-hosttools) in ``box``, serving
    BuildGrid on ``port``; they end with the container. ``directory`` is mounted in ``box``."""
    socket_path = "/run/casd.sock"
    box.daemon(f"mkdir -p {_CASD_DIR} && exec buildbox-casd --cas-remote=http://127.0.0.1:{port} "
               f"--bind=unix:{socket_path} {_CASD_DIR}", directory / "casd.log")  # fmt: skip
    deadline = time.monotonic() + 60
    while box.exec(["test", "-S", socket_path]).returncode != 0:
        if time.monotonic() > deadline:
            pytest.fail(f"buildbox-casd did not start:\n{(directory / 'casd.log').read_text()}")
        time.sleep(0.2)  # polling for the socket casd creates when it is ready
    box.daemon(f"exec buildbox-worker --bots-remote=http://127.0.0.1:{port} "
               f"--cas-remote=unix:{socket_path} --buildbox-run=/usr/bin/buildbox-run-hosttools "
               "--platform OSFamily=linux --platform ISA=x86-64 --max-wait-time=5 "
               "crossgo-lab-worker", directory / "worker.log")  # fmt: skip
