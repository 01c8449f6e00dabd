"""The remediation plan's pages and exports with alice, bob and charlie."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from zgovern.controls.models import RemediationTask, TaskStatus
from zgovern.controls.tests.conftest import adopt_soc2, in_days, make_task


def url(org, name: str, **params) -> str:
    return reverse(f"controls:{name}", kwargs={"org_slug": org.slug, **params})


def task_row(pk: int) -> RemediationTask:
    with scopes_disabled():
        return RemediationTask.objects.get(pk=pk)


@pytest.fixture
def overdue(org_a, alice):
    late = make_task(org_a, title="Late task", priority=4, owner=alice.pk, target_date=in_days(1))
    with scopes_disabled():
        RemediationTask.objects.filter(pk=late.pk).update(target_date=in_days(-3))
    return late


def test_plan_lists_overdue_tasks_first_and_marks_them(alice_client, org_a, task, overdue):
    response = alice_client.get(url(org_a, "plan"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Late task") < body.index(task.title)
    assert '<tr class="overdue">' in body
    assert '<span class="badge bad">1 overdue</span>' in body
    assert "Create tasks for all gaps" in body


def test_plan_filters(alice_client, org_a, task, overdue, alice):
    only_overdue = alice_client.get(url(org_a, "plan") + "?overdue=on").content.decode()
    assert "Late task" in only_overdue and task.title not in only_overdue
    low = alice_client.get(url(org_a, "plan") + "?priority=4").content.decode()
    assert "Late task" in low and task.title not in low
    unowned = make_task(org_a, title="Nobody's")
    body = alice_client.get(url(org_a, "plan") + "?owner=0").content.decode()
    assert unowned.title.replace("'", "&#x27;") in body and "Late task" not in body
    done = alice_client.get(url(org_a, "plan") + "?status=done").content.decode()
    assert "No task matches these filters." in done
    assert alice_client.get(url(org_a, "plan") + "?priority=9").status_code == 400


def test_reader_sees_the_plan_without_buttons(bob_client, org_a, task):
    response = bob_client.get(url(org_a, "plan"))
    assert response.status_code == 200
    body = response.content.decode()
    assert task.title in body and "Create tasks for all gaps" not in body
    assert bob_client.post(url(org_a, "generate")).status_code == 403
    assert bob_client.get(url(org_a, "task", task_id=task.pk)).status_code == 200
    assert bob_client.post(url(org_a, "task", task_id=task.pk), {"title": "x"}).status_code == 403
    assert bob_client.get(url(org_a, "task_new")).status_code == 302


def test_outsider_gets_404(charlie_client, org_a, task):
    for name, params in (("plan", {}), ("plan_csv", {}), ("task", {"task_id": task.pk})):
        assert charlie_client.get(url(org_a, name, **params)).status_code == 404


def test_another_organisations_task_is_404(alice_client, org_a, org_b):
    theirs = make_task(org_b, title="Theirs")
    assert alice_client.get(url(org_a, "task", task_id=theirs.pk)).status_code == 404
    response = alice_client.post(url(org_a, "task_status", task_id=theirs.pk), {"status": "done"})
    assert response.status_code == 404
    assert task_row(theirs.pk).status == TaskStatus.OPEN


def test_generate_button_is_idempotent(alice_client, org_a):
    adopt_soc2(org_a)
    response = alice_client.post(url(org_a, "generate"), {"framework": ""})
    assert response.status_code == 302
    with scopes_disabled():
        count = RemediationTask.objects.filter(organization=org_a).count()
    assert count > 0
    again = alice_client.post(url(org_a, "generate"), {"framework": ""}, follow=True)
    assert "nothing was added" in again.content.decode()
    with scopes_disabled():
        assert RemediationTask.objects.filter(organization=org_a).count() == count
    assert alice_client.post(url(org_a, "generate"), {"framework": "999"}).status_code == 400


def test_create_task_form(alice_client, org_a, control, alice):
    page = alice_client.get(url(org_a, "task_new") + f"?control={control.pk}")
    assert page.status_code == 200
    assert f'<option value="{control.pk}" selected>' in page.content.decode()
    data = {
        "title": "Fix it",
        "control": control.pk,
        "owner": alice.pk,
        "priority": 2,
        "target_date": in_days(-1).isoformat(),
    }
    refused = alice_client.post(url(org_a, "task_new"), data)
    assert refused.status_code == 400
    assert "in the past" in refused.content.decode()
    with scopes_disabled():
        assert not RemediationTask.objects.filter(organization=org_a).exists()
    response = alice_client.post(url(org_a, "task_new"), {**data, "target_date": in_days(5)})
    assert response.status_code == 302
    with scopes_disabled():
        created = RemediationTask.objects.get(organization=org_a)
    assert (created.owner, created.control, created.priority) == (alice, control, 2)


def test_edit_task_form_and_status_button(alice_client, org_a, task):
    page = alice_client.get(url(org_a, "task", task_id=task.pk))
    assert page.status_code == 200 and task.title in page.content.decode()
    data = {
        "title": "Renamed",
        "priority": 1,
        "status": "in_progress",
        "target_date": task.target_date.isoformat(),
    }
    assert alice_client.post(url(org_a, "task", task_id=task.pk), data).status_code == 302
    row = task_row(task.pk)
    assert (row.title, row.status, row.owner_id, row.control_id) == (
        "Renamed",
        "in_progress",
        None,
        None,
    )
    response = alice_client.post(url(org_a, "task_status", task_id=task.pk), {"status": "done"})
    assert response.status_code == 302 and response["Location"] == url(org_a, "plan")
    assert task_row(task.pk).completed_at is not None
    back = alice_client.post(
        url(org_a, "task_status", task_id=task.pk), {"status": "open", "back": "task"}
    )
    assert back["Location"] == url(org_a, "task", task_id=task.pk)
    assert task_row(task.pk).completed_at is None
    bad = alice_client.post(url(org_a, "task_status", task_id=task.pk), {"status": "deleted"})
    assert bad.status_code == 400


def test_exports_neutralise_formulas(alice_client, org_a, control):
    make_task(
        org_a,
        title='=HYPERLINK("http://evil.example")',
        description="@SUM(A1)",
        control=control.pk,
        target_date=in_days(3),
    )
    response = alice_client.get(url(org_a, "plan_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Task", "Title", "Control key"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][-1] == "'@SUM(A1)"
    xlsx = alice_client.get(url(org_a, "plan_xlsx"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1] == '\'=HYPERLINK("http://evil.example")'
    assert values[1][2] == control.key


def test_exports_follow_the_filters(alice_client, org_a, task, overdue):
    rows = list(
        csv.reader(
            io.StringIO(
                alice_client.get(url(org_a, "plan_csv") + "?overdue=on").content.decode("utf-8-sig")
            )
        )
    )
    assert [r[1] for r in rows[1:]] == ["Late task"]
    assert rows[1][8] == "yes"


def test_control_page_lists_its_tasks(alice_client, org_a, control, task):
    body = alice_client.get(url(org_a, "detail", control_id=control.pk)).content.decode()
    assert task.title in body
