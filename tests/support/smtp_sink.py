#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for cxsync's delivery tests (Debian's python3-aiosmtpd).

Prints "PORT <n>" on stdout once it listens, then saves every message it accepts into the
directory given: N.eml (the raw bytes) and N.json (a summary parsed with Python's `email`
package: envelope, headers, and each MIME part with its type, Content-ID, disposition and
body). It runs until stdin closes or it is killed.

Options:
  --auth USER:PASSWORD   require AUTH (PLAIN or LOGIN) with these credentials, over plain
                         SMTP (auth_require_tls=False: the test runs on loopback only)
  --reject CODE          answer DATA with CODE (e.g. 550) every time; a 5xx reply echoes the
                         credentials the client sent, as a careless server might, so the test
                         can check cxsync never repeats them
  --fail-first N         answer DATA with 451 (try again later) the first N times
  --tls MODE             "starttls" (offer and require STARTTLS) or "tls" (TLS from the first
                         byte), with a certificate for 127.0.0.1 and localhost signed by a test
                         CA made on the spot (python3-cryptography); the CA is saved as ca.pem
                         in the directory for the client to trust
"""

import argparse
import base64
import json
import os
import socket
import sys
import warnings
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_tls(directory):
    """A CA and a server certificate for 127.0.0.1/localhost; returns the server's context."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = dict(not_valid_before=now - datetime.timedelta(hours=1),
                 not_valid_after=now + datetime.timedelta(days=1))

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("cxsync test CA")).issuer_name(name("cxsync test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"])
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"])
            .add_extension(san, critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(pem(ca))
    cert_path = os.path.join(directory, "server.pem")
    key_path = os.path.join(directory, "server.key")
    with open(cert_path, "wb") as f:
        f.write(pem(cert))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def summarise(raw, envelope, login):
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            parts.append({"content_type": part.get_content_type(), "multipart": True})
            continue
        payload = part.get_payload(decode=True) or b""
        entry = {
            "content_type": part.get_content_type(),
            "multipart": False,
            "content_id": part.get("Content-ID"),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "base64": base64.b64encode(payload).decode("ascii"),
        }
        if part.get_content_maintype() == "text":
            entry["text"] = part.get_content()
        parts.append(entry)
    return {
        "mail_from": envelope.mail_from,
        "rcpt_tos": list(envelope.rcpt_tos),
        "login": login,
        "from": str(message["From"]),
        "to": [str(a) for a in message.get_all("To", [])],
        "subject": str(message["Subject"]),
        "top_content_type": message.get_content_type(),
        "parts": parts,
    }


class Sink:
    def __init__(self, directory, reject, fail_first):
        self.directory = directory
        self.reject = reject
        self.fail_first = fail_first
        self.count = 0
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        login = session.auth_data.login.decode() if session.auth_data else None
        if self.attempts <= self.fail_first:
            return "451 4.3.0 Temporarily unable to accept the message, try again"
        if self.reject:
            said = ""
            if session.auth_data:
                said = " for %s with %s" % (login, session.auth_data.password.decode())
            return "%d 5.7.1 Message refused%s" % (self.reject, said)
        self.count += 1
        raw = envelope.original_content or envelope.content
        with open(os.path.join(self.directory, "%d.eml" % self.count), "wb") as f:
            f.write(raw)
        summary = summarise(raw, envelope, login)
        temp = os.path.join(self.directory, ".%d.json.tmp" % self.count)
        with open(temp, "w") as f:
            json.dump(summary, f)
        os.rename(temp, os.path.join(self.directory, "%d.json" % self.count))
        return "250 2.0.0 Message accepted for delivery"


def main():
    # aiosmtpd warns that AUTH without TLS is unsafe: here it is loopback only, on purpose.
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--auth")
    parser.add_argument("--reject", type=int)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--tls", choices=["starttls", "tls"])
    args = parser.parse_args()

    kwargs = {}
    if args.tls == "starttls":
        kwargs.update(tls_context=make_tls(args.directory), require_starttls=True)
    elif args.tls == "tls":
        kwargs.update(ssl_context=make_tls(args.directory))
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, auth_data=auth_data)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    port = free_port()
    handler = Sink(args.directory, args.reject, args.fail_first)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("PORT %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
