"""The imports keep no table of their own: a workbook waits under MEDIA between preview and
confirm, and each import is recorded in the kernel's action log, on the admin who ran it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportAction(models.TextChoices):
    WORKBOOK_IMPORTED = "imports.workbook_imported", _("Imported the organisation's workbook")
    HOLIDAYS_IMPORTED = "imports.holidays_imported", _("Imported the year's official holidays")
