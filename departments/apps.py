from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("Organisation")

    def ready(self):
        from departments import signals  # noqa: F401 - connects the receivers
