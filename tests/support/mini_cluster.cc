#include "tests/support/mini_cluster.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/whole_file.h"
#include "tests/support/test_util.h"

namespace cairn::testing {

namespace fs = std::filesystem;

Status WaitFor(const std::function<bool()>& cond, int timeout_ms, const std::string& what) {
  int64_t deadline = MonotonicMillis() + timeout_ms;
  int sleep_ms = 5;
  while (!cond()) {
    if (MonotonicMillis() > deadline) return TimedOut("'{}' did not hold within {} ms", what, timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    sleep_ms = std::min(sleep_ms * 2, 100);
  }
  return Status::OK();
}

Result<int> ReadPortFile(const std::string& path, const std::string& key, int timeout_ms) {
  int port = -1;
  Status st = WaitFor(
      [&] {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind(key + "=", 0) == 0) {
            port = std::atoi(line.c_str() + key.size() + 1);
            return true;
          }
        }
        return false;
      },
      timeout_ms, "port file " + path + " has " + key);
  if (!st.ok()) return st;
  return port;
}

Result<std::unique_ptr<MiniCluster>> MiniCluster::Start(const MiniClusterOptions& options) {
  std::unique_ptr<MiniCluster> c(new MiniCluster(options));
  c->dir_ = MakeTempDir("cluster");
  // mkdtemp makes it 0700; the executors' task account must reach the work dirs under it.
  ::chmod(c->dir_.c_str(), 0755);
  // The `kerberos` ctest label runs suites again with CAIRN_TEST_SECURITY=kerberos: every
  // cluster that can be secured today (no network hosts) is.
  if (const char* security = std::getenv("CAIRN_TEST_SECURITY");
      security != nullptr && std::string(security) == "kerberos" && !options.network_namespaces)
    c->options_.kerberos = true;
  if (options.network_namespaces) RETURN_IF_ERROR(c->StartNetwork());
  if (c->options_.kerberos) {
    if (options.network_namespaces) return Unimplemented("kerberos mini clusters run no network hosts yet");
    RETURN_IF_ERROR(c->StartKdc());
    // Kerberos executors run each task as its job's user: those users need local accounts.
    if (options.jobmaster) {
      for (const char* user : {"nn", "alice", "bob", "admin"}) RETURN_IF_ERROR(EnsureLocalAccount(user));
    }
  }
  RETURN_IF_ERROR(c->StartNamenode());
  RETURN_IF_ERROR(c->WriteHadoopConf());
  if (options.jobmaster) RETURN_IF_ERROR(c->StartJobmaster());
  c->datanodes_.resize(options.datanodes);
  for (int i = 0; i < options.datanodes; ++i) RETURN_IF_ERROR(c->StartDatanode(i));
  RETURN_IF_ERROR(c->WaitForLiveDatanodes(options.datanodes));
  if (options.jobmaster) RETURN_IF_ERROR(c->WaitForExecutors(options.datanodes));
  return c;
}

Status MiniCluster::StartNetwork() {
  ASSIGN_OR_RETURN(lab_, NetworkLab::Create());
  ASSIGN_OR_RETURN(namenode_host_, lab_->AddHost("nn", 0, 2));
  namenode_ip_ = lab_->ip(namenode_host_);
  // Rack = address range: datanodes of rack r live in subnet r + 1.
  std::string topology;
  for (int r = 0; r < std::max(1, options_.racks); ++r)
    topology += fmt::format("{} /rack{}\n", lab_->SubnetRange(r + 1), r);
  const std::string path = dir_ + "/topology";
  RETURN_IF_ERROR(WriteLocalFile(path, topology));
  options_.namenode_flags.push_back("--namenode_topology_file=" + path);
  return Status::OK();
}

std::vector<std::string> MiniCluster::OnHost(int datanode, std::vector<std::string> argv) const {
  if (!lab_) return argv;
  return lab_->Command(datanode < 0 ? namenode_host_ : datanodes_.at(datanode).host, std::move(argv));
}

std::string MiniCluster::DatanodeIp(int i) const {
  return lab_ ? lab_->ip(datanodes_.at(i).host) : std::string("127.0.0.1");
}

Status MiniCluster::CutOffDatanode(int i) {
  if (!lab_) return InvalidArgument("the cluster runs without network namespaces");
  return lab_->SetLinkUp(datanodes_.at(i).host, false);
}

