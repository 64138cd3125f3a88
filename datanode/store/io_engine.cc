#include "datanode/store/io_engine.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "common/logging.h"

namespace cairn::datanode {

Result<IoEngineKind> ParseIoEngineKind(std::string_view name) {
  if (name == "uring") return IoEngineKind::kUring;
  if (name == "sync") return IoEngineKind::kSync;
  return InvalidArgument("unknown I/O engine '{}' (uring or sync)", name);
}

IoBatch::~IoBatch() {
  if (engine_ != nullptr) (void)engine_->Wait(*this);
}

void IoBatch::Add(IoOp op) {
  op.batch = this;
  ops_[count_++] = op;
}

void IoBatch::AddRead(int fd, void* buf, size_t len, uint64_t offset) {
  Add({IoOp::Type::kRead, fd, static_cast<uint8_t*>(buf), len, offset});
}
void IoBatch::AddWrite(int fd, const void* buf, size_t len, uint64_t offset) {
  Add({IoOp::Type::kWrite, fd, const_cast<uint8_t*>(static_cast<const uint8_t*>(buf)), len, offset});
}
void IoBatch::AddFdatasync(int fd) { Add({IoOp::Type::kFdatasync, fd, nullptr, 0, 0}); }

Status IoEngine::Run(IoBatch& batch) {
  RETURN_IF_ERROR(Submit(batch));
  return Wait(batch);
}

int64_t CompleteSynchronously(const IoOp& op, size_t done) {
  if (op.type == IoOp::Type::kFdatasync) return ::fdatasync(op.fd) == 0 ? 0 : -errno;
  while (done < op.len) {
    ssize_t r = op.type == IoOp::Type::kRead
                    ? ::pread(op.fd, op.buf + done, op.len - done, static_cast<off_t>(op.offset + done))
                    : ::pwrite(op.fd, op.buf + done, op.len - done, static_cast<off_t>(op.offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0) {
      if (op.type == IoOp::Type::kRead) break;  // end of file
      return -EIO;                              // a write that makes no progress
    }
    done += static_cast<size_t>(r);
  }
  return static_cast<int64_t>(done);
}

Status IoOpError(const IoOp& op) {
  const char* what = op.type == IoOp::Type::kRead ? "read" : op.type == IoOp::Type::kWrite ? "write" : "fdatasync";
  return ErrnoError(static_cast<int>(-op.result), fmt::format("{} of {} bytes at offset {}", what, op.len, op.offset));
}

class SyncIoEngine final : public IoEngine {
 public:
  std::string_view name() const override { return "sync"; }

  Status Submit(IoBatch& batch) override {
    // Work happens here; Wait only reports.
    for (int i = 0; i < batch.count_; ++i) batch.ops_[i].result = CompleteSynchronously(batch.ops_[i], 0);
    batch.engine_ = this;
    batch.pending_ = 0;
    return Status::OK();
  }

  Status Wait(IoBatch& batch) override {
    batch.engine_ = nullptr;
    for (int i = 0; i < batch.count_; ++i) {
      if (batch.ops_[i].result < 0) return IoOpError(batch.ops_[i]);
    }
    return Status::OK();
  }
};

std::unique_ptr<IoEngine> MakeSyncIoEngine() { return std::make_unique<SyncIoEngine>(); }

IoEngine& ThreadIoEngine(IoEngineKind kind) {
  thread_local SyncIoEngine sync_engine;
  thread_local std::unique_ptr<IoEngine> uring_engine;
  thread_local bool uring_tried = false;
  if (kind == IoEngineKind::kSync) return sync_engine;
  if (!uring_tried) {
    uring_tried = true;
    auto made = MakeUringIoEngine(64);
    if (made.ok()) {
      uring_engine = std::move(made).value();
    } else {
      static std::atomic<bool> logged{false};
      if (LogOnce(logged))
        spdlog::warn("io_uring unavailable ({}); using pread/pwrite for disk I/O", made.status().ToString());
    }
  }
  if (uring_engine) return *uring_engine;
  return sync_engine;
}

}  // namespace cairn::datanode
