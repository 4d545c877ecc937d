"""Issue 4 gaps, item 5: the client's address behind reverse proxies, for a test's allowed IP
ranges. ``QASHYQ_TRUSTED_PROXY_COUNT`` (env TRUSTED_PROXY_COUNT) proxies append to
X-Forwarded-For; the client is the right-most address they did not write. Whatever a client
puts in the header itself cannot make it look like an address of the allowed rooms."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from qashyq.assessments.services.tests_admin import parse_ip_ranges
from qashyq.core.net import client_ip

rf = RequestFactory()


def request(remote="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_the_default_is_no_proxy_and_production_follows_the_login_limits_proxy_count():
    """One environment variable, TRUSTED_PROXY_COUNT (docs/deploy.md), tells both the login
    limits and the allowed IP ranges how many proxies are in front."""
    assert django_settings.QASHYQ_TRUSTED_PROXY_COUNT == 0
    base = Path(django_settings.BASE_DIR)
    production = (base / "config" / "settings" / "production.py").read_text()
    assert "QASHYQ_TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT" in production
    assert "allowed IP ranges" in (base / "docs" / "deploy.md").read_text()


@pytest.mark.parametrize(
    ("count", "remote", "xff", "expected"),
    [
        # no proxy: REMOTE_ADDR, and a forged header is ignored
        (0, "203.0.113.5", None, "203.0.113.5"),
        (0, "203.0.113.5", "10.1.2.3", "203.0.113.5"),
        # nginx (1): the address nginx appended, whatever the client wrote before it
        (1, "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (1, "127.0.0.1", "10.1.2.3, 203.0.113.5", "203.0.113.5"),
        (1, "127.0.0.1", "10.1.2.3,203.0.113.5", "203.0.113.5"),
        # a load balancer and nginx (2): the one the balancer appended
        (2, "127.0.0.1", "10.1.2.3, 203.0.113.5, 192.0.2.10", "203.0.113.5"),
        (2, "127.0.0.1", "203.0.113.5, 192.0.2.10", "203.0.113.5"),
        # fewer entries than trusted proxies: unknown, never the proxy's own address
        (1, "10.1.2.1", None, None),
        (1, "10.1.2.1", "", None),
        (2, "10.1.2.1", "10.1.2.3", None),
        # ports, brackets and spelling are normalised; garbage is unknown
        (1, "127.0.0.1", "203.0.113.5:51234", "203.0.113.5"),
        (1, "127.0.0.1", "[2001:DB8::1]:443", "2001:db8::1"),
        (1, "127.0.0.1", "2001:db8:0:0::1", "2001:db8::1"),
        (1, "127.0.0.1", "10.1.2.3, unknown", None),
        (1, "127.0.0.1", "10.1.2.3, <script>", None),
        (0, "", None, None),
    ],
)
def test_client_ip(settings, count, remote, xff, expected):
    settings.QASHYQ_TRUSTED_PROXY_COUNT = count
    assert client_ip(request(remote, xff)) == expected


def test_a_forged_header_cannot_reach_an_allowed_room(settings):
    """The scenario the allowed IP ranges exist for: a student at home claims a campus address."""
    rooms = parse_ip_ranges("10.1.2.0/24")
    settings.QASHYQ_TRUSTED_PROXY_COUNT = 1

    def allowed(req) -> bool:
        ip = client_ip(req)
        return ip is not None and any(ipaddress.ip_address(ip) in net for net in rooms)

    # in the room, behind nginx
    assert allowed(request("127.0.0.1", "10.1.2.44"))
    # at home, forging the header: nginx appends the real address after the forged one
    assert not allowed(request("127.0.0.1", "10.1.2.44, 198.51.100.7"))
    # the proxy itself sits in the room's network: a request with no header is still refused
    assert not allowed(request("10.1.2.1"))
    # with the count left at 0 behind nginx every request would look like nginx's address
    settings.QASHYQ_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("127.0.0.1", "10.1.2.44")) == "127.0.0.1"
