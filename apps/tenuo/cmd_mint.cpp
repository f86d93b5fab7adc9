#include "cli.hpp"
#include "render.hpp"

#include <tenuo/approval.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/encoding.hpp>

#include <fmt/format.h>

#include <memory>

namespace tenuo::cli {
namespace {

struct MintCmd {
  std::string key;
  std::string key_id;
  std::string holder = "self";
  std::vector<std::string> tools;
  std::vector<std::string> constraints;
  std::string capabilities;
  std::string ttl;
  std::string expires_at;
  int max_depth = 64;
  std::string type = "execution";
  std::string issuable_tools;
  int max_issue_depth = -1;
  std::string constraint_bounds;
  std::string clearance;
  std::vector<std::string> approvers;
  int min_approvals = -1;
  std::string approval_gates;
  std::string id;
  std::string session_id;
  std::string agent_id;
  std::vector<std::string> extensions;
  std::string at;
  std::string format = "b64";
  std::string out;
};

Result<int> run_mint(const MintCmd& o) {
  TENUO_TRY_ASSIGN(SigningKey key, load_signing_key(o.key, "TENUO_ISSUER_KEY", "--key", o.key_id));
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  MintRequest req;
  req.now = now;
  const PublicKey self = key.public_key();
  TENUO_TRY_ASSIGN(PublicKey holder, load_public_key(o.holder, &self));
  req.holder = holder;
  req.type = o.type == "issuer" ? WarrantType::Issuer : WarrantType::Execution;  // CLI11 checked the value
  for (const auto& t : o.tools) req.tools.emplace_back(t, ConstraintSet{});
  if (!o.capabilities.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_input(o.capabilities));
    TENUO_TRY_ASSIGN(ToolMap caps, parse_capabilities(text));
    for (auto& [name, cs] : caps) {
      bool found = false;
      for (auto& [n, existing] : req.tools)
        if (n == name) {
          existing = cs;
          found = true;
        }
      if (!found) req.tools.emplace_back(name, std::move(cs));
    }
  }
  TENUO_TRY(apply_constraint_flags(req.tools, o.constraints));
  TENUO_TRY(parse_lifetime(o.ttl, o.expires_at, req.ttl, req.expires_at));
  if (o.max_depth < 0 || o.max_depth > 255)
    return fail(ErrorCode::InvalidInput, fmt::format("--max-depth {} is outside 0..255", o.max_depth));
  req.max_depth = static_cast<std::uint8_t>(o.max_depth);
  if (!o.issuable_tools.empty()) {
    std::vector<std::string> t;
    std::string_view s = o.issuable_tools;
    while (true) {
      const auto comma = s.find(',');
      std::string item(s.substr(0, comma));
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) t.push_back(item);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    req.issuable_tools = std::move(t);
  }
  if (o.max_issue_depth >= 0) req.max_issue_depth = static_cast<std::uint32_t>(o.max_issue_depth);
  if (!o.constraint_bounds.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_input(o.constraint_bounds));
    TENUO_TRY_ASSIGN(ConstraintSet cs, constraint_set_from_json_text(text));
    req.constraint_bounds = std::move(cs);
  }
  if (!o.clearance.empty()) {
    TENUO_TRY_ASSIGN(std::uint8_t c, parse_clearance(o.clearance));
    req.clearance = c;
  }
  for (const auto& a : o.approvers) {
    TENUO_TRY_ASSIGN(PublicKey k, load_public_key(a));
    req.required_approvers.push_back(k);
  }
  if (o.min_approvals >= 0) req.min_approvals = static_cast<std::uint32_t>(o.min_approvals);
  if (!o.id.empty()) {
    TENUO_TRY_ASSIGN(WarrantId id, parse_warrant_id(o.id));
    req.id = id;
  }
  if (!o.session_id.empty()) req.session_id = o.session_id;
  if (!o.agent_id.empty()) req.agent_id = o.agent_id;
  for (const auto& e : o.extensions) {
    const auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(ErrorCode::InvalidInput, fmt::format("--extension '{}': expected KEY=CBORHEX", e));
    auto v = hex_decode(e.substr(eq + 1));
    if (!v) return fail(ErrorCode::InvalidInput, fmt::format("--extension '{}': {}", e, v.error().message));
    if (e.substr(0, eq) == kApprovalGatesExtension && !o.approval_gates.empty())
      return fail(ErrorCode::InvalidInput, "--extension tenuo.approval_gates conflicts with --approval-gate");
    req.extensions.emplace_back(e.substr(0, eq), std::move(*v));
  }
  if (!o.approval_gates.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_input(o.approval_gates));
    auto gates = approval_gates_from_json_text(text);
    if (!gates) return fail(ErrorCode::InvalidInput, "--approval-gate: " + gates.error().message);
    req.extensions.emplace_back(std::string(kApprovalGatesExtension), encode_approval_gates(*gates));
  }
  TENUO_TRY_ASSIGN(Warrant w, mint(req, key));
  std::vector<Warrant> chain;
  chain.push_back(std::move(w));
  TENUO_TRY(emit_warrants(chain, o.format, o.out));
  return kExitOk;
}

}  // namespace

