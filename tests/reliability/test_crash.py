"""Crash safety: a real server is killed with SIGKILL in the middle of its work; after a
restart on the same database nothing it acknowledged is lost, nothing is half-written or
duplicated, the journal verifies and the server serves again.

The server is gunicorn with 2 workers (``laksana runserver --noreload`` where gunicorn is not
installed), in production settings, on its own database: a fresh SQLite data folder, or on
the PostgreSQL run a scratch database ``laksana_s2_crash``. Client threads open cases and
complete steps (with uploaded files) through the HTTP API and record every action the server
acknowledged (a 2xx answer received). Then the whole process group - master and workers - is
killed at once, without any chance to clean up.

The assertions are on the acknowledged set only, so the test does not depend on timing: an
action in flight at the kill may or may not have happened, but it must be whole either way
(checked for every case, not just the acknowledged ones).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .support import (
    installation_env,
    laksana,
    laksana_json,
    on_postgres,
    production_env,
    scratch_database,
)

pytestmark = pytest.mark.crash

SOP_002 = "sop-002-penanganan-masalah-aplikasi"
CLIENTS = 4
# Kill once this many actions were acknowledged (or after KILL_AFTER seconds of load).
KILL_AT_ACKS = 30
KILL_AFTER = 25.0
GUNICORN = Path(sys.executable).with_name("gunicorn")

SETUP = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from laksana.accounts.services import issue_token
from laksana.demo.orgs import build_bali
bali = build_bali()  # adopts SOP 002
tokens = [issue_token(bali[login], "crash test")[1] for login in ("dinkes_staf", "dinkes", "bkd")]
print(json.dumps(tokens))
"""

STATE = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from laksana.cases.models import Attachment, Case
out = {}
for case in Case.objects.order_by("pk"):
    out[case.reference] = {
        "state_active": sorted(case.state["active"]),
        "journal_seq": case.journal_seq,
        "steps": [
            [s.pk, s.step_key, s.visit, s.status]
            for s in case.steps.order_by("pk")
        ],
        "journal": [
            [e.seq, e.kind, (e.data.get("event") or {}).get("step")]
            for e in case.journal.order_by("seq")
        ],
        "files": [],
    }
