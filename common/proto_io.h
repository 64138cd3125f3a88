// Varint-delimited Protobuf messages, the framing Hadoop uses for DataTransferProtocol ops
// and inside Hadoop IPC packets: a base-128 varint length, then the message bytes.
//
// Thread-safety: pure functions; readers are not synchronised.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "common/socket.h"
#include "common/status.h"

namespace cairn {

// Appends varint(len) + message to *out.
void AppendDelimited(const google::protobuf::MessageLite& msg, std::string* out);
std::string SerializeDelimited(const google::protobuf::MessageLite& msg);

// Reads one delimited message, refusing lengths over max_bytes with kProtocolError.
Status ReadDelimited(BufferedReader& in, google::protobuf::MessageLite* msg, size_t max_bytes = 1 << 20);

// Parses one delimited message from the front of *data and advances it.
Status ConsumeDelimited(std::string_view* data, google::protobuf::MessageLite* msg);

// Writes the base-128 varint encoding of v into out (at least 10 bytes); returns its size.
size_t EncodeVarint64(uint64_t v, uint8_t* out);

}  // namespace cairn
