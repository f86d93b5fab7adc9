// tenuo verify: is this warrant (or this call) authorized? (CLI.md verify; WIRE.md §8, §10,
// §13, §14, §21)
//
// Decisions (CLI.md is silent or leaves room):
// * The verdict of record is verify_chain() + authorize() at one instant (--at, TENUO_NOW or
//   the clock): PoP windows, expiry and revocation all use it. `--json` lists every check from
//   diagnose() (signature, chain, trust, time, revocation, tool, pop, constraints, approvals);
//   a denial no check explains is added as an "authorization" check.
// * Modes change what happens with a denial, never the verdict: enforce exits 1; audit exits 0,
//   prints `tenuo: audit: would deny: …` on stderr and "deny (not enforced …)" on stdout, and
//   writes enforced=false; permissive is audit plus a WARNING on stderr on every run (the mode
//   itself is the hazard, not only the denials it lets through). JSON: "ok" and "decision"
//   are the verdict; "enforced" is false exactly when a denial was let through.
// * Input errors stay exit 3 in every mode. A call whose --args are not strict JSON is
//   still recorded in the audit log (decision deny, invalid-arguments, the raw text).
// * Approvals (--approval, `_meta.tenuo.approvals`, X-Tenuo-Approvals) are decoded up front:
//   one that is not base64 of a SignedApproval is unreadable input (exit 3), like a bad PoP
//   text. Those of a captured request come first, then the --approval flags (both may be
//   given, e.g. to replay a request with an approval it lacked). authorize() checks them only
//   when an approval gate fires for the call (WIRE.md §5.6, §9.3).
// * --srl: the list must be signed by a trusted root or an --srl-key, else 1801; a version
//   below --srl-min-version is 1802. A bad SRL fails the command (exit 1) in every mode: it is
//   the verifier's configuration, not the call, that is broken, and audit mode must not run
//   with a revocation list an attacker may have forged or rolled back.
// * --receipt-key needs --tool and a PoP (an allow receipt must carry it, §21.2 key 8), so it
//   is refused with --no-pop. Receipts record the verdict (outcome), not the mode.
#include "call.hpp"
#include "captured.hpp"
#include "cli.hpp"
#include "output.hpp"
#include "receipt_log.hpp"
#include "render.hpp"

#include <tenuo/approval.hpp>
#include <tenuo/arguments.hpp>
#include <tenuo/audit_log.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/receipt.hpp>
#include <tenuo/srl.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace tenuo::cli {
namespace {

struct VerifyCmd {
  std::string warrant;
  std::vector<std::string> roots;
  std::string at;
  std::string tool;
  std::optional<std::string> args;  // absent = {}
  std::string signature;
  bool no_pop = false;
  int pop_windows = 0;  // 0 = not given
  std::string mode;
  std::vector<std::string> approvals;
  bool strict_session = false;
  std::vector<std::string> revoked;
  std::string srl;
  std::vector<std::string> srl_keys;
  std::optional<std::uint64_t> srl_min_version;
  std::string audit_log;
  std::string receipt_key;
  std::string receipt_log;
  std::string request_id = "tenuo-cli";
  std::string headers;
  std::string meta;
  bool json = false;
};

Result<EnforcementMode> resolve_mode(const std::string& flag) {
  if (!flag.empty()) return *parse_mode(flag);  // CLI11 checked the value
  const char* env = std::getenv("TENUO_MODE");
  if (env == nullptr || *env == '\0') return EnforcementMode::Enforce;
  if (auto m = parse_mode(env)) return *m;
  return fail(ErrorCode::InvalidInput, fmt::format("TENUO_MODE='{}': use enforce, audit or permissive", env));
}

Result<int> resolve_pop_windows(int flag) {
  if (flag != 0) return flag;  // CLI11 checked the range
  const char* env = std::getenv("TENUO_POP_MAX_WINDOWS");
  if (env == nullptr || *env == '\0') return kPopDefaultMaxWindows;
  const std::string_view s(env);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < kPopMinWindows || v > kPopMaxWindows)
    return fail(ErrorCode::InvalidInput,
                fmt::format("TENUO_POP_MAX_WINDOWS='{}': use a whole number from {} to {}", env, kPopMinWindows,
                            kPopMaxWindows));
  return v;
}

