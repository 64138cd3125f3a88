#include "common/proto_io.h"

#include <vector>

namespace cairn {

size_t EncodeVarint64(uint64_t v, uint8_t* out) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

void AppendDelimited(const google::protobuf::MessageLite& msg, std::string* out) {
  size_t size = msg.ByteSizeLong();
  uint8_t len[10];
  out->append(reinterpret_cast<char*>(len), EncodeVarint64(size, len));
  size_t at = out->size();
  out->resize(at + size);
  msg.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data() + at));
}

std::string SerializeDelimited(const google::protobuf::MessageLite& msg) {
  std::string out;
  AppendDelimited(msg, &out);
  return out;
}

Status ReadDelimited(BufferedReader& in, google::protobuf::MessageLite* msg, size_t max_bytes) {
  uint32_t size = 0;
  RETURN_IF_ERROR(in.ReadVarint32(&size));
  if (size > max_bytes)
    return ProtocolError("{} of {} bytes exceeds the limit of {}", msg->GetTypeName(), size, max_bytes);
  std::vector<uint8_t> buf(size);
  RETURN_IF_ERROR(in.ReadFully(buf.data(), size));
  if (!msg->ParseFromArray(buf.data(), static_cast<int>(size)))
    return ProtocolError("cannot parse {} ({} bytes)", msg->GetTypeName(), size);
  return Status::OK();
}

Status ConsumeDelimited(std::string_view* data, google::protobuf::MessageLite* msg) {
  uint64_t size = 0;
  size_t i = 0;
  for (int shift = 0;; shift += 7, ++i) {
    if (i >= data->size() || shift > 35) return ProtocolError("truncated or malformed length of {}", msg->GetTypeName());
    auto b = static_cast<uint8_t>((*data)[i]);
    size |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  ++i;
  if (size > data->size() - i)
    return ProtocolError("{} claims {} bytes but only {} remain", msg->GetTypeName(), size, data->size() - i);
  if (!msg->ParseFromArray(data->data() + i, static_cast<int>(size)))
    return ProtocolError("cannot parse {} ({} bytes)", msg->GetTypeName(), size);
  data->remove_prefix(i + size);
  return Status::OK();
}

}  // namespace cairn
