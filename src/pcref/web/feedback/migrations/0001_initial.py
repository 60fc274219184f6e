import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import pcref.web.feedback.models


class Migration(migrations.Migration):
    """The feedback form's records and the team list."""

    initial = True

    dependencies = ()

    operations = (
        migrations.CreateModel(
            name="Team",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=32, unique=True)),
                ("name", models.CharField(max_length=200)),
                ("locality", models.CharField(blank=True, max_length=200)),
                ("active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ("name",),
            },
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        default=pcref.web.feedback.models.new_reference,
                        editable=False,
                        max_length=16,
                        unique=True,
                    ),
                ),
                (
                    "received_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False
                    ),
                ),
                (
                    "language",
                    models.CharField(help_text="Language the form was shown in.", max_length=8),
                ),
                (
                    "form_version",
                    models.CharField(
                        choices=[("standard", "Standard"), ("easy_read", "Easy read")],
                        max_length=16,
                    ),
                ),
                (
                    "fft_answer",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Very good"),
                            (2, "Good"),
                            (3, "Neither good nor poor"),
                            (4, "Poor"),
                            (5, "Very poor"),
                            (6, "Don't know"),
                        ]
                    ),
                ),
                ("what_was_good", models.TextField(blank=True, max_length=3000)),
                ("what_could_be_better", models.TextField(blank=True, max_length=3000)),
                (
                    "respondent_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("patient", "I use or have used the service"),
                            ("carer", "I am a carer, friend or family member"),
                            ("staff", "I work for the trust"),
                            ("advocate", "I am an advocate or from a community organisation"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "service",
                    models.CharField(
                        blank=True,
                        help_text="Team code from the team list, or blank.",
                        max_length=32,
                    ),
                ),
                (
                    "safeguarding_categories",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Categories the safeguarding screen found.",
                    ),
                ),
                (
                    "urgent",
                    models.BooleanField(
                        db_index=True, default=False, help_text="Needs a person to review it first."
                    ),
                ),
                ("retain_until", models.DateField(db_index=True)),
            ],
            options={
                "ordering": ("-received_at", "-id"),
                "indexes": [
                    models.Index(
                        fields=["urgent", "received_at"], name="feedback_su_urgent_7cab3f_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ContactDetails",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=40)),
                (
                    "preferred_contact_method",
                    models.CharField(
                        blank=True, choices=[("email", "Email"), ("phone", "Phone")], max_length=8
                    ),
                ),
                (
                    "may_contact_if_worried",
                    models.BooleanField(
                        default=False,
                        help_text="Yes to: can we contact you if we are worried about your safety?",
                    ),
                ),
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contact_details",
                        to="feedback.submission",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "contact details",
            },
        ),
        migrations.CreateModel(
            name="AboutYou",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "ethnic_background",
                    models.CharField(
                        blank=True,
                        choices=[
                            (
                                "white_british",
                                "White: English, Welsh, Scottish, Northern Irish or British",
                            ),
                            ("white_irish", "White: Irish"),
                            ("white_gypsy_traveller", "White: Gypsy or Irish Traveller"),
                            ("white_other", "White: any other White background"),
                            ("mixed_white_black_caribbean", "Mixed: White and Black Caribbean"),
                            ("mixed_white_black_african", "Mixed: White and Black African"),
                            ("mixed_white_asian", "Mixed: White and Asian"),
                            ("mixed_other", "Mixed: any other Mixed or multiple ethnic background"),
                            ("asian_indian", "Asian or Asian British: Indian"),
                            ("asian_pakistani", "Asian or Asian British: Pakistani"),
                            ("asian_bangladeshi", "Asian or Asian British: Bangladeshi"),
                            ("asian_chinese", "Asian or Asian British: Chinese"),
                            ("asian_other", "Asian or Asian British: any other Asian background"),
                            (
                                "black_african",
                                "Black, Black British, Caribbean or African: African",
                            ),
                            (
                                "black_caribbean",
                                "Black, Black British, Caribbean or African: Caribbean",
                            ),
                            (
                                "black_other",
                                "Black, Black British, Caribbean or African: "
                                "any other Black background",
                            ),
                            ("other_arab", "Other ethnic group: Arab"),
                            ("other_any", "Other ethnic group: any other ethnic group"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        help_text="GOV.UK ethnic group answer.",
                        max_length=40,
                    ),
                ),
                (
                    "ethnic_category",
                    models.CharField(
                        blank=True,
                        help_text="NHS Data Dictionary ETHNIC CATEGORY code.",
                        max_length=2,
                    ),
                ),
                (
                    "sex",
                    models.CharField(
                        blank=True,
                        choices=[("2", "Female"), ("1", "Male"), ("Z", "Prefer not to say")],
                        max_length=1,
                    ),
                ),
                (
                    "gender_same_at_birth",
                    models.CharField(
                        blank=True,
                        choices=[("Y", "Yes"), ("N", "No"), ("Z", "Prefer not to say")],
                        max_length=1,
                    ),
                ),
                (
                    "age_band",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0-17", "Under 18"),
                            ("18-24", "18 to 24"),
                            ("25-34", "25 to 34"),
                            ("35-44", "35 to 44"),
                            ("45-54", "45 to 54"),
                            ("55-64", "55 to 64"),
                            ("65-74", "65 to 74"),
                            ("75+", "75 or over"),
                            ("Z", "Prefer not to say"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "disability",
                    models.CharField(
                        blank=True,
                        choices=[("Y", "Yes"), ("N", "No"), ("Z", "Prefer not to say")],
                        max_length=1,
                    ),
                ),
                (
                    "religion",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("L", "No religion"),
                            ("C", "Christian (including all Christian denominations)"),
                            ("B", "Buddhist"),
                            ("D", "Hindu"),
                            ("F", "Jewish"),
                            ("G", "Muslim"),
                            ("I", "Sikh"),
                            ("K", "Any other religion"),
                            ("M", "Prefer not to say"),
                        ],
                        max_length=1,
                    ),
                ),
                (
                    "sexual_orientation",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("1", "Heterosexual or straight"),
                            ("2", "Gay or lesbian"),
                            ("3", "Bisexual"),
                            ("4", "Other"),
                            ("Z", "Prefer not to say"),
                        ],
                        max_length=1,
                    ),
                ),
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="about_you",
                        to="feedback.submission",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "about you answers",
            },
        ),
    )
