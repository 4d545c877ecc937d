"""Embedded resources: an <iframe> only for https links to the allowed hosts."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from qashyq.core.errors import ValidationFailed
from qashyq.courses import services
from qashyq.courses.models import Material
from qashyq.courses.selectors import embed_src, normalise_embed_url
from qashyq.courses.tests.factories import TopicFactory, fill_complete

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world):
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)


def add_embed(world, url, title="Симулятор"):
    topic = TopicFactory(version=world.version)
    return services.material_add(actor=world.tutor, topic=topic, kind="embed", title=title, url=url)


def materials_page(client, world, user=None):
    client.force_login(user or world.student)
    return client.get(reverse("courses:materials", args=[world.offering.pk])).content.decode()


def test_the_default_hosts_are_configured():
    hosts = django_settings.QASHYQ_EMBED_HOSTS
    for host in ("www.youtube-nocookie.com", "player.vimeo.com", "phet.colorado.edu"):
        assert host in hosts
    assert "www.youtube.com" not in hosts  # watch links are turned into nocookie ones instead


def test_a_youtube_watch_link_becomes_a_nocookie_frame_for_the_student(client, world):
    fill_complete(world.version)
    material = add_embed(world, "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s", "Дәріс")
    assert material.url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"
    approve(world)
    html = materials_page(client, world)
    frame = html.split("<iframe", 1)[1].split("</iframe>", 1)[0]
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"' in frame
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in frame
    assert 'loading="lazy"' in frame
    assert 'title="Дәріс"' in frame
    assert 'referrerpolicy="strict-origin-when-cross-origin"' in frame


@pytest.mark.parametrize(
    ("given", "embedded"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
        ),
        (
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://phet.colorado.edu/sims/html/ohms-law/latest/ohms-law_kk.html",
            "https://phet.colorado.edu/sims/html/ohms-law/latest/ohms-law_kk.html",
        ),
    ],
)
def test_known_video_links_are_normalised(given, embedded):
    assert normalise_embed_url(given) == embedded
    assert embed_src(embedded) == embedded


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/page",
        "http://phet.colorado.edu/sims/x.html",  # not https
        "https://phet.colorado.edu.evil.com/x",  # a look-alike host
        "https://user:pw@phet.colorado.edu/x",
        "https://phet.colorado.edu:8443/x",
        "https://www.youtube.com/channel/UC123",  # not a video: stays on www.youtube.com
    ],
)
def test_a_link_to_another_site_is_refused_naming_the_allowed_hosts(world, url):
    topic = TopicFactory(version=world.version)
    with pytest.raises(ValidationFailed) as refused:
        services.material_add(actor=world.tutor, topic=topic, kind="embed", title="x", url=url)
    message = str(refused.value.message)
    assert "cannot be embedded" in message
    assert "phet.colorado.edu" in message and "player.vimeo.com" in message
    assert refused.value.code == "embed_host_not_allowed"
    assert not Material.objects.exists()


def test_the_page_shows_the_refusal_and_adds_nothing(client, world):
    topic = TopicFactory(version=world.version)
    client.force_login(world.tutor)
    response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "material_add"]),
        {"id": topic.pk, "kind": "embed", "title": "Bad", "url": "https://evil.example.com/"},
        follow=True,
    )
    html = response.content.decode()
    assert "This resource cannot be embedded" in html
    assert "learningapps.org" in html
    assert not Material.objects.exists()


def test_the_hosts_come_from_the_setting(world, settings):
    settings.QASHYQ_EMBED_HOSTS = ["h5p.university.kz"]
    material = add_embed(world, "https://h5p.university.kz/embed/7")
    assert material.url == "https://h5p.university.kz/embed/7"
    with pytest.raises(ValidationFailed):
        add_embed(world, "https://phet.colorado.edu/sims/x.html")


def test_a_host_removed_from_the_setting_is_shown_as_a_link(client, world, settings):
    fill_complete(world.version)
    add_embed(world, "https://learningapps.org/watch?v=abc")
    approve(world)
    settings.QASHYQ_EMBED_HOSTS = ["phet.colorado.edu"]
    html = materials_page(client, world)
    assert "<iframe" not in html
    assert 'href="https://learningapps.org/watch?v=abc"' in html
    assert "This site cannot be shown in the page" in html


def test_changing_an_embed_to_a_refused_host_changes_nothing(world):
    material = add_embed(world, "https://phet.colorado.edu/sims/x.html")
    with pytest.raises(ValidationFailed):
        services.material_update(
            actor=world.tutor, material=material, title="New", url="https://evil.example.com/"
        )
    material.refresh_from_db()
    assert (material.title, material.url) == ("Симулятор", "https://phet.colorado.edu/sims/x.html")


def test_a_plain_link_may_point_anywhere(world):
    topic = TopicFactory(version=world.version)
    link = services.material_add(
        actor=world.tutor, topic=topic, kind="link", title="x", url="http://example.com/"
    )
    assert link.url == "http://example.com/"
