
app_name = "ketahanan"
urlpatterns: list = []
