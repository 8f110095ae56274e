#!/usr/bin/python3
"""The FTP server of the ftp tests (tests/support/ftp_server.hpp): Debian's python3-pyftpdlib.

Usage: ftp_test_server.py ROOT
Serves ROOT to the user "user" with the password "pass" (every permission) on a free 127.0.0.1 port
and prints "port N" on stdout once it listens, then one line "CMD <line>" per command it receives
(PASS's argument shown). Passive replies carry 127,0,0,1 (LuatOS replaces that address with its login
host). "DELE <anything>/drop" closes the control connection without a reply.
"""
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


class Handler(FTPHandler):
    banner = "pyftpdlib ready."
    auth_failed_timeout = 0  # a refused password is answered at once

    def pre_process_command(self, line, cmd, arg):
        print("CMD " + line, flush=True)
        super().pre_process_command(line, cmd, arg)

    def ftp_DELE(self, path):
        if path.endswith("/drop"):
            self.close()
            return
        return super().ftp_DELE(path)


def main():
    authorizer = DummyAuthorizer()
    authorizer.add_user("user", "pass", sys.argv[1], perm="elradfmwMT")
    Handler.authorizer = authorizer
    server = FTPServer(("127.0.0.1", 0), Handler)
    print("port %d" % server.socket.getsockname()[1], flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    import logging
    logging.disable(logging.CRITICAL)
    main()