Status MiniCluster::ReconnectDatanode(int i) {
  if (!lab_) return InvalidArgument("the cluster runs without network namespaces");
  return lab_->SetLinkUp(datanodes_.at(i).host, true);
}

MiniCluster::~MiniCluster() {
  for (auto& dn : datanodes_) (void)dn.process.Stop(5000);
  (void)jobmaster_.Stop(5000);
  (void)namenode_.Stop(5000);
  if (!kdc_dir_.empty()) (void)RunCommand({std::string(CAIRN_SOURCE_DIR) + "/tools/kdc", "stop", kdc_dir_});
  lab_.reset();  // after every process inside it is gone
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  bool failed = info && info->result() && info->result()->Failed();
  if (failed || std::getenv("CAIRN_KEEP_TEST_DIRS")) {
    std::fprintf(stderr, "mini cluster files kept in %s\n", dir_.c_str());
  } else {
    RemoveTree(dir_);
  }
}

std::string MiniCluster::namenode_address() const { return namenode_ip_ + ":" + std::to_string(rpc_port_); }
std::string MiniCluster::hadoop_address() const {
  // Kerberos clients derive the namenode's principal from the host they connect to.
  return (options_.kerberos ? std::string("localhost") : namenode_ip_) + ":" + std::to_string(ipc_port_);
}
std::string MiniCluster::client_namenode_address() const {
  if (options_.kerberos) return "hdfs://" + hadoop_address();
  const char* door = std::getenv("CAIRN_TEST_CLIENT_DOOR");
  if (door != nullptr && std::string_view(door) == "ipc") return "hdfs://" + hadoop_address();
  return namenode_address();
}
std::string MiniCluster::datanode_data_dir(int i) const { return dir_ + "/dn" + std::to_string(i) + "/data"; }
std::vector<std::string> MiniCluster::datanode_data_dirs(int i) const {
  std::vector<std::string> dirs = {datanode_data_dir(i)};
  for (int v = 1; v < options_.data_dirs_per_datanode; ++v) dirs.push_back(datanode_data_dir(i) + std::to_string(v));
  return dirs;
}
std::string MiniCluster::datanode_address(int i) const {
  return DatanodeIp(i) + ":" + std::to_string(datanodes_.at(i).xfer_port);
}
std::string MiniCluster::datanode_log(int i) const { return dir_ + "/dn" + std::to_string(i) + "/datanode.log"; }
std::string MiniCluster::namenode_log() const { return dir_ + "/nn/namenode.log"; }

int MiniCluster::DatanodeIndex(const std::string& address) const {
  for (int i = 0; i < num_datanodes(); ++i) {
    if (datanode_address(i) == address) return i;
  }
  return -1;
}

Status MiniCluster::StartNamenode() {
  std::string nn_dir = dir_ + "/nn";
  fs::create_directories(nn_dir);
  std::string port_file = nn_dir + "/ports";
  fs::remove(port_file);
  std::vector<std::string> argv = {
      std::string(CAIRN_BIN_DIR) + "/cairn-namenode",
      "--namenode_name_dir=" + nn_dir + "/name",
      "--namenode_bind_host=" + namenode_ip_,
      "--namenode_rpc_port=" + std::to_string(rpc_port_),
      "--namenode_ipc_port=" + std::to_string(ipc_port_),
      "--port_file=" + port_file,
      "--namenode_default_block_size=" + std::to_string(options_.block_size),
      "--namenode_default_replication=" + std::to_string(options_.replication),
      "--namenode_heartbeat_interval_ms=" + std::to_string(options_.heartbeat_interval_ms),
      "--namenode_datanode_dead_interval_ms=" + std::to_string(options_.dead_interval_ms),
      "--namenode_replication_interval_ms=" + std::to_string(options_.heartbeat_interval_ms),
  };
  // Hosts of their own are off loopback: a simple-mode daemon needs to be told that is fine.
  if (lab_) argv.push_back("--allow_insecure_network");
  if (options_.kerberos) {
    argv.push_back("--security=kerberos");
    argv.push_back("--namenode_keytab=" + kdc_dir_ + "/keytabs/nn.keytab");
    argv.push_back("--namenode_kerberos_principal=nn/localhost@CAIRN.TEST");
    argv.push_back("--namenode_user_groups=admin=supergroup");
    for (auto& f : TlsFlags(ca_dir_ + "/namenode")) argv.push_back(std::move(f));
  }
  argv.insert(argv.end(), options_.namenode_flags.begin(), options_.namenode_flags.end());
  ASSIGN_OR_RETURN(namenode_, Subprocess::Start(OnHost(-1, std::move(argv)), nn_dir + "/namenode.log"));
  ASSIGN_OR_RETURN(rpc_port_, ReadPortFile(port_file, "rpc_port", 30000));
  ASSIGN_OR_RETURN(ipc_port_, ReadPortFile(port_file, "ipc_port", 30000));
  return Status::OK();
}

