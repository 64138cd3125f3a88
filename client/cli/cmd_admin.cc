// Administration commands: fsck, recoverlease, admin report (with compute slots), admin
// safemode, admin decommission / recommission.
#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "cairn/namenode.pb.h"
#include "client/cli/command.h"
#include "client/cli/format.h"
#include "client/cli/job_format.h"
#include "client/job_client.h"
#include "client/namenode_client.h"
#include "common/clock.h"
#include "common/flags.h"

namespace cairn::cli {

namespace {

std::string FsckText(const FsckResponse& r, const std::string& path, const std::string& user, bool files) {
  std::string out = fmt::format("FSCK started by {} for path {} at {}\n", user, path, FormatDate(WallMillis()));
  if (files) {
    for (const auto& f : r.files()) {
      out += fmt::format("{} {} bytes, replicated: replication={}, {} block(s): {}{}\n", f.path(), f.length(),
                         f.replication(), f.blocks_size(), FsckBlock::Health_Name(f.health()),
                         f.under_construction() ? " (under construction)" : "");
      for (int i = 0; i < f.blocks_size(); ++i) {
        const auto& b = f.blocks(i);
        std::string replicas;
        int live = 0;
        for (const auto& rep : b.replicas()) {
          if (!rep.corrupt()) ++live;
          replicas += fmt::format("{}{} ({}{}{})", replicas.empty() ? "" : ", ", rep.datanode(), rep.rack(),
                                  rep.corrupt() ? ", CORRUPT" : "", rep.stale() ? ", stale" : "");
        }
        out += fmt::format("{}. blk_{}_{} len={} Live_repl={} {}{} [{}]\n", i, b.block_id(), b.gen_stamp(),
                           b.num_bytes(), live, FsckBlock::Health_Name(b.health()),
                           b.mis_replicated() ? " MIS_REPLICATED" : "", replicas);
      }
      out += "\n";
    }
  }
  const std::string status = FsckStatus(r);
  out += fmt::format("\nStatus: {}\n", status);
  out += fmt::format(" Number of data-nodes:\t{}\n", r.live_datanodes());
  out += fmt::format(" Dead data-nodes:\t{}\n", r.dead_datanodes());
  out += fmt::format(" Total dirs:\t\t{}\n", r.total_dirs());
  out += fmt::format(" Total files:\t\t{}\n", r.total_files());
  out += fmt::format(" Total size:\t\t{} B\n", r.total_bytes());
  out += fmt::format(" Total blocks (validated):\t{}\n", r.total_blocks());
  out += fmt::format(" Healthy blocks:\t\t{}\n", r.healthy_blocks());
  out += fmt::format(" Under-replicated blocks:\t{}\n", r.under_replicated_blocks());
  out += fmt::format(" Over-replicated blocks:\t{}\n", r.over_replicated_blocks());
  out += fmt::format(" Mis-replicated blocks:\t\t{}\n", r.mis_replicated_blocks());
  out += fmt::format(" Missing blocks:\t\t{}\n", r.missing_blocks());
  out += fmt::format(" Corrupt blocks:\t\t{}\n", r.corrupt_blocks());
  out += fmt::format(" Default replication factor:\t{}\n", r.default_replication());
  out += fmt::format("\nThe filesystem under path '{}' is {}\n", path, status);
  return out;
}

Status Fsck(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false, blocks = false, files = false;
  std::vector<std::string> paths;
  ArgParser p("fsck [PATH] [--files] [--blocks] [--json]",
              "Check the health of files under PATH (default /): blocks, replicas and where they live. "
              "Exits 1 when the file system is CORRUPT.");
  p.Flag("--files", &files, "list every file")
      .Flag("--blocks", &blocks, "list every file's blocks and their replicas (implies --files)")
      .Flag("--json", &json, "print one JSON document")
      .Operands(&paths, 0, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  const std::string path = paths.empty() ? "/" : paths[0];
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(FsckResponse r, fs->Fsck(path, blocks));
  if (!blocks && !files && !json) r.clear_files();
  RETURN_IF_ERROR(json ? ctx.Out(ToJson(r, path).dump() + "\n") : ctx.Out(FsckText(r, path, fs->user(), files || blocks)));
  if (FsckStatus(r) != "HEALTHY") return Corruption("the filesystem under path '{}' is {}", path, FsckStatus(r));
  return Status::OK();
}

std::string Bytes(uint64_t b) { return fmt::format("{} ({})", b, FormatByteSize(b)); }

Status Report(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false;
  ArgParser p("admin report [--json]", "Cluster capacity and every datanode: state, rack, space, blocks, last contact.");
  p.Flag("--json", &json, "print one JSON document").Operands(nullptr, 0, 0);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(client::FsStats stats, fs->GetFsStats());
  ASSIGN_OR_RETURN(std::vector<client::DatanodeReport> nodes, fs->GetDatanodeReport());
  size_t live = 0;
  for (const auto& dn : nodes) live += dn.live ? 1 : 0;
  // Each datanode's executor, when a job master is configured: slots, memory and GPUs.
  std::map<std::string, ExecutorReport> executors;
  std::string compute_error;
  if (auto jobs = ctx.jobs(); jobs.ok()) {
    auto list = (*jobs)->Executors();
    if (list.ok()) {
      for (auto& e : *list) executors[e.node()] = std::move(e);
    } else {
      compute_error = list.status().ToString();
    }
  } else if (jobs.status().code() != ErrorCode::kInvalidArgument) {  // kInvalidArgument: no job master configured
    compute_error = jobs.status().ToString();
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& dn : nodes) {
      nlohmann::json j = ToJson(dn);
      if (auto it = executors.find(dn.address); it != executors.end()) j["executor"] = ExecutorToJson(it->second);
      list.push_back(std::move(j));
    }
    nlohmann::json doc = {{"capacity", stats.capacity},
                          {"used", stats.used},
                          {"remaining", stats.remaining},
                          {"under_replicated_blocks", stats.under_replicated},
                          {"corrupt_blocks", stats.corrupt_blocks},
                          {"missing_blocks", stats.missing_blocks},
                          {"live_datanodes", live},
                          {"dead_datanodes", nodes.size() - live},
                          {"datanodes", std::move(list)}};
    if (!compute_error.empty()) doc["compute_error"] = compute_error;
    return ctx.Out(doc.dump() + "\n");
  }
  std::string out = fmt::format(
      "Configured Capacity: {}\nDFS Used: {}\nDFS Remaining: {}\nUnder replicated blocks: {}\n"
      "Blocks with corrupt replicas: {}\nMissing blocks: {}\n\n-------------------------------------------------\n",
      Bytes(stats.capacity), Bytes(stats.used), Bytes(stats.remaining), stats.under_replicated, stats.corrupt_blocks,
      stats.missing_blocks);
  for (bool want_live : {true, false}) {
    out += fmt::format("{} datanodes ({}):\n\n", want_live ? "Live" : "Dead", want_live ? live : nodes.size() - live);
    for (const auto& dn : nodes) {
      if (dn.live != want_live) continue;
      std::string contact = dn.last_heartbeat_ms_ago < 0
                                ? "never"
                                : fmt::format("{} ({:.1f} s ago)", FormatDate(WallMillis() - dn.last_heartbeat_ms_ago),
                                              static_cast<double>(dn.last_heartbeat_ms_ago) / 1000.0);
      std::string admin = dn.admin_state;
      if (dn.admin_state == "DECOMMISSION_INPROGRESS")
        admin += fmt::format(" ({} of {} blocks still to copy elsewhere)", dn.decommission_blocks_pending, dn.blocks);
      std::string volumes;
      if (dn.failed_volumes > 0) {
        volumes = fmt::format("Failed volumes: {}\n", dn.failed_volumes);
        for (const auto& f : dn.volume_failures) volumes += fmt::format("  {}\n", f);
      }
      out += fmt::format(
          "Name: {} ({})\nUuid: {}\nRack: {}\nState: {}\nAdmin state: {}\nConfigured Capacity: {}\nDFS Used: {}\n"
          "DFS Remaining: {}\nBlocks: {}\nXceivers: {}\n{}Last contact: {}\n\n",
          dn.address, dn.hostname, dn.uuid, dn.rack, dn.live ? "live" : "dead", admin, Bytes(dn.capacity),
          Bytes(dn.used), Bytes(dn.remaining), dn.blocks, dn.xceivers, volumes, contact);
      if (auto it = executors.find(dn.address); it != executors.end()) {
        const ExecutorReport& e = it->second;
        out.insert(out.size() - 1, fmt::format("Compute slots: {} ({} in use)\nCompute memory: {} ({} in use)\nGPUs: {}\n",
                                               e.total().cpu_slots(), e.used_slots(), FormatByteSize(e.total().memory_bytes()),
                                               FormatByteSize(e.used_memory()), ExecutorGpuText(e)));
      }
    }
  }
  if (!compute_error.empty()) out += "Compute: the job master could not be asked: " + compute_error + "\n";
  return ctx.Out(out);
}

Status SafeMode(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  ArgParser p("admin safemode get|enter|leave", "Show, enter or leave the namenode's safe mode.");
  p.Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  hadoop::hdfs::SetSafeModeRequestProto req;
  if (operands[0] == "get") req.set_action(hadoop::hdfs::SAFEMODE_GET);
  else if (operands[0] == "enter") req.set_action(hadoop::hdfs::SAFEMODE_ENTER);
  else if (operands[0] == "leave") req.set_action(hadoop::hdfs::SAFEMODE_LEAVE);
  else {
    ctx.set_usage_error();
    return InvalidArgument("unknown safemode action '{}' (get, enter or leave)", operands[0]);
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(auto resp, fs->namenode().SetSafeMode(req));
  return ctx.Out(fmt::format("Safe mode is {}\n", resp.result() ? "ON" : "OFF"));
}

// Polls `done` every 200 ms until it holds or wait_s seconds pass (0: asks once).
Result<bool> PollFor(double wait_s, const std::function<Result<bool>()>& done) {
  const int64_t deadline = MonotonicMillis() + static_cast<int64_t>(wait_s * 1000);
  for (;;) {
    ASSIGN_OR_RETURN(bool ok, done());
    if (ok || MonotonicMillis() >= deadline) return ok;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<double> ParseWait(const std::string& text) {
  if (text.empty()) return 0.0;
  ASSIGN_OR_RETURN(uint64_t s, ParseCount(text, "--wait", 7 * 24 * 3600));
  return static_cast<double>(s);
}

// admin decommission / recommission HOST:PORT...
Status Decommission(CliContext& ctx, const std::vector<std::string>& args, bool decommission) {
  std::vector<std::string> nodes;
  std::string wait_text;
  ArgParser p(decommission ? "admin decommission [--wait SECONDS] HOST:PORT..." : "admin recommission HOST:PORT...",
              decommission ? "Copy every replica off the datanodes (HOST:PORT is the transfer address), then mark "
                             "them DECOMMISSIONED; `admin report` shows the progress."
                           : "Put decommissioned (or decommissioning) datanodes back in service.");
  if (decommission) p.Option("--wait", &wait_text, "SECONDS", "wait until every node is DECOMMISSIONED (exit 1 if not)");
  p.Operands(&nodes, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto wait_s = ParseWait(wait_text);
  if (!wait_s.ok()) {
    ctx.set_usage_error();
    return wait_s.status();
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  RETURN_IF_ERROR(fs->Decommission(nodes, decommission));
  if (!decommission) return ctx.Out(fmt::format("Recommissioned {} datanode(s)\n", nodes.size()));
  RETURN_IF_ERROR(ctx.Out(fmt::format("Decommissioning {} datanode(s)\n", nodes.size())));
  if (*wait_s <= 0) return Status::OK();
  DatanodeAdminRequest status;
  for (const auto& n : nodes) status.add_datanodes(n);
  ASSIGN_OR_RETURN(bool done, PollFor(*wait_s, [&]() -> Result<bool> {
                     ASSIGN_OR_RETURN(DatanodeAdminResponse r, fs->namenode().DatanodeAdmin(status));
                     for (const auto& dn : r.datanodes())
                       if (dn.admin_state() != "DECOMMISSIONED") return false;
                     return true;
                   }));
  if (!done) return TimedOut("the datanodes are not decommissioned yet after {} s", *wait_s);
  return ctx.Out("Decommissioned\n");
}

// recoverlease PATH: closes a file whose writer is gone (HDFS's `hdfs debug recoverLease`).
Status RecoverLease(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string wait_text;
  ArgParser p("recoverlease [--wait SECONDS] PATH",
              "Take the lease of a file from its (dead) writer and close it once its last block is recovered to a "
              "length all its replicas hold. Exits 1 while the file is still open.");
  p.Option("--wait", &wait_text, "SECONDS", "keep asking until the file is closed or this time passes")
      .Operands(&paths, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto wait_s = ParseWait(wait_text);
  if (!wait_s.ok()) {
    ctx.set_usage_error();
    return wait_s.status();
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(bool closed, PollFor(*wait_s, [&] { return fs->RecoverLease(paths[0]); }));
  if (!closed)
    return Aborted("{} is still open: recovery of its last block is under way (run the command again, or use --wait)",
                   paths[0]);
  return ctx.Out(fmt::format("{}: lease recovered, the file is closed\n", paths[0]));
}

Status Admin(CliContext& ctx, const std::vector<std::string>& args) {
  static const char* kUsage =
      "usage: cairn admin report [--json]\n       cairn admin safemode get|enter|leave\n"
      "       cairn admin decommission [--wait SECONDS] HOST:PORT...\n       cairn admin recommission HOST:PORT...\n"
      "       cairn admin ca init|issue ...   (the cluster CA for daemon certificates)\n";
  return RunSubcommand(ctx, args, kUsage,
                       {{"report", Report},
                        {"safemode", SafeMode},
                        {"decommission", [](CliContext& c, const auto& a) { return Decommission(c, a, true); }},
                        {"recommission", [](CliContext& c, const auto& a) { return Decommission(c, a, false); }},
                        {"ca", AdminCa}});
}

}  // namespace

void AddAdminCommands(std::vector<Command>* commands) {
  commands->push_back({"fsck", "check the health of files and blocks", Fsck});
  commands->push_back({"recoverlease", "close a file whose writer died", RecoverLease});
  commands->push_back({"admin", "cluster administration: report, safemode, decommission, ca", Admin});
}

}  // namespace cairn::cli
