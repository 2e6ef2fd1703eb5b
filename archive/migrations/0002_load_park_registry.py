"""Fill the Park table from the registry shipped in archive/data/parks.csv."""

from django.db import migrations


def load_registry(apps, schema_editor):
    from archive.registry import read_registry, sync_registry

    sync_registry(apps.get_model("archive", "Park"), read_registry())


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(load_registry, migrations.RunPython.noop)]
