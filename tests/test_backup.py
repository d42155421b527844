"""make backup / make restore round-trip the whole database and the uploaded files."""

import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from cases.models import Attachment, Case, District, Round
from tests.conftest import make_user

NOTICE = "cases/data/notices/2022.txt"


def snapshot():
    out = io.StringIO()
    call_command("export_archive", year=2022, format="json", stdout=out)
    return {
        "archive": json.loads(out.getvalue()),
        "users": sorted(User.objects.values_list("username", "role", "district__name")),
        "history": Case.history.count(),
        "rounds": list(Round.objects.values_list("year", "status", "notice_title")),
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_backup_then_restore_brings_everything_back(transactional_db, media, tmp_path):
    call_command("import_notice", NOTICE, stdout=io.StringIO())
    officer = make_user("officer_x", role="officer", district=District.objects.get(code="xuhui"))
    case = Case.objects.filter(round__year=2022).first()
    attachment = Attachment(
        case=case,
        original_name="材料.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=officer,
    )
    attachment.file.save("材料.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    before = snapshot()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    # Disaster: the data and the files are gone.
    Attachment.objects.all().delete()
    Case.objects.all().delete()
    User.objects.all().delete()
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "已恢复" in out.getvalue()
    assert snapshot() == before
    restored = Attachment.objects.get()
    assert restored.file.read() == b"%PDF-1.4\n"
    assert User.objects.get(username="officer_x").check_password("test-pass-123")
    # New rows get fresh ids after the restore (sequences moved past the restored ones).
    new = Case.objects.create(round=Round.objects.get(year=2022), title="恢复后新建")
    assert new.pk > max(c["id"] for c in before["archive"])
    # Search still finds restored text.
    response_ids = Case.objects.filter(search_text__icontains="帮办").count()
    assert response_ids >= 1


def test_restore_asks_for_confirmation(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.tar.gz"))


@pytest.mark.parametrize("kind", ["not-a-tar", "foreign-tar", "escaping-path"])
def test_a_bad_backup_is_refused_and_the_data_stays(transactional_db, media, tmp_path, kind):
    call_command("import_notice", NOTICE, stdout=io.StringIO())
    before = snapshot()
    bad = tmp_path / "bad.tar.gz"
    if kind == "not-a-tar":
        bad.write_bytes(b"hello")
    else:
        good = tmp_path / "good.tar.gz"
        call_command("backup", output=str(good), stdout=io.StringIO())
        with tarfile.open(good) as src, tarfile.open(bad, "w:gz") as dst:
            for member in src.getmembers():
                if kind == "foreign-tar" and member.name == "data.json":
                    continue
                dst.addfile(member, src.extractfile(member))
            if kind == "escaping-path":
                info = tarfile.TarInfo("media/../../evil.txt")
                info.size = 4
                dst.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(CommandError) as excinfo:
        call_command("restore", str(bad), "--yes")
    assert excinfo.value.returncode == 2 and "\n" not in str(excinfo.value)
    assert snapshot() == before
    assert not (tmp_path / "evil.txt").exists()
