org_urlpatterns: tuple[list, str] = ([], "reviews")
