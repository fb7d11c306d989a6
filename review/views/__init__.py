"""HTML views of review: the reviewer's queue (filters, holds, claim in context, bulk verdicts),
recording a verdict in place, publishing, the review panel of the article page (due time and
assignments), per-claim verdict history and the chief editor's activity page, with CSV exports.

htmx and errors: a refused verdict comes back as the same claim row with the errors, status 422;
a verdict that the article's state no longer allows (published meanwhile, sentence removed by an
edit, another reviewer has the claim open) comes back as the row with the message, status 409.
htmx does not swap 4xx responses by default, so base.html sets `htmx.config.responseHandling` to
swap 409 and 422 (and nothing else of 4xx/5xx). Without JavaScript the same forms post normally:
success redirects to `next`, a refused verdict renders a small page with the form and its errors.

The queue keeps itself current without reloading: a tiny poller asks `queue_version` every few
seconds whether anything the reviewer sees has changed (claims judged, holds taken or ended,
assignments, due times); only then is the list re-fetched, and never while a form has unsent input.

One module per part: `queue` (the list, its filters and its poller), `claims` (a claim in
context, holds, its page and history, verdicts one at a time, reused or in bulk), `publishing`
(publishing and the article page's review panel: due time, assignments), `activity` (the chief
editor's activity page). This package re-exports the views review/urls.py names.
"""

from review.views.activity import activity, activity_csv
from review.views.claims import (
    bulk_verdict,
    claim_detail,
    claim_history_csv,
    claim_open,
    claim_release,
    reuse,
    undo,
    verdict,
)
from review.views.desk import desk_export, desk_items, desk_page
from review.views.publishing import (
    article_panel,
    assign,
    cancel_scheduled,
    publish,
    publish_corrected,
    schedule,
    set_due,
    unassign,
    unpublish,
)
from review.views.queue import QUEUE_PAGE_SIZE, queue, queue_partial, queue_version_view

__all__ = [
    "publish_corrected",
    "cancel_scheduled",
    "schedule",
    "unpublish",
    "QUEUE_PAGE_SIZE",
    "activity",
    "activity_csv",
    "article_panel",
    "assign",
    "bulk_verdict",
    "claim_detail",
    "claim_history_csv",
    "claim_open",
    "claim_release",
    "desk_export",
    "desk_items",
    "desk_page",
    "publish",
    "queue",
    "queue_partial",
    "queue_version_view",
    "reuse",
    "set_due",
    "unassign",
    "undo",
    "verdict",
]
