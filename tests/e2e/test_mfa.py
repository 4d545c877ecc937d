"""Staff who can change marks set up TOTP before anything else, then need a code at every login.

The test settings keep QASHYQ_ENFORCE_STAFF_MFA on; the codes are computed here as an
authenticator app would (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.accounts.models import User

STEP = 30
DIGITS = 6


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


def totp(secret: str, at: float) -> str:
    """RFC 6238 TOTP (RFC 4226 HOTP over the time step), as authenticator apps compute it."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // STEP), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def current_code(secret: str) -> str:
    """The code of the current step, waiting for the next step when this one is about to end
    (the server accepts only the current step)."""
    left = STEP - time.time() % STEP
    if left < 3:
        time.sleep(left + 0.2)
    return totp(secret, time.time())


def wrong_code(secret: str) -> str:
    right = int(totp(secret, time.time()))
    return f"{(right + 500_000) % 10**DIGITS:0{DIGITS}d}"


def test_rfc6238_reference_vector():
    # RFC 6238, appendix B: SHA1 key "12345678901234567890", T = 59 s -> 94287082 (8 digits).
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59) == "287082"
    assert totp(secret, 1111111109) == "081804"


def test_tutor_sets_up_totp_then_needs_a_code_at_login(page: Page, log_in, log_out):
    assert settings.QASHYQ_ENFORCE_STAFF_MFA
    tutor = User.objects.get(username="tutor")
    assert not Authenticator.objects.filter(user=tutor).exists()

    log_in(page, "tutor")
    if "/reauthenticate/" in page.url:  # allauth may ask for the password once more
        page.get_by_label(tr("Password"), exact=True).fill("demo")
        page.get_by_role("button").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        tr("Set up two-factor authentication")
    )
    # The dashboard stays closed until TOTP is set up.
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    secret = page.get_by_label(tr("Secret key")).input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    code_field = page.get_by_label(tr("Code from the app"))
    activate = page.get_by_role("button", name=tr("Activate"), exact=True)

    # A wrong code activates nothing.
    code_field.fill(wrong_code(secret))
    activate.click()
    expect(page.get_by_text(tr("Incorrect code."))).to_be_visible()
    assert not Authenticator.objects.filter(user=tutor, type=Authenticator.Type.TOTP).exists()

    # The secret shown stays the same after the refused attempt; the right code activates.
    assert page.get_by_label(tr("Secret key")).input_value() == secret
    code_field.fill(current_code(secret))
    activate.click()
    expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
    assert Authenticator.objects.filter(user=tutor, type=Authenticator.Type.TOTP).exists()

    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Tutor's dashboard"))

    # Next login: the password alone is not enough.
    log_out(page)
    log_in(page, "tutor")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = page.get_by_label(re.compile(rf"^{re.escape(tr('Code'))}:?$"))  # allauth's as_p
    sign_in = page.get_by_role("button", name=tr("Sign In"), exact=True)

    code.fill(wrong_code(secret))
    sign_in.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_text(tr("Incorrect code."))).to_be_visible()
    expect(page.get_by_role("heading", name=tr("Tutor's dashboard"))).to_have_count(0)

    code.fill(current_code(secret))
    sign_in.click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Tutor's dashboard"))
