"""Forms of the token settings page and of the webhook admin."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from integrations import services
from integrations.models import WebhookSubscription


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="What will use it, e.g. “CMS sync”. You can hold several tokens and revoke each alone.",
    )


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookSubscription.Event.choices, widget=forms.CheckboxSelectMultiple
    )
    # An address typed without a scheme means https (Django 6's default, chosen now).
    target_url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["name", "target_url", "events", "is_active", "secret"]

    def clean_target_url(self) -> str:
        url = self.cleaned_data["target_url"]
        try:
            # The address is checked again at every delivery; DNS may change in between.
            services.check_target_url(url, resolve=False)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["target_url"]) from None
        return url
