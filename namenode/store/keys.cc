#include "namenode/store/keys.h"

#include "common/endian.h"

namespace cairn::namenode {

namespace {
void AppendU64(std::string* out, uint64_t v) {
  uint8_t buf[8];
  StoreBigEndian64(buf, v);
  out->append(reinterpret_cast<const char*>(buf), 8);
}
uint64_t LoadU64(std::string_view s) { return LoadBigEndian64(reinterpret_cast<const uint8_t*>(s.data())); }
}  // namespace

std::string InodeKey(uint64_t id) {
  std::string key(1, kInodePrefix);
  AppendU64(&key, id);
  return key;
}

std::string DirEntryKey(uint64_t parent_id, std::string_view name) {
  std::string key(1, kDirEntryPrefix);
  AppendU64(&key, parent_id);
  key.append(name);
  return key;
}

std::string MetaKey(std::string_view name) {
  std::string key(1, kMetaPrefix);
  key.append(name);
  return key;
}

std::string EncodeU64(uint64_t v) {
  std::string out;
  AppendU64(&out, v);
  return out;
}

bool DecodeInodeKey(std::string_view key, uint64_t* id) {
  if (key.size() != 9 || key[0] != kInodePrefix) return false;
  *id = LoadU64(key.substr(1));
  return true;
}

bool DecodeDirEntryKey(std::string_view key, uint64_t* parent_id, std::string_view* name) {
  if (key.size() < 10 || key[0] != kDirEntryPrefix) return false;
  *parent_id = LoadU64(key.substr(1));
  *name = key.substr(9);
  return true;
}

bool DecodeU64(std::string_view value, uint64_t* v) {
  if (value.size() != 8) return false;
  *v = LoadU64(value);
  return true;
}

}  // namespace cairn::namenode
