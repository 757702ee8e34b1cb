#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Server certificates for the decrypt benchmark's uncached sessions:

  certs.py CA.crt CA.key LEAF.key DIR NAME N

writes DIR/NAME.crt for NAME formatted with 0..N-1 (when it holds "%d"):
subject CN and subjectAltName DNS the name, signed by the CA over the one
key LEAF.key, valid for a day. Each name is another certificate, so a
proxy that forges a leaf per original certificate forges one per name.
(One openssl(1) run per certificate is too slow under QEMU TCG.)
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

ca_crt, ca_key, leaf_key, out, fmt, n = sys.argv[1:7]
with open(ca_crt, "rb") as f:
    ca = x509.load_pem_x509_certificate(f.read())
with open(ca_key, "rb") as f:
    cakey = serialization.load_pem_private_key(f.read(), None)
with open(leaf_key, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
now = datetime.datetime.utcnow()
for i in range(int(n)):
    name = fmt % i if "%" in fmt else fmt
    crt = (x509.CertificateBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
           .issuer_name(ca.subject)
           .public_key(key.public_key())
           .serial_number(x509.random_serial_number())
           .not_valid_before(now - datetime.timedelta(hours=1))
           .not_valid_after(now + datetime.timedelta(days=1))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]),
                          critical=False)
           .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                          critical=True)
           .sign(cakey, hashes.SHA256()))
    with open("%s/%s.crt" % (out, name), "wb") as f:
        f.write(crt.public_bytes(serialization.Encoding.PEM))
