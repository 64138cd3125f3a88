#include "compute/gang/gang_worker.h"

#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/path.h"
#include "compute/counters.h"
#include "compute/local_files.h"
#include "compute/runtime/child_process.h"
#include "compute/runtime/local_block.h"

namespace cairn::compute {

namespace {

constexpr size_t kCopyBytes = 8 << 20;
// Linux refuses a single environment string above 128 KiB (MAX_ARG_STRLEN).
constexpr size_t kMaxEnvValueBytes = 100 << 10;

std::string DescribeRange(const InputSplit& split) {
  return fmt::format("{} [{}, +{})", split.path(), split.start(), split.length());
}

// Reads the whole local replica once, verifying every chunk against its stored CRCs.
Status VerifyLocalReplica(const InputSplit& split) {
  ASSIGN_OR_RETURN(auto block, OpenLocalReplica(split));
  const size_t bpc = std::max<size_t>(1, block->bytes_per_checksum());
  const size_t step = std::max(bpc, kCopyBytes / bpc * bpc);
  std::vector<char> buf(step);
  for (uint64_t off = 0; off < split.length(); off += step) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(step, split.length() - off));
    RETURN_IF_ERROR(block->ReadVerified(off, n, buf.data()));
  }
  return Status::OK();
}

// Copies [start, start + length) of a Cairn file into a local file.
Status FetchRange(client::FileSystem& fs, const InputSplit& split, const std::string& to) {
  ASSIGN_OR_RETURN(auto in, fs.Open(split.path()));
  RETURN_IF_ERROR(in->Seek(split.start()));
  std::vector<char> buf(std::min<uint64_t>(kCopyBytes, std::max<uint64_t>(split.length(), 1)));
  FILE* out = std::fopen(to.c_str(), "wb");
  if (out == nullptr) return ErrnoError(errno, "create " + to);
  Status st;
  uint64_t left = split.length();
  while (st.ok() && left > 0) {
    auto n = in->Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), left)));
    if (!n.ok()) {
      st = n.status();
    } else if (*n == 0) {
      st = IoError("{} ended {} bytes before the end of its split", split.path(), left);
    } else if (std::fwrite(buf.data(), 1, *n, out) != *n) {
      st = ErrnoError(errno, "write " + to);
    } else {
      left -= *n;
    }
  }
  if (std::fclose(out) != 0 && st.ok()) st = ErrnoError(errno, "close " + to);
  return st;
}

// Gives every shard a local file; returns the JSON list of them.
Result<nlohmann::json> PrepareShards(TaskRuntime& rt) {
  nlohmann::json list = nlohmann::json::array();
  const auto& splits = rt.spec().splits();
  for (int i = 0; i < splits.size(); ++i) {
    const InputSplit& split = splits[i];
    std::string file;
    bool local = false;
    if (HasLocalReplica(split)) {
      Status st = VerifyLocalReplica(split);
      if (st.ok()) {
        // The command inherits the handed-over descriptor; /dev/fd/N opens the block
        // file although its account could not open the datanode's path.
        file = "/dev/fd/" + std::to_string(split.local_block_fd());
        local = true;
        rt.counters().bytes_read_local.Add(split.length());
      } else {
        spdlog::warn("local replica of {} unusable, fetching it instead: {}", DescribeRange(split), st.ToString());
      }
    }
    if (!local) {
      RETURN_IF_ERROR(MakeDirectories(rt.work_dir() + "/shards"));
      file = fmt::format("{}/shards/{:05d}", rt.work_dir(), i);
      ASSIGN_OR_RETURN(client::FileSystem * fs, rt.fs());
      RETURN_IF_ERROR(FetchRange(*fs, split, file).WithContext("fetching " + DescribeRange(split)));
      rt.counters().bytes_read_remote.Add(split.length());
    }
    list.push_back({{"path", split.path()},
                    {"start", split.start()},
                    {"length", split.length()},
                    {"file", file},
                    {"local", local}});
  }
  return list;
}

