org_urlpatterns: tuple[list, str] = ([], "training")
