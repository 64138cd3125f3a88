// Hadoop delegation tokens as bytes: the identifier inside an HDFS_DELEGATION_TOKEN
// (AbstractDelegationTokenIdentifier's Writable form, so a Hadoop tool that prints a
// token sees the same owner, renewer and dates) and the token storage file that
// `hdfs fetchdt` writes and HADOOP_TOKEN_FILE_LOCATION names ("HDTS", version 0, the
// Writable Credentials). What a token allows and who may renew it is the namenode's
// business (namenode/delegation_token_manager.h); this file only encodes and decodes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn {

inline constexpr std::string_view kDelegationTokenKind = "HDFS_DELEGATION_TOKEN";

struct DelegationTokenIdentifier {
  std::string owner;      // the user the token authenticates as
  std::string renewer;    // the short name allowed to renew it ("" : nobody)
  std::string real_user;  // for a proxy user's token, who asked for it; else ""
  int64_t issue_date = 0;  // wall-clock ms since the epoch
  int64_t max_date = 0;    // no renewal goes past this
  int32_t sequence_number = 0;
  int32_t master_key_id = 0;
};

std::string EncodeDelegationTokenIdentifier(const DelegationTokenIdentifier& id);
// kInvalidArgument when the bytes are not a version-0 identifier.
Result<DelegationTokenIdentifier> DecodeDelegationTokenIdentifier(std::string_view bytes);

// A token as jobs carry it (a serialised TokenProto: SubmitJobRequest, TaskSpec,
// MlLoadRequest); kInvalidArgument when the bytes are not one.
Result<hadoop::common::TokenProto> ParseSerializedToken(std::string_view bytes);

// A token storage file holding `tokens` (alias: each token's service), in the Writable
// format every Hadoop release reads.
std::string EncodeTokenStorage(const std::vector<hadoop::common::TokenProto>& tokens);
// The tokens of a Writable-format ("HDTS", version 0) token storage file.
Result<std::vector<hadoop::common::TokenProto>> DecodeTokenStorage(std::string_view bytes);

// The HDFS delegation token for the namenode at `service` ("host:port", as the client
// addresses it): the one whose service matches, else the only one there is; nullopt when
// neither.
std::optional<hadoop::common::TokenProto> SelectDelegationToken(const std::vector<hadoop::common::TokenProto>& tokens,
                                                                std::string_view service);

// Hadoop's WritableUtils variable-length integers (exposed for tests).
void AppendWritableVLong(std::string* out, int64_t v);
Result<int64_t> ConsumeWritableVLong(std::string_view* in);

}  // namespace cairn
