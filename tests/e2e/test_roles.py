"""Every demo login signs in through the real form and sees its own dashboard with its own data.

Staff MFA is switched off here (test_mfa.py walks the TOTP flow); what each dashboard must show
is read from the demo academy in the database, so the checks follow the seed, not a copy of it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import (
    CalendarEvent,
    ControlForm,
    CourseOffering,
    EventKind,
    Faculty,
    Funding,
    Program,
    StudentProfile,
    StudyGroup,
)
from qashyq.academics.selectors import current_period, today
from qashyq.accounts.models import User

pytestmark = pytest.mark.usefixtures("no_staff_mfa")

HEADINGS = {
    "admin": "System administrator's dashboard",
    "rector": "Rector's dashboard",
    "methodologist": "Methodologist's dashboard",
    "programleader": "Program leader's dashboard",
    "tutor": "Tutor's dashboard",
    "student": "Student's dashboard",
    "registrar": "Office registrar's dashboard",
    "admission": "Admission committee's dashboard",
    "proctor": "Proctor's dashboard",
    "librarian": "Librarian's dashboard",
    "practice": "Practice supervisor's dashboard",
    "accountant": "Accountant's dashboard",
    "parent": "Parent's dashboard",
}


def tr(message) -> str:
    """``message`` (a source string or a lazy choice label) as the Kazakh page shows it."""
    with translation.override("kk"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def kk(obj) -> str:
    """A trilingual name as a Kazakh page shows it."""
    return obj.name_kk


def period_disciplines(**filters) -> list[str]:
    period = current_period()
    if period is None:
        return []
    offerings = CourseOffering.objects.filter(period=period, **filters).select_related("discipline")
    return sorted({o.discipline.name_kk for o in offerings})


def check_role_data(page: Page, username: str) -> None:
    """One or more pieces of the role's real data, each asserted as a user would see it."""
    main = page.get_by_role("main")
    user = User.objects.get(username=username)
    if username in ("admin", "registrar"):
        link = main.get_by_role("link", name=tr("Bulk import of students, groups and staff"))
        expect(link).to_have_attribute("href", reverse("academics:import"))
        students = StudentProfile.objects.count()
        expect(main.get_by_role("list", name=tr("Summary"))).to_contain_text(str(students))
    elif username == "rector":
        for faculty in Faculty.objects.all():
            expect(main.get_by_role("rowheader", name=kk(faculty), exact=True)).to_be_visible()
    elif username == "methodologist":
        mine = Program.objects.filter(department__faculty__code="FAS")
        others = Program.objects.exclude(department__faculty__code="FAS")
        assert mine.exists() and others.exists()
        for program in mine:
            expect(main.get_by_role("link", name=kk(program), exact=True)).to_be_visible()
        for program in others:  # another faculty's programs are not theirs
            expect(main.get_by_role("link", name=kk(program), exact=True)).to_have_count(0)
    elif username == "programleader":
        groups = StudyGroup.objects.filter(program__code="6B02105")
        assert groups.exists()
        for group in groups:
            expect(main.get_by_role("rowheader", name=group.code, exact=True)).to_be_visible()
        other = StudyGroup.objects.exclude(program__code="6B02105").first()
        expect(main.get_by_role("rowheader", name=other.code, exact=True)).to_have_count(0)
    elif username in ("tutor", "proctor"):
        filters = {"tutors": user} if username == "tutor" else {}
        names = period_disciplines(**filters)
        if not names:  # between periods: nothing is taught, the dashboard says so
            pytest.skip("no course offering in the current period on this date")
        for name in names[:3]:
            row = main.get_by_role("rowheader", name=re.compile(re.escape(name)))
            expect(row.first).to_be_visible()
        if username == "tutor":  # another tutor's course is not on the tutor's list
            others = set(period_disciplines()) - set(names)
            for name in sorted(others)[:3]:
                expect(main.get_by_text(name, exact=False)).to_have_count(0)
    elif username == "student":
        profile = StudentProfile.objects.select_related("group", "program").get(user=user)
        facts = main.locator("dl.facts")
        expect(facts).to_contain_text(profile.group.code)
        expect(facts.get_by_role("link", name=kk(profile.program), exact=True)).to_be_visible()
    elif username == "admission":
        for program in Program.objects.filter(is_published=True):
            expect(main.get_by_role("link", name=kk(program), exact=True)).to_be_visible()
    elif username == "librarian":
        programs = Program.objects.filter(is_published=True).count()
        summary = main.get_by_role("list", name=tr("Summary"))
        expect(summary.get_by_role("listitem").first).to_have_text(
            f"{programs} {tr('published programs')}"
        )
    elif username == "practice":
        events = CalendarEvent.objects.filter(
            year__is_current=True, kind=EventKind.PRACTICE, ends_on__gte=today()
        )
        practice = period_disciplines(discipline__control_form=ControlForm.PRACTICE)
        if not events.exists() and not practice:
            pytest.skip("no practice ahead in the current academic year on this date")
        for event in events:
            expect(main.get_by_text(event.note_kk)).to_be_visible()
        for name in practice:
            row = main.get_by_role("rowheader", name=re.compile(re.escape(name)))
            expect(row.first).to_be_visible()
    elif username == "accountant":
        grant = StudentProfile.objects.filter(funding=Funding.STATE_GRANT).count()
        paid = StudentProfile.objects.filter(funding=Funding.PAID).count()
        table = main.get_by_role("table", name=tr("Students by funding"))
        for label, count in ((Funding.STATE_GRANT.label, grant), (Funding.PAID.label, paid)):
            row = table.get_by_role("row", name=re.compile(re.escape(tr(label))))
            expect(row.get_by_role("cell")).to_have_text(str(count))
    elif username == "parent":
        child = User.objects.get(username="student")
        profile = StudentProfile.objects.select_related("group").get(user=child)
        section = main.get_by_role("region", name=child.full_name)
        expect(section.get_by_role("heading", level=2)).to_have_text(child.full_name)
        expect(section).to_contain_text(profile.group.code)
    else:  # pragma: no cover - a new demo login needs its check here
        raise AssertionError(f"no data check for {username}")


@pytest.mark.parametrize("username", list(HEADINGS))
def test_demo_login_lands_on_its_dashboard(page: Page, log_in, log_out, username):
    user = User.objects.get(username=username)

    log_in(page, username)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(tr(HEADINGS[username]))
    expect(page).to_have_title(re.compile("^" + re.escape(tr(HEADINGS[username]))))
    signed_in = page.get_by_role("main").get_by_text(re.compile(re.escape(user.full_name)))
    expect(signed_in.first).to_be_visible()
    check_role_data(page, username)

    log_out(page)
    expect(page.get_by_role("link", name=tr("Log in"), exact=True).first).to_be_visible()
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))


def test_wrong_password_is_refused(page: Page, log_in):
    log_in(page, "student", password="not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text(
        tr("The username or the password is not correct.")
    )
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
