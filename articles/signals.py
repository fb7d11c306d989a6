"""What the articles app announces to the apps built on it. `articles` never imports them: they
subscribe (in their `AppConfig.ready`), so the dependency points one way.

The signals are doorbells, never the record: each is sent after the transaction that made the
change has committed, and the database says what is left to do (a receiver that misses a ring is
caught up by its own beat sweep).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent on commit when extraction has stored the claims of these articles (keyword argument
# `article_ids: list[int]`); `review` answers by analysing the new claims.
claims_stored = Signal()

# Sent by `articles.services.log_event` / `log_events`, the only writers of the history table,
# inside the transaction that appended the rows (keyword argument `events: list[ArticleEvent]`):
# a receiver that acts defers to `transaction.on_commit`. The webhooks' dispatcher listens.
history_appended = Signal()
