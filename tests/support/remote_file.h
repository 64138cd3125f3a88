// Whole-file helpers over the client library for tests: write a byte string as a file,
// read a file back into a byte string (checking the length the namenode reports).
#pragma once

#include <string>

#include "client/file_system.h"
#include "common/status.h"

namespace cairn::testing {

Status WriteRemoteFile(client::FileSystem& fs, const std::string& path, const std::string& data,
                       const client::CreateOptions& options = {});
Result<std::string> ReadRemoteFile(client::FileSystem& fs, const std::string& path);
// Everything left in an open stream, checked against the length it reports.
Result<std::string> ReadToEnd(client::InputStream& in);

}  // namespace cairn::testing
