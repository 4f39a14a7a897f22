"""Rule sets: the rules and thresholds in use become the first published version."""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import scoring.models
from django.conf import settings
from django.db import migrations, models

THRESHOLDS = ("mql_threshold", "min_fit", "min_engagement", "hot_threshold")


def first_version(apps, schema_editor):
    settings_model = apps.get_model("scoring", "ScoringSettings")
    live = settings_model.objects.get_or_create(pk=1)[0]
    version = apps.get_model("scoring", "RuleSet").objects.create(
        name="Rules in use",
        state="published",
        published_at=django.utils.timezone.now(),
        **{name: getattr(live, name) for name in THRESHOLDS},
    )
    apps.get_model("scoring", "Rule").all_versions.update(ruleset=version)


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0007_field_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mql_threshold', models.IntegerField(default=60, verbose_name='mql threshold')),
                ('min_fit', models.IntegerField(blank=True, default=0, help_text='Empty: no minimum on fit.', null=True, verbose_name='min fit')),
                ('min_engagement', models.IntegerField(blank=True, default=20, help_text='Empty: no minimum on engagement.', null=True, verbose_name='min engagement')),
                ('hot_threshold', models.IntegerField(blank=True, default=90, help_text='Empty: no hot level.', null=True, verbose_name='hot threshold')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('shadow', 'Shadow'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=20, verbose_name='state')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='reason')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('archived_at', models.DateTimeField(blank=True, null=True, verbose_name='archived at')),
            ],
            options={
                'verbose_name': 'rule set',
                'ordering': ['-created_at', '-id'],
                'abstract': False,
            },
        ),
        migrations.AlterModelManagers(
            name='rule',
            managers=[
                ('all_versions', django.db.models.manager.Manager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='scoringsettings',
            name='scoring_hot_above_mql',
        ),
        migrations.AddConstraint(
            model_name='scoringsettings',
            constraint=models.CheckConstraint(condition=models.Q(('hot_threshold__isnull', True), ('hot_threshold__gt', models.F('mql_threshold')), _connector='OR'), name='scoring_scoringsettings_hot_above_mql'),
        ),
        migrations.AddField(
            model_name='ruleset',
            name='based_on',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scoring.ruleset', verbose_name='based on'),
        ),
        migrations.AddField(
            model_name='ruleset',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AddField(
            model_name='rule',
            name='ruleset',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='scoring.ruleset', verbose_name='rule set'),
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='rule',
            name='ruleset',
            field=scoring.models.VersionKey(blank=True, on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='scoring.ruleset', verbose_name='rule set'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.CheckConstraint(condition=models.Q(('hot_threshold__isnull', True), ('hot_threshold__gt', models.F('mql_threshold')), _connector='OR'), name='scoring_ruleset_hot_above_mql'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'published')), fields=('state',), name='scoring_one_published_ruleset'),
        ),
    ]
