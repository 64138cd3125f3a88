#include "namenode/fs/inode_tree.h"

#include <spdlog/spdlog.h>

#include "common/path.h"

namespace cairn::namenode {

std::string ResolvedPath::PrefixPath(size_t i) const {
  if (i == 0) return "/";
  std::string out;
  for (size_t k = 0; k < i && k < names.size(); ++k) {
    out += '/';
    out += names[k];
  }
  return out;
}

size_t ResolvedPath::FirstNonDirectoryAncestor() const {
  for (size_t i = 1; i + 1 < inodes.size(); ++i) {
    if (inodes[i] == nullptr) return 0;
    if (!inodes[i]->is_dir()) return i;
  }
  return 0;
}

Inode* InodeTree::Find(uint64_t id) const {
  auto it = inodes_.find(id);
  return it == inodes_.end() ? nullptr : it->second.get();
}

Result<ResolvedPath> InodeTree::Resolve(std::string_view path) const {
  ASSIGN_OR_RETURN(std::vector<std::string_view> parts, SplitPath(path));
  ResolvedPath r;
  r.path = std::string(path);
  r.names.reserve(parts.size());
  r.inodes.reserve(parts.size() + 1);
  r.inodes.push_back(root_);
  Inode* cur = root_;
  for (std::string_view part : parts) {
    r.names.emplace_back(part);
    Inode* next = nullptr;
    if (cur != nullptr && cur->is_dir()) {
      auto it = cur->children.find(std::string(part));
      if (it != cur->children.end()) next = it->second;
    }
    r.inodes.push_back(next);
    cur = next;
  }
  return r;
}

std::string InodeTree::PathOf(const Inode* inode) const {
  if (inode == nullptr || inode == root_) return "/";
  std::vector<const std::string*> names;
  for (const Inode* n = inode; n != nullptr && n != root_; n = n->parent) names.push_back(&n->name());
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    out += '/';
    out += **it;
  }
  return out;
}

Status InodeTree::Insert(InodeRecord rec) {
  uint64_t id = rec.id();
  auto inode = std::make_unique<Inode>();
  inode->rec = std::move(rec);
  if (id == kRootInodeId) root_ = inode.get();
  if (!inodes_.emplace(id, std::move(inode)).second) return Corruption("inode {} stored twice", id);
  return Status::OK();
}

Status InodeTree::Link(uint64_t parent_id, std::string_view name, uint64_t child_id) {
  Inode* parent = Find(parent_id);
  Inode* child = Find(child_id);
  if (parent == nullptr || child == nullptr || !parent->is_dir()) {
    spdlog::warn("namespace store: dangling directory entry {}/{} -> {}; ignored", parent_id, name, child_id);
    return Status::OK();
  }
  if (child->parent != nullptr) return Corruption("inode {} is linked from two directories", child_id);
  child->parent = parent;
  parent->children.insert({std::string(name), child});
  return Status::OK();
}

Result<size_t> InodeTree::FinishLoad() {
  if (root_ == nullptr || !root_->is_dir()) return Corruption("the namespace store has no root directory");
  std::vector<uint64_t> orphans;
  for (const auto& [id, inode] : inodes_) {
    if (inode.get() == root_) continue;
    const Inode* n = inode.get();
    while (n != nullptr && n != root_) n = n->parent;
    if (n == nullptr) orphans.push_back(id);
  }
  for (uint64_t id : orphans) {
    spdlog::warn("namespace store: inode {} is not reachable from the root; ignored", id);
    inodes_.erase(id);
  }
  return orphans.size();
}

Inode* InodeTree::Add(Inode* parent, InodeRecord rec) {
  auto inode = std::make_unique<Inode>();
  inode->rec = std::move(rec);
  inode->parent = parent;
  Inode* raw = inode.get();
  parent->children.insert({raw->name(), raw});
  inodes_.emplace(raw->id(), std::move(inode));
  return raw;
}

void InodeTree::Unlink(Inode* node) {
  if (node->parent != nullptr) node->parent->children.erase(node->name());
  node->parent = nullptr;
}

void InodeTree::LinkUnder(Inode* node, Inode* parent, std::string_view name) {
  node->rec.set_name(std::string(name));
  node->rec.set_parent_id(parent->id());
  node->parent = parent;
  parent->children.insert({node->name(), node});
}

void InodeTree::Erase(Inode* node) { inodes_.erase(node->id()); }

}  // namespace cairn::namenode
