"""The "corrector" group: staff who fix extraction but cannot delete pages or manage users."""

from django.db import migrations

CORRECTOR_PERMISSIONS = [
    "view_article", "change_article",
    "view_park", "change_park",
    "view_figure", "add_figure", "change_figure", "delete_figure",
    "view_page",
    "view_correction",
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="corrector")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="archive", codename__in=CORRECTOR_PERMISSIONS
        )
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="corrector").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_correction"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
