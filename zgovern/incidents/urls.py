org_urlpatterns: tuple[list, str] = ([], "incidents")
