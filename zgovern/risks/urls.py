org_urlpatterns: tuple[list, str] = ([], "risks")
