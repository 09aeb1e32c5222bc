#!/usr/bin/env python3
"""Screenshots of each role's home, at desktop and phone width, for docs/screens/.

Run against a demo city served by anjian with chromedriver listening on :9515:

    ANJIAN_DATA_DIR=/tmp/demo anjian serve --demo --listen 127.0.0.1:8089 --insecure-cookies &
    chromedriver --port=9515 &
    python3 scripts/screens.py http://127.0.0.1:8089 /tmp/demo/demo-accounts.txt docs/screens

Each account signs in as a person would: the one-time password is changed, a bureau account
binds its authenticator (the key read from the page, codes computed here), then the home page
is captured at 1366x900 and 390x844.
"""
import sys, time

from demo_session import Browser, accounts, sign_in

BASE, ACCOUNTS, OUT = sys.argv[1], sys.argv[2], sys.argv[3]


def main():
    acc = accounts(ACCOUNTS)
    b = Browser(BASE)
    try:
        roles = [("public", None), ("leader", "leader.director"), ("county", "county.zezhou"),
                 ("principal", "principal.1"), ("guard", "guard.1")]
        for name, user in roles:
            if user:
                sign_in(b, user, acc[user])
            else:
                b.reset()
                b.go("/")
            for width, height, tag in [(1366, 900, "desktop"), (390, 844, "phone")]:
                b.size(width, height)
                time.sleep(0.3)
                b.shot(f"{OUT}/home-{name}-{tag}.png")
            b.size(1366, 900)
            print(name, b.url())
    finally:
        b.close()


if __name__ == "__main__":
    main()
