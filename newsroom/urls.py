from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from articles.api import ExtractionJobViewSet
from integrations import bulk, health, metrics
from integrations import docs as integrations_docs
from integrations import views as integrations_views
from integrations.api import ArticleViewSet
from review.api import ClaimViewSet, ReviewQueueViewSet
from review.notifications.api import NotificationViewSet
from review.urls import desk_patterns

# The JSON API (docs/api.md): one ViewSet per resource, each transition an action on it. The
# article resource is articles.api.ArticleViewSet; integrations' subclass adds `create` (feed
# ingestion) and is the one routed. The shared plumbing is articles/rest.py.
api = DefaultRouter(trailing_slash=False)
api.register("articles", ArticleViewSet, basename="article")
api.register("claims", ClaimViewSet, basename="claim")
api.register("extraction-jobs", ExtractionJobViewSet, basename="extraction-job")
api.register("review-queue", ReviewQueueViewSet, basename="review-queue")
api.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    # For load balancers, systemd and monitoring (docs/deploying.md); no authentication, no
    # names; /metrics answers only the callers settings allow.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Before the router, whose article detail route would take "bulk" for an id.
    path("api/v1/articles/bulk", bulk.bulk_create_articles, name="api-articles-bulk"),
    path("api/v1/", include((api.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", integrations_docs.swagger_ui, name="api-docs"),
    path("api/redoc/", integrations_docs.redoc, name="api-redoc"),
    re_path(r"^api/", integrations_views.api_not_found),
    path("integrations/", include("integrations.urls")),
    path("review/", include("review.urls")),
    path("notifications/", include("review.notifications.urls")),
    path("desk/", include(desk_patterns)),
    # Last: the articles app owns the site root (the dashboard).
    path("", include("articles.urls")),
]
