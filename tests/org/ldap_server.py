"""A private OpenLDAP server for the directory tests: its own slapd, configured in a temporary
folder, on a free port of 127.0.0.1, filled with a small agency's directory, stopped after
the module. Needs the distribution's slapd (scripts/ensure-system-libs installs it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASE = "dc=sukamaju,dc=go,dc=id"
ADMIN = f"cn=admin,{BASE}"
PASSWORD = "rahasia-uji"


@dataclass
class Server:
    url: str
    base: str
    admin: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(folder: Path) -> Path:
    schemas = "\n".join(
        f"include {SCHEMA / name}"
        for name in ("core.schema", "cosine.schema", "inetorgperson.schema")
    )
    (folder / "db").mkdir()
    config = folder / "slapd.conf"
    config.write_text(
        f"""{schemas}
pidfile {folder / "slapd.pid"}
modulepath {MODULES}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{ADMIN}"
rootpw {PASSWORD}
directory {folder / "db"}
"""
    )
    return config


def running() -> Iterator[Server]:
    """Start slapd, wait until it answers, yield it, stop it."""
    import ldap3

    folder = Path(tempfile.mkdtemp(prefix="laksana-slapd-"))
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [SLAPD, "-f", str(_config(folder)), "-h", f"{url}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "LANG": "C"},
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                ldap3.Connection(ldap3.Server(url), ADMIN, PASSWORD, auto_bind=True).unbind()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"slapd did not start: {err}") from None
                time.sleep(0.1)
        yield Server(url, BASE, ADMIN, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)


def fill(server: Server, entries: list[tuple[str, list[str], dict[str, object]]]) -> None:
    """Add entries (DN, object classes, attributes) as the directory's administrator."""
    import ldap3

    connection = ldap3.Connection(
        ldap3.Server(server.url), server.admin, server.password, auto_bind=True
    )
    try:
        for dn, classes, attributes in entries:
            if not connection.add(dn, classes, attributes):
                raise RuntimeError(f"{dn}: {connection.result}")
    finally:
        connection.unbind()


def clear(server: Server) -> None:
    """Remove every entry below the base (deepest first), keeping the base."""
    import ldap3

    connection = ldap3.Connection(
        ldap3.Server(server.url), server.admin, server.password, auto_bind=True
    )
    try:
        connection.search(server.base, "(objectClass=*)", attributes=[])
        dns = sorted(
            (e.entry_dn for e in connection.entries if e.entry_dn.lower() != server.base),
            key=lambda dn: -dn.count(","),
        )
        for dn in dns:
            connection.delete(dn)
    finally:
        connection.unbind()
