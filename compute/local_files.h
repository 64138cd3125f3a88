// Small local-disk helpers shared by the compute components (executor, task runtime, job
// master): whole-file reads (common/whole_file.h) and atomic replacement (write to a temporary name, fsync,
// rename, fsync the directory), protobuf files, recursive removal and mkdir -p.
//
// Thread-safety: pure functions; concurrent writers of one path are the caller's problem.
#pragma once

#include <string>

#include <google/protobuf/message_lite.h>

#include "common/status.h"
#include "common/whole_file.h"  // ReadWholeFile

namespace cairn::compute {

// Replaces path with contents atomically; with sync, the data and the rename are durable.
Status WriteFileAtomically(const std::string& path, std::string_view contents, bool sync);

Status ReadProtoFile(const std::string& path, google::protobuf::MessageLite* message);
Status WriteProtoFile(const std::string& path, const google::protobuf::MessageLite& message, bool sync);

// mkdir -p.
Status MakeDirectories(const std::string& path);
// rm -rf; a missing path is fine.
Status RemoveTree(const std::string& path);

// The last max_bytes of a file (whole lines where possible); empty when unreadable.
std::string FileTail(const std::string& path, size_t max_bytes);

}  // namespace cairn::compute
