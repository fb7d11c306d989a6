from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # path("api/", include(...)),  -- the JSON API goes here (added with the API work).
    path("review/", include("review.urls")),
    # Last: the articles app owns the site root (the dashboard).
    path("", include("articles.urls")),
]
