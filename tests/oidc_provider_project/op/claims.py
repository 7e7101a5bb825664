"""The claims the test provider sends: the standard ones from the user, and the organisation's
(employee number, department, role, job title) in the `organisation` scope, read from the user's
groups named `<claim>=<value>` (a test provider needs no model of its own)."""

from django.utils.translation import gettext_lazy as _
from oidc_provider.lib.claims import ScopeClaims


def userinfo(claims, user):
    claims["name"] = f"{user.last_name}{user.first_name}"
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["preferred_username"] = user.username
    return claims


class OrganisationClaims(ScopeClaims):
    info_organisation = (_("Organisation"), _("Your department, role and employee number."))

    def scope_organisation(self):
        found = {}
        for name in self.user.groups.values_list("name", flat=True):
            claim, _sep, value = name.partition("=")
            found[claim] = value
        return found
