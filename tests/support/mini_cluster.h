// MiniCluster: a real Cairn cluster for integration tests. It starts cairn-namenode and N
// cairn-datanode processes on 127.0.0.1 with ephemeral ports, data and logs in a fresh
// temporary directory, and waits until every datanode has registered. With
// options.jobmaster it also starts cairn-jobmaster (before the datanodes, whose executors
// register with it) and waits for every executor. Processes can be
// killed (any signal) and restarted on the same ports with the same data, which is how
// fault tests inject crashes. The destructor stops everything; the directory is kept when
// the current test failed (its path is printed) and removed otherwise.
//
// With network_namespaces, every process runs on a host of its own (a NetworkLab network
// namespace, `ip netns exec`): the namenode at 10.N.0.2, datanode i at 10.N.(1 + i % racks)
// .(10 + i), and the namenode's topology maps each /24 to a rack (rack = address range). A
// datanode can then be cut off the network and joined again (CutOffDatanode /
// ReconnectDatanode). Start fails with kPermissionDenied or kUnimplemented where network
// namespaces cannot be made; tests skip then.
//
// Thread-safety: one test thread.
#pragma once

#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/file_system.h"
#include "client/job_client.h"
#include "common/status.h"
#include "tests/support/network_lab.h"
#include "tests/support/process.h"

namespace cairn::testing {

struct MiniClusterOptions {
  int datanodes = 3;
  int racks = 1;                      // datanode i goes to /rack(i % racks)
  uint64_t block_size = 1024 * 1024;  // small blocks keep test data small
  int replication = 3;
  int heartbeat_interval_ms = 300;
  int dead_interval_ms = 30000;
  int data_dirs_per_datanode = 1;     // volumes of each datanode (data0, data1, ...)
  bool network_namespaces = false;    // each process on its own network host (see above)
  std::vector<std::string> namenode_flags;  // extra flags, e.g. "--namenode_safemode_threshold=0"
  std::vector<std::string> datanode_flags;
  std::vector<std::vector<std::string>> datanode_flags_by_index;  // extra flags of datanode i alone, e.g. GPUs
  bool jobmaster = false;             // start cairn-jobmaster and an executor in every datanode
  int executor_slots = 2;             // task slots per executor
  int executor_heartbeat_ms = 100;
  std::vector<std::string> jobmaster_flags;
  // --security=kerberos: a private MIT KDC (tools/kdc) with principals nn/localhost,
  // jm/localhost, alice, bob and admin (in the supergroup), a cluster CA and every daemon
  // in kerberos mode with TLS; with a job master its executors run each task as its
  // job's user's local account (made here; needs root). Clients then run as processes
  // with KerberosEnv(user) / CliAs(user, ...).
  bool kerberos = false;
};

class MiniCluster {
 public:
  static Result<std::unique_ptr<MiniCluster>> Start(const MiniClusterOptions& options = {});
  ~MiniCluster();

  const std::string& dir() const { return dir_; }
  // host:port of the namenode's gRPC front door and of its Hadoop IPC port.
  std::string namenode_address() const;
  std::string hadoop_address() const;
  // What clients of this cluster are given as the namenode (Connect, Cli): the gRPC door,
  // or hdfs://<hadoop_address> when $CAIRN_TEST_CLIENT_DOOR is "ipc" (the ctest label
  // "ipc" runs the client and FUSE suites that way).
  std::string client_namenode_address() const;
  int num_datanodes() const { return static_cast<int>(datanodes_.size()); }
  std::string datanode_data_dir(int i) const;                 // its first data dir
  std::vector<std::string> datanode_data_dirs(int i) const;   // all of them
  std::string datanode_address(int i) const;  // ip:xferPort (127.0.0.1 unless on a network host)
  std::string datanode_log(int i) const;
  std::string namenode_log() const;
  pid_t namenode_pid() const { return namenode_.pid(); }
  // Index of the datanode at "ip:port"; -1 when none.
  int DatanodeIndex(const std::string& address) const;
  bool datanode_running(int i) { return datanodes_.at(i).process.running(); }
  // host:port of the job master (with options.jobmaster).
  std::string jobmaster_address() const;
  const MiniClusterOptions& options() const { return options_; }

  // A client as `user` (empty: the superuser, i.e. the user running the test).
  Result<std::unique_ptr<client::FileSystem>> Connect(const std::string& user = "") const;
  // The options Connect uses (the client address; in kerberos mode the ticket and the
  // namenode's principal), for tests that change some of them.
  Result<client::ClientOptions> ClientOptionsFor(const std::string& user = "") const;

  Status SignalNamenode(int sig);
  Status StopNamenode(int sig = SIGTERM);  // signal and wait for exit
  Status RestartNamenode();                // same ports, same name dir
  Result<int> WaitForNamenodeExit(int timeout_ms);  // its exit code, once it ended by itself
  Status SignalDatanode(int i, int sig);
  Status StopDatanode(int i, int sig = SIGTERM);
  Status RestartDatanode(int i);
  // Adds one more datanode (in rack i % racks) and waits for it to register.
  Status AddDatanode();
  // network_namespaces only: takes datanode i's network link down / up again.
  Status CutOffDatanode(int i);
  Status ReconnectDatanode(int i);
  NetworkLab* network() const { return lab_.get(); }

