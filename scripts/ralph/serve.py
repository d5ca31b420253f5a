"""Serve the real Ralph LRS API (ralph.api:app) with its filesystem backend, for tests.

Configuration comes from Ralph's own RALPH_* environment variables; set at least
RALPH_RUNSERVER_BACKEND=fs, RALPH_APP_DIR, RALPH_AUTH_FILE and
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH.

    serve.py --host 127.0.0.1 --port 0

binds the socket itself (port 0 picks a free one, with no race), prints one line
`{"port": N}` on stdout once it listens, then serves until SIGTERM/SIGINT.

    serve.py --hash

reads a password on stdin and prints its bcrypt hash, the format Ralph's auth.json wants.
"""

import argparse
import json
import socket
import sys


def hash_password() -> None:
    import bcrypt

    password = sys.stdin.buffer.read()
    # 4 rounds, bcrypt's minimum: these are throwaway test users and every failed
    # login re-hashes, so cost only slows the tests down.
    print(bcrypt.hashpw(password, bcrypt.gensalt(rounds=4)).decode("ascii"))


def serve(host: str, port: int, log_level: str) -> None:
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    # Ralph's filesystem LRS backend writes every batch with operation CREATE, which refuses
    # to write to a file that exists: the first POST creates fs_lrs.jsonl and every later POST
    # that has a new statement fails with 500 "Statements bulk indexation failed" (seen on
    # ralph-malph 4.1.0 and 5.1.0). An LRS must append, so we switch the default operation of
    # that one backend to APPEND. The HTTP layer (auth, de-duplication, 204/409, pagination)
    # stays Ralph's own code, untouched.
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    import uvicorn

    from ralph.api import app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)

    config = uvicorn.Config(app, log_level=log_level, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hash", action="store_true", help="print the bcrypt hash of stdin")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    if args.hash:
        hash_password()
    else:
        serve(args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
