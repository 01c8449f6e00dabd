"""Benchmark the AWS scan: is it bounded by the emulator's response time, not by our code?

    .venv/bin/python bench/aws_scan.py            # about 2,000 resources in two regions
    .venv/bin/python bench/aws_scan.py --small    # a tenth of that

Starts moto's ThreadedMotoServer in a child process (so its CPU and memory are not
counted as ours), seeds it with IAM users, S3 buckets, EBS volumes, RDS instances,
security groups and KMS keys across us-east-1 and eu-west-1, then:

1. runs a full scan, every service collected and every check evaluated, and prints the
   wall time, the API calls per service and the findings;
2. replays the very same API calls (recorded during the scan, with their parameters)
   back-to-back with plain boto3 clients: the time the emulator needs to answer them;
3. prints scan time / replay time (target < 1.5);
4. scans again under tracemalloc for the peak memory our process allocated.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from zgovern.integrations.aws import checks, sync  # noqa: E402
from zgovern.integrations.aws.client import ClientOptions, keep_endpoint_host  # noqa: E402
from zgovern.integrations.aws.schemas import AwsConfig, AwsCredentials  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1"]
TARGET_RATIO = 1.5
CREDENTIALS = AwsCredentials(
    access_key_id="AKIAIOSFODNN7EXAMPLE",
    secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
SEED_WORKERS = 8


@dataclass(frozen=True)
class Size:
    users: int
    buckets: int
    volumes: int
    databases: int
    groups: int
    keys: int

    @property
    def total(self) -> int:
        return self.users + self.buckets + self.volumes + self.databases + self.groups + self.keys


FULL = Size(users=400, buckets=300, volumes=500, databases=100, groups=400, keys=300)
SMALL = Size(users=40, buckets=30, volumes=50, databases=10, groups=40, keys=30)


# --------------------------------------------------------------------------- emulator


def _serve(ports) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    ports.put(server.get_host_and_port()[1])
    threading.Event().wait()


def start_emulator() -> tuple[multiprocessing.Process, str]:
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    process = context.Process(target=_serve, args=(ports,), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{ports.get(timeout=60)}"


def plain_client(endpoint: str, service: str, region: str):
    session = boto3.Session(
        aws_access_key_id=CREDENTIALS.access_key_id,
        aws_secret_access_key=CREDENTIALS.secret_access_key,
    )
    # The one adjustment an emulator on one host needs (S3 Control's account-id host).
    session.events.register("before-sign.s3-control", keep_endpoint_host)
    return session.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        config=Config(
            s3={"addressing_style": "path"}, inject_host_prefix=False, max_pool_connections=16
        ),
    )


# ------------------------------------------------------------------------------ seeding


def seed(endpoint: str, size: Size) -> None:
    """Create ``size.total`` resources, alternating regions, a third of them failing."""
    clients = {
        (service, region): plain_client(endpoint, service, region)
        for service in ("iam", "s3", "ec2", "rds", "kms")
        for region in REGIONS
    }
    tasks = []
    tasks += [(_user, i) for i in range(size.users)]
    tasks += [(_bucket, i) for i in range(size.buckets)]
    tasks += [(_volume, i) for i in range(size.volumes)]
    tasks += [(_database, i) for i in range(size.databases)]
    tasks += [(_group, i) for i in range(size.groups)]
    tasks += [(_key, i) for i in range(size.keys)]
    with ThreadPoolExecutor(SEED_WORKERS) as pool:
        for future in [pool.submit(task, clients, i) for task, i in tasks]:
            future.result()


def _region(i: int) -> str:
    return REGIONS[i % len(REGIONS)]


def _user(clients, i: int) -> None:
    iam = clients[("iam", "us-east-1")]
    name = f"user-{i:04d}"
    iam.create_user(UserName=name)
    if i % 2:
        iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    else:
        iam.create_access_key(UserName=name)


def _bucket(clients, i: int) -> None:
    region = _region(i)
    s3 = clients[("s3", region)]
    name = f"bench-bucket-{i:04d}"
    extra = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    s3.create_bucket(Bucket=name, **extra)
    if i % 3:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )


def _volume(clients, i: int) -> None:
    region = _region(i)
    clients[("ec2", region)].create_volume(
        AvailabilityZone=f"{region}a", Size=1, Encrypted=bool(i % 3)
    )


def _database(clients, i: int) -> None:
    clients[("rds", _region(i))].create_db_instance(
        DBInstanceIdentifier=f"db-{i:04d}",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
        AllocatedStorage=20,
        StorageEncrypted=bool(i % 3),
        BackupRetentionPeriod=7 if i % 3 else 1,
    )


def _group(clients, i: int) -> None:
    ec2 = clients[("ec2", _region(i))]
    group = ec2.create_security_group(GroupName=f"sg-{i:04d}", Description="bench")
    port = (22, 443, 5432)[i % 3]
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )


def _key(clients, i: int) -> None:
    kms = clients[("kms", _region(i))]
    key = kms.create_key(Description=f"key {i}")["KeyMetadata"]["KeyId"]
    if i % 3:
        kms.enable_key_rotation(KeyId=key)


# ------------------------------------------------------------------------------ the scan


class Recorder:
    """Every API call the scan makes, with its parameters, to replay it afterwards."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, dict]] = []
        self._lock = threading.Lock()
        self._original = boto3.Session.client

    def __enter__(self) -> Recorder:
        recorder = self

        def client(session, service, *args, **kwargs):
            made = recorder._original(session, service, *args, **kwargs)
            region = made.meta.region_name

            def remember(params=None, model=None, **_):
                with recorder._lock:
                    recorder.calls.append((service, region, model.name, dict(params or {})))

            made.meta.events.register("provide-client-params", remember)
            return made

        boto3.Session.client = client
        return self

    def __exit__(self, *exc) -> None:
        boto3.Session.client = self._original


