"""Forms of the review pages. The verdict rules themselves live in `review.services`
(`validate_verdict`); the views map its errors onto these fields."""

from __future__ import annotations

from django import forms

from articles.models import Claim


class VerdictForm(forms.Form):
    """Parses a verdict post. The claim row partial renders the inputs itself (one form per claim
    on a page, with ids of its own), so this form carries no widgets worth rendering."""

    verdict = forms.ChoiceField(
        choices=[(Claim.Verdict.VERIFIED, "Verified"), (Claim.Verdict.UNVERIFIED, "Unverified")],
        error_messages={"required": "Choose verified or unverified."},
    )
    note = forms.CharField(required=False, max_length=4000)
    evidence_url = forms.CharField(required=False, max_length=2000)


class PublishForm(forms.Form):
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for publishing over unverified claims",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
    )
    # Set by the override form only, so that an override without a reason is the form's error and
    # not a confusing "gate closed" message.
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("override") and not data.get("override_reason", "").strip():
            self.add_error(
                "override_reason", "Give the reason for publishing over unverified claims."
            )
        return data
