// Closing a file whose writer is gone (lease recovery without the datanode side of HDFS's
// block recovery, which is a later issue). Used by recoverLease, by create/append taking
// over a file past its soft limit, and by the namenode's own hard-limit sweep.
//
// Thread-safety: runs inside Namespace::Mutate (exclusive namespace lock).
#pragma once

#include "namenode/fs/mutation.h"
#include "namenode/name_system.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

// Closes the open file when its last block allows it: an empty last block with no
// replica anywhere is dropped; otherwise every reported replica must be finalized with
// one length, which becomes the block's. Returns whether the file is closed now.
bool TryCloseAbandonedFile(NameSystem& nn, Mutation& m, Inode* file);

// create/append of a file another client holds open: when the holder is past its soft
// limit and the file can be closed, returns OK (the file is closed now); otherwise
// kAlreadyBeingCreated naming the holder.
Status TakeOverOrRefuse(NameSystem& nn, Mutation& m, Inode* file, std::string_view op, std::string_view src,
                        const CallContext& caller, std::string_view client);

// Takes the file's lease away from its holder (who then gets kLeaseExpired) and gives it
// to the namenode, which keeps trying to close the file each monitor round.
void RevokeLease(NameSystem& nn, Mutation& m, Inode* file);

// One sweep over leases past the hard limit (and those the namenode already holds).
void RecoverExpiredLeases(NameSystem& nn);

}  // namespace cairn::namenode
