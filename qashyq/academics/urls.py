app_name = "academics"

urlpatterns: list = []