// A path given bare, as @PATH, or any read_input form.
Result<std::string> read_file_flag(const std::string& spec) {
  if (spec == "-" || spec.starts_with("@") || spec.starts_with("env:")) return read_input(spec);
  return read_input("@" + spec);
}

std::string one_line(std::string s) {
  for (auto& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

// What the verifier was shown: from flags, or from a captured request.
struct Presented {
  std::vector<Warrant> chain;
  Bytes chain_cbor;  // the WarrantStack as presented (audit log, receipts)
  std::string tool;  // empty: verify the chain alone
  Object args;
  std::optional<Signature> pop;
  std::vector<SignedApproval> approvals;
};

struct Srl {
  std::uint64_t version = 0;
  Sha256Digest hash{};
  std::string issuer;
  std::size_t count = 0;
};

// The settings every decision is made and recorded under.
struct Context {
  EnforcementMode mode = EnforcementMode::Enforce;
  int pop_windows = kPopDefaultMaxWindows;
  std::vector<PublicKey> roots;
  std::int64_t now = 0;
  std::string audit_path;
};

Result<Srl> load_srl(const VerifyCmd& o, const std::vector<PublicKey>& roots, std::vector<std::string>& revoked) {
  TENUO_TRY_ASSIGN(std::string text, read_file_flag(o.srl));
  TENUO_TRY_ASSIGN(Bytes bytes, srl_bytes_from_any(as_bytes(text)));
  std::vector<PublicKey> accepted = roots;
  for (const auto& k : o.srl_keys) {
    TENUO_TRY_ASSIGN(PublicKey pk, load_public_key(k));
    accepted.push_back(pk);
  }
  TENUO_TRY_ASSIGN(SignedRevocationList list, verify_srl(bytes, accepted, o.srl_min_version));
  revoked.insert(revoked.end(), list.payload.revoked_ids.begin(), list.payload.revoked_ids.end());
  return Srl{list.payload.version, list.hash, list.payload.issuer.hex(), list.payload.revoked_ids.size()};
}

Result<void> write_audit(const std::string& path, const AuditRecord& rec) {
  auto r = append_audit_line(path, to_json_line(rec), SyncMode::Fsync);
  if (!r) return Unexpected{std::move(r).error()};
  return {};
}

Result<Context> load_context(const VerifyCmd& o) {
  Context c;
  TENUO_TRY_ASSIGN(c.mode, resolve_mode(o.mode));
  TENUO_TRY_ASSIGN(c.pop_windows, resolve_pop_windows(o.pop_windows));
  TENUO_TRY_ASSIGN(c.roots, load_trusted_roots(o.roots));
  TENUO_TRY_ASSIGN(c.now, resolve_now(o.at));
  c.audit_path = o.audit_log;
  if (c.audit_path.empty())
    if (const char* env = std::getenv("TENUO_AUDIT_LOG"); env != nullptr) c.audit_path = env;
  return c;
}

// Call arguments from --args (default {}). A document that is not strict JSON is still a
// decision worth recording: the call is refused for its arguments (exit 3 in every mode).
Result<Object> load_call_args(const VerifyCmd& o, const Context& ctx, const Presented& in) {
  std::string text = "{}";
  if (o.args) {
    TENUO_TRY_ASSIGN(text, read_input(*o.args));
  }
  auto args = parse_arguments(text);
  if (args) return args;
  Error e = std::move(args).error();
  e.message = "--args: " + e.message;
  if (!ctx.audit_path.empty()) {
    AuditRecord rec;
    rec.time = ctx.now;
    rec.mode = ctx.mode;
    rec.decision = AuditDecision::Deny;
    rec.enforced = true;  // the call was not let through
    rec.tool = in.tool;
    rec.arguments_text = text;
    rec.warrant_id = in.chain.back().id_text();
    rec.chain = in.chain_cbor;
    rec.error = AuditError{e.code, e.message};
    TENUO_TRY(write_audit(ctx.audit_path, rec));
  }
  return Unexpected{std::move(e)};
}

// Appends the approvals of one carried text (any parse_approvals() form) to `out`.
Result<void> add_approvals(std::string_view text, std::string_view what, std::vector<SignedApproval>& out) {
  auto a = parse_approvals(text);
  if (!a) return fail(ErrorCode::InvalidInput, fmt::format("{}: {}", what, a.error().message));
  if (out.size() + a->size() > kMaxApprovalsPerCall)
    return fail(ErrorCode::InvalidInput, fmt::format("{}: more than {} approvals", what, kMaxApprovalsPerCall));
  for (auto& x : *a) out.push_back(std::move(x));
  return {};
}

Result<void> load_flag_approvals(const VerifyCmd& o, Presented& in) {
  for (const auto& spec : o.approvals) {
    TENUO_TRY_ASSIGN(std::string text, read_input(spec));
    TENUO_TRY(add_approvals(text, "--approval", in.approvals));
  }
  return {};
}

Result<Presented> load_presented(const VerifyCmd& o, const Context& ctx) {
  Presented in;
  std::optional<Captured> cap;
  if (!o.headers.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_file_flag(o.headers));
    TENUO_TRY_ASSIGN(cap, parse_headers(text));
  } else if (!o.meta.empty()) {
    TENUO_TRY_ASSIGN(std::string text, read_file_flag(o.meta));
    TENUO_TRY_ASSIGN(cap, parse_meta(text));
  }
  in.tool = o.tool;
  if (!cap) {
    TENUO_TRY_ASSIGN(in.chain, load_warrants(o.warrant));
    in.chain_cbor = encode_stack(in.chain);
    if (in.tool.empty()) return in;
    TENUO_TRY_ASSIGN(in.args, load_call_args(o, ctx, in));
    if (!o.signature.empty()) {
      TENUO_TRY_ASSIGN(std::string text, read_input(o.signature));
      auto sig = parse_pop_signature(text);
      if (!sig) return fail(ErrorCode::InvalidInput, fmt::format("--signature: {}", sig.error().message));
      in.pop = *sig;
    }
    TENUO_TRY(load_flag_approvals(o, in));
    return in;
  }

  const char* flag = !o.headers.empty() ? "--headers" : "--meta";
  if (cap->tool) {
    if (!in.tool.empty() && in.tool != *cap->tool)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("--tool '{}' conflicts with the captured tool name '{}'", in.tool, *cap->tool));
    in.tool = *cap->tool;
  }
  if (in.tool.empty()) return fail(ErrorCode::InvalidInput, "the captured request names no tool: pass --tool");
  if (cap->args && o.args) return fail(ErrorCode::InvalidInput, "--args conflicts with the arguments in --meta");
  if (o.no_pop && cap->signature)
    return fail(ErrorCode::InvalidInput, fmt::format("--no-pop conflicts with the PoP in {}", flag));
  TENUO_TRY_ASSIGN(in.chain, read_warrants(as_bytes(cap->warrant)));
  in.chain_cbor = encode_stack(in.chain);
  if (cap->args) {
    in.args = std::move(*cap->args);
  } else {
    TENUO_TRY_ASSIGN(in.args, load_call_args(o, ctx, in));
  }
  if (cap->signature) {
    auto sig = parse_pop_signature(*cap->signature);
    if (!sig) return fail(ErrorCode::InvalidInput, fmt::format("{} PoP: {}", flag, sig.error().message));
    in.pop = *sig;
  }
  for (const auto& text : cap->approvals) TENUO_TRY(add_approvals(text, fmt::format("{} approval", flag), in.approvals));
  TENUO_TRY(load_flag_approvals(o, in));
  return in;
}

