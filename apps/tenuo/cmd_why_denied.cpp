#include "cli.hpp"
#include "output.hpp"
#include "render.hpp"

#include <tenuo/arguments.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/pop.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace tenuo::cli {
namespace {

struct WhyCmd {
  std::string warrant;
  std::string tool;
  std::string args = "{}";
  std::vector<std::string> roots;
  std::string signature;
  std::string at;
  std::vector<std::string> revoked;
  int pop_windows = 0;
  bool no_pop = false;
  bool json = false;
};

// Colour on stdout, by the shared --color / NO_COLOR / TTY rule (output.hpp).
std::string paint_out(Style style, std::string_view s) { return paint(Stream::Out, style, s); }

std::string code_label(ErrorCode c) {
  return fmt::format("{} {} / {}", static_cast<int>(c), name(c), sdk_deny_reason(c));
}

nlohmann::json to_json(const Diagnosis& d, const WhyCmd& o, std::string_view warrant_id, std::size_t chain_len) {
  nlohmann::json j;
  j["ok"] = true;
  j["allowed"] = d.allowed;
  j["tool"] = o.tool;
  j["warrant_id"] = warrant_id;
  j["chain_length"] = chain_len;
  if (d.first_code) {
    j["error"] = {{"code", static_cast<int>(*d.first_code)},
                  {"name", std::string(name(*d.first_code))},
                  {"deny_code", std::string(sdk_deny_reason(*d.first_code))}};
  }
  auto checks = nlohmann::json::array();
  for (const auto& c : d.checks) {
    nlohmann::json cj{{"check", c.check}, {"status", std::string(status_name(c.status))}, {"detail", c.detail}};
    if (c.code) {
      cj["code"] = static_cast<int>(*c.code);
      cj["name"] = std::string(name(*c.code));
      cj["deny_code"] = std::string(sdk_deny_reason(*c.code));
    }
    if (c.chain_index) cj["chain_index"] = *c.chain_index;
    checks.push_back(cj);
  }
  j["checks"] = checks;
  auto args = nlohmann::json::array();
  for (const auto& a : d.arguments) {
    nlohmann::json aj{{"argument", a.arg}, {"constraint", a.constraint}, {"value", a.value}, {"reason", a.reason},
                      {"code", static_cast<int>(a.code)}, {"name", std::string(name(a.code))},
                      {"deny_code", std::string(sdk_deny_reason(a.code))}};
    if (a.introduced_at) {
      aj["introduced_at"] = *a.introduced_at;
      aj["link"] = a.link;
    }
    args.push_back(aj);
  }
  j["arguments"] = args;
  auto fixes = nlohmann::json::array();
  for (const auto& f : d.fixes) {
    nlohmann::json fj{{"kind", std::string(fix_kind_name(f.kind))}, {"summary", f.summary}};
    if (!f.command.empty()) fj["command"] = f.command;
    if (f.from_link) fj["from_link"] = *f.from_link;
    fixes.push_back(fj);
  }
  j["fixes"] = fixes;
  return j;
}

std::string to_text(const Diagnosis& d, const WhyCmd& o, std::string_view warrant_id, std::size_t chain_len) {
  std::string s;
  if (d.allowed || !d.first_code)
    s += fmt::format("{}  {} (warrant {}, chain of {})\n",
                     d.allowed ? paint_out(Style::StrongGood, "ALLOWED") : paint_out(Style::StrongWarn, "NO FAILURES"),
                     o.tool, warrant_id, chain_len);
  else
    s += fmt::format("{}  {} (warrant {}, chain of {})  [{}]\n", paint_out(Style::StrongBad, "DENIED"), o.tool,
                     warrant_id, chain_len, code_label(*d.first_code));
  s += fmt::format("\n{}\n", paint_out(Style::Heading, "checks"));
  std::size_t w_check = 12;
  for (const auto& c : d.checks) w_check = std::max(w_check, display_width(c.check));
  for (const auto& c : d.checks) {
    const std::string st = c.status == CheckStatus::Pass   ? paint_out(Style::Good, "pass")
                           : c.status == CheckStatus::Fail ? paint_out(Style::Bad, "FAIL")
                                                           : paint_out(Style::Dim, "skip");
    s += fmt::format("  {}  {} {}{}\n", st, pad_right(c.check, w_check), c.detail,
                     c.code ? fmt::format("  [{}]", code_label(*c.code)) : std::string());
  }
  if (!d.arguments.empty()) {
    s += fmt::format("\n{}\n", paint_out(Style::Heading, "arguments"));
    // Columns by display width (values may be any Unicode); very long cells overflow their
    // column rather than being cut.
    std::size_t w_arg = 8, w_con = 10, w_val = 5;
    for (const auto& a : d.arguments) {
      w_arg = std::max(w_arg, display_width(a.arg));
      w_con = std::max(w_con, display_width(a.constraint));
      w_val = std::max(w_val, display_width(a.value));
    }
    w_con = std::min<std::size_t>(w_con, 40);
    w_val = std::min<std::size_t>(w_val, 40);
    s += fmt::format("  {}  {}  {}  why\n", pad_right("argument", w_arg), pad_right("constraint", w_con),
                     pad_right("value", w_val));
    for (const auto& a : d.arguments)
      s += fmt::format("  {}  {}  {}  {}{}\n", pad_right(a.arg, w_arg),
                       pad_right(a.constraint.empty() ? "-" : a.constraint, w_con), pad_right(a.value, w_val),
                       a.reason, a.introduced_at ? fmt::format("  (narrowed at {})", a.link) : std::string());
  }
  if (!d.fixes.empty()) {
    s += fmt::format("\n{}\n", paint_out(Style::Heading, "fix"));
    for (const auto& f : d.fixes) {
      s += fmt::format("  {}\n", f.summary);
      if (!f.command.empty()) s += fmt::format("    {}\n", f.command);
    }
  }
  return s;
}

Result<int> run_why(const WhyCmd& o) {
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  // Decoded by diagnose_encoded(): a link whose signature does not verify is diagnosed, not refused.
  TENUO_TRY_ASSIGN(Bytes cbor, load_warrant_cbor(o.warrant));
  TENUO_TRY_ASSIGN(std::string args_text, read_input(o.args));
  TENUO_TRY_ASSIGN(Object args, parse_arguments(args_text));
  std::optional<TrustedRoots> roots;
  const char* env_roots = std::getenv("TENUO_TRUSTED_ROOTS");
  if (!o.roots.empty() || (env_roots != nullptr && *env_roots)) {
    TENUO_TRY_ASSIGN(auto keys, load_trusted_roots(o.roots));
    roots = TrustedRoots{keys};
  }
  DiagnoseCall call{o.tool, std::move(args), std::nullopt};
  if (!o.signature.empty()) {
    TENUO_TRY_ASSIGN(std::string sig_text, read_input(o.signature));
    TENUO_TRY_ASSIGN(Signature sig, parse_pop_signature(sig_text));
    call.pop = sig;
  }
  DiagnoseOptions opts;
  opts.now = now;
  for (const auto& r : o.revoked) {
    TENUO_TRY_ASSIGN(WarrantId id, parse_warrant_id(r));
    opts.revoked_ids.push_back(id_text(id));
  }
  // As verify: a call needs its proof of possession unless --no-pop.
  opts.pop_required = !o.no_pop;
  int windows = o.pop_windows;
  if (windows == 0) {
    const char* env = std::getenv("TENUO_POP_MAX_WINDOWS");
    windows = env && *env ? std::atoi(env) : kPopDefaultMaxWindows;
  }
  if (windows < kPopMinWindows || windows > kPopMaxWindows)
    return fail(ErrorCode::InvalidInput, fmt::format("--pop-windows {} is outside 2..10", windows));
  opts.pop_windows = windows;
  TENUO_TRY_ASSIGN(Diagnosis d, diagnose_encoded(cbor, roots ? &*roots : nullptr, opts, &call));
  bool any_fail = false;
  for (const auto& c : d.checks) any_fail = any_fail || c.status == CheckStatus::Fail;
  const bool denied = roots ? !d.allowed : any_fail;
  // Without a trusted root there is no verdict of record: the first failing check stands for
  // it (as sign's precheck does), so a denial always names a code.
  if (denied && !d.first_code)
    for (const auto& c : d.checks)
      if (c.status == CheckStatus::Fail && c.code) {
        d.first_code = c.code;
        break;
      }
  const std::string& id = d.leaf_id;
  const std::size_t chain_len = d.chain_length;
  if (o.json) {
    auto j = to_json(d, o, id, chain_len);
    j["allowed"] = !denied;
    if (!roots) j["note"] = "no trusted root given: trust was not checked";
    print_json(j);
  } else {
    std::fputs(terminal_safe(to_text(d, o, id, chain_len)).c_str(), stdout);
    if (!roots) info("tenuo: note: no trusted root given (--trusted-root or TENUO_TRUSTED_ROOTS): trust was not checked\n");
  }
  return denied ? kExitDenied : kExitOk;
}

}  // namespace

