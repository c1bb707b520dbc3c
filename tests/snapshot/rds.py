#!/usr/bin/env python3
"""tests/snapshot/rds.py: several RDS/EC2 calls through botocore (the AWS CLI's own
library) in one process, so that test setup and assertions do not pay the CLI's start-up
once per call. Talks to $AWS_ENDPOINT_URL with the environment's credentials (SigV4 on).

  rds.py world                      subnet group auroradb-subnet-group, security group
                                    auroradb-sg; prints the group's ID
  rds.py cluster ID [ENGINE] [K=V]  create a cluster (tags K=V), drop its automated snapshot
  rds.py protected ID [K=V]         a cluster with the settings a restore must carry over:
                                    RDS-managed master secret, deletion protection, backup
                                    retention 7, postgresql log export, copy-tags, IAM
                                    authentication, port 5433
  rds.py instance CLUSTER ID        add a DB instance (db.r6g.large) to the cluster
  rds.py settings ID                those settings of the cluster, one line
  rds.py secret ARN                 the secret's primaryDBClusterArn tag, or "gone"
  rds.py snapshot CLUSTER ID        create a manual cluster snapshot
  rds.py drop-automated CLUSTER     delete the cluster's automated snapshots
  rds.py tag ID KEY                 the cluster's tag value, or None
  rds.py clusters                   "id status" per cluster, sorted
  rds.py state                      "id status key=value..." per cluster (all tags), sorted
  rds.py instances CLUSTER           "id class status" per DB instance of the cluster
  rds.py snapshots [PREFIX]         "id status type" per cluster snapshot, sorted
  rds.py serve                      read commands (shell words) from stdin, one a line;
                                    after each, print "__end__ STATUS" (setup.sh runs it
                                    as a coprocess: one interpreter start for the whole file)
"""
import os
import shlex
import sys
import traceback

import boto3

def client(service):
    return boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        region_name=os.environ.get("AWS_REGION", "us-west-2"))

rds = client("rds")

def drop_automated(cluster):
    for s in rds.describe_db_cluster_snapshots(DBClusterIdentifier=cluster,
                                               SnapshotType="automated")["DBClusterSnapshots"]:
        rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=s["DBClusterSnapshotIdentifier"])

def main(argv):
    cmd, args = argv[0], argv[1:]
    if cmd == "world":
        ec2 = client("ec2")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
        rds.create_db_subnet_group(DBSubnetGroupName="auroradb-subnet-group",
                                   DBSubnetGroupDescription="test", SubnetIds=subnets)
        print(ec2.create_security_group(GroupName="auroradb-sg", Description="test",
                                        VpcId=vpc)["GroupId"])
    elif cmd == "cluster":
        engine = args[1] if len(args) > 1 and "=" not in args[1] else "aurora-postgresql"
        tags = [dict(zip(("Key", "Value"), a.split("=", 1))) for a in args[1:] if "=" in a]
        rds.create_db_cluster(DBClusterIdentifier=args[0], Engine=engine, MasterUsername="app",
                              MasterUserPassword="app-password-1",
                              DBSubnetGroupName="auroradb-subnet-group", Tags=tags)
        drop_automated(args[0])
    elif cmd == "instance":
        rds.create_db_instance(DBInstanceIdentifier=args[1], DBClusterIdentifier=args[0],
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    elif cmd == "protected":
        tags = [dict(zip(("Key", "Value"), a.split("=", 1))) for a in args[1:]]
        rds.create_db_cluster(DBClusterIdentifier=args[0], Engine="aurora-postgresql",
                              MasterUsername="app", ManageMasterUserPassword=True,
                              DeletionProtection=True, BackupRetentionPeriod=7,
                              EnableCloudwatchLogsExports=["postgresql"], CopyTagsToSnapshot=True,
                              EnableIAMDatabaseAuthentication=True, Port=5433,
                              DBSubnetGroupName="auroradb-subnet-group", Tags=tags)
        drop_automated(args[0])
    elif cmd == "settings":
        c = rds.describe_db_clusters(DBClusterIdentifier=args[0])["DBClusters"][0]
        print("secret=%s protection=%s retention=%s logs=%s copytags=%s iam=%s port=%s" % (
            c.get("MasterUserSecret", {}).get("SecretArn", "none"), c.get("DeletionProtection"),
            c.get("BackupRetentionPeriod"), ",".join(c.get("EnabledCloudwatchLogsExports", [])),
            c.get("CopyTagsToSnapshot"), c.get("IAMDatabaseAuthenticationEnabled"), c.get("Port")))
    elif cmd == "secret":
        sm = client("secretsmanager")
        try:
            tags = sm.describe_secret(SecretId=args[0]).get("Tags", [])
            print(next((t["Value"] for t in tags if t["Key"] == "aws:rds:primaryDBClusterArn"), "untagged"))
        except sm.exceptions.ResourceNotFoundException:
            print("gone")
    elif cmd == "snapshot":
        rds.create_db_cluster_snapshot(DBClusterIdentifier=args[0],
                                       DBClusterSnapshotIdentifier=args[1])
    elif cmd == "drop-automated":
        drop_automated(args[0])
    elif cmd == "tag":
        c = rds.describe_db_clusters(DBClusterIdentifier=args[0])["DBClusters"][0]
        print(next((t["Value"] for t in c.get("TagList", []) if t["Key"] == args[1]), "None"))
    elif cmd == "clusters":
        for c in sorted(rds.describe_db_clusters()["DBClusters"],
                        key=lambda c: c["DBClusterIdentifier"]):
            print(c["DBClusterIdentifier"], c["Status"])
    elif cmd == "state":
        for c in sorted(rds.describe_db_clusters()["DBClusters"],
                        key=lambda c: c["DBClusterIdentifier"]):
            print(" ".join([c["DBClusterIdentifier"], c["Status"]] +
                           ["%s=%s" % (t["Key"], t["Value"]) for t in c.get("TagList", [])]))
    elif cmd == "instances":
        for i in rds.describe_db_instances(
                Filters=[{"Name": "db-cluster-id", "Values": [args[0]]}])["DBInstances"]:
            print(i["DBInstanceIdentifier"], i["DBInstanceClass"], i["DBInstanceStatus"])
    elif cmd == "snapshots":
        prefix = args[0] if args else ""
        for s in sorted(rds.describe_db_cluster_snapshots()["DBClusterSnapshots"],
                        key=lambda s: s["DBClusterSnapshotIdentifier"]):
            if s["DBClusterSnapshotIdentifier"].startswith(prefix):
                print(s["DBClusterSnapshotIdentifier"], s["Status"], s["SnapshotType"])
    else:
        sys.exit("rds.py: unknown command " + cmd)

def serve():
    for line in sys.stdin:
        status = 0
        try:
            main(shlex.split(line))
        except BaseException as e:  # report and keep serving; SystemExit included
            print("rds.py: %s" % (e if isinstance(e, SystemExit) else traceback.format_exc(limit=1)),
                  file=sys.stderr)
            status = 1
        print("__end__ %d" % status, flush=True)

if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        main(sys.argv[1:])
