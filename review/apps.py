from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        # Review builds on articles and listens to it; articles never names review.
        from articles.panels import ArticlePanel, register_article_panel, register_review_queue
        from articles.signals import claims_stored
        from review.intelligence import on_claims_stored
        from review.models import queue_articles

        register_review_queue(queue_articles)
        claims_stored.connect(on_claims_stored, dispatch_uid="review.analyse_stored_claims")
        register_article_panel(
            ArticlePanel(
                element_id="review-panel",
                url_name="review:article_panel",
                heading="Review schedule",
                link_text="Due time and assigned reviewers",
                hidden_when_published=True,
            )
        )
