"""Helpers shared by the accounts tests (and usable by other apps' tests).

``give_totp(user)`` gives a staff user a TOTP authenticator, so tests of pages behind
``StaffMfaMiddleware`` can use ``client.force_login(user)`` without going through the setup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from django.utils.translation import trans_real

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, at: float | None = None, *, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), computed here independently of allauth."""
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret.upper(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def wait_for_fresh_window(period: int = 30, margin: float = 3.0) -> None:
    """Sleep past a TOTP window boundary when one is about to pass, so a code stays valid."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)


def wait_for_next_window(period: int = 30) -> None:
    time.sleep(period - time.time() % period + 0.05)


def give_totp(user, secret: str = SECRET):
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def fake_translations(monkeypatch, language: str, entries: dict[str, str]) -> None:
    """Put a few entries into Django's catalogue for ``language`` (the real catalogues are
    compiled by the translators later), to prove a message goes through gettext."""
    catalog = trans_real.translation(language)._catalog._catalogs[0]
    for source, text in entries.items():
        monkeypatch.setitem(catalog, source, text)


def isolate_cache(settings) -> None:
    """Give the test a cache key prefix of its own (rate-limit counters, used TOTP codes).

    Never ``cache.clear()``: on Redis that is FLUSHDB, which wipes the counters of every other
    test process (and developer) sharing the server.
    """
    import uuid

    default = settings.CACHES["default"]
    prefix = f"{default.get('KEY_PREFIX', '')}-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}
