"""Forms of the article pages. They only shape the input: the rules on an article's text live in
`services.validate_article_input`, which the services run and whose errors the views put back
onto these fields, so the form, the API and the services can never disagree."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from articles.text import has_visible_text


def article_text_field(field):
    """`field` (a form or serializer field of an article's title or body) without the framework's
    own NUL check, which says "Null characters are not allowed." with no line: a NUL is a control
    character like any other, and `services.validate_article_input` refuses it with its line. The
    form, the API, HTML ingestion and the admin all use this, so they answer alike."""
    field.validators = [
        v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ]
    return field


class ArticleTextField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        article_text_field(self)


class ArticleForm(forms.Form):
    # Not required here on purpose: an empty title or body is the service's error to report, in
    # the service's words. The `required`/`maxlength` attributes only help the browser.
    title = ArticleTextField(
        required=False,
        widget=forms.TextInput(
            attrs={"required": True, "maxlength": settings.ARTICLE_MAX_TITLE_CHARS, "size": 80}
        ),
    )
    # Not stripped: wire copy starts with a space before its " date ..." header, and the claims'
    # offsets point into the text exactly as it was written.
    body = ArticleTextField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"required": True, "rows": 24, "cols": 80}),
        help_text="Plain text, as it comes from the wire. Blank lines separate paragraphs.",
    )
    dateline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. Taken from the story's date header when left empty.",
    )


class ReturnToDraftForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Why (optional)",
        widget=forms.TextInput(attrs={"size": 40}),
    )


class ProfileForm(forms.Form):
    """The settings page: the user's time zone (the rule is `services.update_profile`'s)."""

    time_zone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text="Every time in the newsroom is shown in it, and due times are entered in it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        from articles.times import time_zone_names

        super().__init__(*args, **kwargs)
        default = f"The newsroom's default ({settings.TIME_ZONE})"
        self.fields["time_zone"].choices = [("", default)] + [
            (name, name.replace("_", " ")) for name in time_zone_names()
        ]


class ScheduleForm(forms.Form):
    """Scheduled publication, entered in the user's own time zone (the browser's datetime-local
    has none: TimeZoneMiddleware's zone gives it one)."""

    publish_at = forms.DateTimeField(
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of publication."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["publish_at"].label = f"Publish at ({zone} time)"


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Reason for unpublishing",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        error_messages={"required": "Give the reason for unpublishing."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not has_visible_text(reason):
            raise forms.ValidationError("The reason has no visible text.")
        return reason


class CorrectionForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        label="Correction note (public)",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        error_messages={"required": "Give the correction note readers will see."},
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not has_visible_text(note):
            raise forms.ValidationError("The correction note has no visible text.")
        return note