void add_why_denied(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<WhyCmd>();
  auto* sub = app.add_subcommand("why-denied", "Explain every reason a call is denied, and how to fix it");
  sub->add_option("--warrant,-w", o->warrant, "Warrant or chain: VALUE, @FILE, - (default: stdin)");
  sub->add_option("--tool,-t", o->tool, "Tool name of the call")->required();
  sub->add_option("--args,-a", o->args, "Call arguments as a JSON object: JSON, @FILE, - (default {})");
  sub->add_option("--trusted-root,-r", o->roots, "Trusted root public key (repeatable; default $TENUO_TRUSTED_ROOTS)");
  auto* sig = sub->add_option("--signature,-s", o->signature, "PoP signature to check (base64 any dialect, or hex)");
  auto* nopop = sub->add_flag("--no-pop", o->no_pop,
                              "Skip the proof of possession (else a call without --signature fails the pop check)");
  sig->excludes(nopop);
  sub->add_option("--at", o->at, "Evaluation instant: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--revoked", o->revoked, "Revoked warrant id (repeatable)");
  sub->add_option("--pop-windows", o->pop_windows, "PoP windows accepted, 2..10 (default $TENUO_POP_MAX_WINDOWS or 5)");
  sub->add_flag("--json", o->json, "One JSON document");
  sub->callback([o, &pending] {
    pending.json = o->json;
    pending.run = [o] { return run_why(*o); };
  });
}

}  // namespace tenuo::cli
