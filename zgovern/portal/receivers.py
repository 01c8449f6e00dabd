"""The portal's answer to a published policy version: queue the announcement to everyone
who must acknowledge it (:func:`zgovern.portal.tasks.announce_version`, once per person)."""

from __future__ import annotations

from typing import Any


def announce_published_version(sender: Any, *, organization, version, **kwargs: Any) -> None:
    from zgovern.portal.tasks import announce_version

    announce_version(organization.pk, version.pk)
