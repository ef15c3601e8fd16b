"""Signs the seeded demo accounts in and collects ids from the seed data.

Usage: python prepare.py GRAPHQL_URL EMAIL PASSWORD OUT_DIR [--ids]

Writes OUT_DIR/token (the account's access token) and, with --ids,
OUT_DIR/ids.json (every id and lot code the seed data shows that account:
sign in as an admin, who sees them all), for scripts/fuzz.sh. Standard
library only.
"""

import json
import pathlib
import sys
import urllib.request

LOGIN = """mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken }
}"""

# Several small queries: one would exceed the complexity limit.
IDS = [
    "{ me { id } }",
    "{ cooperatives(first: 20) { edges { node { id members { userId } } } } }",
    "{ products(first: 30) { edges { node { id variants { id } lots { id code } badges { id } } } } }",
    "{ livestreams(first: 30) { edges { node { id flashDeals { id } } } } }",
    "{ courses(first: 20) { edges { node { id sessions { id } } } } }",
]


def post(url, query, variables=None, token=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def collect(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id", "code") and isinstance(item, str):
                found.add(item)
            else:
                collect(item, found)
    elif isinstance(value, list):
        for item in value:
            collect(item, found)


def main():
    url, email, password, out = sys.argv[1:5]
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    answer = post(url, LOGIN, {"input": {"email": email, "password": password}})
    if answer.get("errors"):
        sys.exit(f"login as {email} failed: {answer['errors']}")
    token = answer["data"]["login"]["accessToken"]
    (out / "token").write_text(token)
    if "--ids" not in sys.argv[5:]:
        print(f"signed in as {email}", file=sys.stderr)
        return
    found = set()
    for query in IDS:
        answer = post(url, query, token=token)
        if answer.get("errors"):
            sys.exit(f"reading the seed data as {email} failed: {query}: {answer['errors']}")
        collect(answer.get("data"), found)
    (out / "ids.json").write_text(json.dumps(sorted(found)))
    print(f"signed in as {email}; {len(found)} ids and lot codes from the seed data", file=sys.stderr)


if __name__ == "__main__":
    main()
