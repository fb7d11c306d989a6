from __future__ import annotations

from rest_framework import serializers

from review.notifications import services
from review.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The claim or article it is about.")
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "reason",
            "article",
            "claim",
            "event",
            "created_at",
            "read_at",
            "read",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj: Notification) -> str:
        return services.absolute(services.link_of(obj))

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")
