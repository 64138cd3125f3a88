// Settings a daemon parses at start-up or that arrive from users: byte sizes, host:port
// addresses, auth_to_local rules and the principals mapped through them, proxy-user rules,
// the rack topology file, the static user-to-groups mapping and the task launcher's
// root-owned config file.
#include <string_view>

#include "common/auth_to_local.h"
#include "common/flags.h"
#include "common/socket.h"
#include "compute/launcher/launcher_config.h"
#include "namenode/blocks/topology.h"
#include "namenode/rpc/proxy_users.h"
#include "namenode/rpc/user_group_resolver.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // std::regex recurses per character: rules and principals are short in real life.
  if (size > 256) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseByteSize(text);
  (void)HostPort::Parse(text);
  (void)namenode::ProxyUsers::Parse(text);
  (void)SplitPrincipal(text);
  (void)namenode::Topology::Parse(text);
  (void)namenode::UserGroupResolver::Create(std::string(text));
  (void)compute::ParseLauncherConfig(text, /*resolve_group=*/false);
  // Rules are the administrator's, principals come from whoever logs in: parse the input
  // as rules, and map it as a principal through fixed rules (mapping through fuzzed rules
  // would time std::regex's backtracking on patterns no administrator writes).
  (void)AuthToLocal::Parse(text, "CAIRN.TEST");
  static const AuthToLocal* const rules = [] {
    auto parsed = AuthToLocal::Parse("RULE:[2:$1@$0](nn@CAIRN.TEST)s/.*/hdfs/ RULE:[1:$1](.*)s/a/b/g DEFAULT", "CAIRN.TEST");
    return parsed.ok() ? new AuthToLocal(std::move(parsed).value()) : nullptr;
  }();
  if (rules != nullptr) (void)rules->Map(text);
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  return {"128MiB",
          "1.5GiB",
          "17",
          "127.0.0.1:8020",
          "[::1]:9000",
          "nn-host:8021",
          "bob:hosts=127.0.0.1:users=alice;admin:hosts=10.9.9.9:users=*",
          "svc:hosts=*:groups=staff,ops",
          "RULE:[2:$1@$0](nn@CAIRN.TEST)s/.*/hdfs/ DEFAULT",
          "RULE:[1:$1](.*)s/a/b/g",
          "nn/localhost@CAIRN.TEST",
          "alice/admin@OTHER.REALM",
          "alice@CAIRN.TEST",
          "# racks\n10.0.0.1 /r1\n10.0.0.1:9867 r2/  # port-specific\n\n10.0.1.0/24 /r3\n",
          "alice=staff,ops;bob=bob",
          "caller_group=root\nwork_roots=/var/lib/cairn/executor,/tmp/x\nmin_uid=1000\n"
          "allowed_system_users=nobody\nbanned_users=hdfs,yarn # never\n"};
}
