app_name = "capex"

urlpatterns: list = []
