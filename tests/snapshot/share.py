#!/usr/bin/env python3
"""tests/snapshot/share.py: KMS keys and encrypted clusters for share.t, through botocore
against $AWS_ENDPOINT_URL (moto, SigV4 on). One command per call:

  share.py key [ACCOUNT [JSON]]   a customer key; with ACCOUNT its policy lets that account
                                  use it (the statements `snapshot share` prints), JSON: a
                                  list of statements added after those; prints ARN
  share.py cluster ID [KEY]       an Aurora cluster, encrypted with KEY (any ARN) when given;
                                  its automated snapshot dropped
  share.py snapshot CLUSTER ID    a manual cluster snapshot
  share.py account ACCOUNT        another account: a role there (made through moto's
                                  x-moto-account-id header, in two calls let through
                                  unsigned by /moto-api/reset-auth) that this account may
                                  assume, allowed everything; assumes it and prints
                                  "KEY-ID SECRET SESSION-TOKEN", credentials that act in ACCOUNT
  share.py show ID                "encrypted=B key=ARN shared=A,B copied-from=ARN" of a snapshot,
                                  or "missing"
"""
import json
import os
import sys

import boto3


def client(service):
    return boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        region_name=os.environ.get("AWS_REGION", "us-west-2"))


def main(cmd, *args):
    rds, kms = client("rds"), client("kms")
    if cmd == "key":
        me = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                          region_name="us-west-2").get_caller_identity()["Account"]
        st = [{"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % me},
               "Action": "kms:*", "Resource": "*"}]
        if args and args[0]:
            p = "arn:aws:iam::%s:root" % args[0]
            st += [{"Effect": "Allow", "Principal": {"AWS": p},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
                               "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
                   {"Effect": "Allow", "Principal": {"AWS": [p]},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]
        if len(args) > 1:
            st += json.loads(args[1])
        k = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": st}))
        print(k["KeyMetadata"]["Arn"])
    elif cmd == "cluster":
        kw = {"StorageEncrypted": True, "KmsKeyId": args[1]} if len(args) > 1 else {}
        rds.create_db_cluster(DBClusterIdentifier=args[0], Engine="aurora-postgresql",
                              MasterUsername="app", MasterUserPassword="app-password-1",
                              DBSubnetGroupName="auroradb-subnet-group", **kw)
        for s in rds.describe_db_cluster_snapshots(DBClusterIdentifier=args[0],
                                                   SnapshotType="automated")["DBClusterSnapshots"]:
            rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=s["DBClusterSnapshotIdentifier"])
    elif cmd == "snapshot":
        rds.create_db_cluster_snapshot(DBClusterIdentifier=args[0], DBClusterSnapshotIdentifier=args[1])
    elif cmd == "account":
        import urllib.request
        url = os.environ["AWS_ENDPOINT_URL"]
        me = boto3.client("sts", endpoint_url=url, region_name="us-west-2").get_caller_identity()["Account"]
        urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset-auth", data=b"2",
                                                      headers={"Content-Type": "text/plain"}))
        iam = boto3.client("iam", endpoint_url=url, region_name="us-west-2")
        iam.meta.events.register("before-sign.iam.*", lambda request, **kw:
                                 request.headers.__setitem__("x-moto-account-id", args[0]))
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"AWS": "arn:aws:iam::%s:root" % me}}]}
        role = iam.create_role(RoleName="restorer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName="restorer", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        c = boto3.client("sts", endpoint_url=url, region_name="us-west-2").assume_role(
            RoleArn=role["Arn"], RoleSessionName="restore")["Credentials"]
        print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    elif cmd == "show":
        try:
            s = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=args[0])["DBClusterSnapshots"][0]
        except rds.exceptions.DBClusterSnapshotNotFoundFault:
            print("missing")
            return
        attrs = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=args[0])
        shared = [v for a in attrs["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
                  if a["AttributeName"] == "restore" for v in a.get("AttributeValues", [])]
        tags = {t["Key"]: t["Value"] for t in s.get("TagList", [])}
        print("encrypted=%s key=%s shared=%s copied-from=%s" % (
            s.get("StorageEncrypted"), s.get("KmsKeyId", "-"), ",".join(shared) or "-",
            tags.get("orchestrator:copied-from", "-")))
    else:
        sys.exit("share.py: unknown command " + cmd)


if __name__ == "__main__":
    main(*sys.argv[1:])
