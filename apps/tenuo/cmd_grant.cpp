#include "cli.hpp"
#include "output.hpp"
#include "render.hpp"

#include <tenuo/builder.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace tenuo::cli {
namespace {

struct GrantCmd {
  std::string parent;
  std::string key;
  std::string key_id;
  std::string holder;
  std::vector<std::string> tools;
  std::vector<std::string> constraints;
  std::string capabilities;
  std::string ttl;
  std::string expires_at;
  int max_depth = -1;
  std::string id;
  std::string clearance;
  std::string at;
  std::string emit = "chain";
  bool dry_run = false;
  bool diff = false;
  std::string format = "b64";
  std::string out;
};

// The child's tool map: the parent's tools (or those named), with the --capabilities and -c
// arguments replacing the parent's constraint of the same argument.
Result<ToolMap> child_tools(const Payload& parent, const GrantCmd& o) {
  ToolMap tools;
  if (o.tools.empty()) {
    tools = parent.tools;
  } else {
    for (const auto& name : o.tools) {
      const ConstraintSet* cs = parent.tool(name);
      if (cs == nullptr) cs = parent.tool("*");
      if (cs == nullptr)
        return fail(ErrorCode::CapabilityExpansion,
                    fmt::format("tool '{}' is not granted by the parent warrant; it cannot be added", name));
      tools.emplace_back(name, *cs);
    }
  }
  if (!o.capabilities.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_input(o.capabilities));
    TENUO_TRY_ASSIGN(ToolMap caps, parse_capabilities(text));
    for (auto& [name, cs] : caps) {
      auto it = std::find_if(tools.begin(), tools.end(), [&](const auto& t) { return t.first == name; });
      if (it == tools.end()) {
        const ConstraintSet* base = parent.tool(name);
        if (base == nullptr) base = parent.tool("*");
        if (base == nullptr)
          return fail(ErrorCode::CapabilityExpansion,
                      fmt::format("tool '{}' is not granted by the parent warrant; it cannot be added", name));
        tools.emplace_back(name, *base);
        it = std::prev(tools.end());
      }
      for (auto& [arg, c] : cs.constraints) it->second.set(arg, c);
      if (!cs.allow_unknown) it->second.allow_unknown = false;
    }
  }
  TENUO_TRY(apply_constraint_flags(tools, o.constraints));
  return tools;
}

std::string diff_text(const Payload& p, const Payload& c) {
  std::string s;
  for (const auto& [name, cs] : p.tools)
    if (c.tool(name) == nullptr) s += fmt::format("  - tool {} (dropped)\n", name);
  for (const auto& [name, cs] : c.tools) {
    const ConstraintSet* pc = p.tool(name);
    if (pc == nullptr) pc = p.tool("*");
    for (const auto& [arg, con] : cs.constraints) {
      const Constraint* before = pc ? pc->find(arg) : nullptr;
      if (before == nullptr)
        s += fmt::format("  + {}.{} = {}\n", name, arg, display(con));
      else if (!(*before == con))
        s += fmt::format("  ~ {}.{}: {} -> {}\n", name, arg, display(*before), display(con));
    }
  }
  if (c.expires_at != p.expires_at)
    s += fmt::format("  ~ expires_at: {} -> {}\n", rfc3339_utc(static_cast<std::int64_t>(p.expires_at)),
                     rfc3339_utc(static_cast<std::int64_t>(c.expires_at)));
  if (c.max_depth != p.max_depth) s += fmt::format("  ~ max_depth: {} -> {}\n", p.max_depth, c.max_depth);
  if (c.holder != p.holder) s += fmt::format("  ~ holder: {} -> {}\n", p.holder.fingerprint(), c.holder.fingerprint());
  if (c.clearance != p.clearance)
    s += fmt::format("  ~ clearance: {} -> {}\n", p.clearance ? std::to_string(*p.clearance) : "none",
                     c.clearance ? std::to_string(*c.clearance) : "none");
  if (s.empty()) s = "  (nothing narrowed)\n";
  return s;
}

