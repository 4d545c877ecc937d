from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.programs, name="programs"),
    path("programs/<str:code>/", views.program_detail, name="program_detail"),
    path("calendar/", views.calendar, name="calendar"),
    path("documents/", views.documents, name="documents"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
    path("guide/", views.guide, name="guide"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
