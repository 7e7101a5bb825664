import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The sign-in audit trail becomes the security audit trail: password changes, access tokens,
    roles and deactivations beside the sign-ins, with who did it and what."""

    dependencies = [
        ("accounts", "0002_sign_in_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("SignInEvent", "SecurityEvent"),
        migrations.AlterModelOptions(
            name="securityevent",
            options={"ordering": ["-at"], "verbose_name": "security event", "verbose_name_plural": "security events"},
        ),
        migrations.AddField(
            model_name="securityevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signed_in", "Signed in"),
                    ("failed", "Failed sign-in"),
                    ("locked_out", "Locked out"),
                    ("signed_out", "Signed out"),
                    ("password_changed", "Password set or changed"),
                    ("token_created", "Access token created"),
                    ("token_revoked", "Access token revoked"),
                    ("role_changed", "Role changed"),
                    ("deactivated", "Account deactivated"),
                    ("reactivated", "Account reactivated"),
                ],
                max_length=20,
                verbose_name="event",
            ),
        ),
        migrations.AddField(
            model_name="securityevent",
            name="detail",
            field=models.CharField(blank=True, max_length=300, verbose_name="detail"),
        ),
    ]
