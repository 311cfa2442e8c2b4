from procedures.constants import VersionState
from tests.factories import DossierFactory, ProcedureVersionFactory


def test_a_published_version_factory_makes_a_searchable_procedure(db, api):
    version = ProcedureVersionFactory(published=True, name="Đăng ký khai sinh")

    response = api().get("/api/v1/procedures/", {"q": "dang ky khai sinh"})

    assert version.state == VersionState.PUBLISHED
    assert [r["code"] for r in response.json()["results"]] == [version.procedure.code]


def test_a_received_dossier_factory_is_in_its_agencys_assess_queue(db, api, assessor):
    version = ProcedureVersionFactory(published=True, agency=assessor.agency)
    dossier = DossierFactory(version=version, received=True)

    response = api(assessor).get("/api/v1/dossiers/", {"state": "assessing"})

    assert [r["id"] for r in response.json()["results"]] == [dossier.pk]
