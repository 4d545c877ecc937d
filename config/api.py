from ninja import NinjaAPI

api = NinjaAPI(title="Qashyq API", version="1", urls_namespace="api")

urlpatterns = api.urls[0]
