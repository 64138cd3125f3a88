#include "datanode/store/disk_faults.h"

#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <utility>

namespace cairn::datanode {

DiskFaultPlan DiskFaultPlan::Parse(std::string_view text, std::string* ignored) {
  DiskFaultPlan plan;
  for (const std::vector<std::string>& words : PlanLineWords(text)) {
    const bool pair = words.size() == 2;
    uint64_t from = 0;
    if (pair && words[0] == "read" && words[1] == "eio") {
      plan.read_errno = EIO;
    } else if (words.size() == 4 && words[0] == "read" && words[1] == "eio" && words[2] == "from_offset" &&
               ParsePlanOffset(words[3], &from)) {
      plan.read_errno = EIO;
      plan.read_from_offset = from;
    } else if (pair && words[0] == "write" && words[1] == "eio") {
      plan.write_errno = EIO;
    } else if (pair && words[0] == "write" && words[1] == "enospc") {
      plan.write_errno = ENOSPC;
    } else if (pair && words[0] == "write" && words[1] == "torn") {
      plan.write_errno = EIO;
      plan.write_torn = true;
    } else if (pair && words[0] == "fdatasync" && words[1] == "eio") {
      plan.fdatasync_errno = EIO;
    } else if (!(pair && words[0] == "delay_ms" && ParsePlanMillis(words[1], &plan.delay_ms))) {
      NoteIgnoredPlanLine(words, ignored);
    }
  }
  return plan;
}

// Forwards to the thread's real engine unless the plan touches an op of the batch; such a
// batch it runs itself, synchronously, with the faults applied.
class FaultInjectingIoEngine final : public IoEngine {
 public:
  FaultInjectingIoEngine(IoEngine& base, const DiskFaults& faults) : base_(base), faults_(faults) {}

  std::string_view name() const override { return "fault-injecting"; }

  Status Submit(IoBatch& batch) override {
    DiskFaultPlan plan = faults_.Current();
    if (plan.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(plan.delay_ms));
    if (!Touches(plan, batch)) return base_.Submit(batch);
    for (int i = 0; i < batch.count_; ++i) batch.ops_[i].result = Apply(plan, batch.ops_[i]);
    batch.engine_ = this;
    batch.pending_ = 0;
    return Status::OK();
  }

  Status Wait(IoBatch& batch) override {
    if (batch.engine_ != this) return base_.Wait(batch);
    batch.engine_ = nullptr;
    for (int i = 0; i < batch.count_; ++i) {
      if (batch.ops_[i].result < 0)
        return IoOpError(batch.ops_[i]).WithContext("injected by disk fault plan " + faults_.path());
    }
    return Status::OK();
  }

 private:
  static int ErrnoFor(const DiskFaultPlan& plan, const IoOp& op) {
    switch (op.type) {
      case IoOp::Type::kRead: return op.offset >= plan.read_from_offset ? plan.read_errno : 0;
      case IoOp::Type::kWrite: return plan.write_errno;
      case IoOp::Type::kFdatasync: return plan.fdatasync_errno;
    }
    return 0;
  }

  static bool Touches(const DiskFaultPlan& plan, const IoBatch& batch) {
    for (int i = 0; i < batch.size(); ++i) {
      if (ErrnoFor(plan, batch.op(i)) != 0) return true;
    }
    return false;
  }

  static int64_t Apply(const DiskFaultPlan& plan, const IoOp& op) {
    int error = ErrnoFor(plan, op);
    if (error == 0) return CompleteSynchronously(op, 0);
    if (op.type == IoOp::Type::kWrite && plan.write_torn) {
      IoOp half = op;
      half.len = op.len / 2;
      int64_t landed = CompleteSynchronously(half, 0);
      if (landed < 0) return landed;
    }
    return -error;
  }

  IoEngine& base_;
  const DiskFaults& faults_;
};

IoEngine& ThreadFaultInjectingIoEngine(IoEngine& base, const DiskFaults& faults) {
  // Keyed by both, never erased: a writer keeps a pointer to its engine for its life.
  thread_local std::map<std::pair<IoEngine*, const DiskFaults*>, std::unique_ptr<FaultInjectingIoEngine>> engines;
  auto& engine = engines[{&base, &faults}];
  if (!engine) engine = std::make_unique<FaultInjectingIoEngine>(base, faults);
  return *engine;
}

}  // namespace cairn::datanode
