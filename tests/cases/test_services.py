"""The case services: opening, claiming, completing, disposition, journal, on a real database."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from laksana.cases import services
from laksana.cases.journal import verify_case
from laksana.cases.models import (
    Attachment,
    CaseStatus,
    Disposition,
    DispositionStatus,
    JournalEntry,
    JournalKind,
    Notification,
    StepStatus,
)
from laksana.outbox import services as outbox
from laksana.procedures.services import publish

from .helpers import SOP_004_PEOPLE, active, pdf, png, work

pytestmark = pytest.mark.django_db


def test_it_opens_a_case_and_offers_the_first_step_to_the_requesting_unit(bali, sop002):
    case = services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA tidak bisa login",
        application=bali.applications["sikesda"],
    )
    assert case.reference == f"diskominfos-bali-{case.opened_at.year}-000001"
    assert case.requesting_unit == bali.units["dinkes"]
    step = active(case)
    assert (step.step_key, step.actor_key, step.visit) == ("s1", "pemohon", 1)
    kinds = list(case.journal.values_list("kind", flat=True))
    assert kinds == [JournalKind.OPENED, JournalKind.STEP_ACTIVATED]
    # Both people of the requesting unit are told; nobody else.
    told = set(Notification.objects.values_list("person__user__username", flat=True))
    assert told == {"dinkes", "dinkes_staf"}
    assert len(mail.outbox) == 0  # e-mail goes out on commit, after the test's transaction


def test_completing_refuses_with_every_missing_requirement_named(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    with pytest.raises(services.ServiceError) as exc:
        services.complete_step(bali["dinkes_staf"], active(case).pk)
    assert exc.value.code == "missing_requirements"
    assert exc.value.items == (
        "Surat permohonan perbaikan sistem",
        "Foto dokumentasi permasalahan",
        "Keterangan proses yang menyebabkan terjadinya permasalahan",
    )
    assert "Foto dokumentasi permasalahan" in exc.value.message
    # Nothing was written: the step is still active and the journal unchanged.
    assert active(case).status == StepStatus.ACTIVE
    assert case.journal.count() == 2


def test_a_refused_step_leaves_no_file_behind(bali, sop002, settings):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    with pytest.raises(services.ServiceError):
        services.complete_step(
            bali["dinkes_staf"],
            active(case).pk,
            files=[services.FileInput("foto_masalah", [png()])],
        )
    assert Attachment.objects.count() == 0
    files = settings.MEDIA_ROOT
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))


def test_only_holders_may_complete_and_a_second_completion_names_the_first(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    with pytest.raises(services.NotAllowed):
        work(bali["bkd"], case)  # another unit
    case = work(bali["dinkes_staf"], case)
    first = case.steps.get(step_key="s1")
    with pytest.raises(services.ServiceError) as exc:
        services.complete_step(bali["dinkes"], first.pk)
    assert exc.value.code == "already_completed"
    assert "Putu Eka Pratama" in exc.value.message


def test_uploads_are_checked_by_content_and_stored_under_generated_names(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    good = png().read()
    broken = SimpleUploadedFile("foto.png", good[: len(good) // 2], "image/png")
    values = {"keterangan_proses": {"uraian": "Login gagal"}}
    for upload, code, message in (
        (pdf("foto.png"), "invalid_artifact", "type application/pdf is not accepted"),
        (broken, "upload_rejected", "foto.png is not a valid image"),
        (
            SimpleUploadedFile("run.png", b"MZ\x90\x00" * 50),
            "upload_rejected",
            "run.png is not an accepted kind of file",
        ),
    ):
        with pytest.raises(services.ServiceError) as exc:
            services.complete_step(
                bali["dinkes_staf"],
                active(case).pk,
                values=values,
                files=[
                    services.FileInput("foto_masalah", [upload]),
                    services.FileInput("dokumen_analisis", [pdf("analisis.pdf")]),
                    services.FileInput("surat_permohonan", [pdf("surat.pdf")]),
                ],
            )
        assert (exc.value.code, exc.value.field if code == "upload_rejected" else None) == (
            code,
            "foto_masalah" if code == "upload_rejected" else None,
        )
        assert message in exc.value.message
    assert Attachment.objects.count() == 0
    case = services.complete_step(
        bali["dinkes_staf"],
        active(case).pk,
        values={"keterangan_proses": {"uraian": "Login gagal setelah ganti sandi"}},
        files=[
            services.FileInput("foto_masalah", [png("layar 1.png"), png("../../x.png")]),
            services.FileInput("dokumen_analisis", [pdf("analisis.pdf")]),
            services.FileInput("surat_permohonan", [pdf("surat.pdf")]),
        ],
    )
    photos = Attachment.objects.filter(artifact_key="foto_masalah").order_by("pk")
    assert [a.original_name for a in photos] == ["layar 1.png", "x.png"]
    for a in photos:
        assert a.content_type == "image/png" and a.thumbnail
        assert a.file.name.startswith(f"cases/{case.pk}/") and "layar" not in a.file.name
    state_files = case.state["artifacts"]["foto_masalah"]["files"]
    assert [f["id"] for f in state_files] == [str(a.pk) for a in photos]


def test_sop_002_runs_through_disposition_down_the_chain_to_the_end(bali, sop002):
    case = services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA error saat simpan data",
        application=bali.applications["sikesda"],
    )
    case = work(bali["dinkes_staf"], case)  # 1
    case = work(bali["dinkes_staf"], case)  # 2
    # 3: the head dispositions to the Kabid; the disposition is the step's output.
    step3 = active(case)
    (d,) = services.dispose(
        bali["kadis"],
        case.pk,
        [bali["kabid"]],
        "Proses lebih lanjut",
        step_id=step3.pk,
        urgency="segera",
        note="Mohon segera",
    )
    case = work(bali["kadis"], case)
    assert case.state["artifacts"]["disposisi_kadis"] == {"ref": f"disposition:{d.pk}"}
    d.refresh_from_db()
    assert d.status == DispositionStatus.DONE
    # 4: the Kabid forwards to the team lead.
    step4 = active(case)
    services.dispose(bali["kabid"], case.pk, [bali["ketuatim"]], "Koordinasikan", step_id=step4.pk)
    case = work(bali["kabid"], case)
    for who in ("ketuatim", "dev1", "qa1", "dev1", "dinkes_staf", "kadis", "kadis"):
        case = work(bali[who], case)
    assert case.status == CaseStatus.FINISHED and case.end_key == "selesai"
    assert verify_case(case) is None
    assert case.steps.filter(status=StepStatus.COMPLETED).count() == 11


def test_a_recipient_reads_forwards_and_the_sender_withdraws_only_unread(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    (d1,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Untuk diketahui")
    services.withdraw(bali["kadis"], d1.pk)
    d1.refresh_from_db()
    assert d1.status == DispositionStatus.WITHDRAWN
    (d2,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut")
    services.mark_read(bali["kabid"], d2.pk)
    with pytest.raises(services.ServiceError) as exc:
        services.withdraw(bali["kadis"], d2.pk)
    assert exc.value.code == "already_read"
    (d3,) = services.dispose(
        bali["kabid"], case.pk, [bali["ketuatim"]], "Koordinasikan", parent_id=d2.pk
    )
    d2.refresh_from_db()
    assert d2.status == DispositionStatus.FORWARDED and d3.parent_id == d2.pk
    chain = list(
        Disposition.objects.filter(case=case)
        .order_by("pk")
        .values_list("sender__name", "recipient__name", "status")
    )
    assert chain == [
        ("Gede Pramana", "Ni Luh Putu Ariani", "withdrawn"),
        ("Gede Pramana", "Ni Luh Putu Ariani", "forwarded"),
        ("Ni Luh Putu Ariani", "I Made Suardana", "unread"),
    ]
    kinds = list(case.journal.values_list("kind", flat=True))[2:]
    assert kinds == ["dispositioned", "withdrawn", "dispositioned", "read", "dispositioned"]


def test_disposition_only_goes_down_and_needs_an_instruction(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    with pytest.raises(services.ServiceError) as exc:
        services.dispose(bali["kabid"], case.pk, [bali["kadis"]], "Untuk diketahui")
    assert exc.value.field == "recipients"
    with pytest.raises(services.ServiceError) as exc:
        services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "  ")
    assert exc.value.field == "instruction"
    with pytest.raises(services.ServiceError) as exc:
        services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "X", urgency="kilat")
    assert exc.value.field == "urgency"


def test_sop_004_loops_back_when_the_recovery_test_fails(djki, sop004):
    case = services.open_case(
        djki["merek_staf"], sop004, "IPAS tidak bisa diakses", application=djki.applications["ipas"]
    )
    spec = sop004.spec
    who = SOP_004_PEOPLE
    outcomes: dict[str, list[str]] = {}
    for s in spec.steps:
        if s.decision:
            labels = [o.label for o in s.decision.outcomes]
            # The application is at fault; the first test fails, the second succeeds.
            outcomes[s.id] = ["Tidak", "Ya"] if s.id == "s14" else ["Ya"] * 3
            assert set(outcomes[s.id]) <= set(labels)
    for _ in range(60):
        if case.status == CaseStatus.FINISHED:
            break
        row = active(case)
        step = spec.step(row.step_key)
        outcome = outcomes[step.id].pop(0) if step.decision else None
        case = work(djki[who[row.actor_key]], case, outcome)
    assert case.status == CaseStatus.FINISHED
    assert case.steps.filter(step_key="s14").count() == 2
    assert verify_case(case) is None


def test_a_published_revision_leaves_running_cases_on_their_version(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    revised = publish(
        sop002.source.replace(
            'title: "Penanganan Masalah Aplikasi"', 'title: "Penanganan Masalah Aplikasi (Revisi)"'
        ),
        "revisi.yaml",
        bali.agency,
        by=bali["kabid"],  # Bali's procedure administrator
    )
    assert revised.number == sop002.number + 1
    assert (
        publish(revised.source, "again.yaml", bali.agency) == revised
    )  # same text: no new version
    case.refresh_from_db()
    assert case.version == sop002
    case = work(bali["dinkes_staf"], case)
    assert case.version.spec.title == "Penanganan Masalah Aplikasi"


def test_journal_verify_finds_the_first_changed_entry(bali, sop002, capsys):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    services.add_comment(bali["dinkes_staf"], case.pk, "Mohon dibantu")
    call_command("journal", "verify")
    assert "journal ok: 1 cases, 3 entries verified" in capsys.readouterr().out
    entry = JournalEntry.objects.get(case=case, seq=2)
    JournalEntry.objects.filter(pk=entry.pk).update(data={"event": {"forged": True}})
    with pytest.raises(Exception, match=r"case .*-000001, entry 2: its content was changed"):
        call_command("journal", "verify")


def test_a_disposition_that_is_the_steps_output_does_not_hand_the_step_over(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    step3 = active(case)
    services.dispose(
        bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut", step_id=step3.pk
    )
    with pytest.raises(services.NotAllowed):
        services.complete_step(bali["kabid"], step3.pk)
    # A plain step forwarded by disposition can be completed by the recipient.
    case = work(bali["kadis"], case)
    case = work(bali["kabid"], case)
    step5 = active(case)
    services.dispose(
        bali["ketuatim"], case.pk, [bali["dev1"]], "Tanggapan dan saran", step_id=step5.pk
    )
    case = work(bali["dev1"], case)
    assert case.steps.get(step_key="s5").completed_by == bali["dev1"]


def test_search_text_holds_the_full_names_of_unit_and_application(bali, sop002):
    case = services.open_case(
        bali["dinkes_staf"], sop002, "Gangguan", application=bali.applications["sikesda"]
    )
    assert "dinas kesehatan provinsi bali" in case.search_text
    assert "sistem informasi kesehatan daerah" in case.search_text
    assert "sikesda" in case.search_text


def test_people_reached_by_a_step_or_disposition_are_emailed_after_commit(
    bali, sop002, django_capture_on_commit_callbacks
):
    # The e-mails are written to the outbox with the action; the worker sends them.
    with django_capture_on_commit_callbacks(execute=True):
        case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan SIMPEG")
    assert mail.outbox == []
    outbox.run()
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == ["dinkes@demo.laksana.local", "dinkes_staf@demo.laksana.local"]
    opened = mail.outbox[0]
    assert case.reference in opened.subject and "Gangguan SIMPEG" in opened.body
    with django_capture_on_commit_callbacks(execute=True):
        services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Untuk diketahui")
    outbox.run()
    assert mail.outbox[-1].to == ["kabid@demo.laksana.local"]
    assert "Untuk diketahui" in mail.outbox[-1].subject
    # A refused action sends nothing.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ServiceError):
        services.complete_step(bali["dinkes_staf"], active(case).pk)
    outbox.run()
    assert len(mail.outbox) == 3
