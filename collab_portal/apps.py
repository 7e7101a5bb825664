from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabPortalConfig(AppConfig):
    name = "collab_portal"
    verbose_name = _("Portal")

    def ready(self):
        from collab_portal import prepared  # noqa: F401 - registers the __in_array lookup on every field
