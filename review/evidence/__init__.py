"""The evidence archive: every evidence URL a verdict carries (and every source an article cites)
is fetched in the background through the outbound guard, its bytes kept in Django's storage and
its main text in an `EvidenceSnapshot` row; the claim's facts are then looked for in that text.

- `models`: `EvidenceSnapshot` (imported by `review.models`, so its migrations are review's);
- `reading`: main text and title of fetched bytes (HTML, PDF, plain text); Django-free;
- `matching`: which of a claim's facts the evidence text contains; Django-free;
- `services`: request, archive, re-check (link rot), cited sources; `tasks`: the Celery side;
- `views`: the extracted text (escaped) and the raw file (a download), behind the claim's rules.
"""
