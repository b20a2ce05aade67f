from django.core.management.base import BaseCommand

from modelbuilder.datasets.samples import samples_load


class Command(BaseCommand):
    help = (
        "Install the built-in sample datasets (iris, wine, breast cancer, digits) as public CSVs."
    )

    def handle(self, *args, **options):
        for name, created in samples_load():
            self.stdout.write(f"{name}: {'installed' if created else 'already there'}")
