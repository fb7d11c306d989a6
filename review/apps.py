from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        # Review builds on articles and listens to it; articles never names review.
        from articles.panels import ArticlePanel, register_article_panel, register_review_queue
        from articles.signals import claims_stored, history_appended
        from review.evidence.services import on_claims_stored as archive_cited_sources
        from review.intelligence import on_claims_stored
        from review.models import queue_articles
        from review.notifications.services import fan_out

        register_review_queue(queue_articles)
        claims_stored.connect(on_claims_stored, dispatch_uid="review.analyse_stored_claims")
        claims_stored.connect(archive_cited_sources, dispatch_uid="review.archive_cited_sources")
        # Notifications are derived from the history rows in the transaction that appended them
        # (an outbox: the receiver writes only notification rows; emails ring after commit).
        history_appended.connect(fan_out, dispatch_uid="review.notifications_fan_out")
        register_article_panel(
            ArticlePanel(
                element_id="review-panel",
                url_name="review:article_panel",
                heading="Review schedule",
                link_text="Due time and assigned reviewers",
                hidden_when_published=True,
            )
        )
        register_article_panel(
            ArticlePanel(
                element_id="evidence-panel",
                url_name="review:article_evidence",
                heading="Evidence",
                link_text="Archived evidence and link rot",
            )
        )
