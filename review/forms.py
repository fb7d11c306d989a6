"""Forms of the review pages. The verdict rules themselves live in `review.services`
(`validate_verdict`); the views map its errors onto these fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from articles.forms import CorrectionForm
from articles.models import Claim
from articles.people import display_name
from articles.services import REASON_INVISIBLE
from articles.text import has_visible_text

JUDGED_MISSING = (
    "This form did not say which version of the sentence you judged: open the claim again."
)


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of user, each named as every page names them (`articles.people.display_name`),
    never by username."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class VerdictForm(forms.Form):
    """Parses a verdict post. The claim row partial renders the inputs itself (one form per claim
    on a page, with ids of its own), so this form carries no widgets worth rendering."""

    verdict = forms.ChoiceField(
        choices=[(Claim.Verdict.VERIFIED, "Verified"), (Claim.Verdict.UNVERIFIED, "Unverified")],
        error_messages={"required": "Choose verified or unverified."},
    )
    note = forms.CharField(required=False, max_length=4000)
    evidence_url = forms.CharField(required=False, max_length=2000)
    # The version of the sentence the form was rendered with (`Claim.text_sha`): the service
    # refuses the verdict if the sentence changed since.
    judged = forms.CharField(max_length=64, error_messages={"required": JUDGED_MISSING})


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
    # The override form lists the unverified claims with the reviewers' notes; ticking this says
    # they were read.
    confirm = forms.BooleanField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        reason = data.get("override_reason", "").strip()
        if data.get("override") and not reason:
            self.add_error(
                "override_reason", "Give the reason for publishing over unverified claims."
            )
        elif reason and not has_visible_text(reason):
            self.add_error("override_reason", REASON_INVISIBLE)
        if data.get("override") and not data.get("confirm"):
            self.add_error(
                "confirm",
                "Confirm that you have read the unverified claims and the reviewers' notes.",
            )
        return data


class CorrectionPublishForm(CorrectionForm, PublishForm):
    """End a correction round: the public correction note, and (a chief editor, over unverified
    claims of the corrected text) the same override reason and confirmation as a publication."""


class BulkVerdictForm(VerdictForm):
    """One verdict, note and evidence for the ticked claims of one article."""

    claims = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": "Tick at least one claim."},
    )
    # Not one field: each ticked claim's row posts `judged-<claim id>` (the version it shows).
    judged = None

    def __init__(self, *args, claim_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(pk, pk) for pk in claim_ids]
        self.fields["claims"].error_messages["invalid_choice"] = (
            "One of the ticked claims is no longer waiting for a verdict."
        )

    def clean(self) -> dict:
        data = super().clean()
        judged = {pk: self.data.get(f"judged-{pk}", "") for pk in data.get("claims", [])}
        if any(not version or len(version) > 64 for version in judged.values()):
            self.add_error("claims", JUDGED_MISSING)
        data["judged"] = judged
        return data


class DueTimeForm(forms.Form):
    publish_by = forms.DateTimeField(
        required=False,
        label="Publish by",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional. Articles due sooner come first in the review queue.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Entered and shown in the user's own zone (articles.middleware.TimeZoneMiddleware).
        zone = timezone.get_current_timezone_name()
        self.fields["publish_by"].label = f"Publish by ({zone} time)"


class AssignForm(forms.Form):
    reviewer = PersonChoiceField(queryset=None, label="Assign to", empty_label="Choose a reviewer")

    def __init__(self, *args, reviewers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ActivityFilterForm(forms.Form):
    """Filters of the chief editor's activity page (GET)."""

    reviewer = PersonChoiceField(
        queryset=None, required=False, label="Reviewer", empty_label="Anyone"
    )
    article = forms.IntegerField(required=False, min_value=1, label="Article number")
    kind = forms.ChoiceField(required=False, label="Kind")
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, reviewers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from articles.models import ArticleEvent

        self.fields["reviewer"].queryset = reviewers
        self.fields["kind"].choices = [("", "Every kind")] + list(ArticleEvent.Kind.choices)

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data


class DeskFilterForm(forms.Form):
    """Filters of the Desk page (GET). The choices are what the user may see (`review.desk`)."""

    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    author = forms.ChoiceField(required=False, label="Author")
    reviewer = forms.ChoiceField(required=False, label="Reviewer")
    section = forms.ChoiceField(required=False, label="Section")

    def __init__(self, *args, authors, reviewers, sections, default_range, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_range = default_range
        self.fields["section"].choices = [("", "Any section")] + [(s, s) for s in sections]
        self.fields["author"].choices = [("", "Any author")] + [(u.pk, _person(u)) for u in authors]
        self.fields["reviewer"].choices = [("", "Any reviewer")] + [
            (u.pk, _person(u)) for u in reviewers
        ]
        self._people = {u.pk: u for u in [*authors, *reviewers]}

    def _clean_person(self, name: str):
        # The field has already checked that the value is one of the choices.
        value = self.cleaned_data.get(name)
        return self._people[int(value)] if value else None

    def clean_author(self):
        return self._clean_person("author")

    def clean_reviewer(self):
        return self._clean_person("reviewer")

    def clean(self) -> dict:
        from review.desk import MAX_RANGE_DAYS

        data = super().clean()
        since = data.get("since") or self.default_range[0]
        until = data.get("until") or self.default_range[1]
        if "since" not in self.errors and "until" not in self.errors:
            if since > until:
                self.add_error("until", "The end of the range is before its start.")
            elif (until - since).days + 1 > MAX_RANGE_DAYS:
                self.add_error("until", f"Choose a range of at most {MAX_RANGE_DAYS} days.")
        data["since"], data["until"] = since, until
        return data


def _person(user) -> str:
    from articles.people import display_name

    return display_name(user)