Status MiniCluster::StartDatanode(int i) {
  std::string dn_dir = dir_ + "/dn" + std::to_string(i);
  const int rack = i % std::max(1, options_.racks);
  if (lab_ && datanodes_[i].host < 0) {
    ASSIGN_OR_RETURN(datanodes_[i].host, lab_->AddHost("dn" + std::to_string(i), rack + 1, 10 + i));
  }
  std::string dirs;
  for (const auto& d : datanode_data_dirs(i)) {
    fs::create_directories(d);
    dirs += (dirs.empty() ? "" : ",") + d;
  }
  std::string port_file = dn_dir + "/ports";
  fs::remove(port_file);
  std::vector<std::string> argv = {
      std::string(CAIRN_BIN_DIR) + "/cairn-datanode",
      "--datanode_namenode=" + namenode_address(),
      "--datanode_bind_host=" + DatanodeIp(i),
      "--datanode_xfer_port=" + std::to_string(datanodes_[i].xfer_port),
      "--datanode_data_dirs=" + dirs,
      "--datanode_rack=/rack" + std::to_string(rack),
      "--port_file=" + port_file,
  };
  if (lab_) argv.push_back("--allow_insecure_network");
  if (options_.kerberos) {
    argv.push_back("--security=kerberos");
    const std::string prefix = ca_dir_ + "/dn" + std::to_string(i);
    RETURN_IF_ERROR(IssueCertificate("datanode", "localhost,127.0.0.1," + DatanodeIp(i), prefix));
    for (auto& f : TlsFlags(prefix)) argv.push_back(std::move(f));
  }
  if (options_.jobmaster) {
    argv.push_back("--executor_jobmaster=" + jobmaster_address());
    argv.push_back("--executor_cpu_slots=" + std::to_string(options_.executor_slots));
    argv.push_back("--executor_heartbeat_interval_ms=" + std::to_string(options_.executor_heartbeat_ms));
  }
  argv.insert(argv.end(), options_.datanode_flags.begin(), options_.datanode_flags.end());
  if (i < static_cast<int>(options_.datanode_flags_by_index.size())) {
    const auto& own = options_.datanode_flags_by_index[static_cast<size_t>(i)];
    argv.insert(argv.end(), own.begin(), own.end());
  }
  ASSIGN_OR_RETURN(datanodes_[i].process, Subprocess::Start(OnHost(i, std::move(argv)), dn_dir + "/datanode.log"));
  ASSIGN_OR_RETURN(datanodes_[i].xfer_port, ReadPortFile(port_file, "xfer_port", 30000));
  return Status::OK();
}

std::string MiniCluster::jobmaster_address() const { return "127.0.0.1:" + std::to_string(jobmaster_port_); }

Status MiniCluster::StartJobmaster() {
  std::string jm_dir = dir_ + "/jm";
  fs::create_directories(jm_dir);
  std::string port_file = jm_dir + "/ports";
  fs::remove(port_file);
  std::vector<std::string> argv = {
      std::string(CAIRN_BIN_DIR) + "/cairn-jobmaster",
      "--jobmaster_namenode=" + namenode_address(),
      "--jobmaster_bind_host=127.0.0.1",
      "--jobmaster_port=" + std::to_string(jobmaster_port_),
      "--jobmaster_data_dir=" + jm_dir + "/data",
      "--port_file=" + port_file,
      "--jobmaster_executor_expiry_ms=" + std::to_string(std::max(2000, options_.executor_heartbeat_ms * 20)),
      "--jobmaster_locality_wait_node_ms=500",
      "--jobmaster_locality_wait_rack_ms=500",
      "--jobmaster_task_memory=512MiB",
  };
  if (options_.kerberos) {
    argv.push_back("--security=kerberos");
    argv.push_back("--jobmaster_keytab=" + kdc_dir_ + "/keytabs/jm.keytab");
    argv.push_back("--jobmaster_kerberos_principal=" + std::string(kJobMasterPrincipal));
    argv.push_back("--jobmaster_namenode_principal=nn/localhost@CAIRN.TEST");
    for (auto& f : TlsFlags(ca_dir_ + "/jobmaster")) argv.push_back(std::move(f));
  }
  argv.insert(argv.end(), options_.jobmaster_flags.begin(), options_.jobmaster_flags.end());
  ASSIGN_OR_RETURN(jobmaster_, Subprocess::Start(argv, jm_dir + "/jobmaster.log"));
  ASSIGN_OR_RETURN(jobmaster_port_, ReadPortFile(port_file, "port", 30000));
  return Status::OK();
}

