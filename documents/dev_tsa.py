"""A development time-stamping authority: RFC 3161 over HTTP on loopback, for the demo run and the
tests, so that documents carry real timestamps obtained through the real protocol. Never for
production (its clock is this machine's, its key lives in memory).

    python -m documents.dev_tsa --pkcs12 .run/dev-signing.p12 --password ... --port 8100

At start it issues itself a time-stamping certificate from the development CA whose key
make_dev_certificate keeps next to the PKCS#12 (so its timestamps chain to the same development root
as the documents' signatures), then answers POSTs of application/timestamp-query with
application/timestamp-reply, over kept-alive connections. The first line it prints is
"TSA ready on http://host:port/", once it accepts requests. pyHanko's DummyTimeStamper builds the
tokens (serial number, nonce, signing-certificate attribute)."""

import argparse
import datetime
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_REQUEST_BYTES = 64 * 1024


def make_stamper(pkcs12_path, password, ca_key_path=None):
    """A pyHanko DummyTimeStamper whose certificate is issued now by the development CA."""
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    from documents.certificates import development_ca_key_path, issue_development_certificate

    _key, _certificate, chain = pkcs12.load_key_and_certificates(Path(pkcs12_path).read_bytes(), password.encode())
    ca_certificate = next((c for c in chain or () if c.subject == c.issuer), None)
    if ca_certificate is None:
        raise SystemExit("The PKCS#12 holds no development root CA certificate.")
    ca_key_path = Path(ca_key_path or development_ca_key_path(pkcs12_path))
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password.encode())
    now = datetime.datetime.now(datetime.UTC)
    # No CRL address: this certificate lives as long as the process; the CA's validity bounds it.
    tsa_key, tsa_certificate = issue_development_certificate(
        (ca_key, ca_certificate),
        common_name="Development Time-Stamping Authority (not for production)",
        organisation=ca_certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value,
        not_before=now - datetime.timedelta(hours=1),
        not_after=min(ca_certificate.not_valid_after_utc, now + datetime.timedelta(days=5 * 365)),
        purpose="timestamp",
    )
    der = serialization.Encoding.DER
    return _stamper_class(DummyTimeStamper)(
        tsa_key,
        tsa_cert=asn1_x509.Certificate.load(tsa_certificate.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=[asn1_x509.Certificate.load(ca_certificate.public_bytes(der))],
    )


def _stamper_class(dummy):
    """DummyTimeStamper, signing with a key object loaded once (it parses its key for every token)."""
    from asn1crypto import cms, core
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import general
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class Stamper(dummy):
        def __init__(self, loaded_key, **kwargs):
            super().__init__(**kwargs)
            self._loaded_key = loaded_key

        def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
            digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
            digest.update(tst_info_data)
            signed_attrs = cms.CMSAttributes(
                [
                    general.simple_cms_attribute("content_type", "tst_info"),
                    general.simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    general.simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                    general.simple_cms_attribute("message_digest", digest.finalize()),
                ]
            )
            hash_algorithm = get_pyca_cryptography_hash(md_algorithm.upper())
            return self._loaded_key.sign(signed_attrs.dump(), PKCS1v15(), hash_algorithm), signed_attrs

    return Stamper


def make_handler(stamper):
    from asn1crypto import tsp

    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a signer asks twice per document
        # One write per answer, sent at once: headers and body in separate small writes would wait
        # for the client's delayed acknowledgement (Nagle), some 40 ms a request.
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Content-Type") != "application/timestamp-query" or not 0 < length <= MAX_REQUEST_BYTES:
                self._answer(400, "text/plain", b"expected an application/timestamp-query body\n")
                return
            try:
                request = tsp.TimeStampReq.load(self.rfile.read(length))
                request.native  # noqa: B018 (parse it all now: a malformed request is refused here)
                with lock:
                    response = stamper.request_tsa_response(request)
            except Exception as exc:  # a request we cannot read is refused as RFC 3161 says
                response = tsp.TimeStampResp(
                    {
                        "status": {
                            "status": "rejection",
                            "status_string": [f"bad request: {type(exc).__name__}"],
                            "fail_info": tsp.PKIFailureInfo({"bad_data_format"}),
                        }
                    }
                )
            self._answer(200, "application/timestamp-reply", response.dump())

        def do_GET(self):
            self._answer(200, "text/plain", b"RFC 3161 development time-stamping authority: POST a TimeStampReq\n")

        def _answer(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # one line per document would drown the run's output

    return Handler


def serve(stamper, host="127.0.0.1", port=0):
    """Start serving in a background thread; returns the server (server.server_address)."""
    server = ThreadingHTTPServer((host, port), make_handler(stamper))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="dev-tsa", daemon=True).start()
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m documents.dev_tsa", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pkcs12", default=os.environ.get("SIGNING_CERT_PATH"), help="the development PKCS#12")
    parser.add_argument("--password", default=os.environ.get("SIGNING_CERT_PASSWORD", ""))
    parser.add_argument("--ca-key", default=os.environ.get("SIGNING_DEV_CA_KEY_PATH") or None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.pkcs12:
        parser.error("--pkcs12 (or SIGNING_CERT_PATH) is required")
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        parser.error("the development TSA serves loopback only")
    server = serve(make_stamper(args.pkcs12, args.password, args.ca_key), args.host, args.port)
    host, port = server.server_address[:2]
    print(f"TSA ready on http://{host}:{port}/", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
