"""JSON API of the notifications: the caller's own, nobody else's (`/notifications`,
`?unread=true`; `POST /notifications/{id}/read`, `POST /notifications/read-all`). The queryset
is the caller's rows only, so another user's id is a 404 like an id that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from articles.rest import Pagination, errors, list_errors
from review.notifications import services
from review.notifications.models import Notification
from review.notifications.serializers import NotificationSerializer, ReadAllResultSerializer

UNREAD = OpenApiParameter(
    "unread", bool, description="`true`: unread only; `false`: read only; absent: all."
)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's notifications, newest first",
        parameters=[UNREAD],
        responses={200: NotificationSerializer(many=True), **list_errors()},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [drf_permissions.IsAuthenticated]
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Notification]:
        queryset = Notification.objects.for_user(self.request.user).newest_first()
        if self.action == "list":
            unread = self.request.query_params.get("unread")
            if unread not in (None, "true", "false"):
                raise ValidationError({"unread": ["true or false."]})
            if unread is not None:
                queryset = queryset.filter(read_at__isnull=unread == "true")
        return queryset

    @extend_schema(
        summary="Mark one of the caller's notifications read",
        request=None,
        responses={200: NotificationSerializer, **errors(400, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        notification = services.mark_read(request.user, notification.pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark every notification of the caller read",
        request=None,
        responses={200: ReadAllResultSerializer, **errors(400, 403, 429)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(request.user)})
