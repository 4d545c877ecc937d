"""Exam storm (issue 4, "Speed"): N students take the same randomised exam at once, against the
production serving layout (granian WSGI, several workers, config.settings.production, PostgreSQL,
Redis), with the load generator on the same machine; then every acknowledged answer is checked
in the database.

    .venv/bin/python bench/exam_storm.py                # 1,000 students in real time (~22 min)
    .venv/bin/python bench/exam_storm.py --speed 10     # the same storm, 10x compressed
    .venv/bin/python bench/exam_storm.py --mode peak --clients 64 --seconds 30
    .venv/bin/python bench/exam_storm.py --reuse ...    # keep the seeded database

Storm: each student starts at a random moment of the first ``--ramp`` seconds (60), saves an
answer every 10-30 s (``--save-min``/``--save-max``; a random question, a new ``seq`` each time),
one request at a time as the exam page does, and submits at a random moment of the minute after
``--duration`` (1,200 s); ``--speed k`` divides every delay by k. Peak: ``--clients`` students
start their attempts, then save as fast as each answer comes back (closed loop) for
``--seconds``.

Authentication is a bearer API token per student, created by the seeding (bench/storm_seed.py);
the exam page uses its session cookie instead, which costs about the same (one indexed lookup).
The client is a minimal HTTP/1.1 client on asyncio streams (no dependency), one keep-alive
connection per student, as a browser would hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parents[1]
PY = sys.executable
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 60.0


# --- a minimal HTTP/1.1 keep-alive client -------------------------------------------------------


class Connection:
    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._request(method, path, body), REQUEST_TIMEOUT)
        except BaseException:
            await self.close()
            raise

    async def _request(self, method: str, path: str, body: dict | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: application/json\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(parts)
        elif length is not None:
            data = await self.reader.readexactly(length)
        else:
            data = await self.reader.read()
            close = True
        if close:
            await self.close()
        return status, data


# --- measurements -------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    done_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acks: dict[tuple[int, int], int] = field(default_factory=dict)  # (attempt, slot) -> seq
    late: list[float] = field(default_factory=list)  # how late a save left vs its schedule
    submitted: set[int] = field(default_factory=set)
    timeline: dict[tuple[str, int], list[float]] = field(default_factory=lambda: defaultdict(list))
    t0: float = 0.0

    async def call(self, conn: Connection, kind: str, method: str, path: str, body=None):
        started = time.monotonic()
        try:
            status, data = await conn.request(method, path, body)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            self.errors[kind][type(exc).__name__] += 1
            return None, None
        ended = time.monotonic()
        if 200 <= status < 300:
            self.latencies[kind].append(ended - started)
            if self.t0:
                self.timeline[(kind, int((started - self.t0) // 30))].append(ended - started)
            self.done_at[kind].append(ended)
        else:
            self.errors[kind][f"HTTP {status}"] += 1
        return status, data


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def report(stats: Stats, elapsed: float) -> list[str]:
    lines = [
        f"{'kind':<8} {'ok':>7} {'errors':>7} {'rate/s':>12} {'peak/s (1 s)':>12} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    ]
    for kind in ("start", "save", "submit"):
        values = stats.latencies.get(kind, [])
        errors = sum(stats.errors.get(kind, {}).values())
        if not values and not errors:
            continue
        per_second = defaultdict(int)
        moments = stats.done_at.get(kind, [])
        for moment in moments:
            per_second[int(moment)] += 1
        # the rate over the span this kind of request was being answered (starts: the ramp)
        span = max(moments) - min(moments) if len(moments) > 1 else elapsed
        lines.append(
            f"{kind:<8} {len(values):>7} {errors:>7} {len(values) / max(span, 1e-3):>12.1f} "
            f"{max(per_second.values(), default=0):>12} {pct(values, 50) * 1000:>8.1f} "
            f"{pct(values, 95) * 1000:>8.1f} {pct(values, 99) * 1000:>8.1f} "
            f"{max(values, default=float('nan')) * 1000:>8.1f}"
        )
    if stats.timeline:
        lines.append("timeline (30 s windows by when the request was sent: requests, p95 ms):")
        for window in sorted({w for _k, w in stats.timeline}):
            cells = []
            for kind in ("start", "save", "submit"):
                values = stats.timeline.get((kind, window), [])
                if values:
                    cells.append(f"{kind} {len(values)}, {pct(values, 95) * 1000:.0f}")
            lines.append(f"  {window * 30:>5}-{window * 30 + 30:<5} s: " + "; ".join(cells))
    for kind, errors in stats.errors.items():
        lines.append(f"errors of {kind}: " + ", ".join(f"{k} x{v}" for k, v in errors.items()))
    if stats.late:
        lines.append(
            f"saves sent late vs their schedule (the load generator was busy; "
            f"exam-page time): p50 {pct(stats.late, 50):.2f} s, p99 {pct(stats.late, 99):.2f}"
            f" s, max {max(stats.late):.2f} s"
        )
    return lines


# --- a student ----------------------------------------------------------------------------------


def answer_for(slot: dict, rng: random.Random):
    qtype = slot["qtype"]
    if qtype == "single":
        return rng.choice(slot["options"])["id"]
    if qtype == "multiple":
        ids = [o["id"] for o in slot["options"]]
        return rng.sample(ids, rng.randint(1, len(ids)))
    if qtype == "truefalse":
        return rng.random() < 0.5
    return f"жауап{rng.randint(0, 200)}"


async def start_attempt(stats: Stats, conn: Connection, test_id: int):
    status, data = await stats.call(conn, "start", "POST", f"/api/v1/tests/{test_id}/attempts")
    if status not in (200, 201):
        return None
    return json.loads(data)


async def save(stats: Stats, conn: Connection, doc: dict, seqs: dict, rng: random.Random):
    slot = rng.choice(doc["slots"])
    number = slot["slot"]
    seqs[number] = seqs.get(number, slot.get("seq") or 0) + 1
    seq = seqs[number]
    status, data = await stats.call(
        conn,
        "save",
        "PUT",
        f"/api/v1/attempts/{doc['id']}/answers/{number}",
        {"response": answer_for(slot, rng), "seq": seq},
    )
    if status == 200:
        acked = json.loads(data)["seq"]
        key = (doc["id"], number)
        stats.acks[key] = max(stats.acks.get(key, 0), acked)


async def storm_student(args, stats: Stats, token: str, test_id: int, t0: float, index: int):
    rng = random.Random(index)  # noqa: S311
    speed = args.speed
    conn = Connection("127.0.0.1", args.port, token)
    start_at = rng.uniform(0, args.ramp)
    submit_at = args.duration + rng.uniform(0, 60)
    await asyncio.sleep(max(0.0, t0 + start_at / speed - time.monotonic()))
    doc = await start_attempt(stats, conn, test_id)
    if doc is None:
        await conn.close()
        return
    seqs: dict[int, int] = {}
    scheduled = start_at + rng.uniform(args.save_min, args.save_max)
    while scheduled < submit_at:
        await asyncio.sleep(max(0.0, t0 + scheduled / speed - time.monotonic()))
        stats.late.append(max(0.0, (time.monotonic() - t0) * speed - scheduled))
        await save(stats, conn, doc, seqs, rng)
        # the next change comes 10-30 s after this one was answered: a slow server makes the
        # student wait (the page keeps one request in flight and sends only the newest answer)
        scheduled = max(scheduled, (time.monotonic() - t0) * speed)
        scheduled += rng.uniform(args.save_min, args.save_max)
    await asyncio.sleep(max(0.0, t0 + submit_at / speed - time.monotonic()))
    status, _data = await stats.call(conn, "submit", "POST", f"/api/v1/attempts/{doc['id']}/submit")
    if status == 200:
        stats.submitted.add(doc["id"])
    await conn.close()


async def run_storm(args, world: dict) -> tuple[Stats, float]:
    stats = Stats()
    tokens = world["tokens"][: args.students]
    t0 = time.monotonic() + 0.5
    stats.t0 = t0
    await asyncio.gather(
        *(
            storm_student(args, stats, token, world["test"], t0, index)
            for index, token in enumerate(tokens)
        )
    )
    return stats, time.monotonic() - t0


async def run_peak(args, world: dict) -> tuple[Stats, float]:
    stats = Stats()
    tokens = world["tokens"][: args.clients]
    conns = [Connection("127.0.0.1", args.port, token) for token in tokens]
    docs = await asyncio.gather(*(start_attempt(stats, c, world["test"]) for c in conns))
    stats.latencies.pop("save", None)
    stop_at = time.monotonic() + args.seconds
    t0 = time.monotonic()

    async def loop(conn: Connection, doc: dict, index: int) -> None:
        rng = random.Random(index)  # noqa: S311
        seqs: dict[int, int] = {}
        while time.monotonic() < stop_at:
            await save(stats, conn, doc, seqs, rng)

    await asyncio.gather(
        *(loop(c, d, i) for i, (c, d) in enumerate(zip(conns, docs, strict=True)) if d)
    )
    elapsed = time.monotonic() - t0
    for conn in conns:
        await conn.close()
    return stats, elapsed


# --- the server and the database ----------------------------------------------------------------


def server_environ(args) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        SECRET_KEY=environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # no TLS-terminating proxy in front of it here
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    return environ


def prepare_database(args, environ: dict[str, str], world_file: Path) -> None:
    name = args.database_url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if args.reuse and exists and world_file.exists():
            print(f"reusing database {name} and {world_file}")
            return
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}; migrating and seeding {args.seed_students} students...")
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - fixed argv
        [
            PY,
            str(BASE_DIR / "bench" / "storm_seed.py"),
            "--students",
            str(args.seed_students),
            "--questions",
            str(args.questions),
            "--count",
            str(args.count),
            "--out",
            str(world_file),
        ],
        cwd=BASE_DIR,
        env=environ,
        check=True,
    )
    print(f"seeded in {time.monotonic() - started:.1f} s")


def start_server(args, environ: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("ab")
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [
            PY,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            *(["--blocking-threads", str(args.threads)] if args.threads else []),
            "--backlog",
            str(args.backlog),
            "--log-level",
            "warning",
            "config.wsgi:application",
        ],
        cwd=BASE_DIR,
        env={**environ, "ASGI_PROCESS": "0"},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", args.port), timeout=1) as sock:
                # one request per worker loads Django before the clock starts
                for _ in range(args.workers * 2):
                    sock.sendall(b"GET /api/v1/attempts/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    sock.recv(65536)
            return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"the server did not answer on port {args.port}; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def check_database(args, stats: Stats) -> list[str]:
    """Every acknowledged (attempt, slot, seq) is stored with that seq or a newer one."""
    attempts = sorted({attempt for attempt, _slot in stats.acks})
    stored: dict[tuple[int, int], int] = {}
    with psycopg.connect(args.database_url) as db:
        rows = db.execute(
            "SELECT s.attempt_id, s.number, a.seq FROM assessments_answer a "
            "JOIN assessments_attemptslot s ON s.id = a.slot_id WHERE s.attempt_id = ANY(%s)",
            [attempts],
        ).fetchall()
        finished = db.execute(
            "SELECT count(*) FROM assessments_attempt WHERE id = ANY(%s) AND state = 'finished'",
            [sorted(stats.submitted)],
        ).fetchone()[0]
    for attempt, number, seq in rows:
        stored[(attempt, number)] = seq
    missing = [
        (key, seq, stored.get(key)) for key, seq in stats.acks.items() if stored.get(key, 0) < seq
    ]
    lines = [
        f"database check: {len(stats.acks)} acknowledged (attempt, question) answers in "
        f"{len(attempts)} attempts; {len(stats.acks) - len(missing)} stored with the acknowledged "
        f"seq or newer; {len(missing)} missing or older"
        + (f" (first: {missing[:5]})" if missing else "")
    ]
    if stats.submitted:
        lines.append(
            f"submitted attempts finished in the database: {finished} of {len(stats.submitted)}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("storm", "peak"), default="storm")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--speed", type=float, default=1.0, help="time compression factor")
    parser.add_argument("--ramp", type=float, default=60.0, help="starts spread over (s)")
    parser.add_argument("--duration", type=float, default=1200.0, help="submits begin at (s)")
    parser.add_argument("--save-min", type=float, default=10.0)
    parser.add_argument("--save-max", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=64, help="peak: concurrent students")
    parser.add_argument("--seconds", type=float, default=30.0, help="peak: duration (s)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="granian WSGI")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="granian --blocking-threads per worker; 0: granian's default "
        "(backlog / workers / 2 = 256 threads per worker, each with its own PostgreSQL connection)",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=4096,
        help="granian --backlog; each worker serves at most backlog / workers connections at "
        "once (granian's default 1024 leaves students beyond 1,024 unserved: no nginx here)",
    )
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--questions", type=int, default=120, help="bank size")
    parser.add_argument("--count", type=int, default=30, help="questions per attempt")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qashyq_storm")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    args = parser.parse_args()
    needed = args.students if args.mode == "storm" else args.clients
    args.seed_students = max(needed, 2000)

    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    world_file = var / "exam-storm-world.json"  # the tokens: generated, never committed
    log = var / "exam-storm-server.log"
    environ = server_environ(args)
    prepare_database(args, environ, world_file)
    world = json.loads(world_file.read_text())
    if len(world["tokens"]) < needed:
        raise SystemExit(f"the seeded database has {len(world['tokens'])} students; drop --reuse")

    process = start_server(args, environ, log)
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    try:
        if args.mode == "storm":
            print(
                f"storm: {args.students} students, starts over {args.ramp:.0f} s, a save every "
                f"{args.save_min:.0f}-{args.save_max:.0f} s, submits at {args.duration:.0f}-"
                f"{args.duration + 60:.0f} s, speed x{args.speed:g} "
                f"(~{(args.duration + 60) / args.speed:.0f} s of wall clock)",
                flush=True,
            )
            stats, elapsed = asyncio.run(run_storm(args, world))
        else:
            print(f"peak: {args.clients} students saving in a closed loop for {args.seconds} s")
            stats, elapsed = asyncio.run(run_peak(args, world))
    finally:
        load_after = os.getloadavg()
        stop_server(process)
    client_cpu = time.process_time() - cpu_before
    lines = [
        f"exam storm ({args.mode}): {os.cpu_count()} cores, granian WSGI x{args.workers} "
        f"({args.threads or 'default'} threads each), "
        f"PostgreSQL, Python {sys.version.split()[0]}; {elapsed:.1f} s; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; load generator CPU "
        f"{client_cpu:.1f} s",
        *report(stats, elapsed),
        *check_database(args, stats),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
