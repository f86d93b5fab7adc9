#include <tenuo/builders.hpp>
#include <tenuo/guard.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/warrant_scope.hpp>

#include <cstdio>

namespace tenuo {

GuardOutcome check_guarded_call(const Config& config, std::string_view tool, const Object& args,
                                std::optional<std::int64_t> now) {
  return check_guarded_call(config, tool, args, {}, now);
}

GuardOutcome check_guarded_call(const Config& config, std::string_view tool, const Object& args,
                                std::span<const SignedApproval> approvals, std::optional<std::int64_t> now) {
  const std::int64_t t = now.value_or(unix_now());
  const Object sorted = Value::object(args).as_object();
  GuardOutcome out;
  AuditRecord rec;
  rec.time = t;
  rec.mode = config.mode();
  rec.tool = std::string(tool);
  rec.arguments = sorted;

  const WarrantScope* scope = current_scope();
  if (scope == nullptr || scope->warrant() == nullptr) {
    out.decision.code = ErrorCode::ToolNotAuthorized;
    out.decision.message = scope == nullptr ? "no warrant in scope"
                                            : "the warrant scope failed: " + scope->error()->message;
  } else {
    const Warrant& leaf = *scope->warrant();
    const Signature pop = pop_sign(*scope->holder_key(), leaf.id(), tool, sorted, t);
    auto authz = Authorizer::from_config(config);
    out.decision = authz->check(std::span<const Warrant>(scope->chain()),
                                ToolCall{std::string(tool), sorted, pop,
                                         std::vector<SignedApproval>(approvals.begin(), approvals.end())},
                                t);
    rec.warrant_id = leaf.id_text();
    rec.chain = encode_stack(scope->chain());
    rec.pop = Bytes(pop.begin(), pop.end());
  }
  out.proceed = out.decision.allowed || !config.should_block_violation();
  rec.decision = out.decision.allowed ? AuditDecision::Allow : AuditDecision::Deny;
  rec.enforced = out.decision.allowed || config.should_block_violation();
  if (!out.decision.allowed)
    rec.error = AuditError{out.decision.code.value_or(ErrorCode::ToolNotAuthorized), out.decision.message};
  if (auto w = config.record(rec); !w)
    std::fprintf(stderr, "tenuo: audit log write failed: %s\n", w.error().message.c_str());  // NOLINT
  return out;
}

}  // namespace tenuo
