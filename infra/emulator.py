"""moto's server, with DynamoDB requests handled one at a time.

moto's threaded server does not isolate overlapping DynamoDB transactions: when a
TransactWriteItems is cancelled, moto restores a copy of the table taken when that
transaction began, which can erase a concurrent winner's write (seen in this repo's
race tests). DynamoDB itself serialises conflicting transactions, so serialising
DynamoDB calls here makes the emulator behave like AWS. Other services (notably SQS
long polls) stay concurrent.

The same rollback also forked the table's stream: the restored copy got a copy of the
stream shard, while every shard iterator handed out before kept reading the old shard
object, which holds a record of the cancelled write (a phantom: an event for state
that never committed) and never receives another record. So a cancelled transaction
here keeps the table's one shard object, without the records the transaction added,
as DynamoDB does (a cancelled transaction writes nothing, to the table or its stream).
DynamoDB Streams calls share the lock so that no reader sees a transaction half-way.

And moto's backup is a deep copy of the whole table per action of the transaction, which
made a 10,000-transaction sync quadratic: here a transaction saves only the items it
touches and a cancellation puts them back.

Usage: python infra/emulator.py [-H HOST] [-p PORT]
"""

import argparse
import copy
import signal
import sys
import threading

import moto.dynamodb.models as _moto_dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table as MotoTable
from moto.dynamodbstreams.models import DynamoDBStreamsBackend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

_dynamodb = threading.Lock()
_transact_write_items = DynamoDBBackend.transact_write_items


class _NoTableCopies:
    """moto backs up every table a transaction touches by deep-copying it, once per
    *action* (100 copies of the whole table, stream shard included, for a 100-action
    write), which makes a large sync quadratic. Its backup copies become the tables
    themselves here; the rollback restores only the touched items (`_pre_images`)."""

    def deepcopy(self, obj, memo=None):
        if isinstance(obj, MotoTable):
            return obj
        return copy.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


def _pre_images(backend, transact_items):
    """(table, hash key, range key, the item as it is now or None) for every action."""
    saved = []
    for action in transact_items:
        _, op = next(iter(action.items()))
        table = backend.tables.get(op.get("TableName"))
        key = op.get("Item") if "Item" in op else op.get("Key")
        if table is None or not key or table.hash_key_attr not in key:
            continue
        hash_key = DynamoType(key[table.hash_key_attr])
        if table.range_key_attr is None:
            saved.append((table, hash_key, None, copy.deepcopy(table.items.get(hash_key))))
        elif table.range_key_attr in key:
            range_key = DynamoType(key[table.range_key_attr])
            current = table.items.get(hash_key, {}).get(range_key)
            saved.append((table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _restore(saved):
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def _transact_without_phantoms(self, transact_items):
    shards = {
        name: (table.stream_shard, len(table.stream_shard.items))
        for name, table in self.tables.items()
        if table.stream_shard is not None
    }
    saved = _pre_images(self, transact_items)
    # The DynamoDB lock is held: no other call sees the module's `copy` swapped.
    _moto_dynamodb_models.copy = _NoTableCopies()
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        # Put the touched items back, and give each table its shard back without what
        # the cancelled transaction appended to it (DynamoDB writes nothing, to the table
        # or its stream).
        _restore(saved)
        for name, (shard, kept) in shards.items():
            table = self.tables.get(name)
            if table is None:
                continue
            del shard.items[kept:]
            shard.table = table
            table.stream_shard = shard
        raise
    finally:
        _moto_dynamodb_models.copy = copy


DynamoDBBackend.transact_write_items = _transact_without_phantoms

# moto keeps every shard iterator it ever handed out; a reader that asks for a fresh one
# each poll would grow the emulator without end. Iterators older than the newest 10,000
# are forgotten (AWS lets them expire after 15 minutes).
_MAX_ITERATORS = 10_000
_get_shard_iterator = DynamoDBStreamsBackend.get_shard_iterator
_get_records = DynamoDBStreamsBackend.get_records


def _forget_old_iterators(backend):
    iterators = backend.shard_iterators
    while len(iterators) > _MAX_ITERATORS:
        del iterators[next(iter(iterators))]


def _get_shard_iterator_bounded(self, *args, **kwargs):
    try:
        return _get_shard_iterator(self, *args, **kwargs)
    finally:
        _forget_old_iterators(self)


def _get_records_bounded(self, *args, **kwargs):
    try:
        return _get_records(self, *args, **kwargs)
    finally:
        _forget_old_iterators(self)


DynamoDBStreamsBackend.get_shard_iterator = _get_shard_iterator_bounded
DynamoDBStreamsBackend.get_records = _get_records_bounded


class SerialDynamoDB:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        # DynamoDB_20120810.* and DynamoDBStreams_20120810.*
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
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


class RawObjectBodies:
    """S3 takes any Content-Type on a PUT of an object; werkzeug, under moto, reads a
    form-encoded body as a form and moto then stores an empty object. `curl -T` or
    `--data-binary` to a presigned URL sends `application/x-www-form-urlencoded`: keep the
    bytes by calling it what it is."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "PUT" and environ.get("CONTENT_TYPE", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            environ["CONTENT_TYPE"] = "application/octet-stream"
        return self.app(environ, start_response)


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
        SerialDynamoDB(RawObjectBodies(app)),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
