"""The verdict-reuse benchmark's generator and the production lookup, at a tiny scale: what
`benchmarks.reuse` plants among its million claims is found, and a changed fact never is."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from articles.models import Article, Claim, Revision, content_hash
from benchmarks import reuse
from review import facts
from review.intelligence import find_candidates
from review.models import ClaimKey

STORED_CLAIMS = 2_000
TEST_ARTICLES = 8


def store(sizes: list[int], author, reviewer) -> list[int]:
    """The generator's articles, verified and indexed as `analyse_article` leaves them; their ids."""
    now = timezone.now()
    texts = [[s.render() for s in reuse.article_sentences(i, sizes)] for i in range(len(sizes))]
    articles = Article.objects.bulk_create(
        Article(
            title=f"Story {i}",
            body=" ".join(t),
            author=author,
            status="published",
            submitted_at=now,
            published_at=now,
        )
        for i, t in enumerate(texts)
    )
    revisions = Revision.objects.bulk_create(
        Revision(
            article=a,
            number=1,
            title=a.title,
            body=a.body,
            body_hash=content_hash(a.body),
            created_by=author,
        )
        for a in articles
    )
    claims = Claim.objects.bulk_create(
        Claim(
            article=a,
            revision=r,
            analysed_revision=r,
            ordinal=n,
            text=text,
            start=0,
            end=len(text),
            extractor_version="bench",
            verdict="verified",
            note="Checked.",
            reviewed_by=reviewer,
            reviewed_at=now,
        )
        for a, r, t in zip(articles, revisions, texts)
        for n, text in enumerate(t)
    )
    ClaimKey.objects.bulk_create(
        (
            ClaimKey(claim=c, article_id=c.article_id, key=key)
            for c in claims
            for key in dict.fromkeys(facts.lookup_keys(c.text))
        ),
        batch_size=2000,
    )
    return [a.pk for a in articles]


@pytest.mark.django_db
def test_planted_duplicates_are_found_and_changed_facts_are_not(editor, reviewer):
    sizes = reuse.article_sizes(STORED_CLAIMS)
    article_ids = store(sizes, editor, reviewer)
    assert Claim.objects.count() == STORED_CLAIMS
    rng = random.Random(1)
    sources = iter(reuse.pick_sources(rng, 18 * TEST_ARTICLES, sizes, article_ids))
    fresh_rng = random.Random(2)

    seen = {
        kind: 0
        for kind in (
            reuse.EXACT,
            reuse.NEAR,
            reuse.CHANGED_NUMBER,
            reuse.CHANGED_NAME,
            reuse.NEGATED,
            reuse.BOILER,
            reuse.NEW,
        )
    }
    for n in range(TEST_ARTICLES):
        fresh = [fresh_rng.choice(reuse.TEMPLATES)(fresh_rng) for _ in range(15)]
        planted = reuse.plant(rng, [next(sources) for _ in range(18)], fresh)
        texts = {10**9 + i: p.text for i, p in enumerate(planted)}

        found = find_candidates(10**9 + n, texts)

        text_of = dict(Claim.objects.values_list("pk", "text"))
        for claim_id, p in zip(texts, planted):
            seen[p.kind] += 1
            hits = reuse.source_matches(p, found[claim_id], text_of)
            if p.kind == reuse.EXACT:
                assert hits and found[claim_id][0][1].exact, p
            elif p.kind == reuse.NEAR:
                assert hits, p
                assert all(facts.compare(p.text, text_of[s]) for s, _ in found[claim_id])
            elif p.kind in (reuse.CHANGED_NUMBER, reuse.CHANGED_NAME, reuse.NEGATED):
                assert not hits, (p, [text_of[s] for s, _ in found[claim_id]])
            elif p.kind == reuse.BOILER:
                # Repeated across articles: found, best first, at most the suggestions kept.
                assert found[claim_id] and all(m.exact for _, m in found[claim_id])
    assert seen[reuse.EXACT] == seen[reuse.NEAR] == 3 * TEST_ARTICLES
    assert (
        seen[reuse.CHANGED_NUMBER]
        == seen[reuse.CHANGED_NAME]
        == seen[reuse.NEGATED]
        == TEST_ARTICLES
    )


def test_the_generator_is_deterministic_and_varied():
    sizes = reuse.article_sizes(STORED_CLAIMS)
    assert sum(sizes) == STORED_CLAIMS
    first = [s.render() for s in reuse.article_sentences(7, sizes)]
    assert first == [s.render() for s in reuse.article_sentences(7, sizes)]
    texts = [s.render() for i in range(len(sizes)) for s in reuse.article_sentences(i, sizes)]
    boilerplate = sum(text in reuse.BOILERPLATE for text in texts)
    assert 0.01 < boilerplate / len(texts) < 0.1
    # Apart from boilerplate and wire copies, sentences are unique.
    assert len(set(texts)) > 0.9 * len(texts)
