from django.core.management.base import BaseCommand, CommandError

from accounts.models import DirectorySync
from accounts.services import sync_directory


class Command(BaseCommand):
    help = (
        "Bring people and departments in step with the LDAP directory: new people, moved people, "
        "departments created or renamed, people gone deactivated. Every run is logged (admin: directory syncs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would change and change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        run = sync_directory(dry_run=dry_run)
        if run.status == DirectorySync.Status.FAILED:
            raise CommandError(run.error)
        for line in run.changes.splitlines():
            self.stdout.write(("would: " if dry_run else "") + line)
        self.stdout.write(
            f"{'dry run' if dry_run else 'done'}: {run.people_seen} in the directory, "
            f"{run.people_created} created, {run.people_updated} updated, {run.people_deactivated} deactivated, "
            f"{run.departments_created} departments created, {run.departments_renamed} renamed"
        )
