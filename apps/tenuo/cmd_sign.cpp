// tenuo sign: the holder's proof of possession for one call (WIRE.md §8, §14).
//
// Decisions (CLI.md is silent on these):
// * A key that is not the leaf's holder is refused with 1100 signature-invalid: that is the code
//   every verifier would give the resulting proof (§17.2, PoP failure -> 1100); 1400 is about
//   issuing warrants, not about proving possession.
// * --emit headers: X-Tenuo-Warrant carries the single leaf (URL-safe base64 without padding,
//   as the SDK's headers() does) when the input is one warrant, and the whole WarrantStack in
//   the same dialect when it is a chain, so that a verifier can check the chain to its root.
// * --emit meta follows the 0.3.2 rules (§14.2): both fields standard padded base64, the
//   warrant always a WarrantStack; --encoding does not apply to it.
// * The precheck verifies the chain when trusted roots are known (--trusted-root or
//   TENUO_TRUSTED_ROOTS) exactly as `verify` would, at the signing instant; otherwise it checks
//   the leaf alone (expiry, tool, constraints). It only warns: signing still succeeds.
#include "call.hpp"
#include "cli.hpp"
#include "output.hpp"

#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace tenuo::cli {
namespace {

struct SignCmd {
  std::string warrant;
  std::string key;
  std::string key_id;
  std::string tool;
  std::optional<std::string> args;  // absent = {}; given empty = an empty (invalid) document
  std::string at;
  std::string emit = "signature";
  std::string encoding = "base64";
  std::vector<std::string> roots;
  bool no_precheck = false;
  bool json = false;
};

std::string encode_signature(const Signature& sig, const std::string& encoding) {
  if (encoding == "hex") return hex_encode(ByteView(sig));
  if (encoding == "base64url") return base64_encode(ByteView(sig), Base64Alphabet::UrlSafe, Padding::Yes);
  return base64_encode(ByteView(sig), Base64Alphabet::Standard, Padding::Yes);
}

void precheck(std::span<const Warrant> chain, std::span<const PublicKey> roots, std::int64_t now,
              const std::string& tool, const Object& args, const Signature& sig) {
  CallCheck c;
  c.tool = tool;
  c.args = args;
  c.pop = sig;
  const Verdict v = decide(chain, roots, now, c);
  if (v.allowed()) return;
  std::string msg = v.error->message;
  for (auto& ch : msg)
    if (ch == '\n' || ch == '\r') ch = ' ';
  info(fmt::format("{} this call would be denied{}: {} [{} {}] (signed anyway; --no-precheck silences "
                   "this)\n",
                   paint(Stream::Err, Style::StrongWarn, "tenuo: warning:"),
                   roots.empty() ? " (leaf checked alone: no trusted root given)" : "", terminal_safe(msg),
                   static_cast<int>(v.error->code), name(v.error->code)));
}

Result<int> run_sign(const SignCmd& o) {
  TENUO_TRY_ASSIGN(std::vector<Warrant> chain, load_warrants(o.warrant));
  TENUO_TRY_ASSIGN(SigningKey key, load_signing_key(o.key, "TENUO_SIGNING_KEY", "--key", o.key_id));
  TENUO_TRY_ASSIGN(Object args, load_arguments(o.args));
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  std::vector<PublicKey> roots;
  if (!o.no_precheck) {
    TENUO_TRY_ASSIGN(roots, optional_trusted_roots(o.roots));
  }
  const Warrant& leaf = chain.back();
  if (!(key.public_key() == leaf.payload().holder))
    return fail(ErrorCode::SignatureInvalid,
                fmt::format("the key ({}) is not the holder of warrant {} (holder {}): its proof would not verify",
                            key.public_key().hex(), leaf.id_text(), leaf.payload().holder.hex()));
  const Signature sig = pop_sign(key, leaf.id(), o.tool, args, now);
  if (!o.no_precheck) precheck(chain, roots, now, o.tool, args, sig);

  std::string out;
  if (o.emit == "signature") {
    out = encode_signature(sig, o.encoding) + "\n";
  } else if (o.emit == "headers") {
    out = fmt::format("X-Tenuo-Warrant: {}\nX-Tenuo-PoP: {}\n", to_text(chain, TextFormat::Base64),
                      encode_signature(sig, o.encoding));
  } else if (o.emit == "meta") {
    nlohmann::json j;
    j["warrant"] = base64_encode(encode_stack(chain), Base64Alphabet::Standard, Padding::Yes);
    j["signature"] = base64_encode(ByteView(sig), Base64Alphabet::Standard, Padding::Yes);
    out = j.dump() + "\n";
  } else {  // json
    nlohmann::json j;
    j["warrant_id"] = leaf.id_text();
    j["tool"] = o.tool;
    j["signature"] = encode_signature(sig, o.encoding);
    j["window_ts"] = pop_window_start(now);
    out = j.dump(2) + "\n";
  }
  TENUO_TRY(write_output("", out));
  return kExitOk;
}

}  // namespace

void add_sign(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<SignCmd>();
  auto* sub = app.add_subcommand("sign", "Sign a tool call with the warrant holder's key (proof of possession)");
  sub->add_option("--warrant,-w", o->warrant, "Warrant or chain: VALUE, @FILE, - (default: stdin)");
  auto* key = sub->add_option("--key,-k", o->key, "Holder's signing key (default $TENUO_SIGNING_KEY)");
  add_key_id_option(*sub, o->key_id, key);
  sub->add_option("--tool,-t", o->tool, "Tool name")->required();
  sub->add_option("--args,-a", o->args, "Call arguments as a JSON object: JSON, @FILE, - (default {})");
  sub->add_option("--at", o->at, "Signing instant: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--emit", o->emit, "signature (default), headers, meta or json")
      ->check(CLI::IsMember({"signature", "headers", "meta", "json"}));
  sub->add_option("--encoding", o->encoding, "Signature text: base64 (standard, padded; default), base64url "
                                             "(URL-safe, padded: the A2A form) or hex")
      ->check(CLI::IsMember({"base64", "base64url", "hex"}));
  sub->add_option("--trusted-root,-r", o->roots,
                  "Trusted root for the precheck (repeatable; default $TENUO_TRUSTED_ROOTS; else the leaf alone)");
  sub->add_flag("--no-precheck", o->no_precheck, "Do not check whether the call would be allowed");
  auto* json = sub->add_flag("--json", o->json, "Same as --emit json (the reference CLI's spelling)");
  json->excludes(sub->get_option("--emit"));
  sub->callback([o, &pending] {
    if (o->json) o->emit = "json";
    // A usage error (exit 2), like any other conflicting pair of flags.
    if (o->emit == "meta" && o->encoding != "base64")
      throw CLI::ValidationError("--encoding",
                                 "--emit meta always uses standard padded base64 (WIRE.md §14.2); drop --encoding");
    // JSON output is one document on success and on failure.
    pending.json = o->emit == "json";
    pending.run = [o] { return run_sign(*o); };
  });
}

}  // namespace tenuo::cli
