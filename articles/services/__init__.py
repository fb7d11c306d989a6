"""Every write to an article and to what extraction made of it. Views, the API, admin actions,
management commands and tasks call these functions and nothing else.

Each function is one transaction: it locks the article row first (so two requests for the same
article queue up instead of interleaving), checks the state and the caller's permission, writes, and
appends the history row. Wrong state raises `InvalidTransition`; a caller without the right raises
`PermissionDenied`; bad input raises `ValidationError` with the offending fields.

One module per part, all re-exported here (callers import from `articles.services`): `common`
(the state error, input validation, the article lock, status changes, the history row),
`editing` (create, edit, submit, return to draft), `jobs` (extraction jobs: queue, doorbell,
lease, finish, fail, retry, sweep), `publishing` (the gate's transition: in review →
published, now or scheduled; unpublishing), `results` (applying an extraction to the article's rows), `upgrades` (re-extracting
articles in review or draft whose claims an older extractor version found), `profiles` (a
user's own settings: their time zone).
"""

from articles.services.common import (
    InvalidTransition,
    change_status,
    clean_article_text,
    lock_article,
    lock_editable_article,
    log_event,
    log_events,
    validate_article_input,
)
from articles.services.editing import (
    create_article,
    return_to_draft,
    submit_article,
    update_article,
)
from articles.services.jobs import (
    DOORBELL_KEY,
    UPGRADABLE_STATUSES,
    TakenJobs,
    answer_extraction_doorbell,
    complete_extraction_job,
    complete_extraction_jobs,
    enqueue_extraction,
    extractor_version,
    fail_extraction_job,
    queue_extraction,
    renew_extraction_lease,
    retry_extraction_job,
    start_extraction_job,
    start_extraction_jobs,
    sweep_extraction_jobs,
)
from articles.services.profiles import update_profile
from articles.services.publishing import (
    REASON_INVISIBLE,
    GateClosed,
    ScheduleRun,
    cancel_schedule,
    due_articles,
    publish_article,
    publish_correction,
    publish_due_articles,
    schedule_publication,
    unpublish_article,
)
from articles.services.results import (
    ExtractionRows,
    NewClaim,
    apply_extraction,
)
from articles.services.upgrades import (
    UpgradeRun,
    outdated_articles,
    reextract_outdated,
    upgrade_jobs_in_flight,
)

__all__ = [
    "update_profile",
    "DOORBELL_KEY",
    "ExtractionRows",
    "GateClosed",
    "InvalidTransition",
    "NewClaim",
    "REASON_INVISIBLE",
    "TakenJobs",
    "UPGRADABLE_STATUSES",
    "UpgradeRun",
    "answer_extraction_doorbell",
    "apply_extraction",
    "change_status",
    "clean_article_text",
    "complete_extraction_job",
    "complete_extraction_jobs",
    "create_article",
    "enqueue_extraction",
    "extractor_version",
    "fail_extraction_job",
    "lock_article",
    "lock_editable_article",
    "log_event",
    "log_events",
    "outdated_articles",
    "publish_article",
    "publish_due_articles",
    "publish_correction",
    "schedule_publication",
    "cancel_schedule",
    "due_articles",
    "ScheduleRun",
    "unpublish_article",
    "queue_extraction",
    "reextract_outdated",
    "retry_extraction_job",
    "return_to_draft",
    "start_extraction_job",
    "renew_extraction_lease",
    "start_extraction_jobs",
    "submit_article",
    "sweep_extraction_jobs",
    "update_article",
    "upgrade_jobs_in_flight",
    "validate_article_input",
]
