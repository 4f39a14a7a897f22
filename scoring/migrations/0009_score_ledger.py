"""The score ledger, opened with each scored contact's current figures."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def opening_rows(apps, schema_editor):
    """One row per contact with a score, so that the ledger sums to every current score."""
    contacts = apps.get_model("leads", "Contact")._meta.db_table
    rulesets = apps.get_model("scoring", "RuleSet")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scoring_scorechange "
            "(contact_id, at, fit_delta, engagement_delta, cause, ruleset_id) "
            f"SELECT id, %s, fit_score, engagement_score, 'opening', "
            f"(SELECT id FROM {rulesets} WHERE state = 'published') "
            f"FROM {contacts} WHERE fit_score <> 0 OR engagement_score <> 0",
            [schema_editor.connection.ops.adapt_datetimefield_value(django.utils.timezone.now())],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0016_field_labels'),
        ('scoring', '0008_rulesets'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScoreChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('fit_delta', models.IntegerField(verbose_name='fit delta')),
                ('engagement_delta', models.IntegerField(verbose_name='engagement delta')),
                ('cause', models.CharField(choices=[('opening', 'Score when the ledger began'), ('event', 'Activity events'), ('profile', 'Profile change'), ('decay', 'Engagement faded'), ('release', 'Rules or thresholds changed'), ('merge', 'Records merged')], max_length=10, verbose_name='cause')),
                ('contact', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='score_changes', to='leads.contact', verbose_name='contact')),
                ('ruleset', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scoring.ruleset', verbose_name='rule set')),
            ],
            options={
                'verbose_name': 'score change',
                'indexes': [models.Index(fields=['contact', 'at'], name='scoring_change_contact_at')],
            },
        ),
        migrations.RunPython(opening_rows, migrations.RunPython.noop),
    ]
