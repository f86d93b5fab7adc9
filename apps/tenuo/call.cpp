#include "call.hpp"

#include <tenuo/arguments.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace tenuo::cli {

Result<Object> load_arguments(const std::optional<std::string>& spec) {
  if (!spec) return Object{};
  TENUO_TRY_ASSIGN(std::string text, read_input(*spec));
  auto args = parse_arguments(text);
  if (!args) {
    Error e = std::move(args).error();
    e.message = fmt::format("--args: {}", e.message);
    return Unexpected{std::move(e)};
  }
  return args;
}

Result<std::vector<PublicKey>> optional_trusted_roots(const std::vector<std::string>& specs) {
  const char* env = std::getenv("TENUO_TRUSTED_ROOTS");
  if (specs.empty() && (env == nullptr || *env == '\0')) return std::vector<PublicKey>{};
  return load_trusted_roots(specs);
}

Verdict decide(std::span<const Warrant> chain, std::span<const PublicKey> roots, std::int64_t now,
               const CallCheck& c) {
  Verdict v;
  DiagnoseOptions dopts{.now = now,
                        .revoked_ids = c.revoked_ids,
                        .session = c.session,
                        .pop_windows = c.pop_windows,
                        .pop_required = c.pop_policy == PopPolicy::Required};
  DiagnoseCall dcall{c.tool, c.args, c.pop, c.approvals};
  const bool has_call = !c.tool.empty();

  if (roots.empty()) {
    // Leaf only, no trust: advisory (sign's precheck). The first failing check is the verdict.
    const std::span<const Warrant> leaf = chain.last(1);
    v.diagnosis = diagnose(leaf, nullptr, dopts, has_call ? &dcall : nullptr);
    for (const auto& chk : v.diagnosis.checks)
      if (chk.status == CheckStatus::Fail) {
        v.error = Error{chk.code.value_or(ErrorCode::Internal), chk.detail};
        break;
      }
    return v;
  }

  const TrustedRoots trusted{std::vector<PublicKey>(roots.begin(), roots.end())};
  VerifyOptions vo{.now = now, .revoked_ids = c.revoked_ids, .session = c.session};
  auto vc = verify_chain(std::vector<Warrant>(chain.begin(), chain.end()), trusted, vo);
  if (!vc) {
    v.error = vc.error();
  } else {
    v.chain_length = vc->links().size();
    if (has_call) {
      AuthorizeOptions ao{.pop_windows = c.pop_windows, .pop = c.pop_policy};
      auto a = authorize(*vc, ToolCall{c.tool, c.args, c.pop, c.approvals}, ao);
      if (!a)
        v.error = a.error();
      else {
        v.pop = a->pop;
        v.gated = a->gated;
        v.approved_by = a->approved_by;
      }
    }
  }
  if (c.check_list == CheckList::Never) return v;
  v.diagnosis = diagnose(chain, &trusted, dopts, has_call ? &dcall : nullptr);
  // The verdict of record wins; a denial no listed check explains still shows up as a failure.
  if (v.error) {
    bool explained = false;
    for (const auto& chk : v.diagnosis.checks)
      if (chk.status == CheckStatus::Fail && chk.code == v.error->code) explained = true;
    if (!explained)
      v.diagnosis.checks.push_back(
          CheckResult{"authorization", CheckStatus::Fail, v.error->code, v.error->chain_index, v.error->message});
  }
  return v;
}

nlohmann::json error_json(const Error& e) {
  nlohmann::json j{{"code", static_cast<int>(e.code)}, {"name", std::string(name(e.code))}, {"message", e.message}};
  if (e.chain_index) j["chain_index"] = *e.chain_index;
  return j;
}

nlohmann::json checks_json(const Diagnosis& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : d.checks) {
    nlohmann::json j;
    j["check"] = c.check;
    j["status"] = std::string(status_name(c.status));
    j["code"] = c.code ? nlohmann::json(static_cast<int>(*c.code)) : nlohmann::json();
    j["name"] = c.code ? nlohmann::json(std::string(name(*c.code))) : nlohmann::json();
    j["chain_index"] = c.chain_index ? nlohmann::json(*c.chain_index) : nlohmann::json();
    j["detail"] = c.detail;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace tenuo::cli
