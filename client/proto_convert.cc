#include "client/proto_convert.h"

#include <fmt/format.h>

#include "common/path.h"

namespace cairn::client {

FileStatus ToFileStatus(const hh::HdfsFileStatusProto& proto, std::string path) {
  FileStatus st;
  st.name = std::string(BaseName(path));
  st.path = std::move(path);
  st.is_dir = proto.filetype() == hh::HdfsFileStatusProto::IS_DIR;
  st.is_symlink = proto.filetype() == hh::HdfsFileStatusProto::IS_SYMLINK;
  st.symlink_target = proto.symlink();
  st.length = proto.length();
  st.permission = proto.permission().perm();
  st.owner = proto.owner();
  st.group = proto.group();
  st.modification_time = static_cast<int64_t>(proto.modification_time());
  st.access_time = static_cast<int64_t>(proto.access_time());
  st.replication = proto.block_replication();
  st.block_size = proto.blocksize();
  st.file_id = proto.fileid();
  st.children_num = proto.childrennum();
  return st;
}

DatanodeReport ToDatanodeReport(const hh::DatanodeInfoProto& info, int64_t now_ms) {
  DatanodeReport r;
  r.uuid = info.id().datanodeuuid();
  r.address = NodeAddress(info);
  r.hostname = info.id().hostname();
  r.rack = info.location();
  r.admin_state = hh::DatanodeInfoProto::AdminState_Name(info.adminstate());
  r.capacity = info.capacity();
  r.used = info.dfsused();
  r.remaining = info.remaining();
  r.blocks = info.numblocks();
  r.last_heartbeat_ms_ago = info.lastupdate() > 0 ? now_ms - static_cast<int64_t>(info.lastupdate()) : -1;
  r.xceivers = info.xceivercount();
  return r;
}

BlockLocation ToBlockLocation(const hh::LocatedBlockProto& block) {
  BlockLocation loc;
  loc.offset = block.offset();
  loc.length = block.b().numbytes();
  loc.block_id = block.b().blockid();
  loc.gen_stamp = block.b().generationstamp();
  for (const auto& dn : block.locs()) {
    loc.hosts.push_back(NodeAddress(dn));
    loc.racks.push_back(dn.location());
  }
  return loc;
}

std::string NodeAddress(const hh::DatanodeIDProto& id) {
  if (id.ipaddr().find(':') != std::string::npos) return fmt::format("[{}]:{}", id.ipaddr(), id.xferport());
  return fmt::format("{}:{}", id.ipaddr(), id.xferport());
}

std::string BlockName(const hh::ExtendedBlockProto& block) {
  return fmt::format("blk_{}_{}", block.blockid(), block.generationstamp());
}

}  // namespace cairn::client
