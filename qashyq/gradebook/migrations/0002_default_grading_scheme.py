"""The default grading scheme: the national letter-rating scale, 0.6 x admission + 0.4 x exam,
admission from 50, exam from 50, round half up to a whole percent, FX = 0.5 points counted in
the GPA. Reversible: going back removes it (only while no journal uses it)."""

import datetime

from django.db import migrations

NAME = "National letter-rating scale"

# A copy of computation.NATIONAL_SCALE as it was when this migration was written.
SCALE = [
    {"letter": "A", "points": "4.0", "min": "95", "max": "100"},
    {"letter": "A-", "points": "3.67", "min": "90", "max": "94"},
    {"letter": "B+", "points": "3.33", "min": "85", "max": "89"},
    {"letter": "B", "points": "3.0", "min": "80", "max": "84"},
    {"letter": "B-", "points": "2.67", "min": "75", "max": "79"},
    {"letter": "C+", "points": "2.33", "min": "70", "max": "74"},
    {"letter": "C", "points": "2.0", "min": "65", "max": "69"},
    {"letter": "C-", "points": "1.67", "min": "60", "max": "64"},
    {"letter": "D+", "points": "1.33", "min": "55", "max": "59"},
    {"letter": "D", "points": "1.0", "min": "50", "max": "54"},
    {"letter": "FX", "points": "0.5", "min": "25", "max": "49"},
    {"letter": "F", "points": "0", "min": "0", "max": "24"},
]


def create_default(apps, schema_editor):
    GradingScheme = apps.get_model("gradebook", "GradingScheme")
    if GradingScheme.objects.filter(is_default=True).exists():
        return
    GradingScheme.objects.get_or_create(
        name=NAME,
        version=1,
        defaults={
            "valid_from": datetime.date(2026, 1, 1),
            "is_default": True,
            "admission_weight": "0.6",
            "exam_weight": "0.4",
            "admission_threshold": "50",
            "exam_minimum": "50",
            "rounding": "whole",
            "fx_in_gpa": True,
            "fx_points": "0.5",
            "scale": SCALE,
            "first_half_weeks": 7,
            "weeks": 15,
            "week_close_days": 7,
        },
    )


def remove_default(apps, schema_editor):
    GradingScheme = apps.get_model("gradebook", "GradingScheme")
    GradingScheme.objects.filter(name=NAME, version=1, journals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gradebook", "0001_grading_schemes_and_journal"),
    ]

    operations = [
        migrations.RunPython(create_default, remove_default),
    ]
