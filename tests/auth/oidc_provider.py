"""A small OpenID Connect provider for the tests, run as its own process on loopback.

``python -m tests.auth.oidc_provider --client ID:SECRET`` prints ``PORT <n>`` and serves the
authorization code flow with PKCE (S256 only): discovery, JWKS, a login page (a form asking for
the e-mail, as a municipality's real login page would ask for the password), the token endpoint
(client_secret_basic or client_secret_post) and ID tokens signed RS256 with joserfc, Authlib's
JOSE library. ``POST /_test/next`` (JSON) bends the next ID token only, so the tests can see a
faulty one refused: ``{"exp_offset": -600}`` (expired), ``{"aud": "other"}`` (another client),
``{"foreign_key": true}`` (signed with a key not in the JWKS), ``{"nonce": "x"}``.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from markupsafe import escape
from werkzeug.serving import make_server


class Provider:
    """The provider's state: its clients, signing keys, issued codes and the next token's bends."""

    def __init__(self, clients: dict[str, str]):
        self.clients = clients
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.foreign = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.bends: dict = {}
        self.lock = threading.Lock()

    @staticmethod
    def issuer() -> str:
        return request.host_url.rstrip("/")

    def discovery(self):
        base = self.issuer()
        return jsonify({
            "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    def jwks(self):
        return jsonify({"keys": [self.key.as_dict(private=False)]})

    def _check_authorize(self, args) -> None:
        if args.get("client_id") not in self.clients or args.get("response_type") != "code":
            abort(400, "unknown client or response type")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            abort(400, "PKCE S256 required")
        if "openid" not in (args.get("scope") or "").split() or not args.get("redirect_uri"):
            abort(400, "openid scope and redirect_uri required")

    def authorize_page(self):
        self._check_authorize(request.args)
        hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                         for k, v in request.args.items())
        return (f'<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Test-IdP</title></head>'
                f'<body><h1>Test-IdP: log ind</h1><form method="post" action="/authorize">{hidden}'
                f'<label>E-mail <input name="login_email" type="email"></label>'
                f'<label>Navn <input name="login_name"></label>'
                f'<button type="submit">Log ind hos test-IdP</button></form></body></html>')

    def authorize(self):
        form = request.form
        self._check_authorize(form)
        email = form.get("login_email", "").strip()
        if not email:
            abort(400, "e-mail required")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"client_id": form["client_id"], "redirect_uri": form["redirect_uri"],
                                "challenge": form["code_challenge"], "nonce": form.get("nonce"), "email": email,
                                "name": form.get("login_name") or email.split("@")[0]}
        query = {"code": code}
        if form.get("state"):
            query["state"] = form["state"]
        return redirect(f"{form['redirect_uri']}?{urlencode(query)}")

    def _client(self) -> str:
        auth = request.authorization
        if auth and auth.type == "basic":
            client_id, secret = auth.username, auth.password
        else:
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
        if client_id not in self.clients or not secrets.compare_digest(self.clients[client_id], secret or ""):
            abort(401)
        return client_id

    def _grant(self, client_id: str) -> tuple[dict | None, dict]:
        with self.lock:
            grant = self.codes.pop(request.form.get("code", ""), None)
            bend = dict(self.bends)
            self.bends.clear()
        if grant is None or grant["client_id"] != client_id:
            return None, bend
        if request.form.get("redirect_uri") != grant["redirect_uri"]:
            return None, bend
        if create_s256_code_challenge(request.form.get("code_verifier", "")) != grant["challenge"]:
            return None, bend
        return grant, bend

    def token(self):
        client_id = self._client()
        grant, bend = self._grant(client_id)
        if grant is None:
            return jsonify({"error": "invalid_grant"}), 400
        now = int(time.time())
        subject = base64.urlsafe_b64encode(grant["email"].encode()).decode().rstrip("=")
        claims = {
            "iss": self.issuer(), "sub": f"sub-{subject}", "aud": bend.get("aud", client_id), "iat": now,
            "exp": now + 300 + bend.get("exp_offset", 0), "email": grant["email"], "email_verified": True,
            "name": grant["name"],
        }
        if grant["nonce"]:
            claims["nonce"] = bend.get("nonce", grant["nonce"])
        signer = self.foreign if bend.get("foreign_key") else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, signer)
        return jsonify({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                        "id_token": id_token})

    def bend_next(self):
        with self.lock:
            self.bends.clear()
            self.bends.update(request.get_json(force=True))
        return jsonify({"ok": True})


def create_provider(clients: dict[str, str]) -> Flask:
    app = Flask("oidc-provider")
    p = Provider(clients)
    app.add_url_rule("/.well-known/openid-configuration", view_func=p.discovery)
    app.add_url_rule("/jwks", view_func=p.jwks)
    app.add_url_rule("/authorize", "authorize_page", p.authorize_page, methods=["GET"])
    app.add_url_rule("/authorize", "authorize", p.authorize, methods=["POST"])
    app.add_url_rule("/token", view_func=p.token, methods=["POST"])
    app.add_url_rule("/_test/next", view_func=p.bend_next, methods=["POST"])
    return app


class Running:
    """The provider as a subprocess on loopback (``with Running("id:secret") as url: ...``)."""

    def __init__(self, *clients: str):
        self.clients = clients

    def __enter__(self) -> str:
        root = Path(__file__).resolve().parents[2]
        args = [sys.executable, "-m", "tests.auth.oidc_provider"]
        for client in self.clients:
            args += ["--client", client]
        self.proc = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.__exit__()
            raise RuntimeError(f"the test OIDC provider did not start: {line!r}")
        return f"http://127.0.0.1:{int(line.split()[1])}"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", action="append", required=True, help="ID:SECRET")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    clients = dict(c.split(":", 1) for c in args.client)
    server = make_server("127.0.0.1", args.port, create_provider(clients), threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
