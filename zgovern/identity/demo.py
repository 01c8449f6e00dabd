"""Demo accounts of Acme Cloud in Okta, Google Workspace, GitHub and AWS, uploaded as one
user list (the demo connects to no outside system): most link to the roster by work email,
GitHub logins through aliases; one GitHub account matches nobody (left unlinked, for the
accounts page), a deploy bot is a service account owned by Raj, Lars Leaver left in January
2025 yet his Okta account is still active, and Carl Contractor has no MFA in Okta.

The built-in workforce checks are set up, so a run (``zgovern checks run`` or the
schedule) finds exactly these exceptions. Added once: a second run finds the accounts
(and aliases, marks) already there.
"""

from __future__ import annotations

from zgovern.identity import services
from zgovern.identity.models import Account, PersonAlias
from zgovern.people.models import Person

SYSTEMS = ("okta", "google", "github", "aws")
STAFF = ("olivia", "adam", "maria", "eric", "nina", "raj", "sofia", "tom", "ivy", "hana")
HEADER = "system,external_id,username,email,display_name,status,mfa,privileged,last_login_at"
ALIASES = (("maria@acme.example", "maria-dev"), ("raj@acme.example", "raj-sre"),
           ("olivia@acme.example", "olivia-acme"))  # fmt: skip
SERVICE = ("github", "acme-deploy-bot", "raj@acme.example", "Pushes release tags from CI.")


def _rows() -> list[str]:
    rows = []
    for index, name in enumerate(STAFF, start=1):
        email = f"{name}@acme.example"
        admin = "yes" if name in ("olivia", "adam") else "no"
        rows.append(
            f"okta,00u{index:04d},{email},{email},{name.title()},active,enabled,{admin},2026-01-05"
        )
        rows.append(
            f"google,g{index:04d},{email},{email},{name.title()},active,enabled,{admin},2026-01-05"
        )
    rows += [
        "okta,00u0100,carl@ext.example,carl@ext.example,Carl C,active,disabled,no,2026-01-04",
        "okta,00u0101,lars@acme.example,lars@acme.example,Lars Leaver,active,enabled,no,2025-01-30",
        "google,g0101,lars@acme.example,lars@acme.example,Lars L,suspended,enabled,no,2025-01-31",
        "github,5001,olivia-acme,,Olivia,active,enabled,yes,",
        "github,5002,maria-dev,,Maria,active,enabled,no,",
        "github,5003,raj-sre,,Raj,active,enabled,no,",
        "github,5004,mystery-dev,,,active,disabled,no,",
        "github,5005,acme-deploy-bot,,Deploy bot,active,unknown,no,",
        "aws,AIDADEMO0001,adam@acme.example,,Adam Admin,active,enabled,yes,2026-01-05",
        "aws,AIDADEMO0002,maria@acme.example,,Maria Member,active,enabled,no,2026-01-03",
    ]  # fmt: skip
    return rows


def load(context) -> None:
    org, actor = context.organization, context.actor
    for email, alias in ALIASES:
        person = Person.objects.filter(organization=org, work_email=email).first()
        if (
            person is not None
            and not PersonAlias.objects.filter(organization=org, alias=alias).exists()
        ):
            services.add_alias(org, actor, person.pk, alias)
    if not Account.objects.filter(organization=org, system__in=SYSTEMS).exists():
        data = "\n".join([HEADER, *_rows()]) + "\n"
        services.import_accounts(org, actor, "demo-accounts.csv", data.encode())
    _service_account(org, actor)
    services.ensure_workforce_integration(org, actor)


def _service_account(org, actor) -> None:
    system, username, owner_email, note = SERVICE
    account = Account.objects.filter(organization=org, system=system, username=username).first()
    owner = Person.objects.filter(organization=org, work_email=owner_email).first()
    if account is not None and owner is not None and not account.is_service:
        services.mark_service(org, actor, account.pk, owner_id=owner.pk, note=note)
