"""What a reviewer sends back with a verdict: the version of the sentence they read."""

from __future__ import annotations

from collections.abc import Iterable

from articles.models import Claim


def judge(claim: Claim | int) -> str:
    """The version of `claim`'s sentence as stored now (`Claim.text_sha`): what a reviewer who
    opened the claim just now would send as `judged`. Read from the database, not from the
    instance, so a test that edited the article since gets the version after the edit only when
    it asks again."""
    pk = claim if isinstance(claim, int) else claim.pk
    return Claim.objects.values_list("text_sha", flat=True).get(pk=pk)


def judged_fields(claims: Iterable[Claim | int]) -> dict[str, str]:
    """The `judged-<claim id>` fields the queue's bulk form posts for these claims (each row of
    the queue carries the version of the sentence it shows)."""
    return {
        f"judged-{claim if isinstance(claim, int) else claim.pk}": judge(claim) for claim in claims
    }
