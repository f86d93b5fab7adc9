#include <tenuo/builders.hpp>

#include <algorithm>
#include <chrono>

namespace tenuo {

Capability::Capability(std::string tool_name, ArgConstraints args) : tool(std::move(tool_name)) {
  for (const auto& [name, c] : args) constraints.set(name, c);
}

void set_capability(ToolMap& tools, Capability cap) {
  auto it = std::lower_bound(tools.begin(), tools.end(), cap.tool,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != tools.end() && it->first == cap.tool) it->second = std::move(cap.constraints);
  else tools.emplace(it, std::move(cap.tool), std::move(cap.constraints));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MintBuilder& MintBuilder::tool(std::string name) { return capability(Capability(std::move(name))); }
MintBuilder& MintBuilder::capability(std::string name, ArgConstraints args) {
  return capability(Capability(std::move(name), args));
}
MintBuilder& MintBuilder::capability(Capability cap) {
  set_capability(m_req.tools, std::move(cap));
  return *this;
}
MintBuilder& MintBuilder::holder(const PublicKey& pk) {
  m_req.holder = pk;
  return *this;
}
MintBuilder& MintBuilder::ttl(std::chrono::seconds s) {
  // A negative TTL is passed through as 0 so that mint() refuses it (expires_at > issued_at).
  m_req.ttl = static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.count()));
  return *this;
}
MintBuilder& MintBuilder::at(std::int64_t unix_seconds) {
  m_req.now = unix_seconds;
  m_now_set = true;
  return *this;
}
MintBuilder& MintBuilder::max_depth(std::uint8_t depth) {
  m_req.max_depth = depth;
  return *this;
}
MintBuilder& MintBuilder::session_id(std::string id) {
  m_req.session_id = std::move(id);
  return *this;
}
MintBuilder& MintBuilder::agent_id(std::string id) {
  m_req.agent_id = std::move(id);
  return *this;
}
Result<Warrant> MintBuilder::mint(const SigningKey& issuer) const {
  MintRequest req = m_req;
  if (!m_now_set) req.now = unix_now();
  return tenuo::mint(req, issuer);
}

GrantBuilder::GrantBuilder(const Warrant& parent) : m_parent(parent) {}
GrantBuilder& GrantBuilder::tool(std::string name) { return capability(Capability(std::move(name))); }
GrantBuilder& GrantBuilder::capability(std::string name, ArgConstraints args) {
  return capability(Capability(std::move(name), args));
}
GrantBuilder& GrantBuilder::capability(Capability cap) {
  set_capability(m_req.tools, std::move(cap));
  return *this;
}
GrantBuilder& GrantBuilder::holder(const PublicKey& pk) {
  m_req.holder = pk;
  return *this;
}
GrantBuilder& GrantBuilder::ttl(std::chrono::seconds s) {
  m_req.ttl = static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.count()));
  return *this;
}
GrantBuilder& GrantBuilder::at(std::int64_t unix_seconds) {
  m_req.now = unix_seconds;
  m_now_set = true;
  return *this;
}
GrantBuilder& GrantBuilder::max_depth(std::uint8_t depth) {
  m_req.max_depth = depth;
  return *this;
}
Result<Warrant> GrantBuilder::grant(const SigningKey& signer) const {
  GrantRequest req = m_req;
  if (!m_now_set) req.now = unix_now();
  if (req.tools.empty()) req.tools = m_parent.payload().tools;
  return tenuo::grant(m_parent, req, signer);
}

// Warrant's member spellings of the two entry points (declared in warrant.hpp).
MintBuilder Warrant::mint_builder() { return tenuo::mint_builder(); }
GrantBuilder Warrant::grant_builder() const { return tenuo::grant_builder(*this); }

}  // namespace tenuo
