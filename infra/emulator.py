"""moto's server, with DynamoDB requests handled one at a time.

moto's threaded server does not isolate overlapping DynamoDB transactions: when a
TransactWriteItems is cancelled, moto restores a copy of the table taken when that
transaction began, which can erase a concurrent winner's write (seen in this repo's
race tests). DynamoDB itself serialises conflicting transactions, so serialising
DynamoDB calls here makes the emulator behave like AWS. Other services (notably SQS
long polls) stay concurrent.

Usage: python infra/emulator.py [-H HOST] [-p PORT]
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

_dynamodb = threading.Lock()


class SerialDynamoDB:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return lambda _data: None

        with _dynamodb:
            # Drain the response inside the lock: moto may compute it lazily.
            body = b"".join(self.app(environ, capture))
        start_response(*captured)
        return [body]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=4566)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        SerialDynamoDB(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
