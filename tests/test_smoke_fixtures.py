from procedures.constants import VersionState
from tests.factories import ProcedureVersionFactory


def test_a_published_version_factory_makes_a_searchable_procedure(db, api):
    version = ProcedureVersionFactory(published=True, name="Đăng ký khai sinh")

    response = api().get("/api/v1/procedures/", {"q": "dang ky khai sinh"})

    assert version.state == VersionState.PUBLISHED
    assert [r["code"] for r in response.json()["results"]] == [version.procedure.code]
