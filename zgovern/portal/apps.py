from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zgovern.portal"
    label = "portal"
    verbose_name = "Employee portal"

    def ready(self) -> None:
        from zgovern.policies.signals import version_published
        from zgovern.portal.receivers import announce_published_version

        version_published.connect(
            announce_published_version, dispatch_uid="portal.announce_published_version"
        )
