"""Headless onboarding of a fresh Home Assistant; prints a long-lived token on stdout.

Usage: python ha_onboard.py BASE_URL TOKEN_FILE HASS_PID

Runs inside Home Assistant's own venv (httpx and aiohttp are HA dependencies). Waits for
the HTTP API while hass (HASS_PID) is alive; reuses the token saved in TOKEN_FILE when it
still works; otherwise onboards (the `user` step only: `core_config` would start config
flows that install packages and call the internet) or logs in again, mints a long-lived
token over the WebSocket API and saves it. Then waits for core state RUNNING so the demo
entities exist. Progress goes to stderr; the token only to stdout.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import aiohttp
import httpx

BASE = sys.argv[1].rstrip("/")
TOKEN_FILE = Path(sys.argv[2])
HASS_PID = int(sys.argv[3])
CLIENT_ID = BASE + "/"  # any URL is a valid IndieAuth client_id on loopback
USER, PASSWORD = "ci", "ci-password-not-secret"  # a throwaway loopback-only CI instance


def say(msg: str) -> None:
    print(f"[ha_onboard] {msg}", file=sys.stderr, flush=True)


def hass_alive() -> bool:
    try:
        os.kill(HASS_PID, 0)
    except OSError:
        return False
    return True


def wait_http(c: httpx.Client) -> None:
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        if not hass_alive():
            sys.exit("hass exited before its HTTP API answered")
        try:
            if c.get("/api/onboarding").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    sys.exit("HTTP API did not answer within 150 s")


def token_works(c: httpx.Client, token: str) -> bool:
    r = c.get("/api/", headers={"Authorization": f"Bearer {token}"})
    return r.status_code == 200


def exchange(c: httpx.Client, code: str) -> str:
    r = c.post(
        "/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


def short_lived_token(c: httpx.Client) -> str:
    steps = {s["step"]: s["done"] for s in c.get("/api/onboarding").json()}
    if not steps.get("user"):
        say("onboarding the owner user")
        r = c.post(
            "/api/onboarding/users",
            json={
                "client_id": CLIENT_ID,
                "name": "CI Owner",
                "username": USER,
                "password": PASSWORD,
                "language": "en",
            },
        )
        r.raise_for_status()
        return exchange(c, r.json()["auth_code"])
    say("already onboarded: logging in again")
    r = c.post(
        "/auth/login_flow",
        json={
            "client_id": CLIENT_ID,
            "handler": ["homeassistant", None],
            "redirect_uri": CLIENT_ID,
        },
    )
    r.raise_for_status()
    r = c.post(
        f"/auth/login_flow/{r.json()['flow_id']}",
        json={"client_id": CLIENT_ID, "username": USER, "password": PASSWORD},
    )
    r.raise_for_status()
    if r.json().get("type") != "create_entry":
        sys.exit("login failed: wipe the HA config directory and start again")
    return exchange(c, r.json()["result"])


async def mint_long_lived(short: str) -> str:
    url = BASE.replace("http://", "ws://") + "/api/websocket"
    async with aiohttp.ClientSession() as s, s.ws_connect(url) as ws:
        if (await ws.receive_json()).get("type") != "auth_required":
            sys.exit("unexpected websocket greeting")
        await ws.send_json({"type": "auth", "access_token": short})
        if (await ws.receive_json()).get("type") != "auth_ok":
            sys.exit("websocket auth failed")
        await ws.send_json(
            {
                "id": 1,
                "type": "auth/long_lived_access_token",
                "client_name": f"agentkit-ci-{int(time.time())}",
                "lifespan": 3650,
            }
        )
        res = await ws.receive_json()
        if not res.get("success"):
            sys.exit(f"minting a long-lived token failed: {res.get('error')}")
        return str(res["result"])


def main() -> None:
    with httpx.Client(base_url=BASE, timeout=30) as c:
        wait_http(c)
        token = TOKEN_FILE.read_text().strip() if TOKEN_FILE.exists() else ""
        if not token or not token_works(c, token):
            token = asyncio.run(mint_long_lived(short_lived_token(c)))
            TOKEN_FILE.write_text(token)
            TOKEN_FILE.chmod(0o600)
            say("minted a long-lived token")
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 120
        while (state := c.get("/api/config", headers=headers).json().get("state")) != "RUNNING":
            if time.monotonic() > deadline or not hass_alive():
                sys.exit(f"core state stuck at {state}")
            time.sleep(0.2)
        say("core state RUNNING")
    print(token)


if __name__ == "__main__":
    main()
