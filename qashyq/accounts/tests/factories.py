import datetime

import factory

from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import RoleAssignment, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Айгерім"
    last_name = factory.Sequence(lambda n: f"Сапарова{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    # serials 10 apart: make_iin skips a serial with no check digit to the next one, so n and n+1
    # could give the same IIN; the birth date moves on every 1000 users
    iin = factory.Sequence(
        lambda n: make_iin(
            datetime.date(2004, 5, 17) + datetime.timedelta(days=n // 1000),
            female=True,
            serial=(n % 1000) * 10,
        )
    )
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "student"
    scope_type = "site"
    scope_id = None


def user_with_role(role: str, scope_type: str = "site", scope_id: int | None = None, **kw):
    user = UserFactory(**kw)
    RoleAssignment.objects.create(user=user, role=role, scope_type=scope_type, scope_id=scope_id)
    return user
