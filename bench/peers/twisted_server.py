"""Twisted `Site` server for bench/peers/run.ts.

Usage: python3 twisted_server.py <workload> <port> <static-dir>
Serves /plaintext, /json, /static/ (static.File) and /echo (POST) from one
Resource tree, as a twisted.web user writes it. Prints `listening <port>`;
exits when stdin closes.
"""
import json
import sys

from twisted.internet import reactor
from twisted.web import resource, server, static

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
from _peer_common import (
    JSON_MESSAGE,
    PLAINTEXT,
    listening_until_stdin_closes,
    parse_server_args,
    refuse_debug_mode,
)


class Plaintext(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain")
        return PLAINTEXT


class Json(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/json")
        return json.dumps(JSON_MESSAGE).encode()


class Echo(resource.Resource):
    isLeaf = True

    def render_POST(self, request):
        request.setHeader(b"content-type", b"application/octet-stream")
        return request.content.read()


def main():
    refuse_debug_mode()
    _workload, port, static_dir = parse_server_args(sys.argv)
    root = resource.Resource()
    root.putChild(b"plaintext", Plaintext())
    root.putChild(b"json", Json())
    root.putChild(b"echo", Echo())
    root.putChild(b"static", static.File(static_dir))
    reactor.listenTCP(port, server.Site(root), backlog=4096, interface="127.0.0.1")
    reactor.callWhenRunning(listening_until_stdin_closes, port)
    reactor.run()


if __name__ == "__main__":
    main()
