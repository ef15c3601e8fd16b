"""Signs the seeded demo accounts in and collects ids from the seed data.

Usage: python prepare.py GRAPHQL_URL EMAIL PASSWORD OUT_DIR [--ids]

Writes OUT_DIR/token (the account's access token) and, with --ids,
OUT_DIR/ids.json (the ids the seed data shows that account, by kind, and
its lot codes: sign in as an admin, who sees them all), for scripts/fuzz.sh. Standard
library only.
"""

import json
import pathlib
import sys
import urllib.request

LOGIN = """mutation Login($input: LoginInput!) {
  login(input: $input) { session { accessToken } userErrors { code message } }
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


# The kind of thing a list or object field holds.
KINDS = {
    "me": "user",
    "members": "user",
    "cooperatives": "cooperative",
    "products": "product",
    "variants": "variant",
    "lots": "lot",
    "badges": "certification",
    "livestreams": "livestream",
    "flashDeals": "flashDeal",
    "courses": "course",
    "sessions": "session",
}


def collect(value, found, kind=None):
    """Files every id under its kind, and lot codes under `lotCode`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str) and kind:
                found.setdefault(kind, set()).add(item)
            elif key == "userId" and isinstance(item, str):
                found.setdefault("user", set()).add(item)
            elif key == "code" and isinstance(item, str) and kind == "lot":
                found.setdefault("lotCode", set()).add(item)
            else:
                collect(item, found, KINDS.get(key, kind))
    elif isinstance(value, list):
        for item in value:
            collect(item, found, kind)


def main():
    url, email, password, out = sys.argv[1:5]
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    answer = post(url, LOGIN, {"input": {"email": email, "password": password}})
    if answer.get("errors"):
        sys.exit(f"login as {email} failed: {answer['errors']}")
    login = answer["data"]["login"]
    if login["userErrors"] or not login["session"]:
        sys.exit(f"login as {email} refused: {login['userErrors']}")
    token = login["session"]["accessToken"]
    (out / "token").write_text(token)
    if "--ids" not in sys.argv[5:]:
        print(f"signed in as {email}", file=sys.stderr)
        return
    found = {}
    for query in IDS:
        answer = post(url, query, token=token)
        if answer.get("errors"):
            sys.exit(f"reading the seed data as {email} failed: {query}: {answer['errors']}")
        collect(answer.get("data"), found)
    (out / "ids.json").write_text(json.dumps({kind: sorted(ids) for kind, ids in found.items()}))
    counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in sorted(found.items()))
    print(f"signed in as {email}; ids from the seed data: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
