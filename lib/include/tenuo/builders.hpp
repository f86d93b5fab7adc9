#pragma once
// Fluent builders over builder.hpp's mint()/grant():
//   auto w = Warrant::mint_builder().capability("manage_infrastructure",
//              {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
//            .holder(agent.public_key()).ttl(3600s).mint(issuer);
//   auto child = w->grant_builder().capability("manage_infrastructure",
//              {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
//            .holder(worker.public_key()).ttl(300s).grant(agent);
// (Warrant::mint_builder() / w.grant_builder() are mint_builder() / grant_builder(w).)
// mint()/grant() return the signed warrant or the builder.hpp error (I1-I5 codes: 1400, 1402,
// 1303, 1502/1503).
// Thread-safety: builders and Capability are plain copyable values with no locking: the fluent
// setters mutate, so one builder must not be modified from two threads at once; the const
// mint()/grant() may run concurrently on one builder. unix_now() and set_capability() on
// distinct maps are reentrant.

#include <tenuo/builder.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/warrant.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

namespace tenuo {

using ArgConstraints = std::initializer_list<std::pair<std::string, Constraint>>;

// One tool and the constraints on its arguments (closed world: only named arguments allowed,
// unless the set is empty, which allows any arguments).
struct TENUO_EXPORT Capability {
  Capability(std::string tool_name, ArgConstraints args = {});
  Capability(std::string tool_name, ConstraintSet set)
      : tool(std::move(tool_name)), constraints(std::move(set)) {}
  std::string tool;
  ConstraintSet constraints;
};

// Inserts or replaces `cap` in `tools`, keeping byte order of tool names.
TENUO_EXPORT void set_capability(ToolMap& tools, Capability cap);

// Seconds since the epoch from the system clock (the builders' default `now`).
[[nodiscard]] TENUO_EXPORT std::int64_t unix_now();

class TENUO_EXPORT MintBuilder {
 public:
  // A tool with no argument constraints.
  MintBuilder& tool(std::string name);
  MintBuilder& capability(std::string name, ArgConstraints args);
  MintBuilder& capability(Capability cap);
  MintBuilder& holder(const PublicKey& pk);
  MintBuilder& ttl(std::chrono::seconds s);
  // Issue instant (unix seconds); default: the system clock when mint() runs.
  MintBuilder& at(std::int64_t unix_seconds);
  MintBuilder& max_depth(std::uint8_t depth);
  MintBuilder& session_id(std::string id);
  MintBuilder& agent_id(std::string id);
  // The underlying request, for anything the fluent calls do not cover.
  [[nodiscard]] MintRequest& request() noexcept { return m_req; }
  // Signs with `issuer`. Errors: as tenuo::mint().
  [[nodiscard]] Result<Warrant> mint(const SigningKey& issuer) const;

 private:
  MintRequest m_req;
  bool m_now_set = false;
};

class TENUO_EXPORT GrantBuilder {
 public:
  explicit GrantBuilder(const Warrant& parent);
  GrantBuilder& tool(std::string name);
  GrantBuilder& capability(std::string name, ArgConstraints args);
  GrantBuilder& capability(Capability cap);
  GrantBuilder& holder(const PublicKey& pk);
  GrantBuilder& ttl(std::chrono::seconds s);
  GrantBuilder& at(std::int64_t unix_seconds);
  GrantBuilder& max_depth(std::uint8_t depth);
  [[nodiscard]] GrantRequest& request() noexcept { return m_req; }
  // Signs with `signer`, the parent's holder. With no capability given the child keeps the
  // parent's whole tool map. Errors: as tenuo::grant() (widening 1502/1503, wrong signer 1400…).
  [[nodiscard]] Result<Warrant> grant(const SigningKey& signer) const;

 private:
  Warrant m_parent;
  GrantRequest m_req;
  bool m_now_set = false;
};

// Starts a root warrant (the SDK's Warrant.mint_builder()).
[[nodiscard]] inline MintBuilder mint_builder() { return {}; }
// Starts a delegation from `parent` (the SDK's warrant.grant_builder()); copies `parent`.
[[nodiscard]] inline GrantBuilder grant_builder(const Warrant& parent) { return GrantBuilder(parent); }

}  // namespace tenuo
