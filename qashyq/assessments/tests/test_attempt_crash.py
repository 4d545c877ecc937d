"""Crash test (issue 4): kill -9 the server in the middle of an attempt, start it again, and every
acknowledged answer is there with its ``seq`` and the time left is right.

No browser and no pytest-django database: the server is a real one, in other processes. A
temporary SQLite file is migrated and seeded by a child Python process (a course, a student with
an API token, a 20-question test with a 30-minute limit); granian then serves it the way
``manage.py serve`` does (``--interface asginl``, one process, ``ASGI_PROCESS=1``, DEBUG off),
in a process group of its own. The student starts an attempt over HTTP with the bearer token and
a thread keeps saving answers (each ``PUT`` acknowledged with 200 is recorded); after a few
acknowledgements the whole process group gets SIGKILL while saves are still being sent. A new
server on the same database must then hold every acknowledged answer with its ``seq`` (or a
newer one the client sent before the kill), the same deadline, and a time left that went down by
the wall-clock time that passed, not more and not less.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 20.0
REQUEST_TIMEOUT = 15.0
TIME_LIMIT_MINUTES = 30

# Runs in a child process on the temporary database: migrate, then build the world through the
# services (the test factories for the people and the course) and print what the client needs.
SETUP = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from qashyq.accounts import services as account_services
from qashyq.assessments.services import tests_admin
from qashyq.assessments.tests.attempt_world import World
world = World()
test = world.test(category="pool", count=20, time_limit=%(limit)d, title="Crash")
_token, key = account_services.api_token_create(actor=world.student, owner=world.student)
json.dump({"test": test.pk, "token": key}, sys.stdout)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with code {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the server did not listen on port {port} within {timeout} s")


def _parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


class Reply:
    def __init__(self, status: int, body: bytes):
        self.status_code = status
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


class Api:
    """A keep-alive HTTP/1.1 client with the student's bearer token (the standard library's)."""

    def __init__(self, token: str):
        self.token = token
        self.connection: http.client.HTTPConnection | None = None
        self.netloc = ""

    def call(self, method: str, url: str, body=None, timeout=REQUEST_TIMEOUT) -> Reply:
        parts = urlsplit(url)
        if self.connection is None or self.netloc != parts.netloc:
            self.close()
            self.connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
            self.netloc = parts.netloc
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, parts.path, body=payload, headers=headers)
            response = self.connection.getresponse()
            return Reply(response.status, response.read())
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Server:
    """granian as `manage.py serve` starts it, in its own process group (killed as a whole)."""

    def __init__(self, environ: dict[str, str], log: Path):
        self.environ = environ
        self.log = log
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> str:
        self.port = _free_port()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    sys.executable,
                    "-m",
                    "granian",
                    "--interface",
                    "asginl",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    "1",
                    "--log-level",
                    "warning",
                    "config.asgi:application",
                ],
                cwd=BASE_DIR,
                env=self.environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for_port(self.port, self.process, STARTUP_TIMEOUT)
        base = f"http://127.0.0.1:{self.port}"
        # granian listens before its worker has imported Django: one request loads it, so the
        # timed requests below are quick
        warm = Api("")
        warm.call("GET", f"{base}/api/v1/attempts/0", timeout=STARTUP_TIMEOUT)
        warm.close()
        return base

    def kill(self) -> None:
        """SIGKILL to the server and its worker: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def environ(tmp_path) -> dict[str, str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER"}
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        DEBUG="false",
        ASGI_PROCESS="1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    return environ


@pytest.fixture
def world(environ) -> dict:
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", SETUP % {"limit": TIME_LIMIT_MINUTES}],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def server(environ, tmp_path):
    servers: list[Server] = []

    def make() -> Server:
        servers.append(Server(environ, tmp_path / "server.log"))
        return servers[-1]

    yield make
    for each in servers:
        each.kill()


def test_kill_9_in_the_middle_of_an_attempt_loses_no_acknowledged_answer(world, server, tmp_path):
    api = Api(world["token"])

    first = server()
    base = first.start()
    sent_start = time.monotonic()
    started = api.call("POST", f"{base}/api/v1/tests/{world['test']}/attempts")
    start_clock = (sent_start + time.monotonic()) / 2  # when the server read its clock, about
    assert started.status_code == 201, started.text
    doc = started.json()
    attempt_id = doc["id"]
    deadline = _parse(doc["deadline"])
    assert deadline - _parse(doc["server_time"]) == pytest.approx(
        datetime.timedelta(minutes=TIME_LIMIT_MINUTES), abs=datetime.timedelta(seconds=2)
    )
    options = {s["slot"]: [o["id"] for o in s["options"]] for s in doc["slots"]}
    slots = sorted(options)
    assert len(slots) == 20

    acknowledged: dict[int, int] = {}  # slot -> highest acknowledged seq
    sent: dict[tuple[int, int], str] = {}  # (slot, seq) -> the response sent with it
    errors: list[str] = []
    enough = threading.Event()
    stop = threading.Event()

    def keep_saving() -> None:
        """Answer the slots round and round (each change a higher seq), as fast as acknowledged;
        two connections, so a save is in flight on one while the other is being acknowledged."""
        sessions = [Api(world["token"]), Api(world["token"])]
        lock = threading.Lock()
        counter = iter(range(10_000))

        def one_connection(session: Api) -> None:
            while not stop.is_set():
                with lock:
                    n = next(counter)
                slot = slots[n % len(slots)]
                seq = n // len(slots) + 1
                response = options[slot][n % len(options[slot])]
                sent[(slot, seq)] = response
                try:
                    reply = session.call(
                        "PUT",
                        f"{base}/api/v1/attempts/{attempt_id}/answers/{slot}",
                        {"response": response, "seq": seq},
                    )
                except (OSError, http.client.HTTPException):
                    return  # the server is gone: what was not acknowledged may be lost
                if reply.status_code != 200:
                    errors.append(f"{reply.status_code} {reply.text[:200]}")
                    return
                if reply.json()["seq"] != seq:
                    errors.append(f"slot {slot}: sent seq {seq}, answered {reply.text[:200]}")
                    return
                with lock:
                    acknowledged[slot] = max(acknowledged.get(slot, 0), seq)
                    if len(acknowledged) == len(slots) and min(acknowledged.values()) >= 2:
                        enough.set()  # every slot saved at least twice: kill now

        workers = [threading.Thread(target=one_connection, args=(s,)) for s in sessions]
        for each in workers:
            each.start()
        for each in workers:
            each.join()

    saver = threading.Thread(target=keep_saving, daemon=True)
    saver.start()
    assert enough.wait(timeout=60), f"too few saves were acknowledged: {acknowledged} {errors}"
    first.kill()  # while the saver keeps sending
    killed_at = time.monotonic()
    stop.set()
    saver.join(timeout=REQUEST_TIMEOUT * 3)
    assert not saver.is_alive()
    assert not errors
    assert len(acknowledged) == len(slots)

    base = server().start()
    sent_read = time.monotonic()
    read = api.call("GET", f"{base}/api/v1/attempts/{attempt_id}")
    read_clock = (sent_read + time.monotonic()) / 2
    assert read.status_code == 200, read.text
    after = read.json()
    assert read_clock - killed_at > 0.5  # a restart, not a blip

    assert after["state"] == "in_progress"
    stored = {s["slot"]: (s["seq"], s["response"]) for s in after["slots"]}
    for slot, seq in acknowledged.items():
        stored_seq, stored_response = stored[slot]
        # the acknowledged seq, or a newer one that was committed without its answer arriving
        assert stored_seq >= seq, f"slot {slot}: acknowledged seq {seq}, stored {stored_seq}"
        assert stored_response == sent[(slot, stored_seq)]

    # The deadline did not move, and the time left is what the clock says.
    assert _parse(after["deadline"]) == deadline
    left_at_start = deadline - _parse(doc["server_time"])
    left_now = _parse(after["deadline"]) - _parse(after["server_time"])
    # the time left went down by the time that passed between the two answers, crash included
    # (the tolerance covers the two requests' own durations)
    assert (left_at_start - left_now).total_seconds() == pytest.approx(
        read_clock - start_clock, abs=1.5
    )

    # A start after the restart resumes the same attempt (a reload of the exam page).
    resumed = api.call("POST", f"{base}/api/v1/tests/{world['test']}/attempts")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["id"] == attempt_id
    assert _parse(resumed.json()["deadline"]) == deadline
