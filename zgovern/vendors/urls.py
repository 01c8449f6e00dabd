org_urlpatterns: tuple[list, str] = ([], "vendors")
