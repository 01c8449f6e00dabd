org_urlpatterns: tuple[list, str] = ([], "identity")
