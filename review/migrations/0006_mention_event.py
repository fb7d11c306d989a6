"""Each mention remembers the history row that added it, so an edit that names someone new tells
that person (and nobody it already told). Existing mentions were all added by their comment's
own row."""

import django.db.models.deletion
from django.db import migrations, models


def added_by_their_comment(apps, schema_editor):
    Mention = apps.get_model("review", "Mention")
    Comment = apps.get_model("review", "Comment")
    Mention.objects.filter(event__isnull=True).update(
        event=models.Subquery(
            Comment.objects.filter(pk=models.OuterRef("comment_id")).values("event_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_conversation_event_kinds"),
        ("review", "0005_conversations"),
    ]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="event",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentions",
                to="articles.articleevent",
            ),
        ),
        migrations.RunPython(added_by_their_comment, migrations.RunPython.noop),
    ]
