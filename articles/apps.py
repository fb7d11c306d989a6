from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from articles import cache

        # The data version's triggers, made again after every migrate (articles/cache.py).
        post_migrate.connect(
            cache.install_triggers, sender=self, dispatch_uid="articles.data_version"
        )
