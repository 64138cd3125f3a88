// Blocking TCP sockets with deadlines, and a buffered reader for framed protocols.
//
// Socket owns a file descriptor (move-only, closed on destruction). Reads and writes loop
// until done and return Status: kUnavailable when the peer closed or reset the
// connection, kTimedOut when a per-socket timeout expired. BufferedReader batches small
// reads (varints, headers) into one recv() of up to its capacity.
//
// Thread-safety: one reader thread and one writer thread may use a Socket at once
// (full-duplex); nothing else is synchronised.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

struct HostPort {
  std::string host;
  int port = 0;

  // "host:port" or "[v6]:port".
  static Result<HostPort> Parse(std::string_view text);
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Close(); }
  Socket(Socket&& other) noexcept : fd_(other.fd_), read_deadline_ms_(other.read_deadline_ms_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  Status ReadFully(void* buf, size_t n);
  // Up to n bytes; 0 means the peer closed the connection.
  Result<size_t> ReadSome(void* buf, size_t n);
  Status WriteFully(const void* buf, size_t n);
  Status WriteFully(std::string_view data) { return WriteFully(data.data(), data.size()); }
  // Writes all iovecs (modifies the array while advancing).
  Status WriteVec(struct iovec* iov, int count);

  // 0 disables the timeout.
  Status SetTimeouts(int read_timeout_ms, int write_timeout_ms);
  // Reads (ReadFully, ReadSome) fail with kTimedOut once MonotonicMillis() passes
  // deadline_ms, however the bytes trickle in: each recv waits only for what is left.
  // 0 clears it; the receive timeout then needs setting again (SetTimeouts).
  void SetReadDeadline(int64_t deadline_ms) { read_deadline_ms_ = deadline_ms; }
  Status SetNoDelay();
  Status SetBufferSizes(int bytes);
  void ShutdownWrite();
  void ShutdownBoth();
  void Close();

  std::string PeerAddress() const;  // "ip:port", "?" when unknown
  std::string PeerHost() const;     // "ip"
  int LocalPort() const;

 private:
  // Before a recv: the receive timeout for what is left of the read deadline, if any.
  Status ApplyReadDeadline();
  int fd_ = -1;
  int64_t read_deadline_ms_ = 0;
};

Result<Socket> ConnectTcp(const std::string& host, int port, int timeout_ms);
inline Result<Socket> ConnectTcp(const HostPort& hp, int timeout_ms) { return ConnectTcp(hp.host, hp.port, timeout_ms); }

// A listening socket. Accept() blocks; Shutdown() from another thread makes it return
// kUnavailable.
class Listener {
 public:
  // port 0 picks a free port; port() tells which.
  static Result<Listener> Listen(const std::string& host, int port, int backlog = 512);
  Listener() = default;
  Listener(Listener&&) = default;
  Listener& operator=(Listener&&) = default;

  Result<Socket> Accept();
  void Shutdown();
  int port() const { return port_; }
  int fd() const { return sock_.fd(); }

 private:
  Socket sock_;
  int port_ = 0;
};

class BufferedReader {
 public:
  explicit BufferedReader(Socket* socket, size_t capacity = 64 * 1024);

  Status ReadFully(void* buf, size_t n);
  // Reads a protobuf base-128 varint (at most 5 bytes for 32 bits).
  Status ReadVarint32(uint32_t* value);
  // Waits until at least one byte is available; kUnavailable on a clean EOF.
  Status WaitReadable();
  size_t buffered() const { return end_ - begin_; }
  // The next byte without consuming it; only after WaitReadable() succeeded.
  uint8_t PeekByte() const { return buf_[begin_]; }

 private:
  Status Fill();
  Socket* socket_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t capacity_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace cairn
