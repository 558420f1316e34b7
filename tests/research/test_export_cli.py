"""``flask export …``: the same exports from the command line, audited, and clear refusals
(exit status ≠ 0, nothing written) for bad input."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
import sqlalchemy as sa

from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.research.models import Export
from tests.research.test_export_formats import ANSWERS_A, ANSWERS_C, read_csv, respond


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["export", *args])

    return invoke


@pytest.fixture
def survey(make_municipality, make_survey):
    survey = make_survey(make_municipality("ninove-c"), slug="wensen")
    respond(survey, ANSWERS_A, language="ar")
    respond(survey, ANSWERS_C)
    # As in real use the data is committed: a refused command rolls back only its own work
    # (here a savepoint inside the test's transaction).
    db.session.commit()
    return survey


def test_responses_csv_is_written_and_audited(run, survey, tmp_path):
    out = tmp_path / "wensen.csv"
    result = run("responses", "--survey", "wensen", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert len(read_csv(data)) == 2 and "2 rows" in result.output
    export = db.session.scalars(sa.select(Export)).one()
    assert export.user_id is None and export.token_hash is None
    assert (export.kind, export.format, export.row_count) == ("responses", "csv", 2)
    assert export.sha256 == hashlib.sha256(data).hexdigest() and export.completed_at is not None
    assert export.target == {"survey": survey.id, "path": f"ninove-c/{survey.lab.slug}/wensen"}
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "research.export_written")).one()
    assert entry.actor_id is None and entry.details["sha256"] == export.sha256
    assert entry.details["rows"] == 2 and entry.municipality_id == survey.lab.municipality_id
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


@pytest.mark.parametrize("fmt", ["csv-long", "xlsx", "sav", "dta", "codebook-json", "codebook-html"])
def test_every_response_format(run, survey, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = run("responses", "--survey", str(survey.id), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_a_full_path_picks_one_of_several_surveys_with_the_same_slug(
        run, survey, make_municipality, make_survey, tmp_path):
    other = make_survey(make_municipality("aalst-c"), slug="wensen")
    db.session.commit()
    out = tmp_path / "x.csv"
    result = run("responses", "--survey", "wensen", "--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert f"ninove-c/{survey.lab.slug}/wensen" in result.output
    assert f"aalst-c/{other.lab.slug}/wensen" in result.output and "MUNICIPALITY/LAB/SLUG" in result.output
    assert not out.exists() and db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == 0
    result = run("responses", "--survey", f"aalst-c/{other.lab.slug}/wensen", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert read_csv(out.read_bytes()) == []


@pytest.mark.parametrize("args,status,message", [
    (["responses", "--survey", "nope", "--format", "csv"], 1, "There is no survey"),
    (["responses", "--survey", "999999", "--format", "csv"], 1, "There is no survey"),
    (["responses", "--survey", "a/b", "--format", "csv"], 1, "MUNICIPALITY/LAB/SLUG"),
    (["responses", "--survey", "wensen", "--format", "pdf"], 2, "pdf"),
    (["responses", "--survey", "wensen"], 2, "--format"),
    (["pooled", "--template", "wensen", "--format", "xlsx"], 2, "xlsx"),
    (["pooled", "--template", "none", "--format", "csv"], 1, "There is no template"),
    (["comments", "--plan", "none", "--format", "csv"], 1, "There is no plan"),
    (["qdpx", "--lab", "none/x/y"], 1, "MUNICIPALITY/LAB"),
])
def test_bad_input_exits_with_an_error_and_writes_nothing(run, survey, tmp_path, args, status, message):
    out = tmp_path / "out"
    result = run(*args, "-o", str(out))
    assert result.exit_code == status and message in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Export)) == 0


def test_a_missing_folder_is_refused(run, survey, tmp_path):
    result = run("responses", "--survey", "wensen", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert result.exit_code == 1 and "does not exist" in result.output


def test_pooled_covers_every_town(run, make_municipality, make_survey, tmp_path):
    from cocreate.surveys.models import SurveyTemplate
    from tests.surveys.definitions import DEFINITION

    template = SurveyTemplate(slug="over-jou", title={"en": "About you"}, definition=DEFINITION)
    db.session.add(template)
    db.session.flush()
    for slug in ("aalst-q", "geel-q"):
        respond(make_survey(make_municipality(slug), template_id=template.id), ANSWERS_C)
    out = tmp_path / "pooled.csv"
    result = run("pooled", "--template", "over-jou", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [row["municipality"] for row in read_csv(out.read_bytes())] == ["aalst-q", "geel-q"]
    out = tmp_path / "pooled.sav"
    assert run("pooled", "--template", str(template.id), "--format", "sav", "-o", str(out)).exit_code == 0
    assert db.session.scalars(sa.select(Export).where(Export.format == "sav")).one().municipality_id is None


def test_comments(run, survey, make_user, tmp_path):
    from cocreate.accounts.consents import record_decision
    from cocreate.core.base import utcnow
    from cocreate.plans.models import Comment, Paragraph, Plan, PlanVersion

    plan = Plan(lab=survey.lab, slug="plan", title={"nl": "Plan"}, official_language="nl")
    version = PlanVersion(plan=plan, number=1, published_at=utcnow())
    version.paragraphs.append(Paragraph(position=0, anchor="p-00000001", text="Tekst"))
    db.session.add(plan)
    db.session.flush()
    person = make_user()
    record_decision(person.id, f"plan:{plan.id}", "research", True, language="nl")
    db.session.add(Comment(plan_id=plan.id, version_id=version.id, anchor="p-00000001", body="Goed 👍",
                           language="nl", user_id=person.id))
    db.session.flush()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"comments.{fmt}"
        result = run("comments", "--plan", f"ninove-c/{survey.lab.slug}/plan", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
    assert read_csv((tmp_path / "comments.csv").read_bytes())[0]["body"] == "Goed 👍"


@pytest.mark.parametrize("fmt", ["qdpx", "segments-csv"])
def test_lab_exports_use_the_refi_qda_writer(run, survey, tmp_path, fmt):
    out = tmp_path / f"lab.{fmt}"
    result = run("qdpx", "--lab", f"ninove-c/{survey.lab.slug}", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "qdpx":
        assert zipfile.is_zipfile(out)
    else:
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    export = db.session.scalars(sa.select(Export)).one()
    assert export.kind == ("qdpx" if fmt == "qdpx" else "segments") and export.row_count is not None
