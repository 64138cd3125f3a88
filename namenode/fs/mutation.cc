#include "namenode/fs/mutation.h"

#include "namenode/store/keys.h"

namespace cairn::namenode {

Inode* Mutation::AddChild(Inode* parent, std::string_view name, InodeRecord rec) {
  rec.set_id(counters_.next_inode_id++);
  counters_dirty_ = true;
  rec.set_parent_id(parent->id());
  rec.set_name(std::string(name));
  Inode* child = tree_.Add(parent, std::move(rec));
  batch_.Put(DirEntryKey(parent->id(), name), EncodeU64(child->id()));
  dirty_.insert(child);
  return child;
}

void Mutation::Changed(Inode* inode) { dirty_.insert(inode); }

void Mutation::RemoveSubtree(Inode* node, std::vector<BlockRecord>* blocks, std::vector<uint64_t>* files) {
  // Iterative post-order walk: children before their directory.
  std::vector<Inode*> stack = {node};
  std::vector<Inode*> order;
  while (!stack.empty()) {
    Inode* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (auto& [name, child] : n->children) stack.push_back(child);
  }
  if (node->parent != nullptr) {
    batch_.Delete(DirEntryKey(node->parent->id(), node->name()));
    tree_.Unlink(node);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Inode* n = *it;
    if (n->is_file()) {
      if (blocks != nullptr) blocks->insert(blocks->end(), n->rec.blocks().begin(), n->rec.blocks().end());
      if (files != nullptr) files->push_back(n->id());
    }
    for (auto& [name, child] : n->children) batch_.Delete(DirEntryKey(n->id(), name));
    n->children.clear();
    batch_.Delete(InodeKey(n->id()));
    dirty_.erase(n);
    tree_.Erase(n);
  }
}

void Mutation::Move(Inode* node, Inode* new_parent, std::string_view new_name) {
  batch_.Delete(DirEntryKey(node->parent->id(), node->name()));
  tree_.Unlink(node);
  tree_.LinkUnder(node, new_parent, new_name);
  batch_.Put(DirEntryKey(new_parent->id(), new_name), EncodeU64(node->id()));
  dirty_.insert(node);
}

uint64_t Mutation::NewBlockId() {
  counters_dirty_ = true;
  return counters_.next_block_id++;
}

uint64_t Mutation::NewGenStamp() {
  counters_dirty_ = true;
  return ++counters_.gen_stamp;
}

void Mutation::PutMeta(std::string_view name, std::string_view value) {
  batch_.Put(MetaKey(name), rocksdb::Slice(value.data(), value.size()));
}

rocksdb::WriteBatch* Mutation::FinishBatch() {
  std::string value;
  for (Inode* inode : dirty_) {
    inode->rec.SerializeToString(&value);
    batch_.Put(InodeKey(inode->id()), value);
  }
  dirty_.clear();
  if (counters_dirty_) {
    batch_.Put(MetaKey(kMetaNextInodeId), EncodeU64(counters_.next_inode_id));
    batch_.Put(MetaKey(kMetaNextBlockId), EncodeU64(counters_.next_block_id));
    batch_.Put(MetaKey(kMetaGenStamp), EncodeU64(counters_.gen_stamp));
    counters_dirty_ = false;
  }
  return &batch_;
}

}  // namespace cairn::namenode
