// Lease recovery: closing a file whose writer is gone (HDFS's internalReleaseLease and
// commitBlockSynchronization). Used by recoverLease, by create/append taking over a file
// past its soft limit, and by the namenode's own hard-limit sweep.
//
// The file's last block decides. Complete, or all reported replicas finalized with one
// stamp and length: the file closes at once. Still being written with replicas somewhere:
// block recovery starts (a new generation stamp from the namespace counter, and a
// RecoverBlockCommand to the live holder that sent the latest heartbeat, naming every live
// holder); the primary datanode brings the replicas to a length they all have, finalizes
// them with the new stamp and calls CommitBlockSynchronization, which records the block
// and closes the file. A recovery without an answer within namenode_block_recovery_timeout_ms
// is started again (with a newer stamp, so the old one can no longer commit). An empty
// last block that no datanode holds is dropped. A file that truncate opened (marked
// `truncating`) closes only at its recorded last-block length: its recovery is a truncate
// recovery (every replica cut to that length), and a commit with another length is refused.
//
// Thread-safety: the Mutation functions run inside Namespace::Mutate (exclusive namespace
// lock); CommitBlockSynchronization and RecoverExpiredLeases take it themselves.
#pragma once

#include "cairn/datanode_protocol.pb.h"
#include "namenode/fs/mutation.h"
#include "namenode/name_system.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

// Closes the open file when its last block allows it, else starts (or keeps waiting for)
// the recovery of that block. Returns whether the file is closed now.
bool TryCloseAbandonedFile(NameSystem& nn, Mutation& m, Inode* file);

// create/append of a file another client holds open: when the holder is past its soft
// limit and the file can be closed, returns OK (the file is closed now); otherwise
// kAlreadyBeingCreated naming the holder (or saying that recovery is under way).
Status TakeOverOrRefuse(NameSystem& nn, Mutation& m, Inode* file, std::string_view op, std::string_view src,
                        const CallContext& caller, std::string_view client);

// Takes the file's lease away from its holder (who then gets kLeaseExpired) and gives it
// to the namenode, which keeps trying to close the file each monitor round.
void RevokeLease(NameSystem& nn, Mutation& m, Inode* file);

// One sweep over leases past the hard limit (and those the namenode already holds).
void RecoverExpiredLeases(NameSystem& nn);

// The primary datanode's report of a finished block recovery: records the new stamp,
// length and holders of the last block (or drops it, when no replica had data) and closes
// the file. A repeated report of a recovery already applied is OK; a recovery that was
// superseded by a newer one is kAborted.
Status CommitBlockSynchronization(NameSystem& nn, const CommitBlockSynchronizationRequest& req);

}  // namespace cairn::namenode
