"""Routes. Everything an organisation owns lives under ``/o/<org_slug>/``: the tenancy
middleware resolves the slug before any view runs."""

from django.urls import include, path

from zgovern.api import api
from zgovern.audits.urls import org_urlpatterns as audits_org
from zgovern.changes.urls import org_urlpatterns as changes_org
from zgovern.controls.urls import org_urlpatterns as controls_org
from zgovern.core.urls import org_urlpatterns as core_org
from zgovern.core.urls import urlpatterns as site
from zgovern.evidence.urls import org_urlpatterns as evidence_org
from zgovern.frameworks.urls import org_urlpatterns as frameworks_org
from zgovern.identity.urls import org_urlpatterns as identity_org
from zgovern.incidents.urls import org_urlpatterns as incidents_org
from zgovern.integrations.urls import org_urlpatterns as integrations_org
from zgovern.monitoring.urls import org_urlpatterns as monitoring_org
from zgovern.pbc.urls import org_urlpatterns as pbc_org
from zgovern.people.urls import org_urlpatterns as people_org
from zgovern.policies.urls import org_urlpatterns as policies_org
from zgovern.portal.urls import org_urlpatterns as portal_org
from zgovern.readiness.urls import org_urlpatterns as readiness_org
from zgovern.reviews.urls import org_urlpatterns as reviews_org
from zgovern.risks.urls import org_urlpatterns as risks_org
from zgovern.tenancy.urls import org_urlpatterns as tenancy_org
from zgovern.training.urls import org_urlpatterns as training_org
from zgovern.vendors.urls import org_urlpatterns as vendors_org

org_patterns = [
    path("", include(core_org)),
    path("settings/", include(tenancy_org)),
    path("controls/", include(controls_org)),
    path("frameworks/", include(frameworks_org)),
    path("evidence/", include(evidence_org)),
    path("readiness/", include(readiness_org)),
    path("monitoring/integrations/", include(integrations_org)),
    path("monitoring/", include(monitoring_org)),
    path("people/", include(people_org)),
    path("audits/", include(audits_org)),
    path("fieldwork/", include("zgovern.fieldwork.urls")),
    path("findings/", include("zgovern.findings.urls")),
    path("effectiveness/", include("zgovern.effectiveness.urls")),
    path("requests/", include(pbc_org)),
    path("accounts/", include(identity_org)),
    path("changes/", include(changes_org)),
    path("policies/", include(policies_org)),
    path("training/", include(training_org)),
    path("my/", include(portal_org)),
    path("incidents/", include(incidents_org)),
    path("risks/", include(risks_org)),
    path("vendors/", include(vendors_org)),
    path("reviews/", include(reviews_org)),
    path("notifications/", include("zgovern.alerts.urls")),
    path("trust-center/", include("zgovern.trust.urls")),
]

urlpatterns = [
    path("", include(site)),
    path("account/sign-in-link/", include("zgovern.portal.signin_urls")),
    path("account/", include("zgovern.accounts.urls")),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/v1/", api.urls),
    path("vendor-assessment/", include("zgovern.vendors.public_urls")),
    path("trust/", include("zgovern.trust.public_urls")),
]
