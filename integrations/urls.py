from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke_token"),
]
