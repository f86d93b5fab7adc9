#include "cli.hpp"
#include "output.hpp"
#include "render.hpp"

#include <tenuo/verify.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace tenuo::cli {
namespace {

struct InspectCmd {
  std::string warrant;
  bool json = false;
  bool chain = false;
  std::vector<std::string> roots;
  std::string at;
};

Result<int> run_inspect(const InspectCmd& o) {
  TENUO_TRY_ASSIGN(std::vector<Warrant> chain, load_warrants(o.warrant));
  // Optional verification; its outcome is reported, it does not change the exit code of a
  // successful decode unless it fails.
  std::optional<Error> verdict;
  bool verified = false;
  if (!o.roots.empty()) {
    TENUO_TRY_ASSIGN(auto roots, load_trusted_roots(o.roots));
    TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
    auto r = verify_chain(chain, TrustedRoots{roots}, VerifyOptions{.now = now});
    if (r)
      verified = true;
    else
      verdict = r.error();
  }
  const std::size_t first = o.chain ? 0 : chain.size() - 1;
  if (o.json) {
    nlohmann::json doc;
    doc["ok"] = true;
    doc["verified"] = verified;
    if (verdict)
      doc["verification_error"] = {{"code", static_cast<int>(verdict->code)},
                                   {"name", std::string(name(verdict->code))},
                                   {"message", verdict->message}};
    doc["chain_length"] = chain.size();
    if (o.chain) {
      auto links = nlohmann::json::array();
      for (const auto& w : chain) links.push_back(warrant_json(w));
      doc["chain"] = links;
    } else {
      doc["warrant"] = warrant_json(chain.back());
    }
    print_json(doc);
  } else {
    std::string s;
    for (std::size_t i = first; i < chain.size(); ++i) {
      s += paint(Stream::Out, Style::Heading,
                 fmt::format("warrant {} of {}{}", i + 1, chain.size(),
                             i == 0 ? " (root)" : (i + 1 == chain.size() ? " (leaf)" : "")));
      s += '\n';
      s += warrant_text(chain[i], "  ");
    }
    std::fputs(terminal_safe(s).c_str(), stdout);  // the warrant is untrusted
  }
  if (!o.roots.empty()) {
    if (verified)
      info(fmt::format("{} against the trusted roots\n", paint(Stream::Err, Style::StrongGood, "tenuo: verified")));
    else
      std::fputs(fmt::format("{} {} [{} {}]\n", paint(Stream::Err, Style::StrongBad, "tenuo: NOT valid:"), terminal_safe(verdict->message), static_cast<int>(verdict->code),
                             name(verdict->code))
                     .c_str(),
                 stderr);
    return verified ? kExitOk : kExitDenied;
  }
  info("tenuo: decoded only: signatures match their claimed issuers, but trust, chain links and "
       "expiry were NOT verified (use --trusted-root or tenuo verify)\n");
  return kExitOk;
}

}  // namespace

void add_inspect(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<InspectCmd>();
  auto* sub = app.add_subcommand("inspect", "Decode a warrant or chain (verifies nothing without --trusted-root)");
  sub->add_option("warrant", o->warrant, "Warrant or chain: VALUE, @FILE, - (default: stdin)");
  sub->add_flag("--json", o->json, "One JSON document (constraints in the --capabilities form)");
  sub->add_flag("--chain", o->chain, "Show every link, root first (default: the leaf)");
  sub->add_option("--trusted-root", o->roots, "Also verify the chain against this root (repeatable)");
  sub->add_option("--at", o->at, "Verification instant with --trusted-root");
  sub->callback([o, &pending] {
    pending.json = o->json;
    pending.decode_only = o->roots.empty();
    pending.run = [o] { return run_inspect(*o); };
  });
}

}  // namespace tenuo::cli
