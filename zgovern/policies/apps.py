from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zgovern.policies"
    label = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        # The readiness engine reads each control's policies as missing, draft or approved.
        from zgovern.policies.queries import policy_states
        from zgovern.readiness.sources import register_policy_source

        register_policy_source(policy_states)
