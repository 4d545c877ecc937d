"""The completeness dashboard: per department and program, who sees what, bounded queries."""

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import (
    DepartmentFactory,
    DisciplineFactory,
    ProgramFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.courses import selectors
from qashyq.courses.models import Component, Eumk, EumkVersion, VersionStatus
from qashyq.courses.tests.factories import fill_complete

URL = "/eumk/completeness/"


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def version(discipline, status, number=1, *, complete=True):
    eumk, _ = Eumk.objects.get_or_create(discipline=discipline)
    v = EumkVersion.objects.create(eumk=eumk, number=number, status=status)
    if complete:
        fill_complete(v)
    return v


@pytest.fixture
def campus(db):
    """Two departments of one faculty and one of another; disciplines in every EUMK state."""
    dep_a = DepartmentFactory(code="DA")
    dep_b = DepartmentFactory(code="DB", faculty=dep_a.faculty)
    dep_other = DepartmentFactory(code="DZ")
    prog_a = ProgramFactory(code="6B001", department=dep_a)
    prog_b = ProgramFactory(code="6B002", department=dep_b)
    d = {}
    for code, dep, progs in [
        ("A1", dep_a, [prog_a]),
        ("A2", dep_a, [prog_a, prog_b]),
        ("A3", dep_a, [prog_a]),
        ("B1", dep_b, [prog_b]),
        ("B2", dep_b, [prog_b]),
        ("Z1", dep_other, []),
    ]:
        d[code] = DisciplineFactory(code=code, department=dep)
        d[code].programs.set(progs)
    version(d["A1"], VersionStatus.APPROVED)
    version(d["A2"], VersionStatus.APPROVED)  # approved v1 in use, v2 being drafted
    v2 = version(d["A2"], VersionStatus.DRAFT, 2, complete=False)
    Component.objects.create(version=v2, kind="syllabus", body="Силлабус")
    version(d["A3"], VersionStatus.SUBMITTED)
    version(d["B1"], VersionStatus.RETURNED)
    # B2 has no EUMK; Z1 approved, in the other faculty
    version(d["Z1"], VersionStatus.APPROVED)

    class C:
        pass

    c = C()
    c.dep_a, c.dep_b, c.dep_other, c.prog_a, c.prog_b, c.d = (
        dep_a,
        dep_b,
        dep_other,
        prog_a,
        prog_b,
        d,
    )
    c.faculty = dep_a.faculty
    c.methodologist = user_with_role("methodologist", "faculty", dep_a.faculty_id)
    c.head = user_with_role("head_of_department", "faculty", dep_a.faculty_id)
    c.rector = user_with_role("rector")
    return c


def rows(groups):
    return {
        g.key.code: {r.discipline.code: (r.status, r.missing, r.has_approved) for r in g.rows}
        for g in groups
    }


def test_the_numbers_per_department_and_program(campus):
    report = selectors.eumk_completeness(campus.methodologist)
    assert rows(report.departments) == {
        "DA": {
            "A1": ("approved", 0, True),
            "A2": ("draft", 8, True),  # 7 mandatory components + the plan are missing in v2
            "A3": ("submitted", 0, False),
        },
        "DB": {"B1": ("returned", 0, False), "B2": ("none", 9, False)},
    }
    da, db = report.departments
    assert (da.total, da.approved, da.percent) == (3, 2, 66.7)
    assert (db.total, db.approved, db.percent) == (2, 0, 0.0)
    assert {g.key.code: (g.total, g.approved, g.percent) for g in report.programs} == {
        "6B001": (3, 2, 66.7),
        "6B002": (3, 1, 33.3),
    }
    assert (report.total, report.approved, report.percent) == (5, 2, 40.0)


def test_filters_by_department_and_program(campus):
    by_dep = selectors.eumk_completeness(campus.rector, department_id=campus.dep_b.pk)
    assert list(rows(by_dep.departments)) == ["DB"]
    by_prog = selectors.eumk_completeness(campus.rector, program_id=campus.prog_b.pk)
    assert rows(by_prog.programs) == {
        "6B002": {
            "A2": ("draft", 8, True),
            "B1": ("returned", 0, False),
            "B2": ("none", 9, False),
        }
    }
    assert set(rows(by_prog.departments)) == {"DA", "DB"}
    by_faculty = selectors.eumk_completeness(campus.rector, faculty_id=campus.dep_other.faculty_id)
    assert rows(by_faculty.departments) == {"DZ": {"Z1": ("approved", 0, True)}}


def test_faculty_staff_see_their_faculty_and_the_administration_sees_all(client, campus, english):
    client.force_login(campus.head)
    html = client.get(URL).content.decode()
    assert 'data-discipline="A1"' in html and 'data-discipline="Z1"' not in html
    assert "2 of 5 disciplines have an approved EUMK (40%)." in html
    assert "Approved: 2 of 3 (66.7%)" in html
    for role in ("rector", "vice_rector", "admin", "registrar"):
        client.force_login(user_with_role(role))
        html = client.get(URL).content.decode()
        assert 'data-discipline="Z1"' in html and 'data-discipline="A1"' in html, role
        assert "3 of 6 disciplines have an approved EUMK (50%)." in html
    # a filter through the page
    client.force_login(campus.rector)
    html = client.get(URL, {"department": campus.dep_b.pk}).content.decode()
    assert 'data-discipline="B1"' in html and 'data-discipline="A1"' not in html
    assert client.get(URL, {"department": "junk"}).status_code == 200


@pytest.mark.parametrize("who", ["tutor", "student", "program_leader", "nobody"])
def test_others_are_refused(client, campus, who):
    user = UserFactory() if who == "nobody" else user_with_role(who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_the_number_of_queries_does_not_grow(client, campus, django_assert_max_num_queries):
    client.force_login(campus.rector)
    with django_assert_max_num_queries(12):
        client.get(URL)
    for i in range(25):
        dis = DisciplineFactory(department=campus.dep_a)
        dis.programs.set([campus.prog_a, campus.prog_b])
        if i % 2:
            version(dis, VersionStatus.APPROVED)
            version(dis, VersionStatus.DRAFT, 2)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert reverse("courses:completeness") == URL