Status MiniCluster::StopJobmaster(int sig) {
  RETURN_IF_ERROR(jobmaster_.Signal(sig));
  return jobmaster_.Wait(30000).status();
}

Status MiniCluster::RestartJobmaster() {
  if (jobmaster_.running()) RETURN_IF_ERROR(StopJobmaster(SIGTERM));
  return StartJobmaster();
}

Result<std::unique_ptr<client::JobClient>> MiniCluster::ConnectJobs(const std::string& user) const {
  client::JobClientOptions opts;
  opts.jobmaster = jobmaster_address();
  opts.user = user;
  if (options_.kerberos) {
    // In process, as the namenode's principal (see ClientOptionsFor), with jobs' tokens
    // fetched from one FileSystem the cluster keeps.
    std::lock_guard lock(jobs_fs_mu_);
    if (!jobs_fs_) {
      ASSIGN_OR_RETURN(jobs_fs_, Connect(user));
    }
    opts.principal = kJobMasterPrincipal;
    opts.namenode = [fs = jobs_fs_.get()]() -> Result<client::FileSystem*> { return fs; };
    opts.tls_ca_file = ca_dir_ + "/ca.crt";
  }
  return client::JobClient::Connect(opts);
}

Status MiniCluster::WaitForExecutors(int n, int timeout_ms) const {
  ASSIGN_OR_RETURN(auto jobs, ConnectJobs());
  int seen = 0;
  Status st = WaitFor(
      [&] {
        auto list = jobs->Executors();
        seen = list.ok() ? static_cast<int>(list->size()) : 0;
        return seen >= n;
      },
      timeout_ms, fmt::format("{} executors registered", n));
  return st.ok() ? st : st.WithContext(fmt::format("{} registered", seen));
}

Result<std::unique_ptr<client::FileSystem>> MiniCluster::Connect(const std::string& user) const {
  ASSIGN_OR_RETURN(client::ClientOptions opts, ClientOptionsFor(user));
  return client::FileSystem::Connect(opts);
}

Result<client::ClientOptions> MiniCluster::ClientOptionsFor(const std::string& user) const {
  client::ClientOptions opts;
  opts.namenode = client_namenode_address();
  opts.user = user;
  if (options_.kerberos) {
    // One ticket cache per process: in-process clients are the namenode's principal (the
    // superuser); other users run as processes with KerberosEnv(user).
    if (!user.empty() && user != "nn") return InvalidArgument("kerberos mini cluster: use KerberosEnv(\"{}\")", user);
    ASSIGN_OR_RETURN(std::vector<std::string> env, KerberosEnv("nn"));
    const std::string& cache = env[0];
    ::setenv("KRB5CCNAME", cache.substr(cache.find('=') + 1).c_str(), 1);
    opts.namenode_principal = "nn/_HOST@CAIRN.TEST";
  }
  return opts;
}

Status MiniCluster::SignalNamenode(int sig) { return namenode_.Signal(sig); }

Status MiniCluster::StopNamenode(int sig) {
  RETURN_IF_ERROR(namenode_.Signal(sig));
  return namenode_.Wait(30000).status();
}

Result<int> MiniCluster::WaitForNamenodeExit(int timeout_ms) { return namenode_.Wait(timeout_ms); }

Status MiniCluster::RestartNamenode() {
  if (namenode_.running()) RETURN_IF_ERROR(StopNamenode(SIGTERM));
  return StartNamenode();
}

Status MiniCluster::SignalDatanode(int i, int sig) { return datanodes_.at(i).process.Signal(sig); }

Status MiniCluster::StopDatanode(int i, int sig) {
  RETURN_IF_ERROR(datanodes_.at(i).process.Signal(sig));
  return datanodes_.at(i).process.Wait(30000).status();
}

