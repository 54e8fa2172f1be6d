"""factory-boy factories for the portal's core rows. Apps add their own in tests/<app>/factories.py."""

import hashlib

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.choices import (
    ApplicantCategory,
    DisputeLevel,
    DisputeType,
    EvidenceCategory,
    OpponentType,
    RightType,
    TechnicalField,
)
from applications.models import Applicant, ApplicantAccount, Application, Attachment
from portal.models import PartnerAgency, User
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_character

PASSWORD = "test-pass-2026"


def make_credit_code(n):
    """A valid unified social credit code, distinct for each n."""
    body = "9114010" + "".join(CREDIT_CODE_CHARSET[(n // 31**i) % 31] for i in range(10))
    return body + credit_code_check_character(body)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    category = ApplicantCategory.ENTERPRISE
    name = factory.Sequence(lambda n: f"山西测试科技有限公司{n}")
    credit_code = factory.Sequence(make_credit_code)


class PartnerAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency

    code = factory.Sequence(lambda n: f"agency{n}")
    name = factory.Sequence(lambda n: f"测试协助单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = PartnerAgency.Kind.COMMERCE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def applicant(self, create, extracted, **kwargs):
        """`UserFactory(applicant=organisation)`: the user acts for that applicant organisation."""
        if create and extracted is not None:
            ApplicantAccount.objects.create(user=self, applicant=extracted)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in extracted))
        if create:
            self.save()


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft, ready to submit."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(ApplicantFactory)
    created_by = factory.LazyAttribute(lambda application: UserFactory(applicant=application.applicant))
    applicant_category = ApplicantCategory.ENTERPRISE
    applicant_name = factory.SelfAttribute("applicant.name")
    credit_code = factory.SelfAttribute("applicant.credit_code")
    contact_name = "张三"
    contact_email = "zhangsan@example.cn"
    contact_phone = "13912345678"
    contact_address = "山西省太原市小店区学府街 1 号"
    dispute_types = factory.LazyFunction(lambda: [DisputeType.INFRINGEMENT])
    right_types = factory.LazyFunction(lambda: [RightType.INVENTION])
    countries = factory.LazyFunction(lambda: ["US"])
    opponent_types = factory.LazyFunction(lambda: [OpponentType.COMPETITOR])
    opponent_name = "Acme Robotics Inc."
    technical_fields = factory.LazyFunction(lambda: [TechnicalField.MECHANICAL])
    request = "美国竞争对手指控我司出口的数控机床侵犯其发明专利，请求应对指导。"
    impact = "预计影响年出口额约 2000 万元。"
    level = DisputeLevel.ORDINARY


def submitted(application, when=None):
    """Mark a factory application as submitted without the service (for list fixtures)."""
    application.submitted_at = when or timezone.now()
    application.number = application.number or f"SQ-T-{application.pk:06d}"
    application.save(update_fields=["submitted_at", "number"])
    return with_status(application, Application.Status.SUBMITTED)


# A minimal valid PDF: libmagic recognises it as application/pdf.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A standing proof (营业执照) by default: an application needs one to be submitted."""

    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    category = EvidenceCategory.STANDING
    file = factory.django.FileField(filename="licence.pdf", data=TINY_PDF)
    original_name = "营业执照.pdf"
    content_type = "application/pdf"
    size = len(TINY_PDF)
    sha256 = factory.LazyFunction(lambda: hashlib.sha256(TINY_PDF).hexdigest())
    uploaded_by = factory.SelfAttribute("application.created_by")


def with_status(obj, status):
    """Put `obj` in `status` for a test's starting point, bypassing the declared transitions
    (which are what the tests check); returns the reloaded object."""
    type(obj)._default_manager.filter(pk=obj.pk).update(status=status)
    obj.refresh_from_db()
    return obj
