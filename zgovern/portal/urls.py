org_urlpatterns: tuple[list, str] = ([], "portal")
