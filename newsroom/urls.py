from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from articles.api import ClaimViewSet, ExtractionJobViewSet
from integrations import docs as integrations_docs
from integrations import views as integrations_views
from integrations.api import ArticleViewSet
from review.api import ArticlePublicationViewSet, ClaimVerdictViewSet, ReviewQueueViewSet
from review.urls import desk_patterns

# The JSON API (docs/api.md). Review's viewsets add actions to the article and claim routes;
# registered first, so that the root view's "articles"/"claims" entries name the lists.
api = DefaultRouter(trailing_slash=False)
api.register("articles", ArticlePublicationViewSet, basename="article-publication")
api.register("articles", ArticleViewSet, basename="article")
api.register("claims", ClaimVerdictViewSet, basename="claim-verdict")
api.register("claims", ClaimViewSet, basename="claim")
api.register("extraction-jobs", ExtractionJobViewSet, basename="extraction-job")
api.register("review-queue", ReviewQueueViewSet, basename="review-queue")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include((api.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", integrations_docs.swagger_ui, name="api-docs"),
    path("api/redoc/", integrations_docs.redoc, name="api-redoc"),
    re_path(r"^api/", integrations_views.api_not_found),
    path("integrations/", include("integrations.urls")),
    path("review/", include("review.urls")),
    path("desk/", include(desk_patterns)),
    # Last: the articles app owns the site root (the dashboard).
    path("", include("articles.urls")),
]
