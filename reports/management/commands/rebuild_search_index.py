"""Rebuild the global search index from requests, documents and people (after bulk loads)."""

import time

from django.core.management.base import BaseCommand

from reports import search


class Command(BaseCommand):
    help = "Rebuild the global search index (requests, documents, people)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = search.rebuild()
        if not options["quiet"]:
            summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
            self.stdout.write(f"Search index rebuilt in {time.perf_counter() - started:.1f} s ({summary}).")
