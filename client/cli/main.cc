// `cairn`: the command-line client. Global options come before the command:
//   cairn [--namenode HOST:PORT] [--jobmaster HOST:PORT] [--user NAME] COMMAND [ARGS...]
// Exit codes: 0 success, 1 failure, 2 usage error; a failure prints one line on stderr:
// `cairn: <command>: <message>`. Library logs are off unless $CAIRN_LOG_LEVEL is set.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "client/cli/command.h"
#include "common/logging.h"

namespace {

using cairn::cli::Command;

std::string GeneralHelp(const std::vector<Command>& commands) {
  std::string out =
      "usage: cairn [--namenode HOST:PORT] [--jobmaster HOST:PORT] [--user NAME] COMMAND [ARGS...]\n"
      "The Cairn file system client. The namenode address (hdfs://HOST:PORT for its Hadoop IPC door, HOST:PORT\n"
      "for its gRPC door) defaults to $CAIRN_NAMENODE, the job master's\n"
      "to $CAIRN_JOBMASTER; the user to $CAIRN_USER, then $HADOOP_USER_NAME, then your login name.\n\n"
      "commands:\n";
  for (const auto& c : commands) out += fmt::format("  {:<8} {}\n", c.name, c.summary);
  out += "\n`cairn COMMAND --help` describes each command.\n";
  return out;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "cairn: %s (see cairn --help)\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  cairn::LogSettings log;
  const char* level = std::getenv("CAIRN_LOG_LEVEL");
  log.log_level = level != nullptr ? level : "off";
  cairn::InitLogging("cairn", log);

  const std::vector<Command> commands = cairn::cli::AllCommands();
  std::vector<std::string> args(argv + 1, argv + argc);
  cairn::cli::GlobalOptions global;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* target = nullptr;
    std::string value;
    for (auto [name, field] : {std::pair{"--namenode", &global.namenode}, std::pair{"--jobmaster", &global.jobmaster},
                               std::pair{"--user", &global.user}}) {
      if (a == name) {
        if (i + 1 >= args.size()) return UsageError(fmt::format("option '{}' needs a value", name));
        target = field;
        value = args[++i];
      } else if (a.rfind(std::string(name) + "=", 0) == 0) {
        target = field;
        value = a.substr(std::string(name).size() + 1);
      }
    }
    if (target != nullptr) {
      *target = value;
      continue;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(GeneralHelp(commands).c_str(), stdout);
      return 0;
    }
    if (!a.empty() && a[0] == '-') return UsageError(fmt::format("unknown option '{}'", a));
    break;
  }
  if (i == args.size()) {
    std::fputs(GeneralHelp(commands).c_str(), stderr);
    return 2;
  }
  const std::string name = args[i];
  const Command* command = nullptr;
  for (const auto& c : commands) {
    if (c.name == name) command = &c;
  }
  if (command == nullptr) return UsageError(fmt::format("unknown command '{}'", name));

  cairn::cli::CliContext ctx(global);
  cairn::Status st = command->run(ctx, std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()));
  if (st.ok()) return 0;
  std::string message = st.message().empty() ? st.ToString() : st.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "cairn: %s: %s\n", name.c_str(), message.c_str());
  return ctx.usage_error() ? 2 : 1;
}