void add_mint(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<MintCmd>();
  auto* sub = app.add_subcommand("mint", "Create a root warrant signed by an issuer key");
  auto* key = sub->add_option("--key,-k", o->key, "Issuer signing key: KEY, @FILE, -, env:NAME (default: $TENUO_ISSUER_KEY)");
  add_key_id_option(*sub, o->key_id, key);
  sub->add_option("--holder", o->holder, "Holder public key, or 'self' (default: self)");
  sub->add_option("--tool,-t", o->tools, "Tool to grant (repeatable; each is its own capability)");
  sub->add_option("-c,--constraint", o->constraints, "[TOOL.]ARG=TYPE:VALUE argument constraint (repeatable)");
  sub->add_option("--capabilities", o->capabilities, "JSON {\"tool\": {\"arg\": CONSTRAINT}} (or @FILE)");
  auto* ttl = sub->add_option("--ttl", o->ttl, "Lifetime: 30s, 5m, 1h, 2d (default 5m)");
  sub->add_option("--expires-at", o->expires_at, "Expiry instead of --ttl: RFC 3339 or unix seconds")->excludes(ttl);
  sub->add_option("--max-depth", o->max_depth, "Maximum delegation depth, 0..64 (default 64)");
  sub->add_option("--type", o->type, "execution or issuer (default execution)")
      ->check(CLI::IsMember({"execution", "issuer"}));
  sub->add_option("--issuable-tools", o->issuable_tools, "Issuer warrants: comma-separated tools it may issue");
  sub->add_option("--max-issue-depth", o->max_issue_depth, "Issuer warrants: maximum depth of issued warrants");
  sub->add_option("--constraint-bounds", o->constraint_bounds, "Issuer warrants: constraint set JSON bounding issued tools");
  sub->add_option("--clearance", o->clearance, "Clearance: untrusted|external|partner|internal|privileged|system or 0..255");
  sub->add_option("--required-approver", o->approvers, "Approver public key (repeatable, order kept)");
  sub->add_option("--min-approvals", o->min_approvals, "Approvals required (default: all approvers)");
  sub->add_option("--approval-gate", o->approval_gates,
                  "Approval gates JSON {\"tool\": null | {\"arg\": \"all\" | CONSTRAINT | {\"exempt\": CONSTRAINT}}} "
                  "(or @FILE): calls that need --required-approver signatures");
  sub->add_option("--id", o->id, "Warrant id: tnu_wrt_ + 32 hex, 32 hex, or a UUID (default: new UUIDv7)");
  sub->add_option("--session-id", o->session_id, "Session id extension (tenuo.session_id)");
  sub->add_option("--agent-id", o->agent_id, "Agent id extension (tenuo.agent_id)");
  sub->add_option("--extension", o->extensions, "KEY=CBORHEX extension (repeatable)");
  sub->add_option("--at", o->at, "Issue time: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--format", o->format, "Output: b64 (default), pem, tenuo (binary), json")
      ->check(CLI::IsMember(kWarrantFormats));
  sub->add_option("-o,--out", o->out, "Write to FILE instead of stdout");
  sub->callback([o, &pending] {
    pending.json = o->format == "json";
    pending.run = [o] { return run_mint(*o); };
  });
}

}  // namespace tenuo::cli
