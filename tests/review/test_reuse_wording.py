"""The reuse suggestion's wording never contradicts itself (issue 13): "similar wording, 100% of
words shared" was shown for a sentence with the same words; it now says "same wording", and a
share just under 100% is rounded down, never up to 100."""

from __future__ import annotations

import pytest

from review.models import ReuseSuggestion


@pytest.mark.parametrize(
    ("exact", "similarity", "wording"),
    [
        (True, 1.0, "the same sentence"),
        (False, 1.0, "same wording"),
        (False, 0.996, "similar wording, 99% of words shared"),
        (False, 0.8, "similar wording, 80% of words shared"),
        (False, 0.29, "similar wording, 29% of words shared"),
    ],
)
def test_the_suggestion_says_how_close_the_wording_is_without_contradiction(
    exact, similarity, wording
):
    assert ReuseSuggestion(exact=exact, similarity=similarity).wording == wording
