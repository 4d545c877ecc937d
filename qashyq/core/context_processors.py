from django.conf import settings


def site(request):
    return {"ACADEMY_NAME": settings.QASHYQ_ACADEMY_NAME, "DEBUG": settings.DEBUG}
