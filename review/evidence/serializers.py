"""The API's view of a claim's evidence: `GET /api/v1/claims/{id}/evidence/`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from review.evidence.models import EvidenceSnapshot
from review.evidence.views import Source


class EvidenceSnapshotSerializer(serializers.ModelSerializer):
    text_url = serializers.SerializerMethodField()
    raw_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceSnapshot
        fields = [
            "id", "requested_url", "final_url", "state", "http_status", "content_type",
            "fetched_at", "sha256", "size", "title", "error_kind", "error", "rot", "rot_note",
            "rechecked_at", "text_url", "raw_url",
        ]  # fmt: skip

    def _url(self, snapshot: EvidenceSnapshot, name: str) -> str | None:
        if not snapshot.is_archived:
            return None
        path = reverse(name, args=[self.context["claim"].pk, snapshot.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_text_url(self, snapshot: EvidenceSnapshot) -> str | None:
        return self._url(snapshot, "review:evidence_text")

    def get_raw_url(self, snapshot: EvidenceSnapshot) -> str | None:
        return self._url(snapshot, "review:evidence_raw") if snapshot.file else None


def source_data(source: Source, context: dict[str, Any]) -> dict[str, Any]:
    facts = source.facts
    return {
        "url": source.url,
        "is_evidence": source.is_evidence,
        "in_conversation": source.in_conversation,
        "anchor": source.anchor,
        "snapshots": EvidenceSnapshotSerializer(source.snapshots, many=True, context=context).data,
        "facts_found": {"found": facts.found, "total": facts.total} if facts else None,
        "facts": [
            {
                "kind": r.fact.kind,
                "label": r.fact.label,
                "found": r.is_found,
                "passage": (r.found.before + r.found.match + r.found.after) if r.found else "",
                "near_miss": r.near.match if r.near else "",
            }
            for r in (facts.results if facts else [])
        ],
    }


class ClaimEvidenceSerializer(serializers.Serializer):
    """Schema of the answer (built by `ClaimVerdictViewSet.evidence`)."""

    claim = serializers.IntegerField()
    evidence_url = serializers.CharField(allow_blank=True)
    cited_links = serializers.ListField(child=serializers.DictField())
    sources = serializers.ListField(child=serializers.DictField())