Result<void> record_audit(const Context& ctx, const Presented& in, const Verdict& v, bool enforced) {
  AuditRecord rec;
  rec.time = ctx.now;
  rec.mode = ctx.mode;
  rec.decision = v.allowed() ? AuditDecision::Allow : AuditDecision::Deny;
  rec.enforced = enforced;
  if (!in.tool.empty()) {
    rec.tool = in.tool;
    rec.arguments = in.args;
  }
  rec.warrant_id = in.chain.back().id_text();
  rec.chain = in.chain_cbor;
  if (in.pop) rec.pop = Bytes(in.pop->begin(), in.pop->end());
  if (!v.allowed()) rec.error = AuditError{v.error->code, v.error->message};
  return write_audit(ctx.audit_path, rec);
}

// Signs and appends the receipt v1 of this decision (§21.2); returns its SHA-256.
Result<Sha256Digest> record_receipt(const VerifyCmd& o, const Context& ctx, const Presented& in, const Verdict& v,
                                    const std::optional<Srl>& srl, const SigningKey& key) {
  const Warrant& leaf = in.chain.back();
  ReceiptPayload p;
  p.warrant_chain = in.chain_cbor;
  p.action = in.tool;
  p.outcome = v.allowed() ? "allow" : "deny";
  p.timestamp = ctx.now;
  p.request_hash = request_hash(leaf.id_text(), in.tool, in.args, ByteView(leaf.payload().holder.bytes()));
  p.request_id = o.request_id;
  auto failed = [&](std::string_view check) {
    for (const auto& c : v.diagnosis.checks)
      if (c.check == check && c.status == CheckStatus::Fail) return true;
    return false;
  };
  // Key 8 on a deny only when decided after the PoP verified (constraints, approvals).
  const bool after_pop = v.chain_length.has_value() && !failed("time") && !failed("tool") && !failed("pop");
  if (in.pop && (v.allowed() || after_pop)) p.pop_signature = *in.pop;
  if (!v.allowed()) p.decision_code = std::string(name(v.error->code));
  if (srl) {
    p.srl_version = srl->version;
    p.srl_hash = srl->hash;
  }
  p.trusted_roots_hash = trusted_roots_hash(ctx.roots);
  TENUO_TRY_ASSIGN(Bytes receipt, append_chained_receipt(o.receipt_log, key, std::move(p)));
  TENUO_TRY_ASSIGN(Receipt r, verify_receipt(receipt));
  return r.hash;
}

