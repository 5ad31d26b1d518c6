"""A real S3-compatible server (moto) on 127.0.0.1, behind a TCP proxy the tests can cut and
restore to simulate the cold tier going away and coming back (moto keeps its data meanwhile)."""
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import json
import os

import boto3

MOTO = Path(sys.executable).parent / "moto_server"
REGION = "us-east-1"


def _free_port():
    from conftest import free_port_pair  # below the ephemeral range, never handed out twice
    return free_port_pair()


class Proxy:
    """Forwards 127.0.0.1:port to the target while up; refuses connections while down."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = _free_port()
        self._listener = None
        self._conns = []
        self._lock = threading.Lock()

    def up(self):
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def down(self):
        listener, self._listener = self._listener, None
        if listener:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() that holds the port
            except OSError:
                pass
            listener.close()
        with self._lock:
            for c in self._conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self._conns.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class S3Server:
    def __init__(self, log_dir: Path):
        self.port = _free_port()
        self.log = open(log_dir / "moto.log", "w")
        # Authentication on (after the 3 set-up calls below), so wrong keys are refused as on AWS.
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        self.proc = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(self.port)], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{self.port}", aws_access_key_id="setup",
                           aws_secret_access_key="setup", region_name=REGION)
        iam.create_user(UserName="homer")
        iam.put_user_policy(UserName="homer", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="homer")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.proxy = Proxy(self.port)
        self.proxy.up()
        self.endpoint = f"127.0.0.1:{self.proxy.port}"

    def client(self):
        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.port}", aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=REGION)

    def create_bucket(self, name):
        self.client().create_bucket(Bucket=name)

    def volume(self, root: Path, name, bucket, prefix="lake/", **overrides):
        """A node volume config for an S3 volume with its catalog under root."""
        vol = {"name": name, "type": "s3", "catalog_type": "sqlite",
               "catalog_path": str(root / f"homer_lake_{name}.sqlite"), "path": f"s3://{bucket}/{prefix}",
               "s3_region": REGION, "s3_access_key_id": self.access_key, "s3_secret_access_key": self.secret_key,
               "s3_endpoint": f"http://{self.endpoint}", "s3_use_ssl": False, "s3_url_style": "path"}
        vol.update(overrides)
        return vol

    def secret_sql(self, scope):
        return (f"CREATE OR REPLACE SECRET (TYPE S3, KEY_ID '{self.access_key}', SECRET '{self.secret_key}', REGION '{REGION}', "
                f"ENDPOINT '{self.endpoint}', URL_STYLE 'path', USE_SSL false, SCOPE '{scope}')")

    def stop(self):
        self.proxy.down()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
