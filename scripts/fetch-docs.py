#!/usr/bin/env python3
"""Downloads the documents a demo city's bureau files and serves, for render-docs.sh: the
monthly report, a leader's liaison report, the typical-case compilation, each kind of 执法文书,
and the ledger, compliance and overdue sheets.

    python3 scripts/fetch-docs.py http://127.0.0.1:8089 /tmp/demo/demo-accounts.txt OUTDIR
"""
import datetime, json, sys, urllib.request

from demo_session import Browser, accounts, sign_in

BASE, ACCOUNTS, OUT = sys.argv[1], sys.argv[2], sys.argv[3]


def fetch(cookie, path):
    req = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
    return urllib.request.urlopen(req).read()


def save(name, data):
    open(f"{OUT}/{name}", "wb").write(data)
    print(name, len(data))


def months_back(n):
    d = datetime.date.today().replace(day=1)
    for _ in range(n):
        yield d.strftime("%Y-%m")
        d = (d - datetime.timedelta(days=1)).replace(day=1)


def main():
    acc = accounts(ACCOUNTS)
    b = Browser(BASE)
    try:
        sign_in(b, "county.zezhou", acc["county.zezhou"])
        c = b.cookie_header()
        last = list(months_back(2))[1]
        save("monthly-report.docx", fetch(c, f"/reports/export.docx?kind=monthly&period={last}"))
        save("hazard-ledger.xlsx", fetch(c, "/hazards/export.xlsx"))
        save("compliance.xlsx", fetch(c, "/compliance/export.xlsx"))
        save("overdue.xlsx", fetch(c, "/compliance/overdue.xlsx"))
        # The city sees every county's cases and papers.
        sign_in(b, "city.staff", acc["city.staff"])
        c = b.cookie_header()
        for month in months_back(13):
            if json.loads(fetch(c, f"/api/v1/typical-cases?period={month}")):
                save("typical-cases.docx", fetch(c, f"/typical-cases/compilation.docx?month={month}"))
                break
        papers = json.loads(fetch(c, "/api/v1/papers"))
        for kind in ["site_record", "rectification_order", "review_opinion", "supervision_notice"]:
            p = next((p for p in papers if p["kind"] == kind), None)
            if p:
                save(f"paper-{kind}.docx", fetch(c, f"/papers/{p['id']}/paper.docx"))
        sign_in(b, "leader.director", acc["leader.director"])
        save("liaison-report.docx", fetch(b.cookie_header(), f"/liaison/report.docx?month={last}"))
    finally:
        b.close()


if __name__ == "__main__":
    main()
