from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dashboards, reports and search")

    def ready(self) -> None:
        from documents.selectors import use_ranked_search
        from reports import signals
        from reports.search import search_entries

        signals.connect()
        # The document register's text filter ranks through the search index.
        use_ranked_search(lambda user, text: search_entries(user, text, kinds=("document",)))
