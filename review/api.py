"""JSON API of review: the claim resource with its verdicts (`/claims`, `/claims/{id}/verdict`,
`/claims/{id}/reuse`, `/claims/{id}/suggestions`) and the caller's review queue.

Same rules as `articles.api`, with the same plumbing (`articles/rest.py`): the queryset decides
what exists for the caller (404), the permission classes ask the predicates of
`articles.permissions` (403), the services decide on the state (409). Claims are routed here, not in
articles, because judging them is review's: review depends on articles and never the reverse.
Publishing and the ClaimReview export are actions of the article resource (`articles.api`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from articles import permissions
from articles.models import Article, Claim
from articles.rest import (
    RETRY_AFTER,
    WRITE_ERRORS,
    FilterBackend,
    GateCountsListMixin,
    IdFilter,
    Pagination,
    StrictFilterSet,
    errors,
    list_errors,
    validated,
)
from articles.serializers import ClaimSerializer
from review import services
from review.conversations import services as conversations
from review.conversations.models import Comment
from review.conversations.serializers import (
    CommentEditSerializer,
    CommentInputSerializer,
    CommentSerializer,
    ResolveInputSerializer,
)
from review.evidence import services as evidence_services
from review.evidence.serializers import ClaimEvidenceSerializer, source_data
from review.evidence.views import evidence_sources
from review.models import ReuseSuggestion
from review.serializers import (
    ClaimChangedErrorSerializer,
    ReuseInputSerializer,
    ReuseSuggestionSerializer,
    ReviewQueueItemSerializer,
    VerdictInputSerializer,
)

CLAIM_CHANGED = OpenApiResponse(
    ClaimChangedErrorSerializer,
    "The state does not allow the verdict (article not in review, claim removed, another "
    "reviewer holds it; `detail` only), or the sentence changed since the version in `judged`: "
    "then nothing was recorded and `text` and `version` are the sentence now.",
    examples=[
        OpenApiExample(
            "Sentence changed",
            value={
                "detail": "This sentence changed since you opened it: The council approved a "
                "budget of 50 million.",
                "claim": 67,
                "text": "The council approved a budget of 50 million.",
                "version": "3f9a0c2e7b1d4a58",
            },
            status_codes=["409"],
            response_only=True,
        ),
        OpenApiExample(
            "Held",
            value={
                "detail": "R. Lee has this claim open until 14:05. Nobody else can judge it "
                "until they are done or the hold ends."
            },
            status_codes=["409"],
            response_only=True,
        ),
    ],
)


COMMENT_ACTIONS = ("comments", "comment", "resolve")


# --- Claims and their verdicts ------------------------------------------------------------------


class VerdictPermission(drf_permissions.BasePermission):
    """Reviewers, never on an article they wrote (four-eyes), whatever other roles they hold."""

    message = "Only reviewers can record verdicts."

    def has_object_permission(self, request: Request, view: Any, claim: Claim) -> bool:
        if view.action not in ("verdict", "reuse") or permissions.can_review_claim(
            request.user, claim
        ):
            return True
        if claim.article.author_id == request.user.pk:
            self.message = "You cannot judge claims of an article you wrote."
        return False


class ClaimFilter(StrictFilterSet):
    verdict = filters.ChoiceFilter(choices=Claim.Verdict.choices)
    article = IdFilter(field_name="article_id", help_text="An article id.")
    awaiting_me = filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        method="filter_awaiting",
        help_text=(
            "true: only pending claims the caller may judge now (articles in review that "
            "they did not write)."
        ),
    )

    class Meta:
        model = Claim
        fields = ["verdict", "article", "awaiting_me"]

    def filter_awaiting(
        self, queryset: QuerySet[Claim], name: str, value: bool | None
    ) -> QuerySet[Claim]:
        if value is None:
            return queryset
        awaiting = Claim.objects.awaiting(self.request.user).values("pk")
        return queryset.filter(pk__in=awaiting) if value else queryset.exclude(pk__in=awaiting)


@extend_schema_view(
    list=extend_schema(
        summary="List current claims across the articles the caller may see",
        responses={200: ClaimSerializer(many=True), **list_errors()},
    ),
    retrieve=extend_schema(
        summary="One claim (also one removed by an edit: see `retired_at`)",
        responses={200: ClaimSerializer, **errors(404)},
    ),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # No docstring: the schema would take it as the description of the operations without one.
    serializer_class = ClaimSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [drf_permissions.IsAuthenticated, VerdictPermission]
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = ClaimFilter

    def get_queryset(self) -> QuerySet[Claim]:
        visible = Article.objects.visible_to(self.request.user)
        if self.action in ("verdict", "reuse", "suggestions", *COMMENT_ACTIONS):
            # The permission reads the claim's article (four-eyes).
            return Claim.objects.filter(article__in=visible).select_related("article")
        queryset = Claim.objects.filter(article__in=visible).select_related("reviewed_by")
        if self.action == "list":
            queryset = queryset.filter(retired_at__isnull=True)
        # By id, not by `article` (which would sort by the article's own ordering through a join).
        return queryset.order_by("article_id", "ordinal", "id")

    # The verdict actions find the claim by id alone: no list filter applies (`filter_backends`).

    @extend_schema(
        summary="Record (or change) a claim's verdict",
        description=(
            "The article must be in review and the claim current. verified needs an "
            "evidence_url or a note; unverified needs a note. `judged` is the claim's `version` "
            "as the caller read it: if an edit changed the sentence since, nothing is recorded "
            "and the answer is 409 with the current `text` and `version`. Each verdict appends "
            "to the history."
        ),
        request=VerdictInputSerializer,
        responses={200: ClaimSerializer, **errors(*WRITE_ERRORS), 409: CLAIM_CHANGED},
        parameters=[RETRY_AFTER],
        examples=[
            OpenApiExample(
                "Verified with evidence",
                value={
                    "verdict": "verified",
                    "judged": "3f9a0c2e7b1d4a58",
                    "note": "Council minutes, item 4.",
                    "evidence_url": "https://example.org/minutes",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def verdict(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = validated(VerdictInputSerializer, request)
        claim = services.record_verdict(
            claim,
            by=request.user,
            judged=data["judged"],
            verdict=data["verdict"],
            note=data["note"],
            evidence_url=data["evidence_url"],
        )
        fresh = Claim.objects.select_related("reviewed_by").get(pk=claim.pk)
        return Response(ClaimSerializer(fresh).data)

    @extend_schema(
        summary="Verdicts on the same fact in other articles, offered for reuse",
        description=(
            "Claims of other articles (that the caller may see) which state the same fact and "
            "carry a verdict, best first: exact matches, then near-duplicates by similarity. "
            "Found in the background after extraction; a changed number, date, name or "
            "negation is never offered."
        ),
        responses={200: ReuseSuggestionSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        offered = ReuseSuggestion.objects.filter(claim=claim).offerable(request.user)[:20]
        return Response(ReuseSuggestionSerializer(offered, many=True).data)

    @extend_schema(
        summary="The claim's evidence: cited links, archived snapshots, facts found",
        description=(
            "The claim's evidence URL and the links its article cites in its sentence (HTML "
            "ingestion), each with its newest archived snapshots (state, status, title, hash, "
            "why it failed, link rot) and the claim's facts looked for in the newest archived "
            "text. Facts found are a hint, never a verdict."
        ),
        responses={200: ClaimEvidenceSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        context = {"request": request, "claim": claim}
        return Response(
            {
                "claim": claim.pk,
                "evidence_url": claim.evidence_url,
                "cited_links": evidence_services.cited_links(claim),
                "sources": [source_data(s, context) for s in evidence_sources(claim)],
            }
        )

    @extend_schema(
        summary="Reuse the verdict of the same fact in another article",
        description=(
            "Records the other claim's verdict, note (with where it comes from) and evidence as "
            "the caller's own verdict, linked to its source in the history. Refused (409) unless "
            "both still state the same fact and the source still carries a verdict; the rules "
            "of a verdict apply (reviewer, not the author, article in review, and `judged`: "
            "409 with the current `text` and `version` if the claim's sentence changed since)."
        ),
        request=ReuseInputSerializer,
        responses={200: ClaimSerializer, **errors(*WRITE_ERRORS), 409: CLAIM_CHANGED},
        parameters=[RETRY_AFTER],
        examples=[
            OpenApiExample(
                "Reuse", value={"source": 1234, "judged": "3f9a0c2e7b1d4a58"}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reuse(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = validated(ReuseInputSerializer, request)
        visible = Article.objects.visible_to(request.user)
        source = Claim.objects.filter(pk=data["source"], article__in=visible).first()
        if source is None:
            raise ValidationError({"source": ["No claim with this id that you may see."]})
        claim = services.reuse_verdict(claim, source=source, by=request.user, judged=data["judged"])
        fresh = Claim.objects.select_related("reviewed_by").get(pk=claim.pk)
        return Response(ClaimSerializer(fresh).data)

    # --- The claim's thread (review.conversations; docs/conversations.md) ---

    def _comment(self, claim: Claim, comment_id: str) -> Comment:
        """A comment of this claim's thread (404 for another claim's: the claim was checked)."""
        comment = conversations.thread(claim).filter(pk=int(comment_id)).first()
        if comment is None:
            raise Http404("No such comment on this claim.")
        return comment

    def _comment_data(self, comment: Comment) -> dict[str, Any]:
        return CommentSerializer(conversations.thread(comment.claim).get(pk=comment.pk)).data

    @extend_schema(
        methods=["GET"],
        summary="The claim's thread: comments and questions, oldest first",
        responses={200: CommentSerializer(many=True), **list_errors(), **errors(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment on the claim, or ask its author (`question: true`)",
        description=(
            "The article's author, a reviewer who may review it, or a chief (403 otherwise). "
            '`question: true` is "Ask the author": reviewers of the article only; the claim '
            "then shows a question open until the asker or a chief resolves it. A question never "
            "changes the verdicts or the gate. `@username` stores a mention only of someone who "
            "may see the article. Each comment appends to the history."
        ),
        request=CommentInputSerializer,
        responses={201: CommentSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
        examples=[
            OpenApiExample(
                "Ask the author",
                value={"body": "Which budget year is this, @editor?", "question": True},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(conversations.thread(claim))
            return self.get_paginated_response(CommentSerializer(page, many=True).data)
        if not permissions.can_comment_on_claim(request.user, claim):
            # Who may write is answered before what was written (the service asks again).
            raise PermissionDenied("Only the author, its reviewers and chiefs can comment here.")
        data = validated(CommentInputSerializer, request)
        write = conversations.ask_author if data["question"] else conversations.add_comment
        comment = write(claim, by=request.user, body=data["body"])
        return Response(self._comment_data(comment), status=201)

    @extend_schema(
        summary="Edit your comment (within COMMENT_EDIT_SECONDS of writing it)",
        description=(
            "Only its author, within 5 minutes (409 after: see `editable_until`). The previous "
            "text is kept in the history; nothing is ever deleted."
        ),
        request=CommentEditSerializer,
        responses={200: CommentSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"comments/(?P<comment_id>[0-9]{1,18})",
        filter_backends=[],
    )
    def comment(self, request: Request, pk: str | None = None, comment_id: str = "") -> Response:
        comment = self._comment(self.get_object(), comment_id)
        data = validated(CommentEditSerializer, request)
        comment = conversations.edit_comment(comment, by=request.user, body=data["body"])
        return Response(self._comment_data(comment))

    @extend_schema(
        summary="Resolve a question to the author",
        description="The reviewer who asked, or a chief (403 otherwise); 409 when it is not an "
        "open question.",
        request=ResolveInputSerializer,
        responses={200: CommentSerializer, **errors(*WRITE_ERRORS)},
        parameters=[RETRY_AFTER],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"comments/(?P<comment_id>[0-9]{1,18})/resolve",
        filter_backends=[],
    )
    def resolve(self, request: Request, pk: str | None = None, comment_id: str = "") -> Response:
        comment = self._comment(self.get_object(), comment_id)
        data = validated(ResolveInputSerializer, request)
        comment = conversations.resolve_question(comment, by=request.user, note=data["note"])
        return Response(self._comment_data(comment))


# --- Review queue -------------------------------------------------------------------------------


class IsReviewer(drf_permissions.BasePermission):
    message = "The review queue is for reviewers."

    def has_permission(self, request: Request, view: Any) -> bool:
        return permissions.is_reviewer(request.user)


QUEUE_ORDERINGS = ("submitted_at", "-checkworthiness")


@extend_schema_view(
    list=extend_schema(
        summary="The caller's review queue: articles with claims awaiting them, oldest first",
        description=(
            "Articles in review that the caller did not write, by submission time, each with "
            "its pending claims. The same queue as the browser's. `ordering=-checkworthiness` "
            "puts the articles with the most check-worthy awaiting claim first, and each "
            "article's claims by score (unscored last); a score is a hint, never a verdict."
        ),
        parameters=[
            OpenApiParameter(
                "ordering", str, enum=QUEUE_ORDERINGS, description="Default: submitted_at."
            )
        ],
        responses={200: ReviewQueueItemSerializer(many=True), **list_errors(), **errors(403)},
    ),
)
class ReviewQueueViewSet(GateCountsListMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, IsReviewer]
    serializer_class = ReviewQueueItemSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Article]:
        # Absent is the default; present, even empty, must name an ordering (400 otherwise).
        ordering = self.request.query_params.get("ordering", "submitted_at")
        if ordering not in QUEUE_ORDERINGS:
            raise ValidationError({"ordering": [f"Choose one of: {', '.join(QUEUE_ORDERINGS)}."]})
        awaiting = Claim.objects.awaiting(self.request.user)
        claims = awaiting.select_related("reviewed_by").order_by("ordinal", "id")
        articles = Article.objects.filter(pk__in=awaiting.values("article_id"))
        if ordering == "-checkworthiness":
            claims = claims.order_by(F("checkworthiness").desc(nulls_last=True), "ordinal", "id")
            articles = articles.annotate(
                top_checkworthiness=Subquery(
                    awaiting.filter(article=OuterRef("pk"))
                    .order_by(F("checkworthiness").desc(nulls_last=True))
                    .values("checkworthiness")[:1]
                )
            ).order_by(F("top_checkworthiness").desc(nulls_last=True), "submitted_at", "id")
        else:
            articles = articles.order_by("submitted_at", "id")
        return articles.select_related("author").prefetch_related(
            Prefetch("claims", queryset=claims, to_attr="awaiting_claims")
        )
