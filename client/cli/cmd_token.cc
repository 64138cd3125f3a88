// cairn token fetch|renew|cancel|print: delegation tokens in Hadoop token storage files
// (what `hdfs fetchdt` writes and HADOOP_TOKEN_FILE_LOCATION names). fetch needs a
// Kerberos ticket; a process given the file then reaches the namenode as the token's owner
// without one, until the token expires or is cancelled.
#include <functional>

#include "client/cli/args.h"
#include "client/cli/command.h"
#include "client/cli/format.h"
#include "client/namenode_client.h"
#include "common/delegation_token.h"
#include "common/whole_file.h"

namespace cairn::cli {
namespace {

Result<std::vector<hadoop::common::TokenProto>> ReadDelegationTokens(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  auto all = DecodeTokenStorage(bytes);
  if (!all.ok()) return all.status().WithContext(path);
  std::vector<hadoop::common::TokenProto> tokens;
  for (auto& t : *all) {
    if (t.kind() == kDelegationTokenKind) tokens.push_back(std::move(t));
  }
  if (tokens.empty()) return NotFound("{} holds no {}", path, kDelegationTokenKind);
  return tokens;
}

std::string Describe(const hadoop::common::TokenProto& token) {
  auto id = DecodeDelegationTokenIdentifier(token.identifier());
  if (!id.ok()) return fmt::format("{} token (undecodable: {})", token.kind(), id.status().message());
  return fmt::format("{} token {} for {}", token.kind(), id->sequence_number, id->owner);
}

// The namenode address as a token's service: host:port without the scheme.
std::string ServiceOf(const std::string& namenode) {
  std::string_view s = namenode;
  if (s.rfind("hdfs://", 0) == 0) s.remove_prefix(7);
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

Status Fetch(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  std::string renewer;
  ArgParser p("token fetch [--renewer NAME] FILE",
              "Get a delegation token from the namenode (needs a Kerberos ticket) and write it to FILE (mode 0600) as "
              "a Hadoop token storage file. The renewer (default: you) is the only one who may renew it.");
  p.Option("--renewer", &renewer, "NAME", "user or principal allowed to renew the token").Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  hadoop::common::GetDelegationTokenRequestProto req;
  req.set_renewer(renewer.empty() ? fs->user() : renewer);
  ASSIGN_OR_RETURN(auto resp, fs->namenode().GetDelegationToken(req));
  if (!resp.has_token())
    return PermissionDenied("the namenode issues no delegation tokens (it runs with --security=simple)");
  hadoop::common::TokenProto token = resp.token();
  token.set_service(ServiceOf(fs->options().namenode));
  RETURN_IF_ERROR(WriteWholeFile(operands[0], EncodeTokenStorage({token}), 0600, FileWrite::kReplaceAtomically));
  ASSIGN_OR_RETURN(DelegationTokenIdentifier id, DecodeDelegationTokenIdentifier(token.identifier()));
  return ctx.Out(fmt::format("Fetched {} (renewer {}, renewable until {}) into {}\n", Describe(token), id.renewer,
                             FormatUtcTime(id.max_date), operands[0]));
}

// A subcommand that sends each delegation token in FILE to the namenode: `call` makes the
// call for one token and returns the line to print.
using TokenCall = std::function<Result<std::string>(client::NamenodeClient&, const hadoop::common::TokenProto&)>;
Status ForEachToken(CliContext& ctx, const std::vector<std::string>& args, const char* usage, const char* summary,
                    const TokenCall& call) {
  std::vector<std::string> operands;
  ArgParser p(usage, summary);
  p.Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(auto tokens, ReadDelegationTokens(operands[0]));
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (const auto& t : tokens) {
    ASSIGN_OR_RETURN(std::string line, call(fs->namenode(), t));
    RETURN_IF_ERROR(ctx.Out(line));
  }
  return Status::OK();
}

Status Renew(CliContext& ctx, const std::vector<std::string>& args) {
  return ForEachToken(ctx, args, "token renew FILE", "Renew every delegation token in FILE (you must be its renewer).",
                      [](client::NamenodeClient& nn, const hadoop::common::TokenProto& t) -> Result<std::string> {
                        hadoop::common::RenewDelegationTokenRequestProto req;
                        *req.mutable_token() = t;
                        ASSIGN_OR_RETURN(auto resp, nn.RenewDelegationToken(req));
                        return fmt::format("Renewed {} until {}\n", Describe(t),
                                           FormatUtcTime(static_cast<int64_t>(resp.newexpirytime())));
                      });
}

Status Cancel(CliContext& ctx, const std::vector<std::string>& args) {
  return ForEachToken(ctx, args, "token cancel FILE",
                      "Cancel every delegation token in FILE (you must be its owner or renewer).",
                      [](client::NamenodeClient& nn, const hadoop::common::TokenProto& t) -> Result<std::string> {
                        hadoop::common::CancelDelegationTokenRequestProto req;
                        *req.mutable_token() = t;
                        RETURN_IF_ERROR(nn.CancelDelegationToken(req).status());
                        return fmt::format("Cancelled {}\n", Describe(t));
                      });
}

Status Print(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  ArgParser p("token print FILE", "Show the delegation tokens in FILE (no namenode needed).");
  p.Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(auto tokens, ReadDelegationTokens(operands[0]));
  for (const auto& t : tokens) {
    ASSIGN_OR_RETURN(DelegationTokenIdentifier id, DecodeDelegationTokenIdentifier(t.identifier()));
    RETURN_IF_ERROR(ctx.Out(fmt::format(
        "{}\n  service {}\n  owner {}, renewer {}, real user {}\n  issued {}, max date {}, master key {}\n",
        Describe(t), t.service().empty() ? "(none)" : t.service(), id.owner, id.renewer.empty() ? "(none)" : id.renewer,
        id.real_user.empty() ? "(none)" : id.real_user, FormatUtcTime(id.issue_date), FormatUtcTime(id.max_date),
        id.master_key_id)));
  }
  return Status::OK();
}

Status Token(CliContext& ctx, const std::vector<std::string>& args) {
  static const char* kUsage =
      "usage: cairn token fetch [--renewer NAME] FILE\n"
      "       cairn token renew FILE\n"
      "       cairn token cancel FILE\n"
      "       cairn token print FILE\n";
  return RunSubcommand(ctx, args, kUsage, {{"fetch", Fetch}, {"renew", Renew}, {"cancel", Cancel}, {"print", Print}});
}

}  // namespace

void AddTokenCommands(std::vector<Command>* commands) {
  commands->push_back({"token", "delegation tokens: fetch, renew, cancel, print", Token});
}

}  // namespace cairn::cli