Status MiniCluster::RestartDatanode(int i) {
  if (datanodes_.at(i).process.running()) RETURN_IF_ERROR(StopDatanode(i, SIGTERM));
  return StartDatanode(i);
}

Status MiniCluster::AddDatanode() {
  datanodes_.emplace_back();
  RETURN_IF_ERROR(StartDatanode(num_datanodes() - 1));
  return WaitForLiveDatanodes(num_datanodes());
}

Status MiniCluster::WaitForLiveDatanodes(int n, int timeout_ms) const {
  auto fs = Connect();
  if (!fs.ok()) return fs.status();
  int live = 0;
  Status st = WaitFor(
      [&] {
        auto report = (*fs)->GetDatanodeReport();
        if (!report.ok()) return false;
        live = 0;
        for (const auto& dn : *report) live += dn.live ? 1 : 0;
        return live >= n;
      },
      timeout_ms, fmt::format("{} datanodes registered", n));
  return st.ok() ? st : st.WithContext(fmt::format("{} live", live));
}

Status MiniCluster::StartKdc() {
  kdc_dir_ = dir_ + "/kdc";
  const std::string kdc = std::string(CAIRN_SOURCE_DIR) + "/tools/kdc";
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {kdc, "start", kdc_dir_}, {kdc, "add", kdc_dir_, "nn/localhost", "jm/localhost", "alice", "bob", "admin"}}) {
    ASSIGN_OR_RETURN(CommandResult r, RunCommand(argv));
    if (r.exit_code != 0) return Internal("{} failed: {}", argv[1], r.out);
  }
  // Every Kerberos library in this process and its children reads this realm.
  ::setenv("KRB5_CONFIG", (kdc_dir_ + "/krb5.conf").c_str(), 1);
  // Daemons prove which daemon they are with certificates from the cluster CA.
  ca_dir_ = dir_ + "/ca";
  ASSIGN_OR_RETURN(CommandResult ca, RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn", "admin", "ca", "init", ca_dir_}));
  if (ca.exit_code != 0) return Internal("cairn admin ca init failed: {}", ca.out);
  RETURN_IF_ERROR(IssueCertificate("namenode", "localhost,127.0.0.1", ca_dir_ + "/namenode"));
  return IssueCertificate("jobmaster", "localhost,127.0.0.1", ca_dir_ + "/jobmaster");
}

Status MiniCluster::IssueCertificate(const std::string& role, const std::string& hosts, const std::string& prefix) {
  if (fs::exists(prefix + ".crt")) return Status::OK();
  ASSIGN_OR_RETURN(CommandResult r, RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn", "admin", "ca", "issue", "--out",
                                                prefix, ca_dir_, role, hosts}));
  if (r.exit_code != 0) return Internal("cairn admin ca issue {} failed: {}", role, r.out);
  return Status::OK();
}

std::vector<std::string> MiniCluster::TlsFlags(const std::string& prefix) const {
  return {"--tls_ca_file=" + ca_dir_ + "/ca.crt", "--tls_cert_file=" + prefix + ".crt",
          "--tls_key_file=" + prefix + ".key"};
}

Status MiniCluster::WriteHadoopConf() {
  hadoop_conf_dir_ = dir_ + "/hadoop-conf";
  std::vector<std::string> argv = {std::string(CAIRN_SOURCE_DIR) + "/tools/hadoop-conf", hadoop_conf_dir_,
                                   "--namenode", "hdfs://" + hadoop_address()};
  if (options_.kerberos) {
    argv.push_back("--kerberos-principal");
    argv.push_back("nn/_HOST@CAIRN.TEST");
  }
  ASSIGN_OR_RETURN(CommandResult r, RunCommand(argv));
  if (r.exit_code != 0) return Internal("tools/hadoop-conf failed: {}", r.out);
  return Status::OK();
}

Result<std::vector<std::string>> MiniCluster::KerberosEnv(const std::string& user) const {
  if (!options_.kerberos) return InvalidArgument("not a kerberos mini cluster");
  const std::string principal = user == "nn" || user == "jm" ? user + "/localhost" : user;
  const std::string cache = "KRB5CCNAME=FILE:" + kdc_dir_ + "/" + user + ".ccache";
  ASSIGN_OR_RETURN(CommandResult r,
                   RunCommand({"kinit", "-kt", kdc_dir_ + "/keytabs/" + user + ".keytab", principal}, {cache}));
  if (r.exit_code != 0) return Internal("kinit {} failed: {}", principal, r.out);
  return std::vector<std::string>{cache, "CAIRN_NAMENODE_PRINCIPAL=nn/_HOST@CAIRN.TEST",
                                  "HADOOP_CONF_DIR=" + hadoop_conf_dir_, "CAIRN_TLS_CA_FILE=" + ca_dir_ + "/ca.crt",
                                  "CAIRN_JOBMASTER_PRINCIPAL=" + std::string(kJobMasterPrincipal)};
}

