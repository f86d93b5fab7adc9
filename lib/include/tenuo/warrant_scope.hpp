#pragma once
// WarrantScope: RAII equivalent of the SDK's `with mint_sync(Capability(…)):` block. Creating
// one makes a warrant current for the calling thread until it is destroyed; guard()ed calls on
// that thread are authorized against it.
//   { WarrantScope scope({Capability("delete_file", {{"path", Subpath("/tmp")}})});
//     if (!scope) … scope.error() …;  delete_file(make_args({{"path", "/tmp/test.txt"}})); }
// The outermost scope mints a root with the configuration's issuer key (holder = that key);
// a nested scope grants from the current one, so it can only narrow (a widening nested scope
// fails with the grant error and makes *no* warrant current: calls in it are denied).
// Guarded calls verify the scope's chain against the configuration's trusted roots, so in
// production the issuer key's public key must be one of them (dev mode without roots trusts it).
// Scopes live on a thread_local stack: they nest, are invisible to other threads, and must be
// destroyed in reverse order of creation (automatic storage guarantees this). Not copyable or
// movable.
// Thread-safety: a scope belongs to the thread that created it and must be destroyed on that
// thread (it restores that thread's thread_local stack). current_scope()/current_warrant()
// only ever see the calling thread's scopes, so they need no locking. Another thread may read a
// scope's const accessors through a pointer it was handed, as long as the scope outlives the
// use; nothing else about a scope is shared.

#include <tenuo/builders.hpp>
#include <tenuo/config.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <vector>

namespace tenuo {

class TENUO_EXPORT WarrantScope {
 public:
  // Mints/grants with current_config(). A failure (no configuration, no issuer key, builder
  // error) is kept in error(); the scope is then pushed empty.
  explicit WarrantScope(std::vector<Capability> caps, std::optional<std::chrono::seconds> ttl = {});
  // Same with an explicit configuration.
  WarrantScope(const Config& config, std::vector<Capability> caps,
               std::optional<std::chrono::seconds> ttl = {});
  // Makes an existing chain (root first) current, with the leaf holder's key for PoPs.
  // Errors: InvalidIssuer when `holder` is not the leaf's holder; ChainBroken for an empty chain.
  WarrantScope(std::vector<Warrant> chain, const SigningKey& holder);

  WarrantScope(const WarrantScope&) = delete;
  WarrantScope& operator=(const WarrantScope&) = delete;
  ~WarrantScope();

  [[nodiscard]] bool ok() const noexcept { return !m_error.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error* error() const noexcept { return m_error ? &*m_error : nullptr; }
  // The leaf warrant of this scope; nullptr when it failed.
  [[nodiscard]] const Warrant* warrant() const noexcept;
  [[nodiscard]] const std::vector<Warrant>& chain() const noexcept { return m_chain; }
  [[nodiscard]] const SigningKey* holder_key() const noexcept { return m_key ? &*m_key : nullptr; }

 private:
  void build(const Config& config, std::vector<Capability> caps, std::optional<std::chrono::seconds> ttl);
  std::vector<Warrant> m_chain;
  std::optional<SigningKey> m_key;
  std::optional<Error> m_error;
  WarrantScope* m_previous = nullptr;
};

// The innermost scope of the calling thread, or nullptr when there is none.
[[nodiscard]] TENUO_EXPORT const WarrantScope* current_scope() noexcept;
// The current scope's leaf warrant, or nullptr (no scope, or the scope failed).
[[nodiscard]] TENUO_EXPORT const Warrant* current_warrant() noexcept;

}  // namespace tenuo
