#include <tenuo/warrant_scope.hpp>

namespace tenuo {

namespace {
// Innermost scope of this thread; each scope links to the one it shadows.
thread_local WarrantScope* t_current = nullptr;
}  // namespace

WarrantScope::WarrantScope(std::vector<Capability> caps, std::optional<std::chrono::seconds> ttl)
    : m_previous(t_current) {
  t_current = this;
  auto cfg = current_config();
  if (!cfg) {
    m_error = Error(ErrorCode::InvalidInput, "no configuration: call configure() or auto_configure() first");
    return;
  }
  build(*cfg, std::move(caps), ttl);
}

WarrantScope::WarrantScope(const Config& config, std::vector<Capability> caps,
                           std::optional<std::chrono::seconds> ttl)
    : m_previous(t_current) {
  t_current = this;
  build(config, std::move(caps), ttl);
}

WarrantScope::WarrantScope(std::vector<Warrant> chain, const SigningKey& holder) : m_previous(t_current) {
  t_current = this;
  if (chain.empty()) {
    m_error = Error(ErrorCode::ChainBroken, "empty chain");
    return;
  }
  if (!(chain.back().payload().holder == holder.public_key())) {
    m_error = Error(ErrorCode::InvalidIssuer, "the key is not the leaf warrant's holder");
    return;
  }
  m_chain = std::move(chain);
  m_key.emplace(holder.clone(SecretAccess{}));
}

void WarrantScope::build(const Config& config, std::vector<Capability> caps,
                         std::optional<std::chrono::seconds> ttl) {
  const auto life = ttl.value_or(config.scope_ttl());
  const WarrantScope* outer = m_previous;
  if (outer != nullptr && outer->warrant() != nullptr) {
    // Nested: attenuate the enclosing scope's warrant, signed by its holder.
    GrantBuilder b(*outer->warrant());
    for (auto& c : caps) b.capability(std::move(c));
    auto child = b.ttl(life).grant(*outer->holder_key());
    if (!child) {
      m_error = std::move(child).error();
      return;
    }
    m_chain = outer->chain();
    m_chain.push_back(std::move(child).value());
    m_key.emplace(outer->holder_key()->clone(SecretAccess{}));
    return;
  }
  if (outer != nullptr) {
    m_error = Error(ErrorCode::ChainBroken, "the enclosing warrant scope failed; nothing to attenuate");
    return;
  }
  const SigningKey* issuer = config.issuer_key();
  if (issuer == nullptr) {
    m_error = Error(ErrorCode::InvalidInput, "no issuer key configured (issuer_key / TENUO_ISSUER_KEY)");
    return;
  }
  MintBuilder b;
  for (auto& c : caps) b.capability(std::move(c));
  auto root = b.ttl(life).mint(*issuer);
  if (!root) {
    m_error = std::move(root).error();
    return;
  }
  m_chain.push_back(std::move(root).value());
  m_key.emplace(issuer->clone(SecretAccess{}));
}

WarrantScope::~WarrantScope() {
  // Scopes are automatic objects, so destruction is LIFO; restoring the shadowed scope is all
  // that is needed.
  t_current = m_previous;
}

const Warrant* WarrantScope::warrant() const noexcept {
  if (m_error || m_chain.empty()) return nullptr;
  return &m_chain.back();
}

const WarrantScope* current_scope() noexcept { return t_current; }

const Warrant* current_warrant() noexcept {
  return t_current != nullptr ? t_current->warrant() : nullptr;
}

}  // namespace tenuo
