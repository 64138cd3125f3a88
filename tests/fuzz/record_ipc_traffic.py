#!/usr/bin/python3
"""Records real Hadoop IPC traffic for the fuzz corpora (tests/fuzz/corpus/).

Starts a one-datanode cluster (tools/cluster), puts a recording TCP proxy in front of the
namenode's Hadoop IPC door, and runs Debian's stock `hdfs` client through it (ls, mkdir,
put, cat, mv, chmod, du, df, rm). What each client connection sent becomes one
ipc_connection input (the whole byte stream), and each of its frames one ipc_call_frame
input (the payload without its length prefix, as ParseCallFrame takes it).

    tests/fuzz/record_ipc_traffic.py BIN_DIR OUT_DIR     (tools/fuzz --record does this)
"""
import getpass
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def save(out_dir, target, data):
    if not data:
        return
    path = os.path.join(out_dir, target)
    os.makedirs(path, exist_ok=True)
    name = "hdfs-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def frames(stream):
    """The frame payloads after the 7-byte preamble."""
    pos = 7
    while pos + 4 <= len(stream):
        n = int.from_bytes(stream[pos:pos + 4], "big")
        if pos + 4 + n > len(stream):
            break
        yield stream[pos + 4:pos + 4 + n]
        pos += 4 + n


def proxy(listener, upstream, out_dir):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=relay, args=(client, upstream, out_dir), daemon=True).start()


def relay(client, upstream, out_dir):
    server = socket.create_connection(upstream)
    sent = bytearray()

    def back():
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                client.sendall(data)
        except OSError:
            pass
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    t = threading.Thread(target=back, daemon=True)
    t.start()
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            sent.extend(data)
            server.sendall(data)
        server.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    t.join(10)
    client.close()
    server.close()
    stream = bytes(sent)
    save(out_dir, "ipc_connection", stream[:65536])
    for frame in frames(stream):
        if len(frame) <= 65536:
            save(out_dir, "ipc_call_frame", frame)


def main():
    bin_dir, out_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="cairn-record-")
    env = dict(os.environ, CAIRN_BIN_DIR=bin_dir)
    cluster = os.path.join(ROOT, "tools", "cluster")
    subprocess.run([cluster, "start", "--dir", work, "--datanodes", "1"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        settings = {}
        with open(os.path.join(work, "cluster.env")) as f:
            for line in f:
                line = line.strip().removeprefix("export ")
                if "=" in line:
                    k, v = line.split("=", 1)
                    settings[k] = v.strip("'\"")
        host, port = settings["HADOOP_NAMENODE"].rsplit(":", 1)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        threading.Thread(target=proxy, args=(listener, (host, int(port)), out_dir), daemon=True).start()
        client_env = dict(os.environ, HADOOP_NAMENODE="127.0.0.1:%d" % listener.getsockname()[1],
                          HADOOP_USER_NAME=getpass.getuser())  # the superuser: the namenode's account
        client_env.pop("HADOOP_CONF_DIR", None)
        local = os.path.join(work, "sample.txt")
        with open(local, "w") as f:
            f.write("a line of sample text\n" * 200)
        for args in (["mkdir", "-p", "/corpus/a/b"], ["put", local, "/corpus/a/sample.txt"], ["ls", "-l", "/corpus/a"],
                     ["cat", "/corpus/a/sample.txt"], ["mv", "/corpus/a/sample.txt", "/corpus/b.txt"],
                     ["chmod", "600", "/corpus/b.txt"], ["du", "-s", "/corpus"], ["df"], ["touch", "/corpus/t"],
                     ["rm", "-r", "/corpus"], ["ls", "/no/such/file"]):
            done = subprocess.run(["hdfs"] + args, env=client_env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=60)
            if done.returncode != 0:
                print("hdfs %s: %s" % (" ".join(args), done.stderr.decode().strip()), file=sys.stderr)
        listener.close()
    finally:
        subprocess.run([cluster, "stop", "--dir", work], env=env, stdout=subprocess.DEVNULL)
    for target in ("ipc_connection", "ipc_call_frame"):
        d = os.path.join(out_dir, target)
        print("%s: %d inputs in %s" % (target, len(os.listdir(d)) if os.path.isdir(d) else 0, d))


if __name__ == "__main__":
    main()
