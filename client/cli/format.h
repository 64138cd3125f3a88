// Text and JSON renderings shared by the `cairn` commands: permission strings
// (drwxr-xr-x), chmod mode parsing (octal or symbolic), dates, sizes, `ls` lines like
// `hdfs dfs -ls`, and the JSON objects of --json output. JSON field names are part of the
// CLI's interface: keep them stable.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cairn/namenode.pb.h"
#include "client/file_system.h"
#include "common/status.h"

namespace cairn::cli {

// "drwxr-xr-x", "-rw-r--r--", "lrwxrwxrwx"; the sticky bit shows as t/T.
std::string ModeString(uint32_t permission, bool is_dir, bool is_symlink = false);
// Applies a chmod mode to `current`: octal ("755", "1777") or symbolic clauses separated
// by commas ("u+x", "go-w", "a=r", "u=rwX,o="). X sets execute only for directories or
// when some execute bit is already set.
Result<uint32_t> ApplyChmodMode(const std::string& mode, uint32_t current, bool is_dir);
// True when the mode needs no current permission (octal).
bool IsAbsoluteMode(const std::string& mode);

// "2024-05-01 13:07" in local time, from ms since the epoch.
std::string FormatDate(int64_t ms);
// "2026-12-09 07:38:20 UTC", for dates that must not depend on the reader's time zone.
std::string FormatUtcTime(int64_t ms);
// Exact bytes, or "1.5GiB" style when human.
std::string FormatSize(uint64_t bytes, bool human);

// `hdfs dfs -ls` lines with aligned columns.
std::vector<std::string> LsLines(const std::vector<client::FileStatus>& entries);

nlohmann::json ToJson(const client::FileStatus& st);
nlohmann::json ToJson(const client::ContentSummary& cs, const std::string& path);
nlohmann::json ToJson(const client::DatanodeReport& dn);
nlohmann::json ToJson(const FsckResponse& fsck, const std::string& path);

// "HEALTHY" or "CORRUPT" (missing or corrupt blocks), as `hdfs fsck` says it.
std::string FsckStatus(const FsckResponse& fsck);

}  // namespace cairn::cli
