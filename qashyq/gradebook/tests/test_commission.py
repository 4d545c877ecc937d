"""The commission of a statement: FX re-sit and retake statements need one; the registrar names
academic staff on the statement's page; each member signs (and may open the statement to do it);
the statement is signed, and may be locked, only when everyone has signed. Who may assign,
as a matrix, with nothing changed after a refusal."""

import pytest
from django.urls import reverse

from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook import services
from qashyq.gradebook.models import FinalGrade, Statement, StatementStatus

from .test_statements import fill, locked_statement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # tests/e2e and accounts cover the MFA rule


@pytest.fixture
def resit(world):
    """A draft FX re-sit statement: the FX student re-sat with 60."""
    fill(world)
    locked_statement(world)
    services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.students[1],
        column="exam",
        value=60,
    )
    return services.statement_generate(actor=world.tutor, offering=world.offering, kind="fx_resit")


@pytest.fixture
def head(world):
    return user_with_role(
        "head_of_department", "faculty", world.offering.discipline.department.faculty_id
    )


def test_resit_needs_a_commission_before_it_is_signed(world, resit, head):
    services.statement_sign(actor=world.tutor, statement=resit)
    resit.refresh_from_db()
    assert resit.status == StatementStatus.DRAFT  # no commission yet: still a draft
    with pytest.raises(Conflict):
        services.statement_lock(actor=world.registrar, statement=resit)
    services.statement_commission_set(
        actor=world.registrar, statement=resit, members=[head, world.other_tutor]
    )
    services.statement_sign(actor=head, statement=resit)
    resit.refresh_from_db()
    assert resit.status == StatementStatus.DRAFT  # the other member has not signed
    with pytest.raises(Conflict):
        services.statement_lock(actor=world.registrar, statement=resit)
    with pytest.raises(Conflict):
        services.statement_sign(actor=head, statement=resit)  # twice: refused
    services.statement_sign(actor=world.other_tutor, statement=resit)
    resit.refresh_from_db()
    assert resit.status == StatementStatus.SIGNED
    services.statement_lock(actor=world.registrar, statement=resit)
    grade = FinalGrade.objects.get(student=world.students[1], attempt_kind="fx_resit")
    assert grade.letter == "C"
    entry = AuditLogEntry.objects.get(action="gradebook.statement_commission")
    assert entry.new_value["commission"] == sorted([head.pk, world.other_tutor.pk])
    assert entry.actor == world.registrar


def test_an_exam_statement_is_signed_by_the_tutor_alone_unless_a_commission_is_named(world, head):
    fill(world)
    exam = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    services.statement_commission_set(actor=world.registrar, statement=exam, members=[head])
    services.statement_sign(actor=world.tutor, statement=exam)
    exam.refresh_from_db()
    assert exam.status == StatementStatus.DRAFT
    # Taking the member off again (allowed on an exam statement) leaves the tutor's signature.
    services.statement_commission_set(actor=world.registrar, statement=exam, members=[])
    exam.refresh_from_db()
    assert exam.status == StatementStatus.SIGNED


def test_removing_a_member_drops_their_signature(world, resit, head):
    services.statement_commission_set(actor=world.registrar, statement=resit, members=[head])
    services.statement_sign(actor=head, statement=resit)
    services.statement_commission_set(
        actor=world.registrar, statement=resit, members=[world.other_tutor]
    )
    assert set(resit.signed_by.values_list("pk", flat=True)) == set()
    resit.refresh_from_db()
    assert resit.status == StatementStatus.DRAFT


@pytest.mark.parametrize(
    ("members", "code"),
    [
        (lambda w, h: [], "commission_required"),
        (lambda w, h: [w.tutor], "tutor_in_commission"),
        (lambda w, h: [w.student], "not_academic_staff"),
        (lambda w, h: [UserFactory()], "not_academic_staff"),  # no role at all
        (lambda w, h: [user_with_role("accountant")], "not_academic_staff"),
        (lambda w, h: [h, 999999], "not_academic_staff"),  # no such user
    ],
)
def test_bad_commissions_are_refused_and_change_nothing(world, resit, head, members, code):
    with pytest.raises(ValidationFailed) as caught:
        services.statement_commission_set(
            actor=world.registrar, statement=resit, members=members(world, head)
        )
    assert caught.value.code == code
    assert not resit.commission.exists()
    assert not AuditLogEntry.objects.filter(action="gradebook.statement_commission").exists()


