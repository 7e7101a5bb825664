from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from core.actions import register_actions
        from documents import decide  # noqa: F401 - decision links for 核稿, 会签, 签发 and 签收
        from documents.models import DocumentAction, IncomingRoute
        from notifications import kinds
        from tasks.selectors import add_page_list

        # Notices about documents are "document.<event>" (documents.services.common._tell).
        kinds.register(
            "documents",
            _("Official documents: waiting for me, returned, issued to my department"),
            order=100,
            areas=["document"],
        )
        register_actions(DocumentAction.choices)
        # The request page links the received document it came from ({% received_document %}) only
        # when there is one.
        add_page_list("incoming_route", lambda task: IncomingRoute.objects.filter(task=task))
