"""config/env.py stays the only module of the application that reads the environment."""

import re
from pathlib import Path

from django.conf import settings

READS = re.compile(
    r"\bos\.(environ|getenv|putenv)\b|\bgetenv\(|from os import .*\b(environ|getenv)\b"
)
SETDEFAULT = 'os.environ.setdefault("DJANGO_SETTINGS_MODULE"'


def application_sources():
    base = Path(settings.BASE_DIR)
    yield base / "manage.py"
    for folder in ("config", "qashyq"):
        for path in (base / folder).rglob("*.py"):
            if "tests" in path.relative_to(base).parts or "migrations" in path.parts:
                continue
            yield path


def test_only_config_env_reads_the_environment():
    offenders = []
    for path in application_sources():
        if path == Path(settings.BASE_DIR) / "config" / "env.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READS.search(line) and SETDEFAULT not in line:
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")

    assert offenders == [], "read settings through config.env instead:\n" + "\n".join(offenders)


def test_the_pattern_catches_a_read():
    assert READS.search('value = os.environ.get("X")')
    assert READS.search('value = os.getenv("X")')
    assert not READS.search('value = env.get("X")')


def test_deploy_doc_lists_every_variable_the_settings_read():
    base = Path(settings.BASE_DIR)
    read = set()
    for path in (base / "config" / "settings").glob("*.py"):
        if path.name == "test.py":
            continue
        read |= set(re.findall(r'env\.get\w*\(\s*"([A-Z0-9_]+)"', path.read_text()))
    documented = (base / "docs" / "deploy.md").read_text(encoding="utf-8")

    assert read >= {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == [], f"add these to the table in docs/deploy.md: {missing}"
