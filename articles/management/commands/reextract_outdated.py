"""Queue the re-extraction of articles in review or in draft whose claims an older extractor
version found (`articles.services.reextract_outdated`, the same service the beat sweep calls).

    python manage.py reextract_outdated [--limit N] [--dry-run]

Prints one line per article queued (or, with --dry-run, that would be) and what is left for later
runs. A worker stores the results; published articles are never touched.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import services


class Command(BaseCommand):
    help = (
        "Re-extract, with the current extractor version, the articles in review or in draft "
        "whose claims an older version found (at most --limit upgrade jobs in flight)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="most upgrade jobs unfinished at once, those already queued included "
            "(default: EXTRACTION_UPGRADE_BATCH)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the articles, queue nothing"
        )

    def handle(self, *args, limit: int | None, dry_run: bool, **options) -> None:
        if limit is None:
            limit = max(settings.EXTRACTION_UPGRADE_BATCH, 1)
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        run = services.reextract_outdated(limit=limit, dry_run=dry_run)
        verb = "would queue" if dry_run else "queued"
        for pk, status, old in run.queued:
            self.stdout.write(f"article {pk} ({status}, claims from {old}): {verb}")
        summary = f"extractor {run.version}: {verb} {len(run.queued)} article(s) for re-extraction"
        if run.in_flight:
            summary += f"; {run.in_flight} upgrade job(s) already unfinished"
        if run.left:
            summary += f"; {run.left} left for later runs"
        self.stdout.write(summary + ".")
