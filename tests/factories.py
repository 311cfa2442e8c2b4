"""factory_boy factories; a trait per lifecycle state (``ProcedureVersionFactory(published=True)``)."""

import factory
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from procedures.constants import AgencyLevel, OnlineLevel, ProcedureLevel, VersionState
from procedures.models import Agency, Component, Fee, FormField, Procedure, ProcedureVersion, Sector, Step

PASSWORD = "correct horse battery"  # every persona's password


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
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

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
        skip_postgeneration_save = True

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
        published = factory.Trait(
            state=VersionState.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )
        archived = factory.Trait(state=VersionState.ARCHIVED, archived_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def content(self, create: bool, extracted: object, **kwargs: object) -> None:
        """One fee, two components, two form fields and two steps, unless ``content=False``."""
        if not create or extracted is False:
            return
        Fee.objects.create(version=self, name="Lệ phí", amount=50_000)
        Component.objects.create(
            version=self, position=0, name="Tờ khai", required=True, copies=1, file_types=["pdf"]
        )
        Component.objects.create(
            version=self, position=1, name="Bản sao giấy tờ", required=False, copies=2, copy_type="copy"
        )
        FormField.objects.create(
            version=self, position=0, name="full_name", label="Họ và tên", type="text", required=True
        )
        FormField.objects.create(
            version=self,
            position=1,
            name="sex",
            label="Giới tính",
            type="select",
            required=True,
            choices=["Nam", "Nữ"],
        )
        Step.objects.create(version=self, position=0, name="Tiếp nhận", role="receiver", days=1)
        Step.objects.create(version=self, position=1, name="Thẩm định", role="assessor", days=4)
        if self.state == VersionState.PUBLISHED:
            Procedure.objects.filter(pk=self.procedure_id).update(published_version=self)
            self.procedure.published_version = self


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier of a published procedure version; traits put it in a lifecycle state without the workflow:
    ``DossierFactory(submitted=True)``, ``received``, ``assessed``, ``approved``, ``result_ready``, ``returned``,
    ``supplement_requested``, ``rejected``, ``withdrawn``. Give ``version`` (of the agency) and ``applicant``.
    """

    class Meta:
        model = "dossiers.Dossier"

    version = factory.SubFactory(ProcedureVersionFactory, published=True)
    agency = factory.LazyAttribute(lambda o: o.version.agency)
    applicant = factory.SubFactory(UserFactory, role=Role.CITIZEN)
    created_by = factory.LazyAttribute(lambda o: o.applicant)
    channel = "online"
    state = "draft"
    lookup_key = factory.Sequence(lambda n: f"KEY{n:07d}")
    applicant_data = factory.LazyFunction(
        lambda: {
            "full_name": "Nguyễn Văn An",
            "id_number": "001088000123",
            "phone": "0912345678",
            "address": "12 Lê Lợi, phường Hòa Bình",
        }
    )
    form_data = factory.LazyFunction(lambda: {"full_name": "Nguyễn Văn An", "sex": "Nam"})

    class Params:
        submitted = factory.Trait(
            state="submitted",
            code=factory.Sequence(lambda n: f"H99-261123-{n:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        received = factory.Trait(
            submitted=True,
            state="assessing",
            received_at=factory.LazyFunction(timezone.now),
            due_at=factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7)),
        )
        assessed = factory.Trait(received=True, state="approving", proposed_outcome="grant")
        approved = factory.Trait(
            assessed=True, state="signing", outcome="grant", decided_at=factory.LazyFunction(timezone.now)
        )
        result_ready = factory.Trait(approved=True, state="result_ready")
        returned = factory.Trait(
            result_ready=True,
            state="returned",
            returned_at=factory.LazyFunction(timezone.now),
            closed_at=factory.LazyFunction(timezone.now),
        )
        supplement_requested = factory.Trait(
            received=True,
            state="supplement_requested",
            state_before_supplement="assessing",
            paused_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            submitted=True, state="rejected", closed_at=factory.LazyFunction(timezone.now)
        )
        withdrawn = factory.Trait(
            submitted=True, state="withdrawn", closed_at=factory.LazyFunction(timezone.now)
        )
