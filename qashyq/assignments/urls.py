from django.urls import path

from . import views, views_deadlines

app_name = "assignments"

urlpatterns = [
    path("courses/<int:pk>/tasks/", views.task_list, name="task_list"),
    path("courses/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/publish/", views.task_publish, name="task_publish"),
    path("tasks/<int:pk>/submissions/", views.submission_list, name="submissions"),
    path("tasks/<int:pk>/gradebook-post/", views.gradebook_post, name="gradebook_post"),
    path("tasks/<int:pk>/similarity/", views.similarity, name="similarity"),
    path("submissions/<int:pk>/grade/", views.grade, name="grade"),
    path("submissions/<int:pk>/feedback-file/", views.feedback_file, name="feedback_file"),
    path("submissions/files/<int:pk>/", views.submission_file, name="submission_file"),
    path("calendar/feed/", views_deadlines.feed_settings, name="deadlines_feed"),
    path("calendar/feed/<str:token>.ics", views_deadlines.feed_ics, name="deadlines_ics"),
]
