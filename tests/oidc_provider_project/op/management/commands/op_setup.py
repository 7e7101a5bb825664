"""Prepare the test provider: signing key, the portal as a client, and people.

op_setup --client-id ID --client-secret S --redirect-uri URI... --logout-uri URI... --people FILE.json
where the JSON lists {"username", "password", "email", "first_name", "last_name", "claims": {...}}."""

import json

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oidc_provider.models import Client, ResponseType, RSAKey


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", default=[])
        parser.add_argument("--logout-uri", action="append", default=[])
        parser.add_argument("--people")

    def handle(self, *args, **options):
        if not RSAKey.objects.exists():
            call_command("creatersakey")
        client, _ = Client.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": "Collab Portal",
                "client_type": "confidential",
                "client_secret": options["client_secret"],
                "jwt_alg": "RS256",
                "require_consent": False,
                "reuse_consent": True,
            },
        )
        client.redirect_uris = sorted(set(client.redirect_uris) | set(options["redirect_uri"]))
        client.post_logout_redirect_uris = sorted(set(client.post_logout_redirect_uris) | set(options["logout_uri"]))
        client.scope = ["openid", "email", "profile", "organisation"]
        client.save()
        client.response_types.set([ResponseType.objects.get(value="code")])
        if options["people"]:
            with open(options["people"]) as f:
                people = json.load(f)
            for person in people:
                user, _ = User.objects.update_or_create(
                    username=person["username"],
                    defaults={k: person.get(k, "") for k in ("email", "first_name", "last_name")},
                )
                user.set_password(person["password"])
                user.save()
                user.groups.set(
                    [Group.objects.get_or_create(name=f"{k}={v}")[0] for k, v in person.get("claims", {}).items()]
                )
