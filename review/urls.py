from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/partial/", views.queue_partial, name="queue_partial"),
    path("claims/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("articles/<int:pk>/publish/", views.publish, name="publish"),
]