std::vector<std::string> MiniCluster::NoTicketEnv() const {
  return {"KRB5CCNAME=FILE:" + kdc_dir_ + "/nobody.ccache", "CAIRN_NAMENODE_PRINCIPAL=nn/_HOST@CAIRN.TEST",
          "HADOOP_CONF_DIR=" + hadoop_conf_dir_, "CAIRN_TLS_CA_FILE=" + ca_dir_ + "/ca.crt"};
}

Result<CommandResult> MiniCluster::Cli(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                                       const std::string& stdin_data) const {
  std::vector<std::string> argv = {std::string(CAIRN_BIN_DIR) + "/cairn", "--namenode", client_namenode_address()};
  if (options_.jobmaster) {
    argv.push_back("--jobmaster");
    argv.push_back(jobmaster_address());
  }
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = extra_env;
  // A caller that set up the login itself (a ticket cache, or CAIRN_NAMENODE_PRINCIPAL,
  // even empty: a SIMPLE client) keeps it.
  const bool own_login = std::any_of(env.begin(), env.end(), [](const std::string& e) {
    return e.rfind("KRB5CCNAME=", 0) == 0 || e.rfind("CAIRN_NAMENODE_PRINCIPAL=", 0) == 0;
  });
  if (options_.kerberos && !own_login) {
    // Otherwise the command runs as the namenode's principal (the superuser), as an
    // in-process Connect() does.
    ASSIGN_OR_RETURN(std::vector<std::string> nn, KerberosEnv("nn"));
    env.insert(env.begin(), nn.begin(), nn.end());
  }
  return RunCommand(argv, env, stdin_data, /*merge_stderr=*/true);
}

Result<CommandResult> MiniCluster::CliAs(const std::string& user, const std::vector<std::string>& args,
                                         const std::string& stdin_data) const {
  ASSIGN_OR_RETURN(std::vector<std::string> env, KerberosEnv(user));
  return Cli(args, env, stdin_data);
}

Status EnsureLocalAccount(const std::string& name) {
  if (::getpwnam(name.c_str()) != nullptr) return Status::OK();
  ASSIGN_OR_RETURN(CommandResult r, RunCommand({"useradd", "-M", "-s", "/usr/sbin/nologin", name}));
  // Another test process may have made it in the meantime.
  if (r.exit_code != 0 && ::getpwnam(name.c_str()) == nullptr)
    return Internal("useradd {} failed (tests run as root): {}", name, r.out);
  return Status::OK();
}

Result<std::string> InstallTaskLauncher(const std::string& dir, const std::string& caller_group,
                                        const std::string& work_root) {
  group* gr = ::getgrnam(caller_group.c_str());
  if (gr == nullptr) return NotFound("no group {}", caller_group);
  if (::chmod(dir.c_str(), 0755) != 0) return ErrnoError(errno, "chmod " + dir);
  std::error_code ec;
  std::filesystem::create_directories(dir + "/bin", ec);
  if (!ec) std::filesystem::create_directories(dir + "/etc/cairn", ec);
  if (ec) return IoError("mkdir under {}: {}", dir, ec.message());
  const std::string launcher = dir + "/bin/cairn-task-launcher";
  ASSIGN_OR_RETURN(std::string binary, ReadWholeFile(std::string(CAIRN_BIN_DIR) + "/cairn-task-launcher"));
  RETURN_IF_ERROR(WriteWholeFile(launcher, binary, 0755, FileWrite::kCreateNew));
  if (::chown(launcher.c_str(), 0, gr->gr_gid) != 0 || ::chmod(launcher.c_str(), 04750) != 0)
    return ErrnoError(errno, "make " + launcher + " setuid root");
  RETURN_IF_ERROR(WriteWholeFile(dir + "/etc/cairn/task-launcher.cfg",
                                 fmt::format("caller_group={}\nwork_roots={}\nmin_uid=1000\n", caller_group, work_root),
                                 0644, FileWrite::kCreateNew));
  return launcher;
}

}  // namespace cairn::testing
