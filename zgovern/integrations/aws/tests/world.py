"""The AWS world the tests scan: constants, and moto seeding shared by the tests."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from zgovern.integrations.aws.client import ClientOptions
from zgovern.integrations.aws.schemas import AwsConfig, AwsCredentials

OWN = "123456789012"  # moto's default account: the credentials' own account
MEMBER = "111111111111"  # scanned through sts:AssumeRole
MEMBER_ROLE = f"arn:aws:iam::{MEMBER}:role/zgovern-audit"
REGIONS = ["us-east-1", "eu-west-1"]
CREDENTIALS = AwsCredentials(
    access_key_id="AKIAIOSFODNN7EXAMPLE",
    secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
# Few attempts and short timeouts keep the retry tests quick.
FAST = ClientOptions(max_attempts=3, connect_timeout=1, read_timeout=1)


def aws_config(**overrides) -> AwsConfig:
    return AwsConfig(**{"regions": REGIONS, **overrides})


ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
STAR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
}
ALL_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


class Clients:
    """boto3 clients for one account (the default one, or a member through AssumeRole),
    against in-process moto or an endpoint."""

    def __init__(self, account: str = OWN, endpoint_url: str | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.session = boto3.Session(
            aws_access_key_id=CREDENTIALS.access_key_id,
            aws_secret_access_key=CREDENTIALS.secret_access_key,
        )
        if account != OWN:
            sts = self.client("sts")
            creds = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/zgovern-audit", RoleSessionName="seed"
            )["Credentials"]
            self.session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )

    def client(self, service: str, region: str = "us-east-1"):
        return self.session.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=Config(s3={"addressing_style": "path"}, inject_host_prefix=False),
        )


def console_user(iam, name: str, *, mfa: bool = False) -> None:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    if mfa:
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )


def bucket(s3, name: str, *, region: str = "us-east-1") -> None:
    extra = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    s3.create_bucket(Bucket=name, **extra)


def policy(s3, name: str, *statements: dict) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(document))


def public_read(name: str, **extra) -> dict:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
        **extra,
    }


def tls_only(name: str) -> dict:
    return {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def database(rds, name: str, *, encrypted: bool, retention: int, public: bool = False) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
        AllocatedStorage=20,
        StorageEncrypted=encrypted,
        BackupRetentionPeriod=retention,
        PubliclyAccessible=public,
    )


def cluster(rds, name: str, *, encrypted: bool, retention: int) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=encrypted,
        BackupRetentionPeriod=retention,
    )


def security_group(ec2, name: str, *permissions: dict) -> str:
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc["VpcId"])
    if permissions:
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"], IpPermissions=list(permissions)
        )
    return group["GroupId"]


def tcp(port: int, cidr: str = "0.0.0.0/0") -> dict:
    ranges = (
        {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ":" in cidr else {"IpRanges": [{"CidrIp": cidr}]}
    )
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}


def trail(cloudtrail, s3, name: str, *, multi_region: bool, validation: bool) -> None:
    bucket(s3, f"{name}-logs")
    cloudtrail.create_trail(
        Name=name,
        S3BucketName=f"{name}-logs",
        IsMultiRegionTrail=multi_region,
        EnableLogFileValidation=validation,
    )
    cloudtrail.start_logging(Name=name)


def recorder(config, s3, region: str) -> None:
    bucket(s3, f"config-{region}", region=region)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{OWN}:role/config"}
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": f"config-{region}"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on a free local port, emptied first; yields its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        yield url
    finally:
        server.stop()