def scan(endpoint: str) -> tuple[float, object, list]:
    config = AwsConfig(regions=REGIONS)
    options = ClientOptions(endpoint_url=endpoint)
    started = time.perf_counter()
    inventory = sync.collect(config, CREDENTIALS, sync.SERVICES, options=options)
    findings = [f for evaluate in checks.EVALUATORS.values() for f in evaluate(inventory)]
    return time.perf_counter() - started, inventory, findings


def replay(endpoint: str, calls: list[tuple[str, str, str, dict]]) -> float:
    """Issue ``calls`` back-to-back with plain clients (made beforehand)."""
    clients = {key: plain_client(endpoint, *key) for key in {(s, r) for s, r, _, _ in calls}}
    methods = {
        (s, r, op): getattr(clients[(s, r)], _snake(clients[(s, r)], op))
        for s, r, op in {(s, r, op) for s, r, op, _ in calls}
    }
    started = time.perf_counter()
    for service, region, operation, params in calls:
        try:
            methods[(service, region, operation)](**params)
        except clients[(service, region)].exceptions.ClientError:
            pass  # "no policy", "no encryption": answered, like in the scan
    return time.perf_counter() - started


def _snake(client, operation: str) -> str:
    mapping = {api: py for py, api in client.meta.method_to_api_mapping.items()}
    return mapping[operation]


# --------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the resources")
    args = parser.parse_args()
    size = SMALL if args.small else FULL
    started = time.perf_counter()
    process, endpoint = start_emulator()
    print(f"moto server up in {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        seed(endpoint, size)
        print(f"seeded {size.total} resources in {len(REGIONS)} regions "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        warm, _, _ = scan(endpoint)  # warm-up: imports, botocore models, moto's backends
        print(f"warm-up scan: {warm:.2f} s")
        with Recorder() as recorder:
            seconds, inventory, findings = scan(endpoint)
        baseline = replay(endpoint, recorder.calls)
        tracemalloc.start()
        traced, _, _ = scan(endpoint)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"scan under tracemalloc: {traced:.2f} s")
    finally:
        process.terminate()
        process.join(timeout=10)
    report(size, seconds, inventory, findings, recorder.calls, baseline, peak)
    ratio = seconds / baseline
    return 0 if ratio < TARGET_RATIO and not inventory.failures else 1


def report(size, seconds, inventory, findings, calls, baseline, peak) -> None:
    import resource

    ratio = seconds / baseline
    print(f"scan: {seconds:.2f} s wall for {size.total} seeded resources, "
          f"{len(findings)} findings {dict(Counter(f.status for f in findings))}")  # fmt: skip
    print(f"API calls: {sum(inventory.calls.values())} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(inventory.calls.items()))})")  # fmt: skip
    print(f"failures: {', '.join(inventory.failures) or 'none'}")
    print(f"the same {len(calls)} calls back-to-back with plain boto3: {baseline:.2f} s")
    verdict = "OK" if ratio < TARGET_RATIO else "SLOWER THAN TARGET"
    print(f"ratio scan / plain calls: {ratio:.2f} (target < {TARGET_RATIO}) {verdict}")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the scan (tracemalloc): {peak / 2**20:.1f} MiB; "
          f"process peak RSS: {max_rss:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
