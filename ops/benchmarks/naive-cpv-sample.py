#!/usr/bin/env python3
"""The baseline of the re-grant benchmarks: what Microsoft's CPV sample does, strictly in order.

Redeems the partner's refresh token for a Partner Center token, lists the partner's customers
(500 a page, following the continuation token), then for each customer DELETEs the application
consent and POSTs it again, one call after the other, on one keep-alive connection. A 429 is
waited out (its Retry-After) and the call repeated, which the sample itself does not do: at one
call at a time it never reaches the limit anyway. Python standard library only.

Not a benchmark by itself (it has no `## Title` output): ops/benchmarks/regrant-* run it and put
its figure next to the orchestrator's. Prints one JSON object on stdout.

  naive-cpv-sample.py --base URL --app-id GUID --secret S --partner-tenant GUID --admin UPN [--customers N]
"""
import argparse
import http.client
import json
import time
import urllib.parse
import uuid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--partner-tenant", required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--customers", type=int, default=0, help="re-grant only the first N listed (0: all)")
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(method, path, body=None, headers=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        while True:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status == 429:
                time.sleep(float(response.getheader("Retry-After") or 1))
                continue
            return response.status, payload, response

    # The demo shortcut of the simulator stands in for the admin's interactive consent.
    status, payload, _ = call("POST", "/_sim/refresh-tokens", {"clientId": args.app_id, "userPrincipalName": args.admin})
    if status != 200:
        raise SystemExit(f"refresh token: HTTP {status} {payload[:200]!r}")
    refresh = json.loads(payload)["refreshToken"]
    form = urllib.parse.urlencode({
        "grant_type": "refresh_token", "client_id": args.app_id, "client_secret": args.secret, "refresh_token": refresh,
        "scope": "https://api.partnercenter.microsoft.com/.default",
    })
    status, payload, _ = call("POST", f"/{args.partner_tenant}/oauth2/v2.0/token", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 200:
        raise SystemExit(f"token: HTTP {status} {payload[:200]!r}")
    auth = {"Authorization": "Bearer " + json.loads(payload)["access_token"], "Accept": "application/json"}

    customers = []
    headers = dict(auth)
    path = "/v1/customers?size=500"
    while True:
        status, payload, _ = call("GET", path, headers=headers)
        if status != 200:
            raise SystemExit(f"customers: HTTP {status} {payload[:200]!r}")
        page = json.loads(payload)
        customers += [item["id"] for item in page.get("items", [])]
        token = page.get("continuationToken")
        if not token or (args.customers and len(customers) >= args.customers):
            break
        headers = dict(auth, **{"MS-ContinuationToken": token})
        path = "/v1/customers?size=500&seekOperation=Next"
    if args.customers:
        customers = customers[: args.customers]

    grant = {
        "applicationId": args.app_id, "displayName": "CPV naive sample",
        "applicationGrants": [
            {"enterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "scope": "Directory.Read.All,User.Read.All"},
            {"enterpriseApplicationId": "797f4846-ba00-4fd7-ba43-dac1f8f63013", "scope": "user_impersonation"},
        ],
    }
    statuses = {}
    started = time.monotonic()
    for customer in customers:
        for method, path, body in (
            ("DELETE", f"/v1/customers/{customer}/applicationconsents/{args.app_id}", None),
            ("POST", f"/v1/customers/{customer}/applicationconsents", grant),
        ):
            status, _, _ = call(method, path, body, dict(auth, **{"MS-RequestId": str(uuid.uuid4())}))
            key = f"{method} {status}"
            statuses[key] = statuses.get(key, 0) + 1
    seconds = time.monotonic() - started
    print(json.dumps({
        "customers": len(customers), "seconds": round(seconds, 3),
        "perSecond": round(len(customers) / seconds, 3) if seconds > 0 else None, "statuses": statuses,
    }))


if __name__ == "__main__":
    main()
