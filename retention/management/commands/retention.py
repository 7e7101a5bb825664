"""`manage.py retention`: what is past its retention year, and with --apply, archive and remove it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from retention import policy
from retention.services import RetentionError, archive_folder, retention_apply

SETTING = {"request": "RETENTION_REQUEST_YEARS", "document": "RETENTION_DOCUMENT_YEARS"}


class Command(BaseCommand):
    help = (
        "List the requests and official documents past their retention year (a dry run, the default); "
        "with --apply, write them to a compressed archive, check it, then remove them. "
        "Nothing under a legal hold and nothing still open is ever touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Archive and remove (without it: only count).")
        parser.add_argument(
            "--kind",
            action="append",
            choices=policy.KINDS,
            help="Only this kind (repeat for both); default: every kind whose retention is set.",
        )
        parser.add_argument(
            "--archive-dir",
            default=None,
            help="Folder for the archives (default: RETENTION_ARCHIVE_DIR).",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per archive read and per removal.")

    def handle(self, *args, **options):
        if options["batch_size"] < 1 or options["batch_size"] > 10_000:
            raise CommandError("--batch-size must be between 1 and 10000.")
        asked = list(dict.fromkeys(options["kind"] or []))
        for kind in asked:
            if policy.years_setting(kind) is None:
                raise CommandError(f"--kind {kind}: retention of this kind is off; set {SETTING[kind]} first.")
        kinds = asked or [kind for kind in policy.KINDS if policy.years_setting(kind) is not None]
        if not kinds:
            self.stdout.write(
                "Retention is off for every kind (RETENTION_REQUEST_YEARS, RETENTION_DOCUMENT_YEARS are empty): "
                "nothing is due."
            )
            return
        folder = Path(options["archive_dir"] or settings.RETENTION_ARCHIVE_DIR)
        if "\x00" in str(folder):
            raise CommandError("--archive-dir is not a valid path.")
        due = policy.counts(kinds)
        self._table(due)
        for kind, by_year in policy.counts(kinds, held=True).items():
            if by_year:
                self.stdout.write(f"{kind}: kept, under a legal hold although past retention: {sum(by_year.values())}")
        if not options["apply"]:
            try:
                archive_folder(folder)
            except RetentionError as error:
                self.stderr.write(f"Warning: --apply would fail: {error}")
            self.stdout.write("Dry run: nothing was archived or removed. Add --apply to do it.")
            return
        if not any(sum(by_year.values()) for by_year in due.values() if by_year):
            self.stdout.write("Nothing is due: nothing archived or removed.")
            return
        try:
            run = retention_apply(kinds=kinds, folder=folder, batch_size=options["batch_size"])
        except RetentionError as error:
            raise CommandError(f"Retention stopped, nothing removed: {error}") from None
        self.stdout.write(f"Archive: {run.archive_path}")
        self.stdout.write(f"Files:   {run.files_path}")
        for kind in kinds:
            self.stdout.write(
                f"{kind}: archived {run.archived.get(kind, 0)}, removed {run.removed.get(kind, 0)}, "
                f"kept because held or reopened meanwhile {run.skipped.get(kind, 0)}"
            )
        self.stdout.write(self.style.SUCCESS(f"Retention run {run.pk} done."))

    def _table(self, due: dict) -> None:
        self.stdout.write(f"{'kind':<10}{'year':>6}{'due':>10}")
        for kind, by_year in due.items():
            if not by_year:
                self.stdout.write(f"{kind:<10}{'-':>6}{0:>10}")
                continue
            for year, count in by_year.items():
                self.stdout.write(f"{kind:<10}{year:>6}{count:>10}")