Result<int> run_grant(const GrantCmd& o) {
  TENUO_TRY_ASSIGN(std::vector<Warrant> chain, load_warrants(o.parent));
  const Warrant& parent = chain.back();
  TENUO_TRY_ASSIGN(SigningKey key, load_signing_key(o.key, "TENUO_SIGNING_KEY", "--key", o.key_id));
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  GrantRequest req;
  req.now = now;
  if (!o.holder.empty()) {
    const PublicKey self = key.public_key();
    TENUO_TRY_ASSIGN(PublicKey h, load_public_key(o.holder, &self));
    req.holder = h;
  }
  TENUO_TRY_ASSIGN(req.tools, child_tools(parent.payload(), o));
  TENUO_TRY(parse_lifetime(o.ttl, o.expires_at, req.ttl, req.expires_at));
  if (o.max_depth >= 0) {
    if (o.max_depth > 255) return fail(ErrorCode::InvalidInput, "--max-depth is outside 0..255");
    req.max_depth = static_cast<std::uint8_t>(o.max_depth);
  }
  if (!o.clearance.empty()) {
    TENUO_TRY_ASSIGN(std::uint8_t c, parse_clearance(o.clearance));
    req.clearance = c;
  }
  if (!o.id.empty()) {
    TENUO_TRY_ASSIGN(WarrantId id, parse_warrant_id(o.id));
    req.id = id;
  }
  if (o.dry_run) {
    TENUO_TRY_ASSIGN(Payload c, prepare_grant(parent, req, key.public_key()));
    std::fputs(terminal_safe(fmt::format("dry run: the grant is valid; nothing was signed\n{}",
                                         diff_text(parent.payload(), c)))
                   .c_str(),
               stdout);
    return kExitOk;
  }
  TENUO_TRY_ASSIGN(Warrant child, grant(parent, req, key));
  if (o.diff)
    std::fputs(terminal_safe(fmt::format("narrowed:\n{}", diff_text(parent.payload(), child.payload()))).c_str(),
               stderr);
  if (o.emit == "leaf") {
    chain.clear();
  }
  chain.push_back(std::move(child));
  TENUO_TRY(emit_warrants(chain, o.format, o.out));
  return kExitOk;
}

}  // namespace

void add_grant(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<GrantCmd>();
  auto* sub = app.add_subcommand("grant", "Delegate an attenuated child of a warrant (or chain)");
  sub->add_option("parent", o->parent, "Parent warrant or chain: VALUE, @FILE, - (default: stdin)");
  auto* key = sub->add_option("--key,-k", o->key, "The parent holder's signing key (default: $TENUO_SIGNING_KEY)");
  add_key_id_option(*sub, o->key_id, key);
  sub->add_option("--holder", o->holder, "Child holder public key, or 'self' (default: the parent's holder)");
  sub->add_option("--tool,-t", o->tools, "Keep only these tools (repeatable; default: all of the parent's)");
  sub->add_option("-c,--constraint", o->constraints, "[TOOL.]ARG=TYPE:VALUE narrowing (repeatable)");
  sub->add_option("--capabilities", o->capabilities, "JSON {\"tool\": {\"arg\": CONSTRAINT}} narrowing (or @FILE)");
  auto* ttl = sub->add_option("--ttl", o->ttl, "Lifetime (capped to the parent's expiry): 30s, 5m, 1h, 2d");
  sub->add_option("--expires-at", o->expires_at, "Expiry instead of --ttl: RFC 3339 or unix seconds")->excludes(ttl);
  sub->add_option("--max-depth", o->max_depth, "Maximum delegation depth (default: the parent's)");
  sub->add_option("--clearance", o->clearance, "Lower the clearance (default: the parent's)");
  sub->add_option("--id", o->id, "Child warrant id (default: new UUIDv7)");
  sub->add_option("--at", o->at, "Issue time: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--emit", o->emit, "chain (default: root..child) or leaf (the child alone)")
      ->check(CLI::IsMember({"chain", "leaf"}));
  sub->add_flag("--dry-run", o->dry_run, "Check and show the grant; sign nothing");
  sub->add_flag("--diff", o->diff, "Show what narrowed (stderr)");
  sub->add_option("--format", o->format, "Output: b64 (default), pem, tenuo (binary), json")
      ->check(CLI::IsMember(kWarrantFormats));
  sub->add_option("-o,--out", o->out, "Write to FILE instead of stdout");
  sub->callback([o, &pending] {
    pending.json = o->format == "json";
    pending.run = [o] { return run_grant(*o); };
  });
}

}  // namespace tenuo::cli
