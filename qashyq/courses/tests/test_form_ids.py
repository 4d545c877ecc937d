"""The EUMK page renders many forms with the same field names (the plan's and the "Add a topic"
form's week, every topic's "Add a material" form, every material's edit form): every id on the
page is unique and every <label for> points at a form control of its own form, so a screen
reader (and a click on the label) reaches the right input. The forms still post what the views
read."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.courses import services
from qashyq.courses.models import Material, PlanClass, Topic
from qashyq.courses.tests.factories import PDF, fill_complete, mp4_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Page(HTMLParser):
    """Every element with an id, every label with ``for``, and every form's controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.elements: dict[str, tuple[str, int | None, dict]] = {}  # id -> (tag, form, attrs)
        self.labels: list[tuple[str, int | None]] = []  # (for, form)
        self.forms: list[dict] = []  # {"action": ..., "controls": [attrs, ...]}
        self._form: int | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "controls": []})
            self._form = len(self.forms) - 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
            self.elements[attrs["id"]] = (tag, self._form, attrs)
        if tag == "label" and "for" in attrs:
            self.labels.append((attrs["for"], self._form))
        if tag in ("input", "select", "textarea") and self._form is not None:
            self.forms[self._form]["controls"].append({"tag": tag, **attrs})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_accessible_ids(page: Page) -> None:
    duplicates = sorted(name for name, count in Counter(page.ids).items() if count > 1)
    assert duplicates == [], f"ids used more than once: {duplicates}"
    assert page.labels, "the page has no labels to check"
    for target, form in page.labels:
        assert target in page.elements, f'<label for="{target}"> points at nothing'
        tag, target_form, _attrs = page.elements[target]
        assert tag in LABELABLE, f'<label for="{target}"> points at a <{tag}>'
        assert target_form == form, f'<label for="{target}"> points into another form'


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def busy(world):
    """A draft with components (one with a file), a plan, and two topics with several kinds of
    materials each: every form of the page is there, the repeated ones several times."""
    fill_complete(world.version)
    services.component_save(
        actor=world.tutor,
        version=world.version,
        kind="syllabus",
        body="Силлабус",
        file=SimpleUploadedFile("syllabus.pdf", PDF),
    )
    for week in (1, 2):
        topic = services.topic_add(
            actor=world.tutor, version=world.version, week=week, title=f"Тақырып {week}"
        )
        services.material_add(actor=world.tutor, topic=topic, kind="text", title="Мәтін", body="x")
        services.material_add(
            actor=world.tutor,
            topic=topic,
            kind="video",
            title="Бейне",
            file=SimpleUploadedFile("v.mp4", mp4_bytes()),
        )
        services.material_add(
            actor=world.tutor,
            topic=topic,
            kind="file",
            title="Файл",
            file=SimpleUploadedFile("f.pdf", PDF),
        )
    world.url = reverse("courses:eumk_detail", args=[world.eumk.pk])
    return world


def test_the_editors_page_has_unique_ids_and_labels_that_point_at_their_inputs(client, busy):
    client.force_login(busy.tutor)
    response = client.get(busy.url)
    assert response.status_code == 200
    page = parse(response.content.decode())
    assert_accessible_ids(page)
    # the forms that used to collide are there, each with its own ids
    topics = Topic.objects.filter(version=busy.version).order_by("week")
    assert {"plan-week", "topic-add-week"} <= set(page.ids)
    for topic in topics:
        assert f"topic-{topic.pk}-material-kind" in page.ids
        assert f"topic-{topic.pk}-material-title" in page.ids
    assert page.ids.count("id_week") == 0 and page.ids.count("id_kind") == 0


def test_the_reviewers_page_has_unique_ids_too(client, busy):
    services.eumk_version_submit(actor=busy.tutor, version=busy.version)
    client.force_login(busy.methodologist)
    page = parse(client.get(busy.url).content.decode())
    assert_accessible_ids(page)
    assert "review-comment" in page.ids


def form_data(form: dict, **values) -> dict:
    """What the browser would post from a rendered form: its hidden fields and ``values`` by
    the rendered names (unknown names fail, so a renamed field is noticed)."""
    names = {control.get("name") for control in form["controls"]}
    unknown = set(values) - names
    assert not unknown, f"the form has no fields {unknown}"
    data = {
        control["name"]: control.get("value", "")
        for control in form["controls"]
        if control.get("type") == "hidden" and control.get("name")
    }
    data.update(values)
    return data


def test_the_forms_post_what_the_views_read(client, busy):
    """Fill the rendered forms by their field names: the second topic's "Add a material" form
    adds to that topic, and the plan's and the topic's "week" reach their own records."""
    client.force_login(busy.tutor)
    page = parse(client.get(busy.url).content.decode())
    action = lambda name: reverse("courses:eumk_action", args=[busy.eumk.pk, name])  # noqa: E731
    second = Topic.objects.get(version=busy.version, week=2)

    add_material = next(
        form
        for form in page.forms
        if form["action"] == action("material_add")
        and any(
            c.get("name") == "id" and c.get("value") == str(second.pk) for c in form["controls"]
        )
    )
    data = form_data(add_material, kind="text", title="Екінші тақырыпқа", body="Мәтін")
    assert client.post(action("material_add"), data).status_code == 302
    assert Material.objects.get(title="Екінші тақырыпқа").topic_id == second.pk

    plan = next(form for form in page.forms if form["action"] == action("plan_add"))
    data = form_data(
        plan, week="7", topic="Семинар", class_type="seminar", hours="2", mode="in_person"
    )
    client.post(action("plan_add"), data)
    assert PlanClass.objects.get(version=busy.version, topic="Семинар").week == 7

    topic_add = next(form for form in page.forms if form["action"] == action("topic_add"))
    client.post(action("topic_add"), form_data(topic_add, week="9", title="Тоғызыншы"))
    assert Topic.objects.get(version=busy.version, title="Тоғызыншы").week == 9


def test_the_check_catches_a_duplicate_and_a_dangling_label():
    """The checker itself fails on the defects it guards against."""
    duplicate = '<form><label for="a">A</label><input id="a"><input id="a"></form>'
    with pytest.raises(AssertionError, match="more than once"):
        assert_accessible_ids(parse(duplicate))
    dangling = '<form><label for="b">B</label><input id="a"></form>'
    with pytest.raises(AssertionError, match="points at nothing"):
        assert_accessible_ids(parse(dangling))
    other_form = '<form><label for="a">A</label></form><form><input id="a"></form>'
    with pytest.raises(AssertionError, match="another form"):
        assert_accessible_ids(parse(other_form))
