from django.urls import path

from . import urls_admission, urls_graduation, urls_iup, urls_summer, views

app_name = "registrar"

urlpatterns = [
    path("transcript/", views.my_transcript, name="my_transcript"),
    path("children/gpa/", views.children_gpa, name="children_gpa"),
    path("registrar/students/", views.student_search, name="search"),
    path("registrar/below-threshold/", views.below_threshold, name="below_threshold"),
    path(
        "students/<int:student_id>/transcript/",
        views.student_transcript,
        name="transcript",
    ),
    path("students/<int:student_id>/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    path(
        "students/<int:student_id>/transcript.json",
        views.transcript_json,
        name="transcript_json",
    ),
    path("students/<int:student_id>/gpa/", views.student_gpa, name="gpa"),
]

urlpatterns += (
    urls_iup.urlpatterns
    + urls_admission.urlpatterns
    + urls_summer.urlpatterns
    + urls_graduation.urlpatterns
)
