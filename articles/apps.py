from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from articles import cache
        from articles.middleware import remember_time_zone

        # The data version's triggers, made again after every migrate (articles/cache.py).
        post_migrate.connect(
            cache.install_triggers, sender=self, dispatch_uid="articles.data_version"
        )

        # Not domain flow: the session keeps the user's time zone so that pages need no query
        # for it (articles.middleware.TimeZoneMiddleware).
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: (
                remember_time_zone(request, user)
                if request is not None and hasattr(request, "session")
                else None
            ),
            weak=False,
            dispatch_uid="articles.remember_time_zone",
        )
