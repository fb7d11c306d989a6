"""Train the check-worthiness model and write its artifact (weights, vocabulary, model card).

    python manage.py train_checkworthiness [--data ../shared/benchmarks]
        [--out articles/checkworthiness/model/] [--sample N] [--C 1,2,4]

Fits on the CheckThat! 2024 English train split and selects C and the threshold on its dev
split (see articles/checkworthiness/train.py and docs/checkworthiness.md). Needs only numpy.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.checkworthiness import DEFAULT_MODEL_DIR
from articles.checkworthiness.data import CT24_DIR, CT24_FILES

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "benchmarks"


class Command(BaseCommand):
    help = "Train the check-worthiness scorer on CheckThat! 2024 (train; C and threshold on dev)."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                            help=f"benchmarks directory (default: {DEFAULT_DATA})")
        parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR,
                            help=f"artifact directory (default: {DEFAULT_MODEL_DIR})")
        parser.add_argument("--sample", type=int, default=None,
                            help="train on a seeded stratified sample of N train sentences")
        parser.add_argument("--C", default=None,
                            help="comma-separated regularisation values to try (default 1,2,4)")

    def handle(self, *args, data: Path, out: Path, sample, C, verbosity, **options):
        from articles.checkworthiness.train import train

        for split in ("train", "dev"):
            path = data / CT24_DIR / CT24_FILES[split]
            if not path.is_file():
                raise CommandError(f"missing {path} (pass --data DIR holding {CT24_DIR}/)")
        if sample is not None and sample < 10:
            raise CommandError("--sample must be at least 10")
        try:
            grid = [float(c) for c in C.split(",")] if C else None
        except ValueError as exc:
            raise CommandError(f"--C: {exc}") from exc

        def log(message: str) -> None:
            if verbosity:
                self.stdout.write(message)

        card = train(data, out, sample=sample, C_grid=grid, log=log)
        self.stdout.write(self.style.SUCCESS(f"check-worthiness model {card['version']} in {out}"))
