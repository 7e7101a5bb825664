from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabPortalConfig(AppConfig):
    name = "collab_portal"
    verbose_name = _("Portal")
