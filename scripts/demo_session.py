"""Signing in to a demo city from a script, as a person would (see screens.py, render-docs.sh):
the one-time password is changed to one derived from the user name, a bureau account binds its
authenticator and the key is kept beside the accounts file, so a later run signs in again.
"""
import base64, hashlib, hmac, json, os, re, struct, time, urllib.request

WD = "http://127.0.0.1:9515"
EL = "element-6066-11e4-a52e-4f735466cecf"
SECRETS = {}
SECRETS_FILE = os.environ.get("ANJIAN_DEMO_SECRETS", "/tmp/anjian-demo-totp.json")
if os.path.exists(SECRETS_FILE):
    SECRETS.update(json.load(open(SECRETS_FILE)))


def save_secrets():
    json.dump(SECRETS, open(SECRETS_FILE, "w"))


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


def accounts(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) >= 3 and not line.startswith("#"):
            out[parts[0]] = parts[2]
    return out


class Browser:
    def __init__(self, base):
        self.base = base
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--lang=zh-CN"]}}}}
        self.sid = wd("POST", "/session", caps)["sessionId"]

    def go(self, path):
        wd("POST", f"/session/{self.sid}/url", {"url": self.base + path})

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

    def shot(self, path):
        png = base64.b64decode(wd("GET", f"/session/{self.sid}/screenshot"))
        open(path, "wb").write(png)

    def cookie_header(self):
        return "; ".join(f"{c['name']}={c['value']}" for c in wd("GET", f"/session/{self.sid}/cookie"))

    def reset(self):
        wd("DELETE", f"/session/{self.sid}/cookie")

    def close(self):
        wd("DELETE", f"/session/{self.sid}")


def sign_in(b, user, password):
    """Signs in with the one-time password, or with the password an earlier run set."""
    new = "Anjian-Demo-" + hashlib.sha256(user.encode()).hexdigest()[:8]
    b.reset()
    for attempt in (password, new):
        b.go("/login")
        b.type("input[name=username]", user)
        b.type("input[name=password]", attempt)
        b.click("main button.primary")
        if not b.url().split("?")[0].endswith("/login"):
            break
    if "/login/second-factor" in b.url():
        secret = SECRETS.get(user)
        if secret:
            b.type("input[name=code]", totp(secret))
            b.click("main button.primary")
    if "/account/password" in b.url():
        b.type("input[name=current]", password)
        b.type("input[name=new]", new)
        b.type("input[name=repeat]", new)
        b.click("main button.primary")
    if "/account/second-factor" in b.url():
        secret = re.search(r'name="secret" value="([A-Z2-7]+)"', b.source()).group(1)
        SECRETS[user] = secret
        save_secrets()
        b.type("input[name=code]", totp(secret))
        b.click("main button.primary")
    b.go("/")


