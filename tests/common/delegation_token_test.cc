// Hadoop's byte formats for delegation tokens: WritableUtils integers match Hadoop's own
// encodings, identifiers and token storage files round-trip and refuse malformed bytes,
// token selection prefers the namenode's own service; and a real DIGEST-MD5 exchange
// through Cyrus SASL (sasl_digest.h) succeeds only with the right password.
#include <gtest/gtest.h>

#include "common/delegation_token.h"
#include "common/sasl_digest.h"

namespace cairn {
namespace {

std::string VLong(int64_t v) {
  std::string out;
  AppendWritableVLong(&out, v);
  return out;
}

TEST(DelegationTokenTest, WritableIntegersMatchHadoop) {
  // Values from org.apache.hadoop.io.WritableUtils.writeVLong.
  EXPECT_EQ(VLong(0), std::string("\x00", 1));
  EXPECT_EQ(VLong(127), "\x7f");
  EXPECT_EQ(VLong(-112), "\x90");
  EXPECT_EQ(VLong(128), "\x8f\x80");
  EXPECT_EQ(VLong(256), std::string("\x8e\x01\x00", 3));
  EXPECT_EQ(VLong(-113), "\x87\x70");
  for (int64_t v : std::initializer_list<int64_t>{0, 1, -1, 127, 128, -112, -113, 65535, 1'800'000'000'000, INT64_MAX, INT64_MIN}) {
    std::string bytes = VLong(v);
    std::string_view in = bytes;
    auto back = ConsumeWritableVLong(&in);
    ASSERT_TRUE(back.ok()) << v;
    EXPECT_EQ(*back, v);
    EXPECT_TRUE(in.empty());
  }
  std::string_view cut("\x8e\x01", 2);
  EXPECT_FALSE(ConsumeWritableVLong(&cut).ok());
}

TEST(DelegationTokenTest, IdentifiersAndTokenFilesRoundTrip) {
  DelegationTokenIdentifier id{"alice", "yarn", "", 1'800'000'000'000, 1'800'604'800'000, 7, 3};
  std::string bytes = EncodeDelegationTokenIdentifier(id);
  EXPECT_EQ(bytes[0], 0);  // version
  EXPECT_EQ(bytes.substr(1, 6), "\x05" "alice");
  auto back = DecodeDelegationTokenIdentifier(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->owner, "alice");
  EXPECT_EQ(back->renewer, "yarn");
  EXPECT_EQ(back->max_date, id.max_date);
  EXPECT_EQ(back->sequence_number, 7);
  EXPECT_EQ(back->master_key_id, 3);
  EXPECT_FALSE(DecodeDelegationTokenIdentifier(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeDelegationTokenIdentifier(bytes + "x").ok());
  EXPECT_FALSE(DecodeDelegationTokenIdentifier("\x01junk").ok());

  hadoop::common::TokenProto t;
  t.set_identifier(bytes);
  t.set_password(std::string("\x00\xffpw", 4));
  t.set_kind(std::string(kDelegationTokenKind));
  t.set_service("nn.example:8020");
  std::string file = EncodeTokenStorage({t});
  EXPECT_EQ(file.substr(0, 5), std::string("HDTS\x00", 5));
  auto tokens = DecodeTokenStorage(file);
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].SerializeAsString(), t.SerializeAsString());
  EXPECT_FALSE(DecodeTokenStorage("HDTX").ok());
  EXPECT_FALSE(DecodeTokenStorage(std::string("HDTS\x01", 5)).ok());  // the protobuf format: not read
  EXPECT_FALSE(DecodeTokenStorage(file.substr(0, file.size() / 2)).ok());
}

TEST(DelegationTokenTest, SelectionPrefersTheNamenodesServiceAndElseTheOnlyOne) {
  hadoop::common::TokenProto a, b, other;
  a.set_kind(std::string(kDelegationTokenKind));
  a.set_service("nn1:8020");
  b = a;
  b.set_service("nn2:8020");
  other.set_kind("HDFS_BLOCK_TOKEN");
  other.set_service("nn2:8020");
  EXPECT_EQ(SelectDelegationToken({a, b}, "nn2:8020")->service(), "nn2:8020");
  EXPECT_FALSE(SelectDelegationToken({a, b}, "nn3:8020").has_value());
  EXPECT_EQ(SelectDelegationToken({a, other}, "nn3:8020")->service(), "nn1:8020");
  EXPECT_FALSE(SelectDelegationToken({other}, "nn2:8020").has_value());
}

// One full DIGEST-MD5 exchange between Cyrus's client and server.
Status Exchange(const std::string& identifier, const std::string& client_password,
                const std::string& server_password, std::string* authenticated) {
  ASSIGN_OR_RETURN(auto server, DigestMd5Server::Create([&](std::string_view id) -> Result<std::string> {
                     if (id != identifier) return PermissionDenied("unknown token");
                     return server_password;
                   }));
  ASSIGN_OR_RETURN(auto client, DigestMd5Client::Create(identifier, client_password));
  ASSIGN_OR_RETURN(std::string challenge, server->Start());
  ASSIGN_OR_RETURN(std::string response, client->Step(challenge));
  ASSIGN_OR_RETURN(std::string rspauth, server->Step(response));
  if (!server->done()) return Internal("the server is not done");
  RETURN_IF_ERROR(client->Step(rspauth).status());
  if (!client->done()) return Internal("the client is not done");
  *authenticated = server->identifier();
  return Status::OK();
}

TEST(DelegationTokenTest, DigestMd5SucceedsOnlyWithTheTokensPassword) {
  const std::string identifier("\x00\x05" "alice\x04yarn", 12);
  const std::string password("\x01\x02\x03 secret \xff", 13);
  std::string who;
  Status ok = Exchange(identifier, password, password, &who);
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(who, identifier);
  Status wrong = Exchange(identifier, password + "x", password, &who);
  EXPECT_EQ(wrong.code(), ErrorCode::kPermissionDenied) << wrong.ToString();
  auto server = DigestMd5Server::Create([](std::string_view) -> Result<std::string> {
    return PermissionDenied("token (HDFS_DELEGATION_TOKEN token 9 for bob) is expired");
  });
  ASSERT_TRUE(server.ok());
  auto client = DigestMd5Client::Create(identifier, password);
  ASSERT_TRUE(client.ok());
  auto challenge = (*server)->Start();
  ASSERT_TRUE(challenge.ok());
  auto response = (*client)->Step(*challenge);
  ASSERT_TRUE(response.ok());
  auto refused = (*server)->Step(*response);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is expired"), std::string::npos) << refused.status().ToString();
}

}  // namespace
}  // namespace cairn
