#!/usr/bin/env python3
"""Accuracy of govaudit on saved real government pages (README "Accuracy on
real pages").

The pages are not in this repository: they come from public GitHub
repositories that carry no licence, so they are rebuilt here from local git
snapshots of those repositories (pinned commits below) and never committed.

    # the snapshots, e.g. under /work/.mirror/<owner>+<name>/repo
    scripts/real_pages.py [--mirrors DIR] [--bin target/debug/govaudit] [--port 18931]

It rebuilds the corpus in a temporary folder, serves it with `govaudit serve`
on 127.0.0.1, and for every page runs `govaudit inspect --format json` (kind,
date, list items) and `inspect --config --site` (the findings one page alone
raises: typo, metadata-missing, pii-exposed …), then `govaudit check-text` on
the article pages. Truth is what a clerk reads on the page: the visible
发布日期 / 发布时间 field, "article" for an article page with its one item
(itself). Printed: pages run, dates right, kinds right, list-item counts
right, parse failures, typo alarms per 10,000 Chinese characters (deduct /
warn) and the rule findings on clean pages.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

# (owner+name, commit, what) — the saved pages.
SOURCES = [
    # 60 www.gov.cn policy articles (国务院 / 国办 documents, 2018-11 … 2019-02),
    # crawled HTML in a SQL dump: metadata table (索引号, 成文日期, 发布日期) + text.
    ("ZhouYNF+platform-1", "2197df553eee3b0bc9989d91addadf2f4227fddc", "db/ge_policy_raw20190217.sql"),
    # 4 article pages of 宜春 / 万载 (开普云 site group): PubDate meta = page
    # generation time, gkml metadata block (索引号, 生成日期/发文日期, 责任部门).
    ("SimonXinw+job", "1c8bd6a0e984dab1a8a19918200ea1b1ef87fe47", "统计局/"),
    # 邯郸 信息公开 platform (TRS-built) saved into JSP views: the 公开指南 page and
    # the platform's index (misnested tile markup).
    ("kevin3691+renmin", "856b81739b7d44f297e777ddac1b7a0043bb2b76", "src/main/webapp/WEB-INF/views/affairs/"),
]

HAN = re.compile(r"[\u4e00-\u9fff]")
PUB_LABEL = re.compile(
    r"发\s?布\s?(?:日\s?期|时\s?间)\s*[:：]?\s*(?:</?[^>]+>\s*)*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)


def git_dir(mirrors, repo):
    d = os.path.join(mirrors, repo, "repo")
    return os.path.join(d, ".git") if os.path.isdir(os.path.join(d, ".git")) else d


def show(gd, commit, path):
    return subprocess.run(
        ["git", "--git-dir", gd, "show", f"{commit}:{path}"], capture_output=True, check=True
    ).stdout


def ls(gd, commit, prefix):
    out = subprocess.run(
        ["git", "--git-dir", gd, "-c", "core.quotepath=off", "ls-tree", "-r", "--name-only", commit, prefix],
        capture_output=True, text=True, check=True,
    ).stdout
    return out.split("\n")


def sql_rows(data):
    """(crawl_url, html) of every row of the ge_policy_raw dump."""
    pos = 0
    rows = []
    opener = re.compile(r"values \(", re.I)
    while True:
        m = opener.search(data, pos)
        if not m:
            return rows
        j = m.end()
        fields = []
        while True:
            c = data[j]
            if c == "'":
                j += 1
                s = []
                while True:
                    c = data[j]
                    if c == "\\":
                        s.append(data[j + 1])
                        j += 2
                        continue
                    if c == "'":
                        if data[j + 1] == "'":
                            s.append("'")
                            j += 2
                            continue
                        j += 1
                        break
                    s.append(c)
                    j += 1
                fields.append("".join(s))
            elif c in " \n\t,":
                j += 1
            elif c == ")":
                j += 1
                break
            else:
                k = j
                while data[j] not in ",)":
                    j += 1
                fields.append(data[k:j].strip())
        rows.append((fields[1], fields[14]))
        pos = j


def build(mirrors, out):
    """Write the corpus under `out`; return [(path, kind_expected)]."""
    pages = []
    repo, commit, path = SOURCES[0]
    data = show(git_dir(mirrors, repo), commit, path).decode("utf-8")
    for url, html in sql_rows(data):
        p = url.split("://", 1)[1].split("/", 1)[1]
        os.makedirs(os.path.join(out, os.path.dirname(p)), exist_ok=True)
        with open(os.path.join(out, p), "w", encoding="utf-8") as f:
            f.write(html)
        pages.append((p, "article"))
    repo, commit, prefix = SOURCES[1]
    gd = git_dir(mirrors, repo)
    n = 0
    for p in ls(gd, commit, prefix):
        if p.endswith(".html") and "_files/" not in p:
            n += 1
            name = f"yc/art_{n}.html"
            os.makedirs(os.path.join(out, "yc"), exist_ok=True)
            with open(os.path.join(out, name), "wb") as f:
                f.write(show(gd, commit, p))
            pages.append((name, "article"))
    repo, commit, prefix = SOURCES[2]
    gd = git_dir(mirrors, repo)
    os.makedirs(os.path.join(out, "hd"), exist_ok=True)
    for view, kind in [("gkzn", "channel"), ("index", "column-list")]:
        jsp = show(gd, commit, prefix + view + ".jsp").decode("utf-8")
        html = re.sub(r"<%--.*?--%>|<%.*?%>|<jsp:include[^>]*>(</jsp:include>)?", "", jsp, flags=re.S)
        with open(os.path.join(out, "hd", view + ".html"), "w", encoding="utf-8") as f:
            f.write(html)
        pages.append((f"hd/{view}.html", kind))
    return pages


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def truth_date(html):
    m = PUB_LABEL.search(re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I))
    return "%04d-%02d-%02d" % tuple(int(x) for x in m.groups()) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirrors", default="/work/.mirror")
    ap.add_argument("--bin", default="target/debug/govaudit")
    ap.add_argument("--port", type=int, default=18931)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus")
        pages = build(a.mirrors, corpus)
        sites = os.path.join(tmp, "SITES.toml")
        with open(sites, "w") as f:
            f.write(
                '[audit]\nname = "real pages"\n[crawl]\nretries = 0\ntimeout_secs = 10\n'
                'check_external = false\n[[sites]]\nid = "real"\nname = "真实页面"\n'
                f'url = "http://127.0.0.1:{a.port}/"\n'
            )
        server = subprocess.Popen([exe, "serve", corpus, "--port", str(a.port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{a.port}/{pages[0][0]}", timeout=1)
                    break
                except Exception:
                    time.sleep(0.1)
            run(exe, a, corpus, pages, sites)
        finally:
            server.terminate()
            server.wait()


def run(exe, a, corpus, pages, sites):
    base = f"http://127.0.0.1:{a.port}/"
    dated = dates_ok = kinds_ok = items_ok = failed = 0
    findings = {}
    articles = []
    for path, kind in pages:
        html = open(os.path.join(corpus, path), encoding="utf-8", errors="replace").read()
        r = subprocess.run([exe, "inspect", "--format", "json", base + path], capture_output=True, text=True)
        try:
            d = json.loads(r.stdout)
        except ValueError:
            failed += 1
            print(f"FAILED  {path}: {r.stderr.strip().splitlines()[:1]}")
            continue
        items = sum(len(l["items"]) for l in d["lists"])
        want_date = truth_date(html)
        ok_kind = d["kind"] == kind
        ok_items = items == 1 if kind == "article" else True
        ok_date = want_date is None or d.get("date") == want_date
        dated += want_date is not None
        dates_ok += want_date is not None and ok_date
        kinds_ok += ok_kind
        items_ok += ok_items
        if kind == "article":
            articles.append(os.path.join(corpus, path))
        if a.verbose or not (ok_kind and ok_items and ok_date):
            print(f"{'ok ' if ok_kind and ok_items and ok_date else 'BAD'} {path}: kind {d['kind']} "
                  f"(want {kind}), date {d.get('date')} from {d.get('date_from')} (want {want_date}), items {items}")
        r = subprocess.run([exe, "inspect", "--format", "json", "--config", sites, "--site", "real",
                            "--as-of", "2030-01-01", base + path], capture_output=True, text=True)
        try:
            for f in json.loads(r.stdout).get("findings", []):
                rule = f.get("rule") or f.get("rule_id") or "?"
                if rule in ("page-meta-missing",):
                    continue  # the gov.cn rows are page fragments without <head>
                findings[rule] = findings.get(rule, 0) + 1
                if a.verbose:
                    print(f"    finding {rule}: {f.get('message', '')[:80]}")
        except ValueError:
            pass
    han = sum(len(HAN.findall(visible_text(open(p, encoding="utf-8", errors="replace").read())))
              for p in articles)
    r = subprocess.run([exe, "check-text", "--format", "json", *articles], capture_output=True, text=True)
    hits = json.loads(r.stdout)["findings"] if r.stdout.strip() else []
    sev = {}
    for h in hits:
        s = h.get("severity", "?")
        sev[s] = sev.get(s, 0) + 1
        if a.verbose:
            print(f"    typo {s} {h.get('wrong')} → {h.get('suggest')}")
    n = len(pages)
    print(f"pages run           {n} ({len(articles)} articles, {n - len(articles)} other), parse failures {failed}")
    print(f"dates right         {dates_ok}/{dated} pages with a visible 发布日期/发布时间")
    print(f"kinds right         {kinds_ok}/{n}")
    print(f"item counts right   {items_ok}/{n}")
    per10k = lambda k: 10000 * k / max(han, 1)
    ded, warn = sev.get("deduct", 0), sev.get("warn", 0)
    print(f"typo alarms         {ded + warn} on {han} Chinese characters of correct text: "
          f"{per10k(ded + warn):.2f} per 10,000 (deduct {ded} = {per10k(ded):.2f}, warn {warn} = {per10k(warn):.2f})")
    print(f"page findings       {json.dumps(findings, ensure_ascii=False, sort_keys=True)}")


if __name__ == "__main__":
    sys.exit(main())
