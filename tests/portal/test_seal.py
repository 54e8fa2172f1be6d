"""The center's seal: checked by content when uploaded, shown in the admin as documents print it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from demo.seal import demo_seal_svg
from portal.models import SiteConfiguration
from portal.models.site import validate_seal
from portal.roles import Role
from tests.factories import UserFactory

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'


def upload(data, name="seal.svg"):
    return SimpleUploadedFile(name, data)


def png(mode, size):
    buffer = io.BytesIO()
    Image.new(mode, (size, size)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_demonstration_seal_and_a_transparent_png_are_accepted():
    validate_seal(upload(demo_seal_svg("山西省涉外知识产权指导中心").encode()))
    validate_seal(upload(png("RGBA", 400), "seal.png"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG.format("<script>alert(1)</script>").encode(), "脚本"),
        (SVG.format('<circle r="4" onload="alert(1)"/>').encode(), "脚本"),
        (SVG.format('<image href="http://example.com/x.png"/>').encode(), "外部图像"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]>' + SVG.format("").encode(), "DTD"),
        (b"not an image at all", "SVG或PNG"),
        (png("RGB", 400), "透明背景"),
        (png("RGBA", 120), "300×300"),
        (b"<svg" + b" " * (512 * 1024) + b"/>", "512KB"),
    ],
)
def test_a_seal_that_could_run_code_fetch_things_or_print_badly_is_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        validate_seal(upload(data))


@pytest.mark.django_db
def test_the_admin_shows_the_seal_as_documents_print_it(client):
    config = SiteConfiguration.get()
    config.seal.save("demo-seal.svg", ContentFile(demo_seal_svg(config.center_name).encode()), save=True)
    director = UserFactory(is_staff=True, is_superuser=True, roles=[Role.DIRECTOR])
    client.force_login(director)
    page = client.get(f"/admin/portal/siteconfiguration/{config.pk}/change/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page and "width: 40mm" in page
