from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a development CA and a document-signing certificate as one PKCS#12 file, the CA's "
        "certificate (.ca.pem) and its private key (.ca-key.pem, encrypted with the same password), "
        "which the portal uses to publish the CA's revocation list and the development time-stamping "
        "authority to issue its certificate (for demo and tests only; production uses the center's "
        "real certificate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Where to write the PKCS#12 (.p12) file.")
        parser.add_argument("--password", required=True, help="Password protecting the PKCS#12 file and the CA key.")
        parser.add_argument("--days", type=int, default=3 * 365, help="Validity in days (default three years).")
        parser.add_argument(
            "--site-url",
            default=None,
            help="The portal's address named in the certificate for the CA's CRL and certificate (default SITE_URL).",
        )
        parser.add_argument("--force", action="store_true", help="Overwrite an existing file.")

    def handle(self, *args, output, password, days, site_url, force, **options):
        import datetime

        from cryptography.hazmat.primitives import serialization
        from django.conf import settings
        from django.urls import reverse

        from documents.certificates import (
            development_ca_key_path,
            make_development_ca,
            make_development_pkcs12,
            write_development_ca_key,
        )

        path = Path(output)
        if path.exists() and not force:
            self.stdout.write(f"{path} already exists; left unchanged (use --force to replace it).")
            return
        if not password:
            raise CommandError("--password must not be empty.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        site = (site_url or settings.SITE_URL).rstrip("/")
        now = datetime.datetime.now(datetime.UTC)
        not_after = now + datetime.timedelta(days=days)
        ca = make_development_ca(
            not_before=now - datetime.timedelta(days=1), not_after=not_after + datetime.timedelta(days=365)
        )
        blob, ca_cert = make_development_pkcs12(
            password,
            not_after=not_after,
            ca=ca,
            crl_url=site + reverse("pki-crl"),
            ca_issuers_url=site + reverse("pki-ca-certificate"),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        path.chmod(0o600)
        ca_path = path.with_suffix(".ca.pem")
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        key_path = development_ca_key_path(path)
        write_development_ca_key(ca[0], key_path, password)
        revoked = key_path.with_name(path.stem + ".revoked")
        revoked.unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Development signing certificate written to {path} (CA: {ca_path}, CA key: {key_path})."
            )
        )
