#include "common/socket.h"

#include "common/clock.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn {

Result<HostPort> HostPort::Parse(std::string_view text) {
  HostPort hp;
  size_t colon;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return InvalidArgument("'{}' is not host:port", text);
    hp.host = std::string(text.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return InvalidArgument("'{}' is not host:port", text);
    hp.host = std::string(text.substr(0, colon));
  }
  std::string_view port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5) return InvalidArgument("'{}' has no valid port", text);
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return InvalidArgument("'{}' has no valid port", text);
    p = p * 10 + (c - '0');
  }
  if (p <= 0 || p > 65535) return InvalidArgument("'{}' has no valid port", text);
  hp.port = p;
  return hp;
}

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    read_deadline_ms_ = other.read_deadline_ms_;
    other.fd_ = -1;
  }
  return *this;
}

void Socket::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

namespace {
Status SocketError(int err, std::string_view what) {
  if (err == EAGAIN || err == EWOULDBLOCK) return TimedOut("{}: timed out", what);
  return ErrnoError(err, what);
}
}  // namespace

Status Socket::ApplyReadDeadline() {
  if (read_deadline_ms_ == 0) return Status::OK();
  const int64_t left = read_deadline_ms_ - MonotonicMillis();
  if (left <= 0) return TimedOut("recv: the read deadline passed");
  struct timeval rt {static_cast<time_t>(left / 1000), static_cast<suseconds_t>((left % 1000) * 1000)};
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof rt) != 0) return ErrnoError(errno, "setsockopt SO_RCVTIMEO");
  return Status::OK();
}

Status Socket::ReadFully(void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < n) {
    RETURN_IF_ERROR(ApplyReadDeadline());
    ssize_t r = ::recv(fd_, p + done, n - done, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
    } else if (r == 0) {
      return Unavailable("connection closed by peer after {} of {} bytes", done, n);
    } else if (errno != EINTR) {
      return SocketError(errno, "recv");
    }
  }
  return Status::OK();
}

Result<size_t> Socket::ReadSome(void* buf, size_t n) {
  for (;;) {
    RETURN_IF_ERROR(ApplyReadDeadline());
    ssize_t r = ::recv(fd_, buf, n, 0);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return SocketError(errno, "recv");
  }
}

Status Socket::WriteFully(const void* buf, size_t n) {
  const auto* p = static_cast<const uint8_t*>(buf);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::send(fd_, p + done, n - done, MSG_NOSIGNAL);
    if (r >= 0) {
      done += static_cast<size_t>(r);
    } else if (errno != EINTR) {
      return SocketError(errno, "send");
    }
  }
  return Status::OK();
}

Status Socket::WriteVec(struct iovec* iov, int count) {
  while (count > 0) {
    struct msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(std::min(count, IOV_MAX));
    ssize_t r = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return SocketError(errno, "sendmsg");
    }
    auto left = static_cast<size_t>(r);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return Status::OK();
}

Status Socket::SetTimeouts(int read_timeout_ms, int write_timeout_ms) {
  struct timeval rt {read_timeout_ms / 1000, (read_timeout_ms % 1000) * 1000};
  struct timeval wt {write_timeout_ms / 1000, (write_timeout_ms % 1000) * 1000};
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof rt) != 0 ||
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wt, sizeof wt) != 0)
    return ErrnoError(errno, "setsockopt timeouts");
  return Status::OK();
}

Status Socket::SetNoDelay() {
  int one = 1;
  if (::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    return ErrnoError(errno, "setsockopt TCP_NODELAY");
  return Status::OK();
}

Status Socket::SetBufferSizes(int bytes) {
  if (::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0 ||
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0)
    return ErrnoError(errno, "setsockopt buffer sizes");
  return Status::OK();
}

void Socket::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}
void Socket::ShutdownBoth() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

namespace {
std::pair<std::string, int> AddressOf(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return {host, port};
}
}  // namespace

std::string Socket::PeerAddress() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  auto [host, port] = AddressOf(ss);
  return HostPort{host, port}.ToString();
}

