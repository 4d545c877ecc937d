from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("qashyq.portal.urls")),
    path("", include("qashyq.academics.urls")),
    path("", include("qashyq.courses.urls")),
    path("", include("qashyq.gradebook.urls")),
    path("", include("qashyq.assignments.urls")),
    path("", include("qashyq.assessments.urls")),
    path("", include("qashyq.registrar.urls")),
    path("", include("qashyq.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("config.api")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
