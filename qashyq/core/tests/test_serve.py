"""`manage.py serve`, the runner behind `make run`: one ASGI web process (HTTP + websockets) and
the task worker and the periodic jobs, started together and stopped together."""

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

STARTUP_TIMEOUT = 40
EXCLUDED_VARIABLES = {"REDIS_URL", "ASGI_PROCESS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory):
    """Development settings on a migrated SQLite database of the test's own."""
    database = tmp_path_factory.mktemp("serve") / "serve.sqlite3"
    process_env = {k: v for k, v in os.environ.items() if k not in EXCLUDED_VARIABLES}
    process_env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="true",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=process_env,
        check=True,
        timeout=120,
    )
    return process_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """`manage.py serve` in a subprocess, its output collected by a thread as it comes."""

    def __init__(self, process_env, port):
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=settings.BASE_DIR,
            env=process_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def wait_until_announced(self):
        """Until the banner with the URL is printed: then both children are up and listening."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output
            if "Qashyq is running at" in self.output:
                return
            time.sleep(0.1)
        pytest.fail("manage.py serve did not start in time:\n" + self.output)

    def wait(self, timeout=20) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def websocket_ping(port: int) -> bytes:
    """A minimal RFC 6455 client: upgrade /ws/ping/, send one masked text frame, read the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /ws/ping/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Origin: http://127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head
        payload = b'{"n": 1}'
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        header = sock.recv(2)
        length = header[1] & 0x7F
        data = b""
        while len(data) < length:
            data += sock.recv(length - len(data))
        return data


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_serves_http_static_and_websockets_then_ctrl_c_stops_all(dev_env):
    port = free_port()
    serve = Serve(dev_env, port)
    try:
        serve.wait_until_announced()
        children = children_of(serve.proc.pid)
        assert len(children) == 3
        assert any("granian" in command_line(pid) for pid in children)
        assert any("db_worker" in command_line(pid) for pid in children)
        assert any("run_periodic" in command_line(pid) for pid in children)

        # Static files through whitenoise under ASGI with DEBUG on (no collectstatic needed).
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js", timeout=10
        ) as response:
            assert response.status == 200
            assert b"htmx" in response.read(2000)
        assert websocket_ping(port) == b'{"type": "pong", "echo": {"n": 1}}'

        serve.proc.send_signal(signal.SIGINT)
        code = serve.wait()
    finally:
        serve.kill()
    assert code == 0, serve.output
    assert f"Qashyq is running at http://127.0.0.1:{port}/" in serve.output
    assert "Stopped." in serve.output
    assert not any(is_running(pid) for pid in children)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_when_the_worker_dies_the_web_server_stops_too(dev_env):
    port = free_port()
    serve = Serve(dev_env, port)
    try:
        serve.wait_until_announced()
        children = children_of(serve.proc.pid)
        (worker,) = [pid for pid in children if "db_worker" in command_line(pid)]

        os.kill(worker, signal.SIGKILL)
        code = serve.wait()
    finally:
        serve.kill()
    assert code != 0
    assert "The task worker exited" in serve.output
    assert not any(is_running(pid) for pid in children)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the web server still listens"


def test_a_busy_port_is_refused_with_a_hint(dev_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=settings.BASE_DIR,
            env=dev_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=" in result.stderr