// Copies what the command left in output_local into the attempt's output dir on Cairn.
Status UploadOutput(TaskRuntime& rt, const std::string& output_local) {
  ASSIGN_OR_RETURN(client::FileSystem * fs, rt.fs());
  const std::string& to = rt.spec().output_dir();
  RETURN_IF_ERROR(fs->Mkdirs(to));
  client::CreateOptions options;
  options.overwrite = true;
  options.replication = rt.spec().job().output_replication();
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(output_local, ec), end;
  if (ec) return Internal("cannot list {}: {}", output_local, ec.message());
  std::vector<char> buf(kCopyBytes);
  for (; it != end; it.increment(ec)) {
    if (ec) return Internal("cannot list {}: {}", output_local, ec.message());
    if (!it->is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(it->path(), output_local).string();
    FILE* in = std::fopen(it->path().c_str(), "rb");
    if (in == nullptr) return ErrnoError(errno, "open " + it->path().string());
    auto out = fs->Create(JoinPath(to, rel), options);
    Status st = out.status();
    int64_t bytes = 0;
    while (st.ok()) {
      size_t n = std::fread(buf.data(), 1, buf.size(), in);
      if (n == 0) {
        if (std::ferror(in)) st = ErrnoError(errno, "read " + it->path().string());
        break;
      }
      st = (*out)->Write(buf.data(), n);
      bytes += static_cast<int64_t>(n);
    }
    std::fclose(in);
    if (st.ok()) st = (*out)->Close();
    RETURN_IF_ERROR(st.WithContext("uploading " + rel));
    rt.counters().output_bytes.Add(static_cast<uint64_t>(bytes));
  }
  return Status::OK();
}

// Copies a pipe into one of this process's own descriptors until the writer closes it.
void Pump(int from, int to) {
  std::vector<char> buf(64 << 10);
  for (;;) {
    ssize_t n = ::read(from, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    (void)WriteAllToFd(to, buf.data(), static_cast<size_t>(n));
  }
}

}  // namespace

TaskOutcome RunGangWorker(TaskRuntime& rt) {
  TaskOutcome outcome;
  const TaskSpec& spec = rt.spec();
  rt.set_phase("preparing input shards");
  auto shards = PrepareShards(rt);
  if (!shards.ok()) {
    outcome.status = shards.status();
    return outcome;
  }
  const std::string json = shards->dump();
  const std::string splits_file = rt.work_dir() + "/input_splits.json";
  std::vector<std::string> env = rt.Environment().variables;
  env.insert(env.end(), spec.env().begin(), spec.env().end());
  outcome.status = WriteFileAtomically(splits_file, json, /*sync=*/false);
  if (!outcome.status.ok()) return outcome;
  env.push_back("CAIRN_INPUT_SPLITS=" + (json.size() <= kMaxEnvValueBytes ? json : "@" + splits_file));
  env.push_back("CAIRN_INPUT_SPLITS_FILE=" + splits_file);
  env.push_back("CAIRN_NAMENODE=" + spec.namenode());
  env.push_back("CAIRN_JOB_ID=" + spec.job_id());
  env.push_back("CAIRN_ATTEMPT_ID=" + spec.attempt_id());
  const std::string output_local = rt.work_dir() + "/output";
  if (!spec.output_dir().empty()) {
    outcome.status = MakeDirectories(output_local);
    if (!outcome.status.ok()) return outcome;
    env.push_back("CAIRN_OUTPUT_DIR=" + output_local);
  }

  rt.set_phase("running");
  rt.set_progress(0.05f);
  auto child = ChildProcess::Spawn(spec.job().gang_command(), rt.work_dir(), env);
  if (!child.ok()) {
    outcome.status = child.status().WithContext("starting the worker command");
    return outcome;
  }
  (*child)->CloseStdin();
  std::thread out([&] { Pump((*child)->stdout_fd(), STDOUT_FILENO); });
  std::thread err([&] { Pump((*child)->stderr_fd(), STDERR_FILENO); });
  auto code = (*child)->Wait();
  out.join();
  err.join();
  if (!code.ok()) {
    outcome.status = code.status();
    return outcome;
  }
  if (*code != 0) {
    outcome.status = Aborted("worker {} command '{}' exited with code {}", spec.index(), spec.job().gang_command(), *code);
    return outcome;
  }
  if (!spec.output_dir().empty()) {
    rt.set_phase("uploading output");
    outcome.status = UploadOutput(rt, output_local);
    if (!outcome.status.ok()) return outcome;
    outcome.output_file = spec.output_dir();
  }
  rt.set_progress(1.0f);
  return outcome;
}

}  // namespace cairn::compute