def test_the_commission_of_a_signed_statement_is_frozen(world, head):
    fill(world)
    exam = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    services.statement_sign(actor=world.tutor, statement=exam)
    with pytest.raises(Conflict):
        services.statement_commission_set(actor=world.registrar, statement=exam, members=[head])
    assert not exam.commission.exists()


ASSIGN_ALLOWED = ["registrar", "faculty_registrar"]
ASSIGN_REFUSED = [
    "tutor",
    "other_tutor",
    "other_faculty_registrar",
    "methodologist",
    "admin",
    "curator",
    "student",
    "parent",
]


@pytest.mark.parametrize("who", ASSIGN_ALLOWED + ASSIGN_REFUSED)
def test_who_may_name_the_commission(world, resit, head, who):
    actor = getattr(world, who)
    if who in ASSIGN_ALLOWED:
        services.statement_commission_set(actor=actor, statement=resit, members=[head])
        assert list(resit.commission.all()) == [head]
    else:
        with pytest.raises(PermissionDenied):
            services.statement_commission_set(actor=actor, statement=resit, members=[head])
        assert not resit.commission.exists()


# --- the statement's page -----------------------------------------------------------------------


def statement_url(statement, suffix=""):
    return reverse("gradebook:statement", args=[statement.pk]) + suffix


def test_registrar_names_the_commission_on_the_page_and_members_sign(
    client, world, resit, head, django_assert_max_num_queries
):
    client.force_login(world.registrar)
    with django_assert_max_num_queries(13):
        page = client.get(statement_url(resit)).content.decode()
    assert 'id="commission-missing"' in page and 'id="statement-commission"' in page
    assert f'id="member-{head.pk}"' in page  # a head of the discipline's faculty is suggested
    assert f'id="member-{world.tutor.pk}"' not in page  # the tutor signs anyway
    commission_url = reverse("gradebook:statement_commission", args=[resit.pk])
    # An unknown username: nothing changes.
    client.post(commission_url, {"member": [head.pk], "usernames": "nobody-here"})
    assert not resit.commission.exists()
    # A ticked candidate plus a member added by username (case-insensitive).
    response = client.post(
        commission_url, {"member": [head.pk], "usernames": world.other_tutor.username.upper()}
    )
    assert response.status_code == 302
    assert set(resit.commission.all()) == {head, world.other_tutor}

    # The other course's tutor cannot read this journal, but as a member opens and signs.
    client.force_login(world.other_tutor)
    assert client.get(f"/courses/{world.offering.pk}/journal/").status_code == 403
    page = client.get(statement_url(resit)).content.decode()
    assert 'id="statement-sign"' in page and 'id="statement-commission"' not in page
    assert client.get(reverse("gradebook:statement_pdf", args=[resit.pk])).status_code == 200
    client.post(reverse("gradebook:statement_sign", args=[resit.pk]))
    for signer in (world.tutor, head):
        client.force_login(signer)
        client.post(reverse("gradebook:statement_sign", args=[resit.pk]))
    resit.refresh_from_db()
    assert resit.status == StatementStatus.SIGNED
    client.force_login(world.registrar)
    page = client.get(statement_url(resit)).content.decode()
    assert 'id="statement-lock"' in page and 'id="statement-commission"' not in page


def test_outsiders_cannot_post_a_commission(client, world, resit, head):
    commission_url = reverse("gradebook:statement_commission", args=[resit.pk])
    for who in ("tutor", "outsider", "admin"):
        client.force_login(getattr(world, who))
        response = client.post(commission_url, {"member": [head.pk]})
        assert response.status_code == 403
        assert not resit.commission.exists()
    client.force_login(world.outsider)
    assert client.get(statement_url(resit)).status_code == 403
    assert Statement.objects.get(pk=resit.pk).status == StatementStatus.DRAFT
