// Conversions between Hadoop's wire messages and the client library's plain structs, and
// the small naming helpers every part of the client uses for blocks and datanodes
// ("blk_<id>_<genstamp>", "ip:xferPort").
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "client/file_system.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "hadoop/datatransfer.pb.h"
#include "hadoop/hdfs.pb.h"

namespace cairn::client {

namespace hh = hadoop::hdfs;

// `path` is the absolute path the status describes.
FileStatus ToFileStatus(const hh::HdfsFileStatusProto& proto, std::string path);
DatanodeReport ToDatanodeReport(const hh::DatanodeInfoProto& info, int64_t now_ms);
BlockLocation ToBlockLocation(const hh::LocatedBlockProto& block);

// "ip:xferPort" of a datanode.
std::string NodeAddress(const hh::DatanodeIDProto& id);
inline std::string NodeAddress(const hh::DatanodeInfoProto& info) { return NodeAddress(info.id()); }
// "blk_<id>_<genstamp>", as HDFS names blocks in messages.
std::string BlockName(const hh::ExtendedBlockProto& block);

}  // namespace cairn::client
