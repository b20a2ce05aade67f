"""The dataset admin: list, search, preview, actions (re-validate, mark public, delete)."""

from pathlib import Path

import pytest

from modelbuilder.datasets.models import Dataset

pytestmark = pytest.mark.django_db

CSV = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n"


@pytest.fixture
def dataset(alice, mb):
    return Dataset.objects.get(pk=mb.upload(alice, mb.csv_upload(CSV), "admin-ds").json()["id"])


@pytest.fixture
def admin_client(staff_user, mb):
    return mb.logged_in(staff_user)


def test_changelist_search_and_filters(admin_client, dataset):
    page = admin_client.get("/admin/datasets/dataset/?q=admin-ds&status__exact=ready")
    assert page.status_code == 200
    assert "admin-ds" in page.content.decode() and "alice" in page.content.decode()
    assert "admin-ds" not in admin_client.get("/admin/datasets/dataset/?q=zzz").content.decode()


def test_change_page_shows_preview_and_statistics(admin_client, dataset):
    html = (
        admin_client.get(f"/admin/datasets/dataset/{dataset.pk}/change/").content.decode().lower()
    )
    assert "<td>5</td>" in html and "first rows" in html and "statistics" in html


def test_revalidate_marks_a_damaged_file_invalid(admin_client, dataset):
    Path(dataset.file.path).write_text("a,b\n1\n")
    admin_client.post(
        "/admin/datasets/dataset/", {"action": "revalidate", "_selected_action": [dataset.pk]}
    )
    dataset.refresh_from_db()
    assert dataset.status == "invalid" and "Line 2" in dataset.error


def test_mark_public_shares_with_everyone(admin_client, dataset, bob):
    assert bob.get(f"/api/datasets/{dataset.pk}").status_code == 404
    admin_client.post(
        "/admin/datasets/dataset/", {"action": "mark_public", "_selected_action": [dataset.pk]}
    )
    assert bob.get(f"/api/datasets/{dataset.pk}").status_code == 200


def test_delete_action_removes_the_file(admin_client, dataset, django_capture_on_commit_callbacks):
    path = Path(dataset.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/datasets/dataset/",
            {"action": "delete_selected", "_selected_action": [dataset.pk], "post": "yes"},
        )
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert not path.exists()