  Status WaitForLiveDatanodes(int n, int timeout_ms = 60000) const;

  Status StopJobmaster(int sig = SIGTERM);
  Status RestartJobmaster();  // same port, same data dir
  // Waits until the job master knows n executors.
  Status WaitForExecutors(int n, int timeout_ms = 60000) const;
  // A client of the job master as `user` (empty: the test's user).
  // In kerberos mode: as the namenode's principal only (other users: the CLI with KerberosEnv).
  Result<std::unique_ptr<client::JobClient>> ConnectJobs(const std::string& user = "") const;

  // kerberos: kinit as `user` (alice, bob, admin or nn) into a ticket cache of its own, and
  // the environment a client process then needs (KRB5CCNAME, CAIRN_NAMENODE_PRINCIPAL,
  // HADOOP_CONF_DIR for stock `hdfs`). KRB5_CONFIG is set in this process for all.
  Result<std::vector<std::string>> KerberosEnv(const std::string& user) const;
  // The environment of a client process with no ticket at all.
  std::vector<std::string> NoTicketEnv() const;
  // A Hadoop configuration directory stock clients can use (tools/hadoop-conf).
  // kerberos clusters: the cluster CA (ca.crt, ca.key, daemon certificates).
  const std::string& ca_dir() const { return ca_dir_; }
  // Whether this cluster runs in --security=kerberos (asked for, or CAIRN_TEST_SECURITY).
  bool kerberos() const { return options_.kerberos; }
  const std::string& hadoop_conf_dir() const { return hadoop_conf_dir_; }

  // Runs build/bin/cairn with --namenode set; extra_env like "CAIRN_USER=alice".
  Result<CommandResult> Cli(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
                            const std::string& stdin_data = "") const;
  // Kerberos clusters: Cli as `user`, with that user's ticket (KerberosEnv).
  Result<CommandResult> CliAs(const std::string& user, const std::vector<std::string>& args,
                              const std::string& stdin_data = "") const;

 private:
  explicit MiniCluster(MiniClusterOptions options) : options_(std::move(options)) {}
  Status StartKdc();  // and the cluster CA with the namenode's certificate
  // Issues a daemon certificate to prefix.crt/.key unless it exists.
  Status IssueCertificate(const std::string& role, const std::string& hosts, const std::string& prefix);
  std::vector<std::string> TlsFlags(const std::string& prefix) const;
  Status WriteHadoopConf();
  Status StartNamenode();
  Status StartDatanode(int i);
  Status StartJobmaster();

  Status StartNetwork();
  // argv to run on the namenode's (host -1) or datanode i's host.
  std::vector<std::string> OnHost(int datanode, std::vector<std::string> argv) const;
  std::string DatanodeIp(int i) const;

  struct Datanode {
    Subprocess process;
    int xfer_port = 0;
    int host = -1;  // its NetworkLab host
  };
  MiniClusterOptions options_;
  std::string dir_;
  std::unique_ptr<NetworkLab> lab_;
  int namenode_host_ = -1;
  std::string namenode_ip_ = "127.0.0.1";
  Subprocess namenode_;
  int rpc_port_ = 0;
  int ipc_port_ = 0;
  std::vector<Datanode> datanodes_;
  Subprocess jobmaster_;
  int jobmaster_port_ = 0;
  mutable std::mutex jobs_fs_mu_;
  mutable std::unique_ptr<client::FileSystem> jobs_fs_;  // kerberos: where ConnectJobs' clients fetch job tokens
  std::string kdc_dir_;          // kerberos only
  std::string ca_dir_;           // kerberos only: the cluster CA
  std::string hadoop_conf_dir_;
};

// Polls cond every few milliseconds until it holds or timeout_ms passes.
Status WaitFor(const std::function<bool()>& cond, int timeout_ms, const std::string& what);

// Reads "key=value" lines written by a server's --port_file, waiting until it appears.
Result<int> ReadPortFile(const std::string& path, const std::string& key, int timeout_ms);

// The job master principal of kerberos mini clusters.
inline constexpr const char* kJobMasterPrincipal = "jm/localhost@CAIRN.TEST";

// Makes a local account `name` (uid >= 1000, no home, no login shell) unless it exists:
// kerberos executors run each job's tasks as its user's account. Needs root.
Status EnsureLocalAccount(const std::string& name);

// Installs the built cairn-task-launcher as an operator would: DIR/bin/cairn-task-launcher
// owned by root and caller_group, setuid (mode 4750), and its root-owned
// DIR/etc/cairn/task-launcher.cfg naming caller_group and work_root. DIR must be root-owned
// and 0755 (as MakeTempDir's parent is not: pass a dir made with MakeTempDir, chmod 0755).
// Returns the launcher's path. Needs root.
Result<std::string> InstallTaskLauncher(const std::string& dir, const std::string& caller_group,
                                        const std::string& work_root);

}  // namespace cairn::testing

// Asserts that a condition becomes true within a deadline (polling, never sleeping blindly).
#define ASSERT_EVENTUALLY(cond, timeout_ms)                                                  \
  do {                                                                                       \
    ::cairn::Status _st = ::cairn::testing::WaitFor([&] { return static_cast<bool>(cond); }, \
                                                    (timeout_ms), #cond);                    \
    ASSERT_TRUE(_st.ok()) << _st.ToString();                                                 \
  } while (0)