nlohmann::json verdict_json(const VerifyCmd& o, const Context& ctx, const Presented& in, const Verdict& v,
                            bool enforced, const std::optional<Srl>& srl,
                            const std::optional<Sha256Digest>& receipt) {
  const bool has_call = !in.tool.empty();
  nlohmann::json doc;
  doc["ok"] = v.allowed();
  doc[has_call ? "allowed" : "valid"] = v.allowed();
  doc["decision"] = v.allowed() ? "allow" : "deny";
  doc["mode"] = std::string(mode_name(ctx.mode));
  doc["enforced"] = enforced;
  doc["at"] = ctx.now;
  doc["warrant_id"] = in.chain.back().id_text();
  doc["tool"] = has_call ? nlohmann::json(in.tool) : nlohmann::json();
  doc["chain_length"] = in.chain.size();
  doc["leaf"] = warrant_json(in.chain.back());
  if (has_call) {
    doc["pop_checked"] = !o.no_pop;
    if (v.pop) doc["pop"] = {{"offset", v.pop->offset}, {"window_ts", v.pop->window_ts}};
    doc["approvals"] = {{"presented", in.approvals.size()}, {"gated", v.gated}, {"approved_by", v.approved_by}};
  }
  if (!v.allowed()) doc["error"] = error_json(*v.error);
  doc["checks"] = checks_json(v.diagnosis);
  if (srl)
    doc["srl"] = {{"version", srl->version},
                  {"issuer", srl->issuer},
                  {"revoked", srl->count},
                  {"hash", hex_encode(ByteView(srl->hash))}};
  if (receipt) doc["receipt"] = hex_encode(ByteView(*receipt));
  return doc;
}

void print_text(const Context& ctx, const Presented& in, const Verdict& v, bool enforced) {
  const Warrant& leaf = in.chain.back();
  std::string line;
  if (v.allowed() && !in.tool.empty())
    line = fmt::format("{} tool '{}' under {} (chain of {}; {}{})\n", paint(Stream::Out, Style::StrongGood, "allowed:"),
                       in.tool, leaf.id_text(), in.chain.size(),
                       v.pop ? fmt::format("PoP verified in window offset {}", v.pop->offset)
                             : std::string("proof of possession NOT checked: --no-pop"),
                       v.gated ? fmt::format("; approved by {}", fmt::join(v.approved_by, ", ")) : std::string());
  else if (v.allowed())
    line = fmt::format("{} chain of {} to {} (holder {}, expires {})\n", paint(Stream::Out, Style::StrongGood, "valid:"),
                       in.chain.size(), leaf.id_text(),
                       leaf.payload().holder.fingerprint(),
                       rfc3339_utc(static_cast<std::int64_t>(leaf.payload().expires_at)));
  else if (!enforced)
    line = fmt::format("{} (not enforced: {} mode): {} [{} {}]\n", paint(Stream::Out, Style::StrongBad, "deny"),
                       mode_name(ctx.mode), one_line(v.error->message),
                       static_cast<int>(v.error->code), name(v.error->code));
  std::fputs(terminal_safe(line).c_str(), stdout);
}

