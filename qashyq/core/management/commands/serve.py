"""`manage.py serve`: the embedded default of `make run`.

Starts three child processes and keeps them together:
- granian serving config.asgi:application (HTTP and websockets on one port, one ASGI process),
- the django-tasks-db worker (`manage.py db_worker`) running background tasks,
- `manage.py run_periodic`, the apps' periodic sweeps (e.g. finishing overdue test attempts).

Ctrl-C (SIGINT), SIGTERM or SIGHUP stop all; when any child dies the others are stopped too and
the command exits with an error. A deployment runs these processes separately (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from config import env

# The one demo login per role that `manage.py seed_demo` creates (password "demo").
DEMO_LOGINS = [
    "admin",
    "rector",
    "methodologist",
    "programleader",
    "tutor",
    "student",
    "registrar",
    "admission",
    "proctor",
    "librarian",
    "practice",
    "accountant",
    "parent",
]
STOP_TIMEOUT = 10.0


class Command(BaseCommand):
    help = "Serve HTTP + websockets (granian, ASGI) and run the task worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background-task worker and the periodic jobs.",
        )

    def handle(self, *args, host, port, no_worker, **options):
        if _port_in_use(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use. Stop what is using it, "
                f"or choose another port: make run PORT=8001"
            )
        child_env = env.child_environ(
            DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE, ASGI_PROCESS="1"
        )
        commands = {
            "web server": [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asginl",  # ASGI without lifespan: Django has no lifespan handlers
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                "1",
                "config.asgi:application",
            ],
        }
        if not no_worker:
            commands["task worker"] = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
            ]
            commands["periodic jobs"] = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "run_periodic",
            ]
        connections.close_all()

        stop_requested: list[int] = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, request_stop)

        children: dict[str, subprocess.Popen] = {}
        for name, command in commands.items():
            # Each child leads its own process group, so a signal reaches it (and anything it
            # forks) once, from here, and never twice from the terminal.
            children[name] = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command, cwd=settings.BASE_DIR, env=child_env, start_new_session=True
            )

        url = f"http://{host}:{port}/"
        announced = False
        started = time.monotonic()
        failed: tuple[str, int] | None = None
        while not stop_requested:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    failed = (name, code)
                    break
            if failed:
                break
            if not announced and _port_in_use(host, port):
                announced = True
                self._announce(url, time.monotonic() - started, worker=not no_worker)
            time.sleep(0.2)

        if failed:
            name, code = failed
            self.stderr.write(f"The {name} exited with code {code}; stopping the others.")
        else:
            self.stdout.write("\nStopping the web server, the task worker and the periodic jobs...")
        _stop_all(children.values())
        if failed:
            sys.exit(failed[1] or 1)
        self.stdout.write("Stopped.")

    def _announce(self, url: str, seconds: float, *, worker: bool) -> None:
        lines = [
            "",
            f"Qashyq is running at {url}  (started in {seconds:.1f} s)",
            "  web: granian, one ASGI process (HTTP and websockets)"
            + ("; background tasks: manage.py db_worker" if worker else ""),
        ]
        logins = _demo_logins()
        if logins:
            lines.append("  Demo logins, password 'demo' for all: " + ", ".join(logins))
        else:
            lines.append("  No demo users in this database (manage.py seed_demo adds them).")
        lines.append("  Press Ctrl-C to stop.")
        lines.append("")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def _demo_logins() -> list[str]:
    try:
        present = set(
            get_user_model()
            .objects.filter(is_demo=True, username__in=DEMO_LOGINS)
            .values_list("username", flat=True)
        )
    except DatabaseError:
        return []
    finally:
        connections.close_all()
    return [name for name in DEMO_LOGINS if name in present]


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _stop_all(children) -> None:
    children = [child for child in children if child.poll() is None]
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
