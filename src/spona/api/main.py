from ninja import NinjaAPI

api = NinjaAPI(title="Spona API", version="1", urls_namespace="api")
