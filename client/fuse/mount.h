// RunMount: the life of a cairn-fuse process.
//
//   1. Unless -f, fork at once (before any thread exists): the parent waits for the child
//      to report "mounted" or an error over a pipe and exits 0 or 1 with that message, so
//      `cairn-fuse MNT && ls MNT` works and a bad namenode address fails visibly.
//   2. Block SIGTERM/SIGINT/SIGHUP, so every thread started later (gRPC, read-ahead,
//      libfuse workers) leaves them to the main thread.
//   3. One namenode call as the mounting user, then fuse_new + fuse_mount.
//   4. libfuse's signal handlers, signals unblocked on the main thread only, then the
//      multithreaded loop until SIGTERM, SIGINT, SIGHUP or `fusermount3 -u`.
//   5. Unmount, complete every file still open for writing, exit 0.
//
// Thread-safety: call once, from main.
#pragma once

#include "client/fuse/settings.h"

namespace cairn::fuse {

// The process exit code.
int RunMount(const FuseSettings& settings);

}  // namespace cairn::fuse
