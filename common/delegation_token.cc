#include "common/delegation_token.h"

namespace cairn {

namespace {

constexpr std::string_view kTokenStorageMagic = "HDTS";
constexpr char kTokenStorageWritable = 0;
constexpr char kIdentifierVersion = 0;

// Hadoop's Text and byte arrays: a vint length, then the bytes.
void AppendText(std::string* out, std::string_view s) {
  AppendWritableVLong(out, static_cast<int64_t>(s.size()));
  out->append(s);
}

Result<std::string> ConsumeText(std::string_view* in, std::string_view what) {
  ASSIGN_OR_RETURN(int64_t len, ConsumeWritableVLong(in));
  if (len < 0 || static_cast<uint64_t>(len) > in->size())
    return InvalidArgument("{} has a length of {} with {} bytes left", what, len, in->size());
  std::string s(in->substr(0, static_cast<size_t>(len)));
  in->remove_prefix(static_cast<size_t>(len));
  return s;
}

Result<int32_t> ConsumeVInt(std::string_view* in, std::string_view what) {
  ASSIGN_OR_RETURN(int64_t v, ConsumeWritableVLong(in));
  if (v < INT32_MIN || v > INT32_MAX) return InvalidArgument("{} ({}) does not fit an int", what, v);
  return static_cast<int32_t>(v);
}

}  // namespace

void AppendWritableVLong(std::string* out, int64_t v) {
  if (v >= -112 && v <= 127) {
    out->push_back(static_cast<char>(v));
    return;
  }
  int len = -112;
  uint64_t bits = static_cast<uint64_t>(v);
  if (v < 0) {
    bits = ~bits;
    len = -120;
  }
  for (uint64_t tmp = bits; tmp != 0; tmp >>= 8) --len;
  out->push_back(static_cast<char>(len));
  const int bytes = len < -120 ? -(len + 120) : -(len + 112);
  for (int idx = bytes; idx != 0; --idx) out->push_back(static_cast<char>((bits >> ((idx - 1) * 8)) & 0xff));
}

Result<int64_t> ConsumeWritableVLong(std::string_view* in) {
  if (in->empty()) return InvalidArgument("a variable-length integer is cut off");
  const auto first = static_cast<int8_t>((*in)[0]);
  in->remove_prefix(1);
  if (first >= -112) return first;
  const bool negative = first < -120;
  const int bytes = negative ? -119 - first - 1 : -111 - first - 1;
  if (static_cast<size_t>(bytes) > in->size()) return InvalidArgument("a variable-length integer is cut off");
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(static_cast<size_t>(bytes));
  return static_cast<int64_t>(negative ? ~v : v);
}

std::string EncodeDelegationTokenIdentifier(const DelegationTokenIdentifier& id) {
  std::string out;
  out.push_back(kIdentifierVersion);
  AppendText(&out, id.owner);
  AppendText(&out, id.renewer);
  AppendText(&out, id.real_user);
  AppendWritableVLong(&out, id.issue_date);
  AppendWritableVLong(&out, id.max_date);
  AppendWritableVLong(&out, id.sequence_number);
  AppendWritableVLong(&out, id.master_key_id);
  return out;
}

Result<hadoop::common::TokenProto> ParseSerializedToken(std::string_view bytes) {
  hadoop::common::TokenProto token;
  if (!token.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return InvalidArgument("the job's delegation token is malformed");
  return token;
}

Result<DelegationTokenIdentifier> DecodeDelegationTokenIdentifier(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kIdentifierVersion)
    return InvalidArgument("not a version-0 delegation token identifier");
  bytes.remove_prefix(1);
  DelegationTokenIdentifier id;
  ASSIGN_OR_RETURN(id.owner, ConsumeText(&bytes, "the token's owner"));
  ASSIGN_OR_RETURN(id.renewer, ConsumeText(&bytes, "the token's renewer"));
  ASSIGN_OR_RETURN(id.real_user, ConsumeText(&bytes, "the token's real user"));
  ASSIGN_OR_RETURN(id.issue_date, ConsumeWritableVLong(&bytes));
  ASSIGN_OR_RETURN(id.max_date, ConsumeWritableVLong(&bytes));
  ASSIGN_OR_RETURN(id.sequence_number, ConsumeVInt(&bytes, "the sequence number"));
  ASSIGN_OR_RETURN(id.master_key_id, ConsumeVInt(&bytes, "the master key id"));
  if (!bytes.empty()) return InvalidArgument("{} stray bytes after the delegation token identifier", bytes.size());
  return id;
}

std::string EncodeTokenStorage(const std::vector<hadoop::common::TokenProto>& tokens) {
  std::string out(kTokenStorageMagic);
  out.push_back(kTokenStorageWritable);
  AppendWritableVLong(&out, static_cast<int64_t>(tokens.size()));
  for (const auto& t : tokens) {
    AppendText(&out, t.service());  // the alias
    AppendText(&out, t.identifier());
    AppendText(&out, t.password());
    AppendText(&out, t.kind());
    AppendText(&out, t.service());
  }
  AppendWritableVLong(&out, 0);  // no secret keys
  return out;
}

Result<std::vector<hadoop::common::TokenProto>> DecodeTokenStorage(std::string_view bytes) {
  if (bytes.substr(0, kTokenStorageMagic.size()) != kTokenStorageMagic)
    return InvalidArgument("not a Hadoop token storage file (no HDTS magic)");
  bytes.remove_prefix(kTokenStorageMagic.size());
  if (bytes.empty() || bytes[0] != kTokenStorageWritable)
    return InvalidArgument("the token storage file is not in the Writable format (version 0)");
  bytes.remove_prefix(1);
  ASSIGN_OR_RETURN(int64_t count, ConsumeWritableVLong(&bytes));
  if (count < 0 || count > 100000) return InvalidArgument("the token storage file claims {} tokens", count);
  std::vector<hadoop::common::TokenProto> tokens;
  for (int64_t i = 0; i < count; ++i) {
    hadoop::common::TokenProto t;
    ASSIGN_OR_RETURN(std::string alias, ConsumeText(&bytes, "a token's alias"));
    ASSIGN_OR_RETURN(*t.mutable_identifier(), ConsumeText(&bytes, "a token's identifier"));
    ASSIGN_OR_RETURN(*t.mutable_password(), ConsumeText(&bytes, "a token's password"));
    ASSIGN_OR_RETURN(*t.mutable_kind(), ConsumeText(&bytes, "a token's kind"));
    ASSIGN_OR_RETURN(*t.mutable_service(), ConsumeText(&bytes, "a token's service"));
    tokens.push_back(std::move(t));
  }
  return tokens;  // the secret keys that follow are not Cairn's business
}

std::optional<hadoop::common::TokenProto> SelectDelegationToken(const std::vector<hadoop::common::TokenProto>& tokens,
                                                                std::string_view service) {
  const hadoop::common::TokenProto* only = nullptr;
  int count = 0;
  for (const auto& t : tokens) {
    if (t.kind() != kDelegationTokenKind) continue;
    if (t.service() == service) return t;
    only = &t;
    ++count;
  }
  if (count == 1) return *only;
  return std::nullopt;
}

}  // namespace cairn
