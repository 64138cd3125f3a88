// Tokens from strangers: Hadoop token storage files (HADOOP_TOKEN_FILE_LOCATION), delegation
// token identifiers (what a TOKEN login presents), block token identifiers (what every
// block operation carries), and WritableUtils integers inside them.
#include <string_view>

#include "common/block_token.h"
#include "common/delegation_token.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tokens = DecodeTokenStorage(bytes);
  if (tokens.ok()) {
    for (const auto& t : *tokens) (void)DecodeDelegationTokenIdentifier(t.identifier());
    (void)SelectDelegationToken(*tokens, "localhost:8020");
  }
  (void)DecodeDelegationTokenIdentifier(bytes);
  hadoop::common::TokenProto block;
  block.set_identifier(std::string(bytes));
  (void)DecodeBlockToken(block);
  std::string_view in = bytes;
  while (!in.empty() && ConsumeWritableVLong(&in).ok()) {
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  DelegationTokenIdentifier id;
  id.owner = "alice";
  id.renewer = "yarn";
  id.real_user = "bob";
  id.issue_date = 1764633600000;
  id.max_date = 1765238400000;
  id.sequence_number = 42;
  id.master_key_id = 7;
  const std::string identifier = EncodeDelegationTokenIdentifier(id);
  hadoop::common::TokenProto token;
  token.set_identifier(identifier);
  token.set_password(std::string(32, 'p'));
  token.set_kind(std::string(kDelegationTokenKind));
  token.set_service("localhost:8020");
  hadoop::common::TokenProto other = token;
  other.set_service("10.0.0.1:8020");
  std::string vlongs;
  for (int64_t v : {0LL, -1LL, 127LL, -113LL, 1LL << 40, -(1LL << 40)}) AppendWritableVLong(&vlongs, v);
  return {identifier, EncodeTokenStorage({token}), EncodeTokenStorage({token, other}), vlongs};
}