std::string Socket::PeerHost() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return AddressOf(ss).first;
}

int Socket::LocalPort() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  return AddressOf(ss).second;
}

Result<Socket> ConnectTcp(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res);
  if (rc != 0) return Unavailable("cannot resolve {}: {}", host, ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  Status last = Unavailable("no address for {}", host);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!s.valid()) {
      last = ErrnoError(errno, "socket");
      continue;
    }
    if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = ErrnoError(errno, fmt::format("connect to {}:{}", host, port));
        continue;
      }
      pollfd pfd{s.fd(), POLLOUT, 0};
      int pr;
      do {
        pr = ::poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1);
      } while (pr < 0 && errno == EINTR);
      if (pr == 0) {
        last = TimedOut("connect to {}:{} timed out after {} ms", host, port, timeout_ms);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = ErrnoError(err, fmt::format("connect to {}:{}", host, port));
        continue;
      }
    }
    int flags = ::fcntl(s.fd(), F_GETFL);
    ::fcntl(s.fd(), F_SETFL, flags & ~O_NONBLOCK);
    (void)s.SetNoDelay();
    return s;
  }
  return last;
}

Result<Listener> Listener::Listen(const std::string& host, int port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &res);
  if (rc != 0) return InvalidArgument("cannot resolve listen address {}: {}", host, ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  Socket s(::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol));
  if (!s.valid()) return ErrnoError(errno, "socket");
  int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.fd(), res->ai_addr, res->ai_addrlen) != 0)
    return ErrnoError(errno, fmt::format("bind {}:{}", host, port));
  if (::listen(s.fd(), backlog) != 0) return ErrnoError(errno, "listen");
  Listener l;
  l.port_ = s.LocalPort();
  l.sock_ = std::move(s);
  return l;
}

Result<Socket> Listener::Accept() {
  for (;;) {
    int fd = ::accept4(sock_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      Socket s(fd);
      (void)s.SetNoDelay();
      return s;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EINVAL || errno == EBADF) return Unavailable("listener shut down");
    if (errno == EMFILE || errno == ENFILE) {
      ::usleep(10000);  // out of descriptors: back off rather than spin
      continue;
    }
    return ErrnoError(errno, "accept");
  }
}

void Listener::Shutdown() { sock_.ShutdownBoth(); }

BufferedReader::BufferedReader(Socket* socket, size_t capacity)
    : socket_(socket), buf_(new uint8_t[capacity]), capacity_(capacity) {}

Status BufferedReader::Fill() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (end_ == capacity_) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  ASSIGN_OR_RETURN(size_t n, socket_->ReadSome(buf_.get() + end_, capacity_ - end_));
  if (n == 0) return Unavailable("connection closed by peer");
  end_ += n;
  return Status::OK();
}

Status BufferedReader::WaitReadable() {
  if (begin_ < end_) return Status::OK();
  return Fill();
}

Status BufferedReader::ReadFully(void* buf, size_t n) {
  auto* out = static_cast<uint8_t*>(buf);
  size_t have = std::min(n, end_ - begin_);
  std::memcpy(out, buf_.get() + begin_, have);
  begin_ += have;
  if (have == n) return Status::OK();
  // Large remainders bypass the buffer.
  if (n - have >= capacity_ / 2) return socket_->ReadFully(out + have, n - have);
  while (have < n) {
    RETURN_IF_ERROR(Fill());
    size_t take = std::min(n - have, end_ - begin_);
    std::memcpy(out + have, buf_.get() + begin_, take);
    begin_ += take;
    have += take;
  }
  return Status::OK();
}

Status BufferedReader::ReadVarint32(uint32_t* value) {
  uint32_t result = 0;
  for (int i = 0; i < 5; ++i) {
    if (begin_ == end_) RETURN_IF_ERROR(Fill());
    uint8_t b = buf_[begin_++];
    result |= uint32_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      *value = result;
      return Status::OK();
    }
  }
  return ProtocolError("malformed varint (more than 5 bytes)");
}

}  // namespace cairn
