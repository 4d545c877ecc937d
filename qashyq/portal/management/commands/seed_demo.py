"""``manage.py seed_demo``: load the demo arts academy into a development database.

How it works
------------
The command walks the installed Qashyq apps in ``INSTALLED_APPS`` order (lowest layer first) and,
for every app that has a ``demo.py`` module defining ``seed(ctx)``, calls it. An app found later
may use what an earlier one created. Later issues add their own demo data simply by adding a
``demo.py`` with a ``seed(ctx)`` function to their app: nothing here needs to change.

``ctx`` (a :class:`DemoContext`) carries what the apps share:

* ``ctx.rng`` -- a ``random.Random`` seeded with a fixed value, so every run generates the same
  names, IINs and choices (draw from it in the same order every run, whether or not the rows
  already exist);
* ``ctx.actor`` -- the demo system administrator, set by ``accounts.demo``; pass it as ``actor``
  to services (with ``check=False``);
* ``ctx.today`` -- today's date in the project's time zone; the current academic year is the one
  that contains it;
* ``ctx.objects`` -- a dict of created objects other apps need (``"users"``, ``"programs"``,
  ``"groups"``, ``"periods"``, ...);
* ``ctx.log(msg)`` -- print a progress line (hidden with ``--verbosity 0``);
* ``ctx.upsert(model, lookup, values)`` -- get or create a row by its natural key and update only
  the fields that differ, so a second run changes nothing;
* ``ctx.login(username, role)`` -- add a row to the table of demo logins printed at the end.

Every seed must be idempotent: look rows up by natural keys (codes, usernames, slugs), create only
what is missing, and never duplicate. Every demo user has ``is_demo=True``; production settings
(``QASHYQ_REFUSE_DEMO_USERS``) make the command refuse to run.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo logins
RANDOM_SEED = 20261129


@dataclass
class DemoContext:
    rng: random.Random
    today: datetime.date
    log: Callable[[str], None]
    actor: Any = None
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    def upsert(
        self, model: type[Model], lookup: dict[str, Any], values: dict[str, Any]
    ) -> tuple[Model, bool]:
        """Get the row by ``lookup`` or create it; update only the fields that differ."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            return model._default_manager.create(**lookup, **values), True
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
        return obj, False

    def login(self, username: str, role: str) -> None:
        if all(existing != username for existing, _role in self.logins):
            self.logins.append((username, role))


def demo_modules() -> list[Any]:
    """The ``demo`` modules of the installed Qashyq apps, in INSTALLED_APPS order."""
    modules = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("qashyq."):
            continue
        if module_has_submodule(app_config.module, "demo"):
            module = importlib.import_module(f"{app_config.name}.demo")
            if callable(getattr(module, "seed", None)):
                modules.append(module)
    return modules


class Command(BaseCommand):
    help = "Load the demo arts academy (idempotent; refused in production)."

    def handle(self, *args, **options):
        if getattr(settings, "QASHYQ_REFUSE_DEMO_USERS", False):
            raise CommandError(
                _("These settings refuse demo users (production); seed_demo will not run.")
            )
        verbosity = options["verbosity"]

        def log(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(message)

        rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo data, not secrets
        ctx = DemoContext(rng=rng, today=timezone.localdate(), log=log)
        started = time.monotonic()
        with transaction.atomic():
            for module in demo_modules():
                app_started = time.monotonic()
                module.seed(ctx)
                log(f"  {module.__name__}: {time.monotonic() - app_started:.1f} s")
        log(f"Demo academy ready in {time.monotonic() - started:.1f} s.")
        self.print_logins(ctx)

    def print_logins(self, ctx: DemoContext) -> None:
        if not ctx.logins:
            return
        heading = (_("username"), _("role"), _("password"))
        width = max(len(heading[0]), *(len(username) for username, _role in ctx.logins)) + 2
        role_width = max(len(heading[1]), *(len(role) for _username, role in ctx.logins)) + 2
        lines = [
            "",
            _("Demo logins (password “%(password)s” for every one):") % {"password": ctx.password},
            f"  {heading[0]:<{width}}{heading[1]:<{role_width}}{heading[2]}",
            "  " + "-" * (width + role_width + max(len(heading[2]), len(ctx.password))),
        ]
        lines += [
            f"  {username:<{width}}{role:<{role_width}}{ctx.password}"
            for username, role in ctx.logins
        ]
        self.stdout.write("\n".join(lines))
