from django.urls import path

from . import views, views_consultations, views_offline, views_open

app_name = "courses"

urlpatterns = [
    path("courses/<int:pk>/offline/", views_offline.offline_page, name="offline_page"),
    path("courses/<int:pk>/offline.zip", views_offline.offline_package, name="offline_package"),
    path(
        "courses/<int:pk>/offline/settings/",
        views_offline.offline_settings,
        name="offline_settings",
    ),
    path(
        "courses/<int:pk>/consultations/",
        views_consultations.consultations_page,
        name="consultations",
    ),
    path(
        "courses/<int:pk>/consultations.ics",
        views_consultations.consultations_ics,
        name="consultations_ics",
    ),
    path(
        "courses/<int:pk>/consultations/<slug:action>/",
        views_consultations.consultations_action,
        name="consultations_action",
    ),
    path("courses/<int:pk>/materials/", views.course_materials, name="materials"),
    path(
        "courses/<int:pk>/materials/<int:material_pk>/completion/",
        views.material_completion,
        name="material_completion",
    ),
    path(
        "courses/<int:pk>/materials/<int:material_pk>/<str:field>/",
        views.course_material_file,
        name="material_file",
    ),
    path(
        "courses/<int:pk>/components/<int:component_pk>/file/",
        views.course_component_file,
        name="component_file",
    ),
    path("courses/<int:pk>/eumk/start/", views.eumk_start, name="eumk_start"),
    path(
        "eumk/components/<int:component_pk>/file/",
        views.eumk_component_file,
        name="eumk_component_file",
    ),
    path("eumk/review/", views.review_queue, name="review_queue"),
    path("eumk/completeness/", views.completeness, name="completeness"),
    path("eumk/versions/<int:version_pk>/review/", views.review_decide, name="review_decide"),
    path("eumk/<int:pk>/", views.eumk_detail, name="eumk_detail"),
    path("eumk/<int:pk>/<slug:action>/", views.eumk_action, name="eumk_action"),
    path(
        "eumk/materials/<int:material_pk>/<str:field>/",
        views.eumk_material_file,
        name="eumk_material_file",
    ),
    # Open courses and certificates (views_open).
    path("manage/open/", views_open.manage_list, name="open_manage"),
    path("manage/open/new/", views_open.manage_new, name="open_manage_new"),
    path("manage/open/<int:pk>/", views_open.manage_edit, name="open_manage_edit"),
    path(
        "manage/open/<int:pk>/enrolments/",
        views_open.manage_enrolments,
        name="open_manage_enrolments",
    ),
    path(
        "manage/open/<int:pk>/certificates/<int:certificate_pk>/revoke/",
        views_open.manage_revoke,
        name="open_manage_revoke",
    ),
    path("open/", views_open.catalogue, name="open_catalogue"),
    path("open/<slug:slug>/", views_open.course_page, name="open_course"),
    path("open/<slug:slug>/enrol/", views_open.enrol, name="open_enrol"),
    path("open/<slug:slug>/register/", views_open.register, name="open_register"),
    path("open/<slug:slug>/leave/", views_open.leave, name="open_leave"),
    path(
        "open/<slug:slug>/materials/<int:material_pk>/completion/",
        views_open.material_completion,
        name="open_material_completion",
    ),
    path(
        "open/<slug:slug>/materials/<int:material_pk>/<str:field>/",
        views_open.material_file,
        name="open_material_file",
    ),
    path("open/<slug:slug>/certificate/", views_open.certificate_page, name="open_certificate"),
    path(
        "open/<slug:slug>/certificate.pdf",
        views_open.certificate_pdf,
        name="open_certificate_pdf",
    ),
    path("certificates/verify/", views_open.verify_form, name="certificate_verify"),
    path("certificates/<str:code>/", views_open.verify_code, name="certificate_verify_code"),
    path(
        "certificates/<str:code>/revoke/",
        views_open.certificate_revoke,
        name="certificate_revoke",
    ),
]
