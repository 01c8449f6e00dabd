org_urlpatterns: tuple[list, str] = ([], "policies")
