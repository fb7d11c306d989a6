from django.urls import path

from review import views
from review.conversations import views as conversation_views
from review.evidence import views as evidence_views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/partial/", views.queue_partial, name="queue_partial"),
    path("queue/version/", views.queue_version_view, name="queue_version"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/open/", views.claim_open, name="claim_open"),
    path("claims/<int:pk>/release/", views.claim_release, name="claim_release"),
    path("claims/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("claims/<int:pk>/reuse/", views.reuse, name="reuse"),
    path("verdicts/<int:pk>/undo/", views.undo, name="undo"),
    path("claims/<int:pk>/comments/", conversation_views.comment_add, name="comment_add"),
    path("claims/<int:pk>/mentionable/", conversation_views.mentionable, name="mentionable"),
    path("comments/<int:pk>/edit/", conversation_views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/resolve/", conversation_views.comment_resolve, name="comment_resolve"),
    path("claims/<int:pk>/history.csv", views.claim_history_csv, name="claim_history_csv"),
    path(
        "claims/<int:pk>/evidence/<int:snapshot_pk>/text/",
        evidence_views.evidence_text,
        name="evidence_text",
    ),
    path(
        "claims/<int:pk>/evidence/<int:snapshot_pk>/raw/",
        evidence_views.evidence_raw,
        name="evidence_raw",
    ),
    path("articles/<int:pk>/bulk-verdict/", views.bulk_verdict, name="bulk_verdict"),
    path("articles/<int:pk>/publish/", views.publish, name="publish"),
    path(
        "articles/<int:pk>/publish-correction/",
        views.publish_corrected,
        name="publish_correction",
    ),
    path("articles/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("articles/<int:pk>/schedule/cancel/", views.cancel_scheduled, name="cancel_schedule"),
    path("articles/<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("articles/<int:pk>/panel/", views.article_panel, name="article_panel"),
    path("articles/<int:pk>/evidence/", evidence_views.article_evidence, name="article_evidence"),
    path("articles/<int:pk>/due/", views.set_due, name="set_due"),
    path("articles/<int:pk>/assign/", views.assign, name="assign"),
    path("articles/<int:pk>/unassign/<int:reviewer_pk>/", views.unassign, name="unassign"),
    path("activity/", views.activity, name="activity"),
    path("activity.csv", views.activity_csv, name="activity_csv"),
]

# The Desk lives at /desk/ (newsroom/urls.py includes these under their own namespace, "desk").
desk_patterns = (
    [
        path("", views.desk_page, name="page"),
        path("<slug:slug>/items/", views.desk_items, name="items"),
        path("<slug:slug>.<str:fmt>", views.desk_export, name="export"),
    ],
    "desk",
)
