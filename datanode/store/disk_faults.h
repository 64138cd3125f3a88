// A fault seam under the datanode's block and meta file I/O (leveldb's fault Env and
// Kudu's MAYBE_FAULT are the models): DiskFaults reads a plan from a trigger file, and a
// FaultInjectingIoEngine wrapped around the thread's IoEngine applies it to every read,
// write and fdatasync of a replica. Tests switch it on with the test-only flag
// --fault_disk_plan_file=PATH and write, change or remove PATH while the datanode runs, to
// show that a failing disk gives the client a clear error and loses nothing acknowledged.
//
// The plan file holds one fault per line ('#' starts a comment):
//   read eio          every read fails with EIO
//   read eio from_offset N   only reads starting at file offset N or later fail (a bad
//                     sector past the first packets: a read fails mid-stream)
//   write eio         every write fails with EIO (nothing lands)
//   write enospc      every write fails with ENOSPC (a full disk)
//   write torn        the first half of every write lands, then it fails with EIO
//   fdatasync eio     every fdatasync fails with EIO (the data may be in the page cache only)
//   delay_ms N        every batch waits N ms first (a slow disk)
// No file, or an empty one, means no faults. A line the parser does not know is logged and
// ignored. Only replica data and meta I/O go through the engine: file creation, renames,
// meta headers and directory syncs do not see the plan.
//
// Thread-safety: DiskFaults is shared by every thread (a stat() of the plan file per
// batch, re-parsed when it changes: common/watched_file.h); an engine belongs to one
// thread, like the engine it wraps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/watched_file.h"
#include "datanode/store/io_engine.h"

namespace cairn::datanode {

// One moment's faults. Each op type has at most one error; 0 means none.
struct DiskFaultPlan {
  int read_errno = 0;        // EIO
  uint64_t read_from_offset = 0;  // reads starting before this offset succeed
  int write_errno = 0;       // EIO or ENOSPC
  bool write_torn = false;   // half lands before write_errno (EIO) is returned
  int fdatasync_errno = 0;   // EIO
  int delay_ms = 0;

  bool empty() const { return read_errno == 0 && write_errno == 0 && fdatasync_errno == 0 && delay_ms == 0; }
  // Parses the file format above; unknown lines are appended to *ignored (may be null).
  static DiskFaultPlan Parse(std::string_view text, std::string* ignored);
};

// The plan file, read again when it changes.
using DiskFaults = WatchedPlan<DiskFaultPlan>;

// The calling thread's engine that applies `faults` around `base` (the same thread's
// engine), made on first use and kept for the thread's life.
IoEngine& ThreadFaultInjectingIoEngine(IoEngine& base, const DiskFaults& faults);

}  // namespace cairn::datanode
