#!/usr/bin/env python3
"""The start-up limit: start N servers, each on a free port in $PORT, print "ready" once every
port accepts, then stop them all when stdin closes.   direct_launch.py N SERVER.py"""
import os, subprocess, sys

from ports import free_ports, wait_ports  # (this script's folder is on sys.path)

n, server = int(sys.argv[1]), sys.argv[2]
ports = free_ports(n)
procs = [subprocess.Popen([sys.executable, server], env=dict(os.environ, PORT=str(p))) for p in ports]
wait_ports(ports)
print("ready", flush=True)
sys.stdin.read()
for p in procs:
    p.terminate()
for p in procs:
    p.wait()
