"""Flight SQL over TLS (flightsql_server.tls_enable, tls_cert, tls_key) with certificates from a
test CA made by the openssl CLI: a client trusting the CA is served, one trusting another CA is
refused, and a renewed certificate is served without restarting the node."""
import subprocess
import time

import pyarrow.flight as flight
import pytest

import adbc_driver_flightsql
import adbc_driver_flightsql.dbapi as flightsql

from test_flightsql import statement_query


def make_ca(d, name):
    key, cert = d / f"{name}.key", d / f"{name}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return key, cert


def make_server_cert(d, ca_key, ca_cert, key_out, cert_out):
    csr, ext = d / "server.csr", d / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-keyout", str(key_out), "-out", str(csr)], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
                    "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert_out)],
                   check=True, capture_output=True)


@pytest.fixture
def tls_node(hot_cold, node_factory, tmp_path):
    ca1_key, ca1 = make_ca(tmp_path, "ca1")
    ca2_key, ca2 = make_ca(tmp_path, "ca2")
    key, cert = tmp_path / "server.key", tmp_path / "server.pem"
    make_server_cert(tmp_path, ca1_key, ca1, key, cert)
    node = node_factory(hot_cold.volumes, flightsql={"tls_enable": True, "tls_cert": str(cert), "tls_key": str(key)})
    node.tls = {"ca1": ca1, "ca2": ca2, "ca2_key": ca2_key, "key": key, "cert": cert, "dir": tmp_path}
    return node


def select_1(node, ca):
    client = flight.FlightClient(f"grpc+tls://127.0.0.1:{node.flightsql_port}", tls_root_certs=ca.read_bytes())
    options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {node.token}".encode())], timeout=10)
    info = client.get_flight_info(flight.FlightDescriptor.for_command(statement_query("select 1")), options)
    return client.do_get(info.endpoints[0].ticket, options).read_all().num_rows


def test_tls_trusted_ca_accepted_unknown_refused(tls_node):
    assert select_1(tls_node, tls_node.tls["ca1"]) == 1
    with pytest.raises(flight.FlightUnavailableError):
        select_1(tls_node, tls_node.tls["ca2"])


def test_tls_adbc(tls_node):
    with flightsql.connect(f"grpc+tls://127.0.0.1:{tls_node.flightsql_port}", db_kwargs={
            adbc_driver_flightsql.DatabaseOptions.TLS_ROOT_CERTS.value: tls_node.tls["ca1"].read_text(),
            "username": "u", "password": tls_node.token}, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM homer_lake.main.hep_proto_1_call")
        assert cur.fetchone() == (5,)


def test_tls_renewed_certificate_served_without_restart(tls_node):
    t = tls_node.tls
    new_key, new_cert = t["dir"] / "new.key", t["dir"] / "new.pem"
    make_server_cert(t["dir"], t["ca2_key"], t["ca2"], new_key, new_cert)
    # Replace the files the way a renewal tool does: key and certificate together.
    t["key"].write_bytes(new_key.read_bytes())
    t["cert"].write_bytes(new_cert.read_bytes())
    deadline = time.time() + 30
    while True:
        try:
            assert select_1(tls_node, t["ca2"]) == 1
            break
        except flight.FlightUnavailableError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    with pytest.raises(flight.FlightUnavailableError):
        select_1(tls_node, t["ca1"])
    assert tls_node.proc.poll() is None
    assert "serving the renewed certificate" in tls_node.log()
