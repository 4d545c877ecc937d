"""What one attempt request costs the application, in-process (issue 4, "Speed"): CPU time,
wall time and database round trips of a start, a read (resume), a save and a submit, through the
real API (Django's test client, production settings, the exam storm's PostgreSQL database and
Redis), with no HTTP server and no load generator in the way.

    .venv/bin/python bench/exam_storm.py --mode peak --clients 4 --seconds 3   # seeds once
    .venv/bin/python bench/attempt_costs.py                    # 60 students, 5 saves each
    .venv/bin/python bench/attempt_costs.py --students 200 --offset 1000

Each student starts a new attempt (the exam allows unlimited attempts), reads it, saves
``--saves`` answers and submits. CPU time is ``time.process_time`` of this process, which is the
part the two cores of a server pay per request for the application (PostgreSQL's share is in
the wall time). The first ``--warmup`` students are not counted (imports, caches).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from exam_storm import server_environ  # noqa: E402


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--offset", type=int, default=0, help="first student of the seed")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qashyq_storm")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--world", default=str(BENCH.parent / "var" / "exam-storm-world.json"))
    args = parser.parse_args()
    os.environ.update(server_environ(args))

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    world = json.loads(Path(args.world).read_text())
    test_id = world["test"]
    tokens = world["tokens"][args.offset : args.offset + args.warmup + args.students]
    rng = random.Random(7)  # noqa: S311 - a benchmark's choices
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    def call(kind: str, index: int, method, *a, **kw):
        count[0] = 0
        c0, w0 = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(counter):
            response = method(*a, **kw)
        c1, w1 = time.process_time(), time.perf_counter()
        if response.status_code >= 400:
            raise SystemExit(f"{kind}: HTTP {response.status_code} {response.content[:300]!r}")
        if index >= args.warmup:
            cpu[kind].append((c1 - c0) * 1000)
            wall[kind].append((w1 - w0) * 1000)
            queries[kind].append(count[0])
        return response

    for index, token in enumerate(tokens):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="127.0.0.1")
        doc = call("start", index, client.post, f"/api/v1/tests/{test_id}/attempts").json()
        attempt = doc["id"]
        call("read", index, client.get, f"/api/v1/attempts/{attempt}")
        slots = [s for s in doc["slots"] if s["qtype"] == "single"] or doc["slots"]
        for seq in range(1, args.saves + 1):
            slot = rng.choice(slots)
            response = slot["options"][0]["id"] if slot["qtype"] == "single" else "x"
            call(
                "save",
                index,
                client.put,
                f"/api/v1/attempts/{attempt}/answers/{slot['slot']}",
                data=json.dumps({"response": response, "seq": seq}),
                content_type="application/json",
            )
        call("submit", index, client.post, f"/api/v1/attempts/{attempt}/submit")

    print(
        f"{args.students} students (after {args.warmup} warm-up), {args.saves} saves each; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'kind':<8}{'n':>6}{'CPU p50':>10}{'CPU p95':>10}{'wall p50':>10}{'wall p95':>10}"
        f"{'queries':>9}"
    )
    for kind in ("start", "read", "save", "submit"):
        print(
            f"{kind:<8}{len(cpu[kind]):>6}"
            f"{statistics.median(cpu[kind]):>8.1f}ms{_percentile(cpu[kind], 0.95):>8.1f}ms"
            f"{statistics.median(wall[kind]):>8.1f}ms{_percentile(wall[kind], 0.95):>8.1f}ms"
            f"{statistics.median(queries[kind]):>9.0f}"
        )


if __name__ == "__main__":
    main()
