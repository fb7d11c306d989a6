"""Train the check-worthiness model and write its artifact (graph or weights, model card).

    python manage.py train_checkworthiness [--data ../shared/benchmarks]
        [--out checkworthiness/model/] [--sample N]
        [--backend encoder] [--layers 3] [--epochs 2]     # the shipped model (needs torch)
        [--backend sparse] [--C 1,2,4]                    # the TF-IDF baseline (numpy only)

Fits on the CheckThat! 2024 English train split and selects the checkpoint (or C) and the
threshold on its dev split (checkworthiness/train_encoder.py and train.py,
docs/checkworthiness.md). The encoder needs the training extras: requirements-train.txt.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checkworthiness import DEFAULT_MODEL_DIR
from checkworthiness.data import CT24_DIR, CT24_FILES

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "benchmarks"


class Command(BaseCommand):
    help = "Train the check-worthiness scorer on CheckThat! 2024 (train; C and threshold on dev)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            type=Path,
            default=DEFAULT_DATA,
            help=f"benchmarks directory (default: {DEFAULT_DATA})",
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=DEFAULT_MODEL_DIR,
            help=f"artifact directory (default: {DEFAULT_MODEL_DIR})",
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=None,
            help="train on a seeded stratified sample of N train sentences",
        )
        parser.add_argument(
            "--backend",
            choices=("encoder", "sparse"),
            default="encoder",
            help="encoder: the shipped model (default); sparse: TF-IDF baseline",
        )
        parser.add_argument(
            "--layers",
            type=int,
            default=None,
            help="encoder: transformer layers kept from the base (default 3)",
        )
        parser.add_argument(
            "--epochs",
            type=float,
            default=None,
            help="encoder: passes over the train split (default 2)",
        )
        parser.add_argument(
            "--C",
            default=None,
            help="sparse: comma-separated regularisation values (default 1,2,4)",
        )

    def handle(
        self, *args, data: Path, out: Path, sample, backend, layers, epochs, C, verbosity, **options
    ):
        for split in ("train", "dev"):
            path = data / CT24_DIR / CT24_FILES[split]
            if not path.is_file():
                raise CommandError(f"missing {path} (pass --data DIR holding {CT24_DIR}/)")
        if sample is not None and sample < 10:
            raise CommandError("--sample must be at least 10")
        if epochs is not None and not 0 < epochs <= 20:
            raise CommandError("--epochs must be in (0, 20]")
        if layers is not None and not 1 <= layers <= 6:
            raise CommandError("--layers must be 1 to 6 (the base model has 6)")
        try:
            grid = [float(c) for c in C.split(",")] if C else None
        except ValueError as exc:
            raise CommandError(f"--C: {exc}") from exc

        def log(message: str) -> None:
            if verbosity:
                self.stdout.write(message)

        if backend == "sparse":
            from checkworthiness.train import train

            card = train(data, out, sample=sample, C_grid=grid, log=log)
        else:
            from checkworthiness.encoder import BaseModelMissing

            try:
                from checkworthiness.train_encoder import train
            except ImportError as exc:
                raise CommandError(str(exc)) from exc
            try:
                card = train(data, out, sample=sample, layers=layers, epochs=epochs, log=log)
            except (ImportError, BaseModelMissing) as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"check-worthiness model {card['version']} in {out}"))
