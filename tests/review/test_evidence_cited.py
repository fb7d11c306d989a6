"""The sources an article cites: HTML ingestion keeps each inline link with its anchor text and
offsets in the plain text, for `\\n` and `\\r\\n` bodies; each claim whose sentence holds a link
offers it as an evidence source; the cited sources are archived once the article is extracted."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from articles import services as article_services
from articles.models import Article
from review.evidence import services
from review.evidence.models import EvidenceSnapshot
from tests.conftest import run_extraction_now

BLS = "https://stats.example.org/labour/2026-11"
COUNCIL = "https://harbor.example.gov/minutes/2026-12-01?item=4"
PDF = "https://harbor.example.gov/budget.pdf"

# A partner feed's story, in the shape such feeds send: paragraphs, inline links mid-sentence,
# a link on a word with markup inside, a related-link line, a list.
FEED = f"""<div class="story">
<p>Unemployment in Harbor City fell to 3.8% in November, the <a href="{BLS}">statistics
office reported</a> on Tuesday.</p>
<p>The council approved a <a href="{COUNCIL}"><b>$12.5 million</b> ferry budget</a> last week.
Mayor Lena Ortiz called it "long overdue".</p>
<p>The budget <a href="{PDF}">document</a> lists two electric ferries. The first is due in 2027.</p>
<p>See Also: <a href="https://partner.example.com/ferries">Harbor City Ferry Fares To Rise</a></p>
<p>Officials did not give a date for the <a href="/relative">second</a> ferry.</p>
</div>"""


def ingest(editor, html: str) -> Article:
    client = APIClient()
    client.force_authenticate(editor)
    answer = client.post("/api/v1/articles", {"title": "Harbor jobs", "html": html}, format="json")
    assert answer.status_code == 201, answer.content
    return Article.objects.get(pk=answer.json()["id"])


@pytest.mark.django_db
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_inline_links_are_kept_with_offsets_and_offered_on_the_right_claims(
    editor, reviewer, client, newline, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    article = ingest(editor, FEED.replace("\n", newline))
    assert "\r" not in article.body
    links = article.cited_links
    assert [(link["anchor"], link["url"]) for link in links] == [
        ("statistics office reported", BLS),
        ("$12.5 million ferry budget", COUNCIL),
        ("document", PDF),
        ("Harbor City Ferry Fares To Rise", "https://partner.example.com/ferries"),
    ]  # the relative href is not a source
    for link in links:
        assert article.body[link["start"] : link["end"]] == link["anchor"]

    job = article_services.submit_article(article, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        run_extraction_now(job.pk)
    article.refresh_from_db()
    offered = {
        claim.text: [link["url"] for link in services.cited_links(claim)]
        for claim in article.claims.active().select_related("revision", "article")
    }
    assert offered[
        "Unemployment in Harbor City fell to 3.8% in November, the statistics office reported "
        "on Tuesday."
    ] == [BLS]
    assert offered["The council approved a $12.5 million ferry budget last week."] == [COUNCIL]
    assert offered["The budget document lists two electric ferries."] == [PDF]
    assert offered["The first is due in 2027."] == []
    # Archived in the background once extracted (claims_stored), before anyone opens a claim.
    assert set(
        EvidenceSnapshot.objects.filter(state="pending").values_list("requested_url", flat=True)
    ) == {BLS, COUNCIL, PDF}

    claim = article.claims.get(text__startswith="The council approved")
    client.force_login(reviewer)
    html = client.get(f"/review/claims/{claim.pk}/").content.decode()
    assert "Cited in the article:" in html and "‘$12.5 million ferry budget’" in html
    assert f'data-use-evidence="{COUNCIL.replace("&", "&amp;")}"' in html or (
        f'data-use-evidence="{COUNCIL}"' in html
    )
    assert "Not archived yet." not in html and "Being archived" in html


@pytest.mark.django_db
def test_an_edit_that_moves_the_text_drops_the_offer_instead_of_pointing_elsewhere(editor):
    article = ingest(editor, FEED)
    job = article_services.submit_article(article, by=editor)
    run_extraction_now(job.pk)
    article.refresh_from_db()
    edited = "Breaking: " + article.body
    article_services.update_article(article, by=editor, title=article.title, body=edited)
    job = article.extraction_jobs.order_by("-id").first()
    run_extraction_now(job.pk)
    claims = Article.objects.get(pk=article.pk).claims.active().select_related("revision")
    # Every stored offset now points 10 characters early: no claim is offered a wrong link.
    assert [link for claim in claims for link in services.cited_links(claim)] == []
    assert len(claims) >= 5