Result<int> run_verify(const VerifyCmd& o) {
  TENUO_TRY_ASSIGN(Context ctx, load_context(o));
  if (ctx.mode == EnforcementMode::Permissive)
    // Part of what permissive means (CLI.md §2 verify): printed also with --quiet.
    std::fputs(fmt::format("{} permissive mode: denials are NOT enforced (they are only reported)\n",
                           paint(Stream::Err, Style::StrongWarn, "tenuo: WARNING:"))
                   .c_str(),
               stderr);
  TENUO_TRY_ASSIGN(Presented in, load_presented(o, ctx));

  std::vector<std::string> revoked;
  for (const auto& r : o.revoked) {
    TENUO_TRY_ASSIGN(WarrantId id, parse_warrant_id(r));
    revoked.push_back(id_text(id));
  }
  std::optional<Srl> srl;
  if (!o.srl.empty()) {
    TENUO_TRY_ASSIGN(srl, load_srl(o, ctx.roots, revoked));
  }
  std::optional<SigningKey> receipt_key;
  if (!o.receipt_key.empty()) {
    TENUO_TRY_ASSIGN(receipt_key, load_signing_key(o.receipt_key, nullptr, "--receipt-key"));
  }

  // The verdict of record, and every check. Without a proof and without --no-pop (a captured
  // request that carried none) the PoP is still required: the verdict is then 1100.
  CallCheck cc;
  cc.tool = in.tool;
  cc.args = in.args;
  cc.pop = in.pop;
  cc.approvals = in.approvals;
  cc.pop_policy = o.no_pop ? PopPolicy::Skip : PopPolicy::Required;
  cc.pop_windows = ctx.pop_windows;
  cc.revoked_ids = std::move(revoked);
  cc.session = o.strict_session ? SessionCheck::Strict : SessionCheck::Off;
  cc.check_list = o.json || receipt_key ? CheckList::Always : CheckList::Never;
  const Verdict v = decide(in.chain, ctx.roots, ctx.now, cc);
  const bool enforced = v.allowed() || ctx.mode == EnforcementMode::Enforce;

  // Evidence before output: a decision whose record cannot be written fails the command.
  if (!ctx.audit_path.empty()) TENUO_TRY(record_audit(ctx, in, v, enforced));
  std::optional<Sha256Digest> receipt;
  if (receipt_key) {
    TENUO_TRY_ASSIGN(receipt, record_receipt(o, ctx, in, v, srl, *receipt_key));
  }

  if (o.json)
    print_json(verdict_json(o, ctx, in, v, enforced, srl, receipt));
  else
    print_text(ctx, in, v, enforced);
  if (v.allowed()) return kExitOk;
  if (!enforced) {
    // The audit-mode record of the violation (CLI.md §2 verify): printed also with --quiet.
    std::fputs(fmt::format("{} {} [{} {}]\n", paint(Stream::Err, Style::StrongWarn, "tenuo: audit: would deny:"),
                           terminal_safe(one_line(v.error->message)),
                           static_cast<int>(v.error->code), name(v.error->code))
                   .c_str(),
               stderr);
    return kExitOk;
  }
  // Enforced denial: the stderr line and exit code come from report(); with --json the
  // document above is already the one document on stdout.
  if (o.json) return report(*v.error, false);
  return Unexpected{*v.error};
}

}  // namespace

