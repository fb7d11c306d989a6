from __future__ import annotations

from django import forms

from review.notifications.models import Channel
from review.notifications.rules import all_rules


class PreferencesForm(forms.Form):
    """One channel per notification kind (a field per rule of `rules.RULES`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for rule in all_rules():
            self.fields[rule.name] = forms.ChoiceField(
                label=rule.label, choices=Channel.choices, widget=forms.RadioSelect
            )
