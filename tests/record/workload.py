#!/usr/bin/python3
"""Workload for tests/record/e2e.sh. Each mode prints one line
"MODE PID LOCALPORT" for the process that sent the traffic, so the test
knows which pid must own which flow.

  hold HOST PORT SECONDS    connect now, then send a line every 100 ms
  udp HOST PORT COUNT       send COUNT datagrams from one socket
  forkudp HOST PORT         open a UDP socket, fork; the child sends on it
"""
import os
import socket
import sys
import time


def say(mode, pid, port):
    print(mode, pid, port, flush=True)


def hold(host, port, seconds):
    s = socket.create_connection((host, int(port)))
    say("hold", os.getpid(), s.getsockname()[1])
    end = time.time() + float(seconds)
    while time.time() < end:
        s.sendall(b"GET / HTTP/1.0\r\n")
        time.sleep(0.1)
    s.close()


def udp(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    say("udp", os.getpid(), s.getsockname()[1])
    for i in range(int(count)):
        s.sendto(b"pidcap %d" % i, (host, int(port)))
        time.sleep(0.01)


def forkudp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    lport = s.getsockname()[1]
    child = os.fork()
    if child == 0:
        say("forkudp", os.getpid(), lport)
        for i in range(3):
            s.sendto(b"child %d" % i, (host, int(port)))
            time.sleep(0.01)
        os._exit(0)
    os.waitpid(child, 0)


if __name__ == "__main__":
    {"hold": hold, "udp": udp, "forkudp": forkudp}[sys.argv[1]](*sys.argv[2:])
