// io_uring implementation of IoEngine (liburing 2.3).
#include <liburing.h>

#include <cerrno>

#include "datanode/store/io_engine.h"

namespace cairn::datanode {

class UringIoEngine final : public IoEngine {
 public:
  UringIoEngine() = default;
  ~UringIoEngine() override {
    if (initialized_) io_uring_queue_exit(&ring_);
  }

  Status Init(unsigned entries) {
    int rc = io_uring_queue_init(entries, &ring_, 0);
    if (rc < 0) return ErrnoError(-rc, "io_uring_queue_init");
    initialized_ = true;
    return Status::OK();
  }

  std::string_view name() const override { return "uring"; }

  Status Submit(IoBatch& batch) override {
    for (int i = 0; i < batch.count_; ++i) {
      IoOp& op = batch.ops_[i];
      op.result = 0;
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      while (sqe == nullptr) {
        // Ring full: push what is queued and make room by reaping one completion.
        RETURN_IF_ERROR(SubmitQueued());
        RETURN_IF_ERROR(ReapOne());
        sqe = io_uring_get_sqe(&ring_);
      }
      switch (op.type) {
        case IoOp::Type::kRead: io_uring_prep_read(sqe, op.fd, op.buf, static_cast<unsigned>(op.len), op.offset); break;
        case IoOp::Type::kWrite: io_uring_prep_write(sqe, op.fd, op.buf, static_cast<unsigned>(op.len), op.offset); break;
        case IoOp::Type::kFdatasync: io_uring_prep_fsync(sqe, op.fd, IORING_FSYNC_DATASYNC); break;
      }
      io_uring_sqe_set_data(sqe, &op);
      ++batch.pending_;
      ++in_flight_;
    }
    batch.engine_ = this;
    return SubmitQueued();
  }

  Status Wait(IoBatch& batch) override {
    Status first;
    while (batch.pending_ > 0) {
      Status st = ReapOne();
      if (!st.ok()) {
        // The ring itself failed: nothing more will complete through it.
        first = st;
        break;
      }
    }
    batch.engine_ = nullptr;
    if (!first.ok()) return first;
    for (int i = 0; i < batch.count_; ++i) {
      IoOp& op = batch.ops_[i];
      if (op.result < 0 && op.result != -EAGAIN && op.result != -EINTR) {
        if (first.ok()) first = IoOpError(op);
        continue;
      }
      // Short or retryable transfer: finish it synchronously (rare).
      size_t done = op.result < 0 ? 0 : static_cast<size_t>(op.result);
      if (op.type != IoOp::Type::kFdatasync && done < op.len) {
        op.result = CompleteSynchronously(op, done);
        if (op.result < 0 && first.ok()) first = IoOpError(op);
      } else if (op.type == IoOp::Type::kFdatasync && op.result < 0) {
        op.result = CompleteSynchronously(op, 0);
        if (op.result < 0 && first.ok()) first = IoOpError(op);
      }
    }
    return first;
  }

 private:
  Status SubmitQueued() {
    for (;;) {
      int rc = io_uring_submit(&ring_);
      if (rc >= 0) return Status::OK();
      if (rc == -EINTR) continue;
      // Busy: completions wait to be reaped; make room, or give up when none is pending.
      if ((rc != -EAGAIN && rc != -EBUSY) || in_flight_ == 0) return ErrnoError(-rc, "io_uring_submit");
      RETURN_IF_ERROR(ReapOne());
    }
  }

  Status ReapOne() {
    io_uring_cqe* cqe = nullptr;
    int rc;
    do {
      rc = io_uring_wait_cqe(&ring_, &cqe);
    } while (rc == -EINTR);
    if (rc < 0) return ErrnoError(-rc, "io_uring_wait_cqe");
    auto* op = static_cast<IoOp*>(io_uring_cqe_get_data(cqe));
    op->result = cqe->res;
    --op->batch->pending_;
    --in_flight_;
    io_uring_cqe_seen(&ring_, cqe);
    return Status::OK();
  }

  io_uring ring_{};
  bool initialized_ = false;
  int in_flight_ = 0;  // submitted operations not yet reaped, over all batches
};

Result<std::unique_ptr<IoEngine>> MakeUringIoEngine(unsigned entries) {
  auto engine = std::make_unique<UringIoEngine>();
  RETURN_IF_ERROR(engine->Init(entries));
  return std::unique_ptr<IoEngine>(std::move(engine));
}

}  // namespace cairn::datanode
