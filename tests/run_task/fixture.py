#!/usr/bin/env python3
"""Fixtures in moto for the run-task tests and bench, through botocore (the AWS CLI's
library; one process instead of a CLI start per call). Signed with the test user's key.

    fixture.py setup CONFIG_OUT        network, cluster, task definitions, log group, and
                                        a config.json for them; prints the IDs as JSON
    fixture.py transition TIMES        every task moves one state per TIMES DescribeTasks
    fixture.py logs TASK_ARN LINE...   puts LINEs into the task's awslogs stream
    fixture.py tasks                   prints the ARNs of every task in the cluster
    fixture.py task TASK_ARN           prints the task as JSON
    fixture.py stop TASK_ARN           StopTask: the task is STOPPED at once (moto); prints
                                        the time it was (epoch seconds, after the answer)
"""
import json
import os
import sys
import time
import urllib.request

import botocore.session

EP = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ.get("AWS_REGION", "us-west-2")
S = botocore.session.get_session()


def client(name):
    return S.create_client(name, region_name=REGION, endpoint_url=EP)


def container(name, essential=True, logs=True):
    c = {"name": name, "image": "ghcr.io/example/migrate:1", "memory": 512, "essential": essential}
    if logs:
        c["logConfiguration"] = {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/flyway", "awslogs-region": REGION,
            "awslogs-stream-prefix": "ecs"}}
    return c


def setup(config_out):
    ec2, ecs, logs = client("ec2"), client("ecs"), client("logs")
    ids = {}

    def vpc(cidr):
        v = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        # moto's awsvpc RunTask needs DNS hostnames on the VPC (it names the ENI)
        ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
        return v

    def subnet(v, cidr, name):
        return ec2.create_subnet(VpcId=v, CidrBlock=cidr, TagSpecifications=[{
            "ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": name}]}])["Subnet"]["SubnetId"]

    def sg(v, name):
        return ec2.create_security_group(GroupName=name, Description=name, VpcId=v)["GroupId"]

    v1, v2 = vpc("10.1.0.0/16"), vpc("10.2.0.0/16")
    ids["subnet_a"] = subnet(v1, "10.1.1.0/24", "migrate-a")
    ids["subnet_b"] = subnet(v1, "10.1.2.0/24", "migrate-b")
    ids["dup_1"] = subnet(v1, "10.1.3.0/24", "dup-subnet")
    ids["dup_2"] = subnet(v2, "10.2.3.0/24", "dup-subnet")
    ids["sg_task"] = sg(v1, "flyway-fargate-sg")
    ids["sg_db"] = sg(v1, "auroradb-sg")
    ids["dup_sg_1"] = sg(v1, "shared-sg")
    ids["dup_sg_2"] = sg(v2, "shared-sg")
    ecs.create_cluster(clusterName="ecs-cluster")
    common = dict(networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512")
    ecs.register_task_definition(family="flyway-migration-family",
                                 containerDefinitions=[container("flyway")], **common)
    # A sidecar declared first: the override must go to the migration container by name.
    ecs.register_task_definition(family="with-sidecar", containerDefinitions=[
        container("log-router", essential=False, logs=False), container("migrator")], **common)
    ecs.register_task_definition(family="no-logs", containerDefinitions=[container("flyway", logs=False)], **common)
    logs.create_log_group(logGroupName="/ecs/flyway")
    cfg = json.load(open(os.path.join(os.environ["ROOT"], "config.json")))
    ft = cfg["infrastructure"]["us-west-2"]["flywayTask"]
    ft["taskSubnets"] = "migrate-a,migrate-b"
    ft["taskSecurityGroups"] = "flyway-fargate-sg,auroradb-sg"
    json.dump(cfg, open(config_out, "w"), indent=2)
    print(json.dumps(ids))


def transition(times):
    req = urllib.request.Request(EP + "/moto-api/state-manager/set-transition", method="POST",
                                 headers={"Content-Type": "application/json"},
                                 data=json.dumps({"model_name": "ecs::task", "transition": {
                                     "progression": "manual", "times": int(times)}}).encode())
    urllib.request.urlopen(req).read()


def put_logs(arn, lines):
    logs = client("logs")
    stream = "ecs/%s/%s" % (os.environ.get("RT_CONTAINER", "flyway"), arn.rsplit("/", 1)[1])
    try:
        logs.create_log_stream(logGroupName="/ecs/flyway", logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/ecs/flyway", logStreamName=stream,
                        logEvents=[{"timestamp": now, "message": m} for m in lines])


def main():
    cmd = sys.argv[1]
    if cmd == "setup":
        setup(sys.argv[2])
    elif cmd == "transition":
        transition(sys.argv[2])
    elif cmd == "logs":
        put_logs(sys.argv[2], sys.argv[3:])
    elif cmd == "tasks":
        ecs = client("ecs")
        for arn in ecs.list_tasks(cluster="ecs-cluster").get("taskArns", []):
            print(arn)
        for arn in ecs.list_tasks(cluster="ecs-cluster", desiredStatus="STOPPED").get("taskArns", []):
            print(arn)
    elif cmd == "stop":
        client("ecs").stop_task(cluster="ecs-cluster", task=sys.argv[2], reason="bench")
        print("%.3f" % time.time())
    elif cmd == "task":
        t = client("ecs").describe_tasks(cluster="ecs-cluster", tasks=[sys.argv[2]])["tasks"][0]
        print(json.dumps(t, default=str))


main()
