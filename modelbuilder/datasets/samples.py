"""Built-in sample datasets from the data that ships with scikit-learn (no download)."""

import csv
import io
import re

from django.core.files.base import ContentFile

from modelbuilder.datasets.models import Dataset
from modelbuilder.datasets.services import dataset_ingest

SAMPLES = {
    # name: (sklearn loader, target column, use text labels)
    "iris": ("load_iris", "species", True),
    "wine": ("load_wine", "cultivar", True),
    "breast_cancer": ("load_breast_cancer", "diagnosis", True),
    "digits": ("load_digits", "digit", False),
}


def sample_csv(name: str) -> bytes:
    from sklearn import datasets

    loader, target, text_labels = SAMPLES[name]
    bunch = getattr(datasets, loader)()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # "sepal length (cm)" -> "sepal_length_cm": names that are easy to type in a config
    names = [re.sub(r"[^0-9A-Za-z]+", "_", str(f)).strip("_") for f in bunch.feature_names]
    writer.writerow([*names, target])
    for features, label in zip(bunch.data, bunch.target, strict=True):
        label_out = str(bunch.target_names[label]) if text_labels else int(label)
        writer.writerow([f"{v:g}" for v in features] + [label_out])
    return out.getvalue().encode("utf-8")


def samples_load() -> list[tuple[str, bool]]:
    """Install every sample as a public dataset owned by no one. Returns (name, created) pairs."""
    result = []
    for name in SAMPLES:
        if Dataset.objects.filter(owner=None, is_public=True, name=name).exists():
            result.append((name, False))
            continue
        dataset_ingest(
            owner=None,
            name=name,
            file=ContentFile(sample_csv(name), name=f"{name}.csv"),
            is_public=True,
        )
        result.append((name, True))
    return result
