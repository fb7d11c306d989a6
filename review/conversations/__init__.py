"""Conversations on claims: one flat thread per claim, comments with @mentions, "Ask the author"
questions that a reviewer opens and resolves (docs/conversations.md).

- `models`: `Comment`, `CommentRevision`, `Mention` (imported by `review.models`, so their
  migrations are review's);
- `mentions`: finding `@username` in a comment's text; Django-free;
- `services`: `add_comment`, `edit_comment`, `ask_author`, `resolve_question` (each one atomic
  block and one history row), and the read side used by the pages;
- `views`: the thread in the claim panel (htmx), its forms and the mention autocomplete;
- `serializers`: the API's (the actions live on `review.api.ClaimViewSet`).

An open question never changes the gate: the gate counts verdicts only.
"""
