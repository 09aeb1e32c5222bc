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
import base64, hashlib, hmac, json, re, struct, sys, time, urllib.request

BASE, ACCOUNTS, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
WD = "http://127.0.0.1:9515"
EL = "element-6066-11e4-a52e-4f735466cecf"


def wd(method, path, body=None):
    req = urllib.request.Request(WD + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())["value"]


def totp(secret, offset=0):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    msg = struct.pack(">Q", int(time.time()) // 30 + offset)
    h = hmac.new(key, msg, hashlib.sha1).digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def accounts():
    out = {}
    for line in open(ACCOUNTS, encoding="utf-8"):
        parts = line.split()
        if len(parts) >= 3 and not line.startswith("#"):
            out[parts[0]] = parts[2]
    return out


class Browser:
    def __init__(self):
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--lang=zh-CN"]}}}}
        self.sid = wd("POST", "/session", caps)["sessionId"]

    def go(self, path):
        wd("POST", f"/session/{self.sid}/url", {"url": BASE + path})

    def find(self, css):
        return wd("POST", f"/session/{self.sid}/element", {"using": "css selector", "value": css})[EL]

    def type(self, css, text):
        e = self.find(css)
        wd("POST", f"/session/{self.sid}/element/{e}/clear", {})
        wd("POST", f"/session/{self.sid}/element/{e}/value", {"text": text})

    def click(self, css):
        wd("POST", f"/session/{self.sid}/element/{self.find(css)}/click", {})
        time.sleep(0.5)

    def url(self):
        return wd("GET", f"/session/{self.sid}/url")

    def source(self):
        return wd("GET", f"/session/{self.sid}/source")

    def size(self, w, h):
        wd("POST", f"/session/{self.sid}/window/rect", {"width": w, "height": h})

    def shot(self, name):
        png = base64.b64decode(wd("GET", f"/session/{self.sid}/screenshot"))
        open(f"{OUT}/{name}.png", "wb").write(png)

    def reset(self):
        wd("DELETE", f"/session/{self.sid}/cookie")

    def close(self):
        wd("DELETE", f"/session/{self.sid}")


def sign_in(b, user, password):
    new = "Anjian-Demo-" + hashlib.sha256(user.encode()).hexdigest()[:8]
    b.reset()
    b.go("/login")
    b.type("input[name=username]", user)
    b.type("input[name=password]", password)
    b.click("main button.primary")
    if "/account/password" in b.url():
        b.type("input[name=current]", password)
        b.type("input[name=new]", new)
        b.type("input[name=repeat]", new)
        b.click("main button.primary")
    if "/account/second-factor" in b.url():
        secret = re.search(r'name="secret" value="([A-Z2-7]+)"', b.source()).group(1)
        b.type("input[name=code]", totp(secret))
        b.click("main button.primary")
    b.go("/")


def main():
    acc = accounts()
    b = Browser()
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
                b.shot(f"home-{name}-{tag}")
            b.size(1366, 900)
            print(name, b.url())
    finally:
        b.close()


main()
