"""Claims carry the version of their sentence (`Claim.text_sha`, `articles.text.claim_version`),
which every verdict must name so that it never lands on a sentence changed since the reviewer
read it (issue 20, item 3), and a verdict's history row keeps the sentence it judged
(`ArticleEvent.claim_text`). Existing claims, retired ones included, get the version of the text
they hold now; existing history rows stay as they are (empty: what an old verdict judged was not
recorded, and guessing it from today's text could be wrong). Going back drops both columns.
"""

from django.db import migrations, models

import articles.models

BATCH = 500


def fill_versions(apps, schema_editor):
    from articles.text import claim_version

    Claim = apps.get_model("articles", "Claim")
    # The ids first: SQLite gives no isolation between a cursor being read and writes to its table.
    pks = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        rows = list(Claim.objects.filter(pk__in=pks[start : start + BATCH]).only("pk", "text"))
        for claim in rows:
            claim.text_sha = claim_version(claim.text)
        # bulk_update does not call the field's pre_save: the versions are set above.
        Claim.objects.bulk_update(rows, ["text_sha"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_normalise_text_and_store_rounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="text_sha",
            field=articles.models.ClaimVersionField(
                default="",
                editable=False,
                help_text="First 16 hex digits of the SHA-256 of the normalised text.",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="articleevent",
            name="claim_text",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill_versions, migrations.RunPython.noop, elidable=True),
    ]
