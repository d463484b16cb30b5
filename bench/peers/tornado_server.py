"""Tornado `Application` server for bench/peers/run.ts.

Usage: python3 tornado_server.py <workload> <port> <static-dir>
Serves /plaintext, /json, /static/ (the `static_path` setting's
StaticFileHandler), /echo (POST) and /ws (a WebSocketHandler echo), as a
tornado.web user writes it. Prints `listening <port>`; exits when stdin
closes.
"""
import asyncio
import sys

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler
from tornado.websocket import WebSocketHandler

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
from _peer_common import (
    JSON_MESSAGE,
    PLAINTEXT,
    listening_until_stdin_closes,
    parse_server_args,
    refuse_debug_mode,
)


class Plaintext(RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain")
        self.write(PLAINTEXT)


class Json(RequestHandler):
    def get(self):
        self.write(JSON_MESSAGE)


class Echo(RequestHandler):
    def post(self):
        self.set_header("Content-Type", "application/octet-stream")
        self.write(self.request.body)


class EchoWebSocket(WebSocketHandler):
    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))


async def serve(port, static_dir):
    app = Application(
        [(r"/plaintext", Plaintext), (r"/json", Json), (r"/echo", Echo), (r"/ws", EchoWebSocket)],
        static_path=static_dir,
    )
    server = HTTPServer(app)
    server.add_sockets(bind_sockets(port, "127.0.0.1", backlog=4096))
    listening_until_stdin_closes(port)
    await asyncio.Event().wait()


def main():
    refuse_debug_mode()
    _workload, port, static_dir = parse_server_args(sys.argv)
    asyncio.run(serve(port, static_dir))


if __name__ == "__main__":
    main()
