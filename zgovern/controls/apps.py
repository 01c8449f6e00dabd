from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "zgovern.controls"
    label = "controls"
    verbose_name = "Controls and remediation"

    def ready(self) -> None:
        from zgovern.controls.receivers import carry_links_to_correction, link_check_evidence
        from zgovern.evidence.signals import evidence_added

        evidence_added.connect(link_check_evidence, dispatch_uid="controls.link_check_evidence")
        evidence_added.connect(
            carry_links_to_correction, dispatch_uid="controls.carry_links_to_correction"
        )
