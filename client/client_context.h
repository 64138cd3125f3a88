// ClientContext: what one FileSystem shares with every stream it opens: the options, the
// user and lease-holder name, the namenode client, the lease renewer and this machine's
// addresses. Streams hold it by shared_ptr, so a stream stays usable (and its lease
// renewed) even if the FileSystem object is destroyed first.
//
// Thread-safety: immutable after construction except through the thread-safe members.
#pragma once

#include <memory>
#include <string>

#include "client/file_system.h"
#include "client/lease_renewer.h"
#include "client/local_addresses.h"
#include "client/namenode_client.h"

namespace cairn::client {

struct ClientContext {
  ClientOptions options;
  std::string user;
  std::string client_name;  // lease holder name sent with create/addBlock/complete
  std::unique_ptr<NamenodeClient> namenode;
  std::unique_ptr<LeaseRenewer> leases;  // declared after namenode: stops before it goes
  LocalAddresses local_addresses;
};

}  // namespace cairn::client
