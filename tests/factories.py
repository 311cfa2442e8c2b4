"""factory_boy factories; a trait per lifecycle state (``ProcedureVersionFactory(published=True)``)."""

import factory
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from procedures.constants import AgencyLevel, OnlineLevel, ProcedureLevel, VersionState
from procedures.models import Agency, Component, Fee, FormField, Procedure, ProcedureVersion, Sector, Step


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"H99.{n:02d}")
    name = factory.Sequence(lambda n: f"Sở thử nghiệm {n}")
    level = AgencyLevel.DEPARTMENT


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    """A draft version; ``published=True`` publishes it, ``archived=True`` archives it."""

    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    sector = factory.SubFactory(SectorFactory)
    level = ProcedureLevel.PROVINCE
    agency = factory.SubFactory(AgencyFactory)
    processing_days = 5
    online_level = OnlineLevel.FULL
    result = "Giấy chứng nhận"
    legal_basis = "Nghị định thử nghiệm"

    class Params:
        published = factory.Trait(state=VersionState.PUBLISHED, published_at=factory.LazyFunction(timezone.now))
        archived = factory.Trait(state=VersionState.ARCHIVED, archived_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def content(self, create: bool, extracted: object, **kwargs: object) -> None:
        """One fee, two components, two form fields and two steps, unless ``content=False``."""
        if not create or extracted is False:
            return
        Fee.objects.create(version=self, name="Lệ phí", amount=50_000)
        Component.objects.create(version=self, position=0, name="Tờ khai", required=True, copies=1, file_types=["pdf"])
        Component.objects.create(version=self, position=1, name="Bản sao giấy tờ", required=False, copies=2)
        FormField.objects.create(version=self, position=0, name="full_name", label="Họ và tên", type="text", required=True)
        FormField.objects.create(
            version=self, position=1, name="sex", label="Giới tính", type="select", required=True, choices=["Nam", "Nữ"]
        )
        Step.objects.create(version=self, position=0, name="Tiếp nhận", role="receiver", days=1)
        Step.objects.create(version=self, position=1, name="Thẩm định", role="assessor", days=4)
        if self.state == VersionState.PUBLISHED:
            Procedure.objects.filter(pk=self.procedure_id).update(published_version=self)
            self.procedure.published_version = self
