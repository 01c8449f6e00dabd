org_urlpatterns: tuple[list, str] = ([], "changes")
