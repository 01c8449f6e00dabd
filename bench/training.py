"""Benchmark training and the portal's reminders at 1,000 people (or --people N).

    .venv/bin/python bench/training.py
    .venv/bin/python bench/training.py --people 5000

Times, on a fresh SQLite database in a temporary directory (``ZG_VAR_DIR``):

- every person's standing on the six library courses (``training.queries.statuses``);
- importing a learning platform's CSV with one completion per person (validated whole,
  then written through the people services), and the same file again (all already
  recorded: nothing written);
- a run of the built-in training checks through ``monitoring.runner.run_integration``;
- the reminder pass (announce, remind, digest; emails to the in-memory backend), and a
  second pass the same day, which must send nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, interactive=False)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<58} {time.perf_counter() - start:8.2f} s")
    return result


def build(people: int):
    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.frameworks import services as frameworks
    from zgovern.people.models import Person
    from zgovern.policies import services as policies
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization
    from zgovern.training import services

    actor = Actor.system("bench")
    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench training", owner, actor)
    today = date.today()
    departments = ("Engineering", "Sales", "IT", "Support")
    with organization_scope(org):
        frameworks.adopt_builtin(org, actor, "soc2")
        Person.objects.bulk_create(
            [
                Person(
                    organization=org, full_name=f"Person {i}", work_email=f"p{i}@bench.example",
                    employment_type="contractor" if i % 9 == 0 else "employee", source="csv",
                    department=departments[i % 4], start_date=today - timedelta(days=5 + i % 900),
                )
                for i in range(people)
            ],
            batch_size=1000,
        )  # fmt: skip
        services.adopt_library(org, actor)
        policy = policies.adopt_template(org, actor, template_key="acceptable-use")
        version = policy.versions.get()
        policies.submit_for_review(org, actor, version.pk)
        policies.approve(org, actor, version.pk)
        policies.publish(org, actor, version.pk)
        integration = services.ensure_training_checks(org, actor)
    return org, integration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    people = parser.parse_args().people
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from django.core import mail
        from django.utils import timezone

        from zgovern.core.actor import Actor
        from zgovern.monitoring.models import RunTrigger
        from zgovern.monitoring.runner import run_integration
        from zgovern.portal import reminders
        from zgovern.tenancy.scoping import organization_scope
        from zgovern.training import queries, services

        org, integration = timed(
            f"set-up: {people} people, 6 courses, 1 policy", lambda: build(people)
        )
        actor, today = Actor.system("bench"), timezone.localdate()
        lines = ["email,course,completed_on"] + [
            f"p{i}@bench.example,security-awareness,{today - timedelta(days=i % 500)}"
            for i in range(people)
        ]
        data = ("\n".join(lines) + "\n").encode()
        with organization_scope(org):
            rows = timed(
                "standings of everyone on every course", lambda: queries.statuses(org, today)
            )
            print(f"{'':<4}{len(rows)} standings: {queries.counts(rows)}")
            report = timed("import one completion per person (CSV)",
                           lambda: services.import_completions(org, actor, data))  # fmt: skip
            print(f"{'':<4}imported {report.imported}, already recorded {report.already_recorded}")
            again = timed(
                "the same file again", lambda: services.import_completions(org, actor, data)
            )
            assert again.imported == 0, again
        run = timed("built-in training checks (run_integration)",
                    lambda: run_integration(integration.pk, RunTrigger.CLI))  # fmt: skip
        print(f"{'':<4}run {run.status}: {run.passed} pass, {run.failed} fail, "
              f"{run.not_applicable} not applicable")  # fmt: skip
        with organization_scope(org):
            sent = timed("reminders: first pass", lambda: reminders.send_reminders(org))
            print(f"{'':<4}{sent}; {len(mail.outbox)} emails")
            second = timed(
                "reminders: second pass the same day", lambda: reminders.send_reminders(org)
            )
            assert (second.announced, second.reminded, second.digests) == (0, 0, 0), second
            print(f"{'':<4}{second}")


if __name__ == "__main__":
    main()
