"""What the API reads and writes. The case records and the statistics are read-only dicts built by
the reporting app; these serializers describe them for the schema and check the input."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.choices import DisputeType, RightType
from applications.countries import ALL_COUNTRY_CHOICES
from consultations.models import Consultation
from reporting.records import FIELDS

LIST_FIELDS = {"countries", "right_types", "dispute_types", "opponent_types"}
DATE_FIELDS = {"submitted_on", "accepted_on", "first_contact_on", "opinion_issued_on", "closed_on"}


def _record_field(key, label, description):
    kwargs = {"read_only": True, "label": label, "help_text": description}
    if key in LIST_FIELDS:
        return serializers.ListField(child=serializers.CharField(), **kwargs)
    if key in DATE_FIELDS:
        return serializers.DateField(allow_null=True, **kwargs)
    return serializers.CharField(**kwargs)


CaseRecordSerializer = type(
    "CaseRecordSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One anonymised case record (reporting.records.FIELDS).",
        **{key: _record_field(key, label, description) for key, label, description in FIELDS},
    },
)


class KnowledgeItemSerializer(serializers.Serializer):
    type = serializers.CharField(read_only=True, help_text=_("law, case, warning, institution 或 event"))
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, allow_blank=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    url = serializers.CharField(read_only=True)


class KnowledgeDetailSerializer(KnowledgeItemSerializer):
    content = serializers.DictField(read_only=True, help_text=_("该类内容公开页面显示的字段"))


class ConsultationCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Consultation.Channel.choices, default=Consultation.Channel.OTHER)
    received_at = serializers.DateTimeField(required=False)
    person_name = serializers.CharField(max_length=100)
    person_title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    countries = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_COUNTRY_CHOICES), required=False, default=list
    )
    right_types = serializers.ListField(
        child=serializers.ChoiceField(choices=RightType.choices), required=False, default=list
    )
    dispute_types = serializers.ListField(
        child=serializers.ChoiceField(choices=DisputeType.choices), required=False, default=list
    )
    question = serializers.CharField(max_length=10000)


class ConsultationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)


class SignatureSerializer(serializers.Serializer):
    state = serializers.CharField(read_only=True)
    signer = serializers.CharField(read_only=True)
    signer_organisation = serializers.CharField(read_only=True)
    signed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    chains_to_center = serializers.BooleanField(read_only=True)
    revocation = serializers.CharField(read_only=True)


class DocumentVerificationSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    number = serializers.CharField(read_only=True)
    issued_on = serializers.DateField(read_only=True, allow_null=True)
    issuing_body = serializers.CharField(read_only=True)
    superseded_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("取代本文书的新文书编号"))
    signature = SignatureSerializer(read_only=True, allow_null=True)
    verification_url = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(required=False)
