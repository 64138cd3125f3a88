#include "compute/runtime/descriptor_passing.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cairn::compute {
namespace {

constexpr size_t kMaxKeyBytes = 64;
constexpr int kIoTimeoutMs = 5000;

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return InvalidArgument("socket path too long: {}", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void SetTimeouts(int fd) {
  timeval tv{kIoTimeoutMs / 1000, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

std::string RandomDescriptorKey() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

Status SendDescriptors(const std::string& socket_path, const std::string& key, const std::vector<int>& fds) {
  if (key.empty() || key.size() > kMaxKeyBytes) return InvalidArgument("descriptor key must be 1..64 bytes");
  if (fds.empty() || fds.size() > DescriptorInbox::kMaxFdsPerEntry) return InvalidArgument("1..8 descriptors per send");
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(socket_path));
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError(errno, "socket");
  SetTimeouts(fd);
  Status st;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    st = ErrnoError(errno, "connect " + socket_path);
  } else {
    iovec iov{const_cast<char*>(key.data()), key.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * DescriptorInbox::kMaxFdsPerEntry)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    char ack = 0;
    if (::sendmsg(fd, &msg, MSG_NOSIGNAL) != static_cast<ssize_t>(key.size())) {
      st = ErrnoError(errno, "send descriptors to " + socket_path);
    } else if (::recv(fd, &ack, 1, 0) != 1 || ack != 'k') {
      st = Unavailable("{} did not take the descriptors", socket_path);
    }
  }
  ::close(fd);
  return st;
}

Result<std::unique_ptr<DescriptorInbox>> DescriptorInbox::Listen(const std::string& socket_path) {
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(socket_path));
  ::unlink(socket_path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError(errno, "socket");
  const mode_t old = ::umask(0077);  // the socket file is owner-only from the start
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(fd, 64) != 0) {
    int e = errno;
    ::close(fd);
    return ErrnoError(e, "listen on " + socket_path);
  }
  std::unique_ptr<DescriptorInbox> inbox(new DescriptorInbox(fd, socket_path));
  inbox->thread_ = std::thread([p = inbox.get()] { p->AcceptLoop(); });
  return inbox;
}

DescriptorInbox::~DescriptorInbox() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::unlink(path_.c_str());
  for (auto& [key, fds] : entries_)
    for (int fd : fds) ::close(fd);
}

void DescriptorInbox::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    SetTimeouts(conn);
    Receive(conn);
    ::close(conn);
  }
}

void DescriptorInbox::Receive(int conn) {
  ucred peer{};
  socklen_t len = sizeof peer;
  if (::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != ::geteuid()) {
    spdlog::warn("descriptor inbox {}: refused a peer running as uid {}", path_, peer.uid);
    return;
  }
  char key[kMaxKeyBytes];
  iovec iov{key, sizeof key};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerEntry)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.push_back(fd);
    }
  }
  // A truncated message (more descriptors or key bytes than allowed) is refused whole.
  if (n <= 0 || fds.empty() || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) != 0) {
    for (int fd : fds) ::close(fd);
    return;
  }
  std::string k(key, static_cast<size_t>(n));
  {
    std::lock_guard lock(mu_);
    for (int fd : TakeLocked(k)) ::close(fd);
    while (entries_.size() >= kMaxEntries)
      for (int fd : TakeLocked(order_.front())) ::close(fd);
    entries_[k] = std::move(fds);
    order_.push_back(k);
  }
  char ack = 'k';
  (void)::send(conn, &ack, 1, MSG_NOSIGNAL);
}

std::vector<int> DescriptorInbox::Take(const std::string& key) {
  std::lock_guard lock(mu_);
  return TakeLocked(key);
}

std::vector<int> DescriptorInbox::TakeLocked(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  std::vector<int> fds = std::move(it->second);
  entries_.erase(it);
  order_.erase(std::find(order_.begin(), order_.end(), key));
  return fds;
}

}  // namespace cairn::compute
