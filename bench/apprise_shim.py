#!/usr/bin/env python3
"""Drive Apprise (installed by bench/run.sh into bench/.venv) against the loopback mock platforms.

Apprise's DingTalk, Feishu and WeCom plugins post to fixed hosts (class attribute `notify_url`).
This shim points those constants at the mock's base URL before anything is sent, so nothing
leaves the machine; it refuses any base URL that is not on loopback.

    python apprise_shim.py JOB.json     ->  one JSON line on stdout

JOB: {"mode": "raw" | "burst" | "once", "base": "http://127.0.0.1:PORT", "platform":
      "wecom" | "dingtalk" | "feishu", "key": "...", "secret": "..." (DingTalk only),
      "messages": [{"title", "body", "format": "text" | "markdown", "mobiles": [...]}],
      "n": int, "throttle": bool}
  raw:   n notify() calls in a row (messages cycled), timed; with "throttle": false Apprise's
         built-in pause between requests (request_rate_per_sec, 5.5 s by default) is set to 0.
  burst: n notify() calls in a row with Apprise's defaults, as a user meets them: the epoch ms
         when the first call starts and when each returns.
  once:  one notify() per message (what each delivers).
"""
import json
import sys
import time
from urllib.parse import urlparse

import apprise
from apprise import NotifyFormat
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot


def point_at(base):
    host = urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"apprise_shim: refusing a non-loopback base URL {base!r}")
    NotifyWeComBot.notify_url = base + "/cgi-bin/webhook/send?key={key}"
    NotifyDingTalk.notify_url = base + "/robot/send?access_token={token}"
    # Apprise posts to .../hook/{token}/ (trailing slash); the mock routes the path without it.
    NotifyFeishu.notify_url = base + "/open-apis/bot/v2/hook/{token}"


def apprise_url(job, mobiles):
    p, key = job["platform"], job["key"]
    if p == "wecom":
        return f"wecombot://{key}/"
    if p == "dingtalk":
        secret = job.get("secret")
        auth = f"{secret}@" if secret else ""
        targets = "/".join(mobiles)
        return f"dingtalk://{auth}{key}/{targets + '/' if targets else ''}"
    if p == "feishu":
        return f"feishu://{key}/"
    raise SystemExit(f"apprise_shim: unknown platform {p}")


def build(job, msg, throttle):
    a = apprise.Apprise()
    if not a.add(apprise_url(job, msg.get("mobiles") or [])):
        raise SystemExit("apprise_shim: Apprise did not accept the URL")
    if not throttle:
        for server in a:
            server.request_rate_per_sec = 0
    return a


def notify(a, msg):
    fmt = NotifyFormat.MARKDOWN if msg["format"] == "markdown" else NotifyFormat.TEXT
    return bool(a.notify(body=msg["body"], title=msg.get("title") or "", body_format=fmt))


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    point_at(job["base"])
    msgs = job["messages"]
    mode = job["mode"]
    n = int(job.get("n", len(msgs)))
    if mode == "once":
        out = []
        for m in msgs:
            out.append(notify(build(job, m, True), m))
        print(json.dumps({"ok": out}))
        return
    # One Apprise object per distinct mention list (DingTalk puts mobiles in the URL), reused
    # across calls, so Apprise's per-object throttle applies as it does for a user.
    objs = {}
    for m in msgs:
        k = tuple(m.get("mobiles") or [])
        if k not in objs:
            objs[k] = build(job, m, job.get("throttle", True))
    if len(objs) > 1 and mode == "burst":
        # A burst goes through one Apprise object; mentions would need one per mention list.
        raise SystemExit("apprise_shim: a burst needs messages with the same mentions")
    ok = 0
    done_at = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    started_at = time.time() * 1000
    for i in range(n):
        m = msgs[i % len(msgs)]
        if notify(objs[tuple(m.get("mobiles") or [])], m):
            ok += 1
        done_at.append(time.time() * 1000)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    out = {"n": n, "ok": ok, "elapsed_s": elapsed, "cpu_s": cpu, "started_at": started_at, "finished_at": done_at[-1] if done_at else started_at}
    if mode == "burst":
        out["done_at"] = done_at
    print(json.dumps(out))


if __name__ == "__main__":
    main()
