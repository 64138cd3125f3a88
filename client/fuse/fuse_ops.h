// The libfuse high-level binding: a fuse_operations table whose entries fetch the caller
// from the request context and call CairnFs.
//
// Why the high-level (path) API: every namenode call takes a path, so libfuse's own node
// tree (which maps the kernel's inode ids to paths and keeps them right across renames
// of directories with open files below) is exactly the bookkeeping a low-level version
// would have to rebuild. File data does not pay for paths: with nullpath_ok, read, write,
// flush and release go straight to the open handle. The mount asks for: inode numbers
// from file ids (use_ino), unlinked open files removed at once instead of renamed to
// .fuse_hidden files (hard_remove; the handle keeps its stream), O_TRUNC handled at open
// (atomic_o_trunc, so a truncating open recreates the file), readdirplus, write requests
// up to max_write, no writeback cache (the kernel must not reorder or rewrite pages of
// append-only files), and keep_cache off so every open starts from fresh pages.
//
// Thread-safety: the operations run on libfuse's worker threads; state lives in CairnFs.
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse.h>

#include "client/fuse/cairn_fs.h"
#include "client/fuse/settings.h"

namespace cairn::fuse {

// What the operations find as the request context's private data.
struct MountContext {
  CairnFs* fs = nullptr;
  const FuseSettings* settings = nullptr;
};

fuse_operations MakeOperations();

}  // namespace cairn::fuse
