// IoEngine: how the datanode reads and writes block and meta files. One engine per thread
// (ThreadIoEngine), so no locking: an io_uring ring of 64 entries when the kernel allows it,
// else plain pread/pwrite. Callers group operations in an IoBatch, Submit it, do other work
// (receive the next packet, send the previous chunk run) and Wait for it later; that is how
// disk and network I/O overlap without extra threads.
//
// Operations inside one batch may complete in any order. Short transfers are finished
// inside Wait; a read stops early only at end of file (its result says how many bytes).
//
// Thread-safety: an engine and its batches belong to the thread that created the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"

namespace cairn::datanode {

enum class IoEngineKind { kUring, kSync };
Result<IoEngineKind> ParseIoEngineKind(std::string_view name);

class IoEngine;
class IoBatch;

struct IoOp {
  enum class Type : uint8_t { kRead, kWrite, kFdatasync };
  Type type = Type::kRead;
  int fd = -1;
  uint8_t* buf = nullptr;
  size_t len = 0;
  uint64_t offset = 0;
  int64_t result = 0;       // bytes transferred, or -errno
  IoBatch* batch = nullptr;  // back-pointer used by completions
};

// Up to kMaxOps operations started and awaited together. Destroying a batch with
// operations still in flight waits for them first (buffers must outlive the kernel's use).
class IoBatch {
 public:
  static constexpr int kMaxOps = 4;

  IoBatch() = default;
  ~IoBatch();
  IoBatch(const IoBatch&) = delete;
  IoBatch& operator=(const IoBatch&) = delete;

  void AddRead(int fd, void* buf, size_t len, uint64_t offset);
  void AddWrite(int fd, const void* buf, size_t len, uint64_t offset);
  void AddFdatasync(int fd);
  // Forgets the ops of a completed batch so it can be reused.
  void Clear() { count_ = 0; }

  int size() const { return count_; }
  bool in_flight() const { return engine_ != nullptr; }
  const IoOp& op(int i) const { return ops_[i]; }

 private:
  friend class UringIoEngine;
  friend class SyncIoEngine;
  friend class FaultInjectingIoEngine;
  void Add(IoOp op);
  IoOp ops_[kMaxOps];
  int count_ = 0;
  int pending_ = 0;             // ops submitted and not yet completed
  IoEngine* engine_ = nullptr;  // set from Submit until Wait returns
};

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual std::string_view name() const = 0;
  // Starts every operation of the batch (which must not be in flight already).
  virtual Status Submit(IoBatch& batch) = 0;
  // Waits for every operation of a submitted batch, finishes short transfers and returns
  // the first failure (kNoSpace for ENOSPC, kIoError otherwise). The batch keeps its ops
  // (and their results) until Clear().
  virtual Status Wait(IoBatch& batch) = 0;
  // Submit + Wait.
  Status Run(IoBatch& batch);
};

// The calling thread's engine of that kind. kUring falls back to kSync (logged once per
// process) when the kernel refuses io_uring.
IoEngine& ThreadIoEngine(IoEngineKind kind);

// A fresh engine, for tests; nullptr plus the reason when io_uring cannot be set up.
Result<std::unique_ptr<IoEngine>> MakeUringIoEngine(unsigned entries);
std::unique_ptr<IoEngine> MakeSyncIoEngine();

// Finishes one operation synchronously from `done` bytes on (pread/pwrite loops), used by
// both engines for short transfers. Returns the total bytes or -errno.
int64_t CompleteSynchronously(const IoOp& op, size_t done);
// Status for a failed op result.
Status IoOpError(const IoOp& op);

}  // namespace cairn::datanode
