app_name = "attraction"
urlpatterns: list = []
