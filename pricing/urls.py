app_name = "pricing"

urlpatterns = []
