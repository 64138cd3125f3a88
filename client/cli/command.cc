#include "client/cli/command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace cairn::cli {

CliContext::CliContext(GlobalOptions options) : options_(std::move(options)), stdout_is_tty_(::isatty(1) == 1) {}

Result<client::FileSystem*> CliContext::fs() {
  if (!fs_) {
    client::ClientOptions opts;
    opts.namenode = options_.namenode;
    if (opts.namenode.empty()) {
      const char* env = std::getenv("CAIRN_NAMENODE");
      if (env != nullptr) opts.namenode = env;
    }
    opts.user = options_.user;
    ASSIGN_OR_RETURN(fs_, client::FileSystem::Connect(opts));
  }
  return fs_.get();
}

Result<client::JobClient*> CliContext::jobs() {
  if (!jobs_) {
    client::JobClientOptions opts;
    opts.jobmaster = options_.jobmaster;
    opts.user = options_.user;
    // A kerberos job master needs each job's delegation token, fetched from the namenode.
    opts.namenode = [this] { return fs(); };
    ASSIGN_OR_RETURN(jobs_, client::JobClient::Connect(opts));
  }
  return jobs_.get();
}

Status CliContext::ParseArgs(ArgParser& parser, const std::vector<std::string>& args, const std::string& program,
                             bool* help) {
  *help = false;
  Status st = parser.Parse(args);
  if (!st.ok()) {
    usage_error_ = true;
    return st;
  }
  if (parser.help_requested()) {
    *help = true;
    return Out(parser.Help(program));
  }
  return Status::OK();
}

Status CliContext::Out(std::string_view text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(1, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "writing to standard output");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::OK();
}

std::vector<Command> AllCommands() {
  std::vector<Command> commands;
  AddNamespaceCommands(&commands);
  AddSpaceCommands(&commands);
  AddIoCommands(&commands);
  AddAdminCommands(&commands);
  AddJobCommands(&commands);
  AddMlCommands(&commands);
  AddTokenCommands(&commands);
  return commands;
}

Status RunSubcommand(CliContext& ctx, const std::vector<std::string>& args, std::string_view usage,
                     const std::vector<Subcommand>& subcommands) {
  std::string names;  // "a, b or c"
  for (size_t i = 0; i < subcommands.size(); ++i)
    names += (i == 0 ? "" : i + 1 == subcommands.size() ? " or " : ", ") + subcommands[i].name;
  if (args.empty()) {
    ctx.set_usage_error();
    return InvalidArgument("missing subcommand ({})", names);
  }
  if (args[0] == "-h" || args[0] == "--help") return ctx.Out(usage);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const Subcommand& sub : subcommands)
    if (sub.name == args[0]) return sub.run(ctx, rest);
  ctx.set_usage_error();
  return InvalidArgument("unknown subcommand '{}' ({})", args[0], names);
}

Status WalkTree(client::FileSystem& fs, const client::FileStatus& root,
                const std::function<Status(const client::FileStatus&)>& fn) {
  RETURN_IF_ERROR(fn(root));
  if (!root.is_dir) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<client::FileStatus> children, fs.List(root.path));
  for (const auto& child : children) RETURN_IF_ERROR(WalkTree(fs, child, fn));
  return Status::OK();
}

}  // namespace cairn::cli
