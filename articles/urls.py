from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.user_settings, name="settings"),
    path("dashboard/my-reviews/", views.my_reviews, name="my_reviews"),
    path("articles/new/", views.create, name="create"),
    path("articles/<int:pk>/", views.detail, name="detail"),
    path("articles/<int:pk>/edit/", views.edit, name="edit"),
    path("articles/<int:pk>/submit/", views.submit, name="submit"),
    path("articles/<int:pk>/return-to-draft/", views.return_to_draft, name="return_to_draft"),
    path("articles/<int:pk>/gate/", views.gate, name="gate"),
    path("articles/<int:pk>/history.csv", views.history_csv, name="history_csv"),
    path("articles/<int:pk>/extraction/", views.extraction_status, name="extraction_status"),
    path(
        "articles/<int:pk>/extraction/<int:job_pk>/retry/",
        views.retry_extraction,
        name="retry_extraction",
    ),
]
