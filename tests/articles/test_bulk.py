"""The fast multi-row writes (`articles.bulk`) store exactly what the ORM would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.bulk import insert_rows, update_rows
from articles.models import Article, Claim
from articles.services.results import NEW_CLAIM_FIELDS
from articles.text import claim_version
from review.models import ClaimKey
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def stored(model, pk) -> dict:
    """Every concrete column of the row but its primary key."""
    row = model.objects.get(pk=pk)
    return {
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }


def newest(model, **filters):
    return model.objects.filter(**filters).order_by("-pk").first()


def test_inserted_claims_equal_bulk_created_ones(editor):
    article = make_article(editor, status="in_review")
    revision = article.extracted_revision
    text = "The pier is 40 metres long."
    values = (article.pk, revision.pk, 90, text, claim_version(text), 0, 27, "", "9.9.9")

    insert_rows(Claim, NEW_CLAIM_FIELDS, [values], now=NOW, prepared=True)
    fast = newest(Claim, ordinal=90)
    Claim.objects.bulk_create(
        [
            Claim(
                **dict(zip(NEW_CLAIM_FIELDS[2:], values[2:])),
                article=article,
                revision=revision,
                created_at=NOW,
            )
        ]
    )
    orm = newest(Claim, ordinal=90)

    assert fast.pk != orm.pk
    assert stored(Claim, fast.pk) == stored(Claim, orm.pk)
    assert stored(Claim, fast.pk)["verdict"] == Claim.Verdict.PENDING
    assert stored(Claim, fast.pk)["created_at"] == NOW
    # bulk_create derived the version from the text (`ClaimVersionField.pre_save`)
    assert stored(Claim, orm.pk)["text_sha"] == claim_version(text) != ""


def test_inserted_rows_without_now_get_each_fields_default(editor):
    article = make_article(editor, status="in_review")
    claim = article.claims.first()
    before = timezone.now()

    insert_rows(
        Claim,
        NEW_CLAIM_FIELDS,
        [
            (
                article.pk,
                article.extracted_revision_id,
                91,
                "A second sentence.",
                claim_version("A second sentence."),
                0,
                18,
                "",
                "9.9.9",
            )
        ],
    )

    row = newest(Claim, ordinal=91)
    assert row.created_at >= before
    assert row.note == "" and row.checkworthiness is None and row.reused_from_id is None
    insert_rows(
        ClaimKey, ["claim", "article", "key"], [(claim.pk, article.pk, 12345)], prepared=True
    )
    ClaimKey.objects.bulk_create([ClaimKey(claim=row, article=article, key=12345)])
    fast, orm = ClaimKey.objects.filter(key=12345).order_by("pk")
    assert {**stored(ClaimKey, fast.pk), "claim_id": None} == {
        **stored(ClaimKey, orm.pk),
        "claim_id": None,
    }


def test_updated_rows_equal_bulk_updated_ones(editor):
    first = make_article(editor, status="in_review", title="One")
    second = make_article(editor, status="in_review", title="Two")
    names = ["status", "updated_at", "dateline"]

    update_rows(Article, names, [(first.pk, ["draft", NOW, dt.date(2026, 3, 4)])])
    second.status, second.updated_at, second.dateline = "draft", NOW, dt.date(2026, 3, 4)
    Article.objects.bulk_update([second], names)

    fast, orm = stored(Article, first.pk), stored(Article, second.pk)
    for name in ("status", "updated_at", "dateline"):
        assert fast[name] == orm[name]
