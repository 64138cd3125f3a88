// cairn admin ca init|issue: the cluster CA on the local disk (common/cluster_ca.h). The
// operator keeps DIR/ca.key somewhere only administrators can read, and copies each
// daemon its ROLE-HOST.crt and .key plus ca.crt (the --tls_* flags).
#include <sys/stat.h>

#include <cerrno>

#include "client/cli/args.h"
#include "client/cli/command.h"
#include "common/cluster_ca.h"
#include "common/split.h"
#include "common/whole_file.h"

namespace cairn::cli {
namespace {

constexpr const char* kProgram = "cairn";

Result<int> ParseDays(const std::string& text, int fallback) {
  if (text.empty()) return fallback;
  ASSIGN_OR_RETURN(uint64_t days, ParseCount(text, "--days", 36500));
  if (days == 0) return InvalidArgument("--days must be at least 1");
  return static_cast<int>(days);
}

Status Init(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  std::string name = "Cairn cluster CA", days_text;
  ArgParser p("admin ca init [--name NAME] [--days N] DIR",
              "Create the cluster CA in DIR (made if missing): ca.key (mode 0600) and ca.crt.");
  p.Option("--name", &name, "NAME", "the CA's common name").Option("--days", &days_text, "N", "validity (default 3650)")
      .Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto days = ParseDays(days_text, 3650);
  if (!days.ok()) {
    ctx.set_usage_error();
    return days.status();
  }
  const std::string& dir = operands[0];
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoError(errno, "mkdir " + dir);
  ASSIGN_OR_RETURN(PemKeyAndCertificate ca, CreateClusterCa(name, *days));
  RETURN_IF_ERROR(WriteWholeFile(dir + "/ca.key", ca.key_pem, 0600, FileWrite::kCreateNew));
  RETURN_IF_ERROR(WriteWholeFile(dir + "/ca.crt", ca.certificate_pem, 0644, FileWrite::kCreateNew));
  return ctx.Out(fmt::format("Created the cluster CA '{}' in {} (ca.crt, ca.key)\n", name, dir));
}

Status Issue(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  std::string out, days_text;
  ArgParser p("admin ca issue [--out PREFIX] [--days N] DIR ROLE HOST[,HOST...]",
              "Issue a daemon certificate signed by the CA in DIR: common name ROLE/HOST (roles: namenode, datanode, jobmaster), "
              "every HOST (name or IP address) as a subject alternative name. Writes PREFIX.crt and PREFIX.key "
              "(0600); PREFIX defaults to DIR/ROLE-HOST.");
  p.Option("--out", &out, "PREFIX", "where the certificate and key go")
      .Option("--days", &days_text, "N", "validity (default 365)")
      .Operands(&operands, 3, 3);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto days = ParseDays(days_text, 365);
  if (!days.ok()) {
    ctx.set_usage_error();
    return days.status();
  }
  const std::string &dir = operands[0], &role = operands[1];
  if (role != kNamenodeRole && role != kDatanodeRole && role != kJobMasterRole) {
    ctx.set_usage_error();
    return InvalidArgument("unknown daemon role '{}' (namenode, datanode or jobmaster)", role);
  }
  const std::vector<std::string> hosts = SplitNonEmpty(operands[2], ',');
  if (hosts.empty()) {
    ctx.set_usage_error();
    return InvalidArgument("give at least one host name or address");
  }
  PemKeyAndCertificate ca;
  ASSIGN_OR_RETURN(ca.key_pem, ReadWholeFile(dir + "/ca.key"));
  ASSIGN_OR_RETURN(ca.certificate_pem, ReadWholeFile(dir + "/ca.crt"));
  ASSIGN_OR_RETURN(PemKeyAndCertificate cert, IssueDaemonCertificate(ca, role, hosts, *days));
  if (out.empty()) out = dir + "/" + role + "-" + hosts[0];
  RETURN_IF_ERROR(WriteWholeFile(out + ".key", cert.key_pem, 0600, FileWrite::kCreateNew));
  RETURN_IF_ERROR(WriteWholeFile(out + ".crt", cert.certificate_pem, 0644, FileWrite::kCreateNew));
  return ctx.Out(fmt::format("Issued {}/{} ({}.crt, {}.key)\n", role, hosts[0], out, out));
}

}  // namespace

Status AdminCa(CliContext& ctx, const std::vector<std::string>& args) {
  static const char* kUsage =
      "usage: cairn admin ca init [--name NAME] [--days N] DIR\n"
      "       cairn admin ca issue [--out PREFIX] [--days N] DIR ROLE HOST[,HOST...]\n";
  return RunSubcommand(ctx, args, kUsage, {{"init", Init}, {"issue", Issue}});
}

}  // namespace cairn::cli
