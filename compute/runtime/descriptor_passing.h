// Descriptor passing between processes of one task account on one node, over a Unix
// domain socket with SCM_RIGHTS, as HDFS short-circuit reads hand block descriptors from
// the datanode to the client. Cairn needs it between a job's load tasks and its ML worker:
// the executor hands a load task open descriptors of its local replica (the task account
// cannot open the datanode's files by path), and the task passes them on to the worker,
// which lives longer than any task.
//
// DescriptorInbox listens on a socket path; a sender delivers (key, descriptors) with
// SendDescriptors and gets an acknowledgement once the inbox holds them; the receiver
// then Takes them by key (the key travels in the RPC that asks for the read). Only peers
// running as this process's own uid are accepted (SO_PEERCRED), the socket file is owner-only,
// and the inbox holds a bounded number of entries (the oldest are closed first), so a
// sender that never asks for its descriptors cannot exhaust the receiver's descriptors.
//
// Thread-safety: DescriptorInbox is thread-safe; it runs one accept thread.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

// Sends key and fds (the caller keeps its own copies) to the inbox at socket_path and
// waits for its acknowledgement.
Status SendDescriptors(const std::string& socket_path, const std::string& key, const std::vector<int>& fds);

class DescriptorInbox {
 public:
  static constexpr size_t kMaxEntries = 256;
  static constexpr size_t kMaxFdsPerEntry = 8;

  static Result<std::unique_ptr<DescriptorInbox>> Listen(const std::string& socket_path);
  ~DescriptorInbox();

  // The descriptors delivered under key, now the caller's; empty when none (or evicted).
  std::vector<int> Take(const std::string& key);

 private:
  DescriptorInbox(int listen_fd, std::string path) : listen_fd_(listen_fd), path_(std::move(path)) {}
  void AcceptLoop();
  void Receive(int conn);
  std::vector<int> TakeLocked(const std::string& key);  // mu_ held

  const int listen_fd_;
  const std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, std::vector<int>> entries_;  // guarded by mu_
  std::deque<std::string> order_;                    // guarded by mu_: the keys of entries_, oldest first
};

// A fresh random key (32 hex digits).
std::string RandomDescriptorKey();

}  // namespace cairn::compute
