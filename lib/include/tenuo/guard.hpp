#pragma once
// guard("delete_file", fn): wraps a callable taking the call arguments (const Object&) so that
// every call is first authorized against the calling thread's current WarrantScope: the scope's
// holder key signs a PoP, and an Authorizer built from the configuration (trusted roots, PoP
// windows) verifies the chain and decides. Every decision is written to the configuration's
// audit log (audit_log.hpp format, so `tenuo audit-replay` reads it) and sink.
// Mode: enforce — a denial is returned as the Result's Error (fn is not called); audit and
// permissive — a denial is logged with "enforced": false and fn runs. We return the denial
// rather than throw: the library reports errors as Result everywhere, and a guarded call site
// has to handle fn's outcome anyway. No scope (or a failed one) is a denial with
// ToolNotAuthorized (1500).
// Thread-safety: a Guarded object is const-callable from any thread (each thread sees its own
// scope); the wrapped fn must itself be safe to call concurrently if you do so.
// check_guarded_call is thread-safe: each call builds its own Authorizer from the Config (no
// verification state is shared), and the decision is recorded through Config::record (audit
// log appends serialised by flock; the sink is called on the deciding thread).

#include <tenuo/approval.hpp>
#include <tenuo/authorizer.hpp>
#include <tenuo/config.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tenuo {

// The decision for one guarded call, and whether the call may proceed under the mode.
struct GuardOutcome {
  Decision decision;
  bool proceed = false;  // allowed, or denied in audit/permissive mode
};

// Authorizes `tool(args)` against the current scope under `config`, records the decision
// (an audit log write failure is reported on stderr and does not change the outcome), and
// applies the mode. `now` defaults to the system clock.
[[nodiscard]] TENUO_EXPORT GuardOutcome check_guarded_call(const Config& config, std::string_view tool,
                                                           const Object& args,
                                                           std::optional<std::int64_t> now = {});
// The same for a call behind an approval gate (§5.6), carrying its approvals. The audit record
// does not keep them, so `audit-replay` reports such an allow as undecidable
// (approvals-unavailable) rather than re-deciding it.
[[nodiscard]] TENUO_EXPORT GuardOutcome check_guarded_call(const Config& config, std::string_view tool,
                                                           const Object& args,
                                                           std::span<const SignedApproval> approvals,
                                                           std::optional<std::int64_t> now = {});

template <class F>
class Guarded {
 public:
  using Return = std::invoke_result_t<const F&, const Object&>;

  // `config` null: the process configuration current at each call (none -> InvalidInput).
  Guarded(std::string tool, F fn, std::shared_ptr<const Config> config)
      : m_tool(std::move(tool)), m_fn(std::move(fn)), m_config(std::move(config)) {}

  [[nodiscard]] const std::string& tool() const noexcept { return m_tool; }

  // Result of fn, or the denial (enforce mode) / InvalidInput (no configuration).
  Result<Return> operator()(const Object& args) const { return (*this)(args, {}); }
  // The same for a gated call, with the approvals it carries.
  Result<Return> operator()(const Object& args, std::span<const SignedApproval> approvals) const {
    auto cfg = m_config ? m_config : current_config();
    if (!cfg) return fail(ErrorCode::InvalidInput, "guard: no configuration (call configure())");
    GuardOutcome out = check_guarded_call(*cfg, m_tool, args, approvals);
    if (!out.proceed) {
      Error e(out.decision.code.value_or(ErrorCode::ToolNotAuthorized), out.decision.message);
      e.chain_index = out.decision.chain_index;
      return Unexpected{std::move(e)};
    }
    if constexpr (std::is_void_v<Return>) {
      m_fn(args);
      return {};
    } else {
      return m_fn(args);
    }
  }

 private:
  std::string m_tool;
  F m_fn;
  std::shared_ptr<const Config> m_config;
};

// Guards `fn` for `tool` with the process configuration (looked up at each call).
template <class F>
[[nodiscard]] Guarded<std::decay_t<F>> guard(std::string tool, F&& fn) {
  return Guarded<std::decay_t<F>>(std::move(tool), std::forward<F>(fn), nullptr);
}
// Guards `fn` for `tool` with an explicit configuration (copied).
template <class F>
[[nodiscard]] Guarded<std::decay_t<F>> guard(const Config& config, std::string tool, F&& fn) {
  return Guarded<std::decay_t<F>>(std::move(tool), std::forward<F>(fn),
                                  std::make_shared<const Config>(config));
}

}  // namespace tenuo
