"""Talks to the mock the way MailStore's official Python wrappers do on the wire (written for mspe).

Challenge-based Basic auth (HTTPBasicAuthHandler, needs the realm), an SSL context trusting the test CA,
form-encoded POST bodies with Content-Length, replies decoded with utf-8-sig, and the 2014 wrapper's
double slash in /api//get-status. Usage: wrapper_compat.py <base-url> <ca.pem>. Prints one line per
check and "OK" at the end; exits 1 on the first failure.
"""
import json
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

base, ca = sys.argv[1], sys.argv[2]
context = ssl.create_default_context(cafile=ca)
passwords = urllib.request.HTTPPasswordMgr()
passwords.add_password("MailStore", base, "admin", "admin")
opener = urllib.request.build_opener(
    urllib.request.HTTPSHandler(context=context),
    urllib.request.HTTPBasicAuthHandler(passwords),
)


def post(path, fields=None):
    data = urllib.parse.urlencode(fields or {}).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8-sig"))


def check(condition, what):
    if not condition:
        print("FAILED: " + what)
        sys.exit(1)
    print("ok: " + what)


metadata = post("/api/get-metadata")
check(isinstance(metadata, list) and len(metadata) == 122, "get-metadata is a list of 122 functions")
names = [fn["name"] for fn in metadata]
check("GetUsers" in names, "GetUsers is listed")
env = post("/api/invoke/GetEnvironmentInfo")
check(env["statusCode"] == "succeeded" and env["statusVersion"] == 2, "GetEnvironmentInfo succeeded")
instances = post("/api/invoke/GetInstances", {"instanceFilter": "*"})["result"]
check(len(instances) == 3, "GetInstances lists 3 instances")
users = post("/api/invoke/GetUsers", {"instanceID": instances[0]["instanceID"]})["result"]
info = post("/api/invoke/GetUserInfo", {"instanceID": instances[0]["instanceID"], "userName": users[1]["userName"]})
check(info["result"]["userName"] == users[1]["userName"], "GetUserInfo of a listed user")
missing = post("/api/invoke/GetUserInfo", {"instanceID": instances[0]["instanceID"]})
check(missing["error"]["message"] == "Missing API argument userName.", "missing argument error")
status = post("/api/invoke/VerifyStore", {"instanceID": instances[0]["instanceID"], "id": 1, "includeIndexes": "false"})
check(status["statusCode"] == "running" and status["token"], "VerifyStore runs as a job")
while status["statusCode"] == "running":
    status = post("/api//get-status", {
        "token": status["token"],
        "lastKnownStatusVersion": status["statusVersion"],
        "millisecondsTimeout": 2000,
    })
check(status["statusCode"] == "succeeded", "polled /api//get-status to the end")
started = post("/api/invoke/VerifyStores", {"instanceID": instances[0]["instanceID"], "includeIndexes": "true"})
cancelled = post("/api//cancel-async", {"token": started["token"]})
check(cancelled["statusCode"] != "running", "cancel-async through /api//cancel-async")
try:
    post("/api//get-status", {"token": "snotatoken", "lastKnownStatusVersion": 0, "millisecondsTimeout": 10})
    check(False, "unknown token gives 404")
except urllib.error.HTTPError as error:
    check(error.code == 404, "unknown token gives 404")
print("OK")
