"""Existing rows: line endings normalised, and the last review round of each article stored.

1. Text stored before line endings were normalised at entry (`articles.text`): articles written in
   the browser hold `\\r\\n`. Every article's and revision's title and body is normalised. A
   revision's claims point into its body by offset, and an article's related links and sections
   into the body of its extracted revision, so their offsets move with the text
   (`offset_in_normalised`): each still covers the same characters (a claim never contains a line
   break, so claim texts do not change). A revision's `body_hash` is recomputed, and its jobs'
   `body_hash` follows (the job key is (article, body hash, extractor version)) unless another
   job of that article already holds the new hash (two revisions that differed only in line
   endings): that older job keeps its old hash, which only means the text would be extracted
   again rather than reopen it. `updated_at` is not touched (nobody edited anything).
   `source_html` stays as the feed sent it. History rows are never rewritten.

2. Review rounds were computed on every view of the article page; now the worker stores each one
   (`ReviewRound`). For articles already re-extracted, the round the page showed (the last two
   finished extractions) is computed here once, so editors and reviewers keep seeing it. Older
   rounds were never shown and are not computed.

Neither step can be undone meaningfully; going back leaves the text normalised (harmless to the
older code) and deletes nothing but the rounds table with 0006.
"""

from django.db import migrations
from django.db.models import Count, Q

BATCH = 200


def _in_batches(model, queryset):
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        yield from model.objects.filter(pk__in=pks[start : start + BATCH]).order_by("pk")


def normalise_line_endings(apps, schema_editor):
    from articles.models import content_hash
    from articles.text import normalise_text, offset_in_normalised

    Article = apps.get_model("articles", "Article")
    Revision = apps.get_model("articles", "Revision")
    Claim = apps.get_model("articles", "Claim")
    RelatedLink = apps.get_model("articles", "RelatedLink")
    Section = apps.get_model("articles", "Section")
    ExtractionJob = apps.get_model("articles", "ExtractionJob")

    with_cr = Q(body__contains="\r") | Q(title__contains="\r")
    # The ids first: SQLite gives no isolation between a cursor being read and writes to its table.
    for revision in _in_batches(Revision, Revision.objects.filter(with_cr)):
        old_body = revision.body
        body = normalise_text(old_body)
        Revision.objects.filter(pk=revision.pk).update(
            title=normalise_text(revision.title), body=body, body_hash=content_hash(body)
        )
        if body == old_body:
            continue

        claims = list(Claim.objects.filter(revision_id=revision.pk))
        for claim in claims:
            claim.start, claim.end = offset_in_normalised(old_body, [claim.start, claim.end])
        Claim.objects.bulk_update(claims, ["start", "end"], batch_size=BATCH)

        extracted_by = Article.objects.filter(extracted_revision_id=revision.pk)
        links = list(RelatedLink.objects.filter(article__in=extracted_by))
        for link in links:
            link.start, link.end = offset_in_normalised(old_body, [link.start, link.end])
        RelatedLink.objects.bulk_update(links, ["start", "end"], batch_size=BATCH)
        sections = list(Section.objects.filter(article__in=extracted_by))
        for section in sections:
            (section.start,) = offset_in_normalised(old_body, [section.start])
        Section.objects.bulk_update(sections, ["start"], batch_size=BATCH)

        new_hash = content_hash(body)
        jobs = ExtractionJob.objects.filter(revision_id=revision.pk).exclude(body_hash=new_hash)
        for job in list(jobs):
            taken = (
                ExtractionJob.objects.filter(
                    article_id=job.article_id,
                    extractor_version=job.extractor_version,
                    body_hash=new_hash,
                )
                .exclude(pk=job.pk)
                .exists()
            )
            if not taken:
                ExtractionJob.objects.filter(pk=job.pk).update(body_hash=new_hash)

    for article in _in_batches(Article, Article.objects.filter(with_cr)):
        # An UPDATE, not save(): `updated_at` (auto_now) must not move.
        Article.objects.filter(pk=article.pk).update(
            title=normalise_text(article.title), body=normalise_text(article.body)
        )


def store_last_review_rounds(apps, schema_editor):
    from articles.diffing import diff_for_review, segments_to_json

    ExtractionJob = apps.get_model("articles", "ExtractionJob")
    ReviewRound = apps.get_model("articles", "ReviewRound")

    re_extracted = (
        ExtractionJob.objects.filter(state="done")
        .values("article_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("article_id", flat=True)
    )
    rounds = []
    for article_id in list(re_extracted):
        current, previous = (
            ExtractionJob.objects.filter(article_id=article_id, state="done")
            .select_related("revision")
            .order_by("-finished_at", "-id")[:2]
        )
        if current.finished_at is None:
            continue
        diff = diff_for_review(previous.revision.body, current.revision.body)
        rounds.append(
            ReviewRound(
                article_id=article_id,
                previous_revision_id=previous.revision_id,
                revision_id=current.revision_id,
                segments=segments_to_json(diff.segments),
                inserted=diff.inserted,
                deleted=diff.deleted,
                too_large=diff.too_large,
                created_at=current.finished_at,
            )
        )
        if len(rounds) >= BATCH:
            ReviewRound.objects.bulk_create(rounds)
            rounds = []
    ReviewRound.objects.bulk_create(rounds)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_review_round"),
    ]

    operations = [
        migrations.RunPython(normalise_line_endings, migrations.RunPython.noop),
        migrations.RunPython(store_last_review_rounds, migrations.RunPython.noop),
    ]
