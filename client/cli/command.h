// The shape shared by every `cairn` command: a CliContext (global options, the lazily
// connected FileSystem, where output goes) and a Command table entry. Each command group
// lives in its own file (cmd_namespace.cc, cmd_space.cc, cmd_io.cc, cmd_admin.cc) and
// contributes its entries through one Add*Commands function.
//
// A command returns OK or the Status to report; main prints `cairn: <cmd>: <message>` on
// one line and exits 1, or 2 when the context was marked as a usage error.
//
// Thread-safety: one thread.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/cli/args.h"
#include "client/file_system.h"
#include "client/job_client.h"
#include "common/status.h"

namespace cairn::cli {

struct GlobalOptions {
  std::string namenode;  // empty: $CAIRN_NAMENODE
  std::string jobmaster; // empty: $CAIRN_JOBMASTER
  std::string user;      // empty: the library's default ($CAIRN_USER, $HADOOP_USER_NAME, login)
};

class CliContext {
 public:
  explicit CliContext(GlobalOptions options);

  // Connects on first use.
  Result<client::FileSystem*> fs();
  Result<client::JobClient*> jobs();

  // Parses a command's arguments; on a usage error marks the context and returns it.
  // Returns OK with *help set when --help was asked (the help text is already printed).
  Status ParseArgs(ArgParser& parser, const std::vector<std::string>& args, const std::string& program, bool* help);

  // Writes to stdout (checked, unbuffered for big payloads).
  Status Out(std::string_view text);
  bool stdout_is_tty() const { return stdout_is_tty_; }
  bool usage_error() const { return usage_error_; }
  void set_usage_error() { usage_error_ = true; }

 private:
  GlobalOptions options_;
  std::unique_ptr<client::FileSystem> fs_;
  std::unique_ptr<client::JobClient> jobs_;
  bool stdout_is_tty_ = false;
  bool usage_error_ = false;
};

struct Command {
  std::string name;
  std::string summary;
  std::function<Status(CliContext&, const std::vector<std::string>& args)> run;
};

void AddNamespaceCommands(std::vector<Command>* commands);  // ls mkdir rm mv stat touch setrep chmod chown
void AddSpaceCommands(std::vector<Command>* commands);      // du df
void AddIoCommands(std::vector<Command>* commands);         // put get cat
void AddAdminCommands(std::vector<Command>* commands);      // fsck admin
void AddJobCommands(std::vector<Command>* commands);        // job
void AddMlCommands(std::vector<Command>* commands);         // ml
void AddTokenCommands(std::vector<Command>* commands);      // token

std::vector<Command> AllCommands();

// `cairn admin ca init|issue` (cmd_ca.cc), a subcommand group of `cairn admin`.
Status AdminCa(CliContext& ctx, const std::vector<std::string>& args);

// One subcommand of a command group (`cairn admin report`, `cairn job submit`, ...).
struct Subcommand {
  std::string name;
  std::function<Status(CliContext&, const std::vector<std::string>& args)> run;
};

// Runs the subcommand named by args[0] with the remaining arguments. No arguments or an
// unknown name is a usage error listing the names; -h/--help prints usage.
Status RunSubcommand(CliContext& ctx, const std::vector<std::string>& args, std::string_view usage,
                     const std::vector<Subcommand>& subcommands);

// Visits root and, for a directory, everything below it (depth first, parents before
// children, entries in name order); stops at the first error fn returns.
Status WalkTree(client::FileSystem& fs, const client::FileStatus& root,
                const std::function<Status(const client::FileStatus&)>& fn);

inline constexpr const char* kProgram = "cairn";

}  // namespace cairn::cli
