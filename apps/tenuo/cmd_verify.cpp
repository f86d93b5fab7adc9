#include "cli.hpp"
#include "render.hpp"

#include <tenuo/verify.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace tenuo::cli {
namespace {

struct VerifyCmd {
  std::string warrant;
  std::vector<std::string> roots;
  std::string at;
  std::vector<std::string> revoked;
  bool strict_session = false;
  bool json = false;
};

Result<int> run_verify(const VerifyCmd& o) {
  TENUO_TRY_ASSIGN(auto roots, load_trusted_roots(o.roots));
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  TENUO_TRY_ASSIGN(std::vector<Warrant> chain, load_warrants(o.warrant));
  VerifyOptions opts{.now = now};
  for (const auto& r : o.revoked) {
    TENUO_TRY_ASSIGN(WarrantId id, parse_warrant_id(r));
    opts.revoked_ids.push_back(id_text(id));
  }
  opts.session = o.strict_session ? SessionCheck::Strict : SessionCheck::Off;
  TENUO_TRY_ASSIGN(VerifiedChain vc, verify_chain(std::move(chain), TrustedRoots{roots}, opts));
  const Warrant& leaf = vc.leaf();
  if (o.json) {
    nlohmann::json doc;
    doc["ok"] = true;
    doc["valid"] = true;
    doc["at"] = now;
    doc["chain_length"] = vc.links().size();
    doc["leaf"] = warrant_json(leaf);
    print_json(doc);
  } else {
    std::fputs(fmt::format("valid: chain of {} to {} (holder {}, expires {})\n", vc.links().size(), leaf.id_text(),
                           leaf.payload().holder.fingerprint(),
                           format_rfc3339(static_cast<std::int64_t>(leaf.payload().expires_at)))
                   .c_str(),
               stdout);
  }
  return kExitOk;
}

}  // namespace

void add_verify(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<VerifyCmd>();
  auto* sub = app.add_subcommand("verify", "Verify a warrant or chain (and a tool call) against trusted roots");
  sub->add_option("--warrant,-w", o->warrant, "Warrant or chain: VALUE, @FILE, - (default: stdin)");
  sub->add_option("--trusted-root,-r", o->roots, "Trusted root public key (repeatable; default $TENUO_TRUSTED_ROOTS)");
  sub->add_option("--at", o->at, "Evaluation instant: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--revoked", o->revoked, "Revoked warrant id (repeatable)");
  sub->add_flag("--strict-session", o->strict_session, "Require every link to carry the root's session id");
  sub->add_flag("--json", o->json, "One JSON document with every check");
  sub->callback([o, &pending] {
    pending.json = o->json;
    pending.run = [o] { return run_verify(*o); };
  });
}

}  // namespace tenuo::cli
