"""The registrar's part of the demo academy (run by ``manage.py seed_demo`` after the gradebook's,
whose previous-year results with FX and F the summer semester builds on): study plans and IUPs,
the summer semester, applications for distance study with a rector's order admitting 10
students, and final attestation. Each part is idempotent; see its module."""

from __future__ import annotations

from .demo_admission import seed_admission
from .demo_graduation import seed_graduation
from .demo_iup import seed_iup
from .demo_summer import seed_summer


def seed(ctx) -> None:
    seed_iup(ctx)
    seed_summer(ctx)
    seed_admission(ctx)
    seed_graduation(ctx)