for a in Attachment.objects.select_related("case").order_by("pk"):
    path = Path(settings.MEDIA_ROOT) / a.file.name
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    out[a.case.reference]["files"].append([a.pk, a.sha256, digest])
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Server:
    """A Laksana server process in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        if GUNICORN.exists():
            cmd = [
                str(GUNICORN),
                "laksana.config.wsgi:application",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=60",
                "--preload",  # one import of the application, shared by the workers
            ]
        else:
            cmd = [str(Path(sys.executable).with_name("laksana")), "runserver", "--noreload"]
            cmd.append(f"127.0.0.1:{self.port}")
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, token: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the server exited: {self.proc.returncode}"
            try:
                status, _body = request(self.base, "GET", "/api/me", token, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no cleanup of any kind."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        # The workers are gone too (the whole group received the signal).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("server processes survived SIGKILL")
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        if not self.log.closed:
            self.log.close()


def request(
    base: str,
    method: str,
    path: str,
    token: str,
    *,
    json_body: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    timeout: float = 30,
) -> tuple[int, Any]:
    """One HTTP request; (status, parsed JSON body or None). Network errors are raised."""
    headers = {"Authorization": f"Bearer {token}"}
    data: bytes | None = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None or files:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in (form or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, (filename, body, ctype) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + body
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body or b"null")
        except ValueError:
            return exc.code, body.decode(errors="replace")


S1_VALUES = {"keterangan_proses": {"uraian": "Aplikasi gagal menyimpan data"}}
S2_VALUES: dict[str, Any] = {}


@dataclass
class Acks:
    """What the server acknowledged (2xx received), per client."""

    cases: list[str] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)  # reference -> token that opened it
    completions: list[tuple[str, int, str]] = field(default_factory=list)  # ref, step id, key
    refused: list[tuple[str, int, Any]] = field(default_factory=list)  # non-2xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        return len(self.cases) + len(self.completions)


def _client(base: str, token: str, number: int, acks: Acks, stop: threading.Event) -> None:
    """Open a case, complete step 1 (a photo and a PDF), complete step 2 (a PDF); again."""
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, body = request(
                base,
                "POST",
                "/api/cases",
                token,
                json_body={"procedure": SOP_002, "title": f"Uji crash {number}-{n}"},
            )
            if status != 201:
                with acks.lock:
                    acks.refused.append(("open", status, body))
                continue
            ref = body["reference"]
            with acks.lock:
                acks.cases.append(ref)
                acks.owner[ref] = token
            step_id = body["active_step_ids"][0]
            for key, values, files in (
                (
                    "s1",
                    S1_VALUES,
                    {
                        "foto_masalah": ("layar.png", PNG, "image/png"),
                        "dokumen_analisis": ("analisis.pdf", PDF, "application/pdf"),
                        "surat_permohonan": ("surat.pdf", PDF, "application/pdf"),
                    },
                ),
                (
                    "s2",
                    S2_VALUES,
                    {
                        "proses_bisnis_masalah": ("proses.pdf", PDF, "application/pdf"),
                        "permohonan_kantor_virtual": ("kv.pdf", PDF, "application/pdf"),
                    },
                ),
            ):
                status, body = request(
                    base,
                    "POST",
                    f"/api/cases/{ref}/steps/{step_id}/complete",
                    token,
                    form={"data": json.dumps({"values": values})},
                    files=files,
                )
                if status != 200:
                    with acks.lock:
                        acks.refused.append((key, status, body))
                    break
                with acks.lock:
                    acks.completions.append((ref, step_id, key))
                step_id = body["active_step_ids"][0]
        except (OSError, ValueError, http.client.HTTPException):
            # The server is gone (or the answer was cut off): not acknowledged.
            if stop.is_set():
                return
            time.sleep(0.05)


def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path):
    data_dir = tmp_path / "data"
    if on_postgres():
        with scratch_database("laksana_s2_crash") as url:
            _crash_and_check(data_dir, url, tmp_path)
    else:
        _crash_and_check(data_dir, None, tmp_path)


def _crash_and_check(data_dir: Path, url: str | None, tmp_path: Path) -> None:
    admin_env = installation_env(data_dir, url)
    tokens: list[str] = laksana_json(SETUP, admin_env)
    server_env = production_env(data_dir, url)
    log = tmp_path / "server.log"

    server = Server(server_env, log)
    try:
        server.wait_ready(tokens[0])
        acks = Acks()
        stop = threading.Event()
        clients = [
            threading.Thread(
                target=_client,
                args=(server.base, tokens[i % len(tokens)], i, acks, stop),
                daemon=True,
            )
            for i in range(CLIENTS)
        ]
        for c in clients:
            c.start()
        deadline = time.monotonic() + KILL_AFTER
        while acks.count < KILL_AT_ACKS and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # in the middle of the load: the clients are still sending
        stop.set()
        for c in clients:
            c.join(timeout=60)
    finally:
        server.stop()
    assert acks.refused == [], acks.refused  # every answer before the kill was a success
    assert acks.count >= KILL_AT_ACKS // 2, (acks.count, log.read_text()[-3000:])

    # Restart on the same database and files.
    server = Server(server_env, log)
    try:
        server.wait_ready(tokens[0])
        verify = laksana("journal", "verify", env=admin_env)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        state: dict[str, Any] = laksana_json(STATE, admin_env)

        in_flight = len(set(state) - set(acks.cases))
        print(
            f"crash: {len(acks.cases)} cases and {len(acks.completions)} completions "
            f"acknowledged before SIGKILL; {len(state)} cases found after the restart "
            f"({in_flight} opened but not acknowledged)"
        )
        # Every acknowledged case exists; every acknowledged completion is there, once.
        assert set(acks.cases) <= set(state), set(acks.cases) - set(state)
        for ref, step_id, key in acks.completions:
            case = state[ref]
            rows = {row[0]: row for row in case["steps"]}
            assert rows[step_id][1:] == [key, 1, "completed"], (ref, rows)
            completed = [e for e in case["journal"] if e[1] == "completed" and e[2] == key]
            assert len(completed) == 1, (ref, case["journal"])

        # Every case, acknowledged or caught in flight, is whole: its chain verified above;
        # completed step rows and COMPLETED entries agree; the active steps are the state's;
        # each step activated once; every attachment's file is there with its checksum.
        for ref, case in state.items():
            steps = case["steps"]
            completed_rows = sorted(r[1] for r in steps if r[3] == "completed")
            completed_entries = sorted(e[2] for e in case["journal"] if e[1] == "completed")
            assert completed_rows == completed_entries, (ref, case)
            assert sorted(r[1] for r in steps if r[3] == "active") == case["state_active"], ref
            assert len({(r[1], r[2]) for r in steps}) == len(steps), ref
            activated = [e[2] for e in case["journal"] if e[1] == "step_activated"]
            assert sorted(activated) == sorted(r[1] for r in steps), (ref, case)
            assert [e[0] for e in case["journal"]] == list(range(1, case["journal_seq"] + 1))
            for attachment_id, sha, on_disk in case["files"]:
                assert on_disk == sha, (ref, attachment_id, "file missing or different")

        # The server serves again: reads the acknowledged work and takes new work.
        done = {(ref, key) for ref, _step, key in acks.completions}
        ref = acks.completions[0][0]
        status, body = request(server.base, "GET", f"/api/cases/{ref}", acks.owner[ref])
        assert status == 200, body
        assert {s["step_key"] for s in body["steps"] if s["status"] == "completed"} >= {
            key for r, key in done if r == ref
        }
        status, body = request(
            server.base,
            "POST",
            "/api/cases",
            tokens[0],
            json_body={"procedure": SOP_002, "title": "Sesudah crash"},
        )
        assert status == 201, body
        status, body = request(
            server.base,
            "POST",
            f"/api/cases/{body['reference']}/steps/{body['active_step_ids'][0]}/complete",
            tokens[0],
            form={"data": json.dumps({"values": S1_VALUES})},
            files={
                "foto_masalah": ("layar.png", PNG, "image/png"),
                "dokumen_analisis": ("analisis.pdf", PDF, "application/pdf"),
                "surat_permohonan": ("surat.pdf", PDF, "application/pdf"),
            },
        )
        assert status == 200, body
        assert laksana("journal", "verify", env=admin_env).returncode == 0
    finally:
        server.stop()
