"""Routes. Everything an organisation owns lives under ``/o/<org_slug>/``: the tenancy
middleware resolves the slug before any view runs."""

from django.urls import include, path

from zgovern.api import api
from zgovern.controls.urls import org_urlpatterns as controls_org
from zgovern.core.urls import org_urlpatterns as core_org
from zgovern.core.urls import urlpatterns as site
from zgovern.evidence.urls import org_urlpatterns as evidence_org
from zgovern.frameworks.urls import org_urlpatterns as frameworks_org
from zgovern.integrations.urls import org_urlpatterns as integrations_org
from zgovern.monitoring.urls import org_urlpatterns as monitoring_org
from zgovern.people.urls import org_urlpatterns as people_org
from zgovern.readiness.urls import org_urlpatterns as readiness_org
from zgovern.tenancy.urls import org_urlpatterns as tenancy_org

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
]

urlpatterns = [
    path("", include(site)),
    path("account/", include("zgovern.accounts.urls")),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/v1/", api.urls),
]