void add_verify(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<VerifyCmd>();
  auto* sub = app.add_subcommand("verify", "Verify a warrant or chain (and a tool call) against trusted roots");
  sub->add_option("--warrant,-w", o->warrant, "Warrant or chain: VALUE, @FILE, - (default: stdin)");
  sub->add_option("--trusted-root,-r", o->roots, "Trusted root public key (repeatable; default $TENUO_TRUSTED_ROOTS)");
  sub->add_option("--tool,-t", o->tool, "Authorize a call of this tool (else: verify the chain alone)");
  sub->add_option("--args,-a", o->args, "Call arguments as a JSON object: JSON, @FILE, - (default {})");
  auto* sig = sub->add_option("--signature,-s", o->signature,
                              "The holder's PoP (any base64 dialect or hex; VALUE, @FILE, -)");
  auto* nopop = sub->add_flag("--no-pop", o->no_pop, "Skip the proof of possession (diagnostics: the verdict then "
                                                     "says nothing about possession)");
  sig->excludes(nopop);
  sub->add_option("--at", o->at, "Evaluation instant: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--pop-windows", o->pop_windows, "PoP windows of 30 s to accept, 2-10 (default "
                                                   "$TENUO_POP_MAX_WINDOWS, else 5)")
      ->check(CLI::Range(kPopMinWindows, kPopMaxWindows));
  sub->add_option("--mode", o->mode, "enforce (exit 1 on denial), audit (exit 0, record), permissive (audit + "
                                     "warning) (default $TENUO_MODE, else enforce)")
      ->check(CLI::IsMember({"enforce", "audit", "permissive"}));
  sub->add_option("--approval", o->approvals, "Signed approval from `tenuo approve` (base64; VALUE, @FILE, -; "
                                             "repeatable)");
  sub->add_flag("--strict-session", o->strict_session, "Require every link to carry the root's session id");
  sub->add_option("--revoked", o->revoked, "Revoked warrant id (repeatable)");
  sub->add_option("--srl", o->srl, "Signed revocation list file (CBOR, hex or base64)");
  sub->add_option("--srl-key", o->srl_keys, "Key accepted as SRL issuer besides the trusted roots (repeatable)");
  sub->add_option("--srl-min-version", o->srl_min_version, "Reject an SRL older than this version (1802)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--audit-log", o->audit_log, "Append one JSON line per decision (default $TENUO_AUDIT_LOG)");
  auto* rk = sub->add_option("--receipt-key", o->receipt_key, "Sign a receipt v1 for the decision with this key");
  auto* rl = sub->add_option("--receipt-log", o->receipt_log, "Receipt JSONL file (chained to its last receipt)");
  rk->needs(rl);
  rl->needs(rk);
  sub->add_option("--request-id", o->request_id, "Receipt request id (default tenuo-cli)");
  auto* hd = sub->add_option("--headers", o->headers, "Captured HTTP header lines (X-Tenuo-Warrant, X-Tenuo-PoP, "
                                                     "X-Tenuo-Approvals)");
  auto* mt = sub->add_option("--meta", o->meta, "Captured MCP tools/call params with _meta.tenuo and arguments");
  hd->excludes(mt);
  sub->add_flag("--json", o->json, "One JSON document with the verdict and every check");
  sub->callback([o, &pending] {
    // Flag combinations are usage errors (exit 2), reported by CLI11 like any other.
    const bool captured = !o->headers.empty() || !o->meta.empty();
    if (o->tool.empty() && o->meta.empty()) {
      if (o->args) throw CLI::ValidationError("--args", "needs --tool");
      if (!o->signature.empty()) throw CLI::ValidationError("--signature", "needs --tool");
      if (o->no_pop) throw CLI::ValidationError("--no-pop", "needs --tool");
      if (!o->approvals.empty()) throw CLI::ValidationError("--approval", "needs --tool: approvals are for a call");
      if (!o->receipt_key.empty()) throw CLI::ValidationError("--receipt-key", "needs --tool: a receipt records a call");
    }
    if (!o->tool.empty() && !captured && o->signature.empty() && !o->no_pop)
      throw CLI::RequiredError("--tool needs --signature SIG (from `tenuo sign`) or --no-pop");
    if (!o->receipt_key.empty() && o->no_pop)
      throw CLI::ValidationError("--receipt-key", "cannot be used with --no-pop: an allow receipt carries the PoP");
    if (captured && !o->warrant.empty())
      throw CLI::ValidationError("--warrant", "conflicts with the warrant of the captured request");
    if (captured && !o->signature.empty())
      throw CLI::ValidationError("--signature", "conflicts with the PoP of the captured request");
    pending.json = o->json;
    pending.run = [o] { return run_verify(*o); };
  });
}

}  // namespace tenuo::cli
