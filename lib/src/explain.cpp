#include <tenuo/explain.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/authorize.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/evaluate.hpp>
#include <tenuo/pop.hpp>

#include "detail/warrant_peek.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tenuo {
namespace {

// One link as the diagnosis reads it: a decoded Warrant, or (diagnose_encoded) a payload whose
// issuer signature did not verify. Same accessors as Warrant, so the checks read either.
struct Link {
  const Payload* p = nullptr;
  const Sha256Digest* hash = nullptr;
  ByteView envelope;
  bool signature_ok = true;

  [[nodiscard]] const Payload& payload() const noexcept { return *p; }
  [[nodiscard]] const Sha256Digest& payload_hash() const noexcept { return *hash; }
  [[nodiscard]] const WarrantId& id() const noexcept { return p->id; }
  [[nodiscard]] std::string id_text() const { return tenuo::id_text(p->id); }
};

// The text form `tenuo grant` / `tenuo sign` read: to_text(…, Base64) from the envelopes.
std::string chain_text(std::span<const Link> chain) {
  Bytes bytes;
  if (chain.size() != 1) cbor::write_head(bytes, 4, chain.size());
  for (const auto& l : chain) bytes.insert(bytes.end(), l.envelope.begin(), l.envelope.end());
  return base64_encode(bytes, Base64Alphabet::UrlSafe, Padding::No);
}

std::string link_name(std::span<const Link> chain, std::size_t i) {
  const Payload& p = chain[i].payload();
  if (i == 0) return fmt::format("root: {} -> {}", p.issuer.fingerprint(), p.holder.fingerprint());
  return fmt::format("link {}: {} -> {}", i, p.issuer.fingerprint(), p.holder.fingerprint());
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

const Constraint* constraint_at(const Payload& p, std::string_view tool, std::string_view arg) {
  const auto* e = lookup_tool(p, tool);
  return e ? e->second.find(arg) : nullptr;
}

// Whether link `i` rejects `value` for (tool, arg): no such tool, a constraint that does not
// match, or closed-world rejection of an unconstrained argument.
bool link_rejects(const Payload& p, std::string_view tool, std::string_view arg, const Value* value) {
  const auto* e = lookup_tool(p, tool);
  if (e == nullptr) return true;
  const ConstraintSet& cs = e->second;
  const Constraint* c = cs.find(arg);
  if (c == nullptr) return !cs.empty() && !cs.allow_unknown;  // closed world
  if (value == nullptr) return true;                          // constrained but missing
  auto m = evaluate(*c, *value);
  return !m || !m->ok;
}

// The deepest link at or above `limit` that can still delegate at `now`.
// Only links whose signatures, and their ancestors', verify can be granted from.
std::optional<std::size_t> grantable_link(std::span<const Link> chain, std::size_t limit, std::int64_t now) {
  for (std::size_t j = 0; j <= limit && j < chain.size(); ++j)
    if (!chain[j].signature_ok) {
      if (j == 0) return std::nullopt;
      limit = j - 1;
    }
  for (std::size_t j = limit + 1; j-- > 0;) {
    const Payload& p = chain[j].payload();
    if (p.depth < p.max_depth && static_cast<std::int64_t>(p.expires_at) > now && p.type == WarrantType::Execution)
      return j;
  }
  return std::nullopt;
}

// The key placeholder for the holder of link `i`, as the printed commands spell it.
std::string holder_key_placeholder(std::size_t i) {
  return i == 0 ? std::string("HOLDER_KEY_OF_ROOT") : fmt::format("HOLDER_KEY_OF_LINK_{}", i);
}

std::string grant_command(std::span<const Link> chain, std::size_t from, const std::string& tool,
                          const std::vector<std::pair<std::string, const Constraint*>>& keep, std::int64_t now) {
  const Payload& leaf = chain.back().payload();
  const Payload& parent = chain[from].payload();
  std::string cmd = fmt::format("tenuo grant {} --key {} --holder {} --tool {}", chain_text(chain.subspan(0, from + 1)),
                                holder_key_placeholder(from), leaf.holder.hex(), shell_quote(tool));
  for (const auto& [arg, c] : keep)
    cmd += " -c " + shell_quote(fmt::format("{}.{}=json:{}", tool, arg, to_json_text(*c)));
  const auto leaf_exp = static_cast<std::int64_t>(leaf.expires_at);
  if (leaf_exp > now && leaf.expires_at <= parent.expires_at)
    cmd += fmt::format(" --expires-at {}", leaf.expires_at);
  return cmd;
}

// The leaf's constraints on `tool` that a re-grant from link `from` must carry over so that it
// grants no more than the leaf did (except on the `skip` arguments): every constraint the leaf
// has that the parent lacks or has in a different (wider) form.
std::vector<std::pair<std::string, const Constraint*>> leaf_narrowing(std::span<const Link> chain, std::size_t from,
                                                                      std::string_view tool,
                                                                      const std::vector<std::string>& skip) {
  std::vector<std::pair<std::string, const Constraint*>> keep;
  const auto* e = lookup_tool(chain.back().payload(), tool);
  if (e == nullptr) return keep;
  for (const auto& [arg, con] : e->second.constraints) {
    if (std::find(skip.begin(), skip.end(), arg) != skip.end()) continue;
    const Constraint* at_parent = constraint_at(chain[from].payload(), tool, arg);
    if (at_parent == nullptr || !(*at_parent == con)) keep.emplace_back(arg, &con);
  }
  return keep;
}

// `tenuo sign` for the call, with the leaf holder's key (only for a chain whose signatures
// verify: `tenuo sign` refuses any other).
std::string sign_command(std::span<const Link> chain, const DiagnoseCall& call) {
  return fmt::format("tenuo sign --warrant {} --key {} --tool {} --args {}", chain_text(chain),
                     holder_key_placeholder(chain.size() - 1), shell_quote(call.tool),
                     shell_quote(canonical_json(call.args)));
}

Diagnosis diagnose_links(std::span<const Link> chain, std::span<const Warrant> verified, const TrustedRoots* roots,
                         const DiagnoseOptions& opts, const DiagnoseCall* call);

}  // namespace

std::string_view status_name(CheckStatus s) noexcept {
  switch (s) {
    case CheckStatus::Pass: return "pass";
    case CheckStatus::Fail: return "fail";
    case CheckStatus::Skip: return "skip";
  }
  return "?";
}

std::string_view sdk_deny_reason(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ToolNotAuthorized: return "TOOL_NOT_FOUND";
    case ErrorCode::ConstraintViolation:
    case ErrorCode::UnknownConstraintType: return "CONSTRAINT_MISMATCH";
    case ErrorCode::WarrantExpired: return "WARRANT_EXPIRED";
    case ErrorCode::IssuedInFuture:
    case ErrorCode::WarrantNotYetValid: return "WARRANT_NOT_YET_VALID";
    case ErrorCode::SignatureInvalid: return "SIGNATURE_INVALID";
    case ErrorCode::UntrustedRoot: return "UNTRUSTED_ISSUER";
    case ErrorCode::WarrantRevoked: return "WARRANT_REVOKED";
    case ErrorCode::ChainBroken:
    case ErrorCode::InvalidIssuer:
    case ErrorCode::InvalidAttenuation:
    case ErrorCode::CapabilityExpansion: return "CHAIN_INVALID";
    case ErrorCode::ApprovalRequired:
    case ErrorCode::InsufficientApprovals: return "APPROVAL_REQUIRED";
    case ErrorCode::TtlExceeded: return "TTL_EXCEEDED";
    default: return "INVALID_WARRANT";
  }
}

std::string_view fix_kind_name(FixKind k) noexcept {
  switch (k) {
    case FixKind::None: return "none";
    case FixKind::Grant: return "grant";
    case FixKind::NewRoot: return "new-root";
    case FixKind::Ttl: return "ttl";
    case FixKind::PopWindows: return "pop-windows";
    case FixKind::Resign: return "resign";
    case FixKind::Other: return "other";
  }
  return "?";
}

Diagnosis diagnose(std::span<const Warrant> chain, const TrustedRoots* roots, const DiagnoseOptions& opts,
                   const DiagnoseCall* call) {
  std::vector<Link> links;
  links.reserve(chain.size());
  for (const auto& w : chain) links.push_back(Link{&w.payload(), &w.payload_hash(), w.envelope_bytes(), true});
  return diagnose_links(links, chain, roots, opts, call);
}

Result<Diagnosis> diagnose_encoded(ByteView cbor, const TrustedRoots* roots, const DiagnoseOptions& opts,
                                   const DiagnoseCall* call) {
  // The authorizing decoder first: whatever it accepts is diagnosed exactly as diagnose() does.
  auto chain = decode_warrants(cbor);
  if (chain) return diagnose(*chain, roots, opts, call);
  if (chain.error().code != ErrorCode::SignatureInvalid) return Unexpected{std::move(chain).error()};
  // A signature does not verify: read the payloads without it, for the report only. Input that
  // does not decode even so keeps decode_warrants' error.
  auto unverified = detail::decode_unverified_for_diagnosis(cbor);
  if (!unverified) return Unexpected{std::move(chain).error()};
  std::vector<Link> links;
  links.reserve(unverified->size());
  for (const auto& u : *unverified) links.push_back(Link{&u.payload, &u.payload_hash, u.envelope, u.signature_valid});
  return diagnose_links(links, {}, roots, opts, call);
}

namespace {

// `verified` is the chain as decoded Warrants, or empty when a link's signature did not verify
// (then there is no verdict of record beyond that: the call is denied with SignatureInvalid).
Diagnosis diagnose_links(std::span<const Link> chain, std::span<const Warrant> verified, const TrustedRoots* roots,
                         const DiagnoseOptions& opts, const DiagnoseCall* call) {
  Diagnosis d;
  auto add = [&](std::string check, CheckStatus st, std::optional<ErrorCode> code, std::optional<std::size_t> idx,
                 std::string detail) {
    d.checks.push_back(CheckResult{std::move(check), st, code, idx, std::move(detail)});
  };
  if (chain.empty()) {
    add("chain", CheckStatus::Fail, ErrorCode::ChainBroken, std::nullopt, "the chain is empty");
    d.first_code = ErrorCode::ChainBroken;
    return d;
  }
  const std::int64_t now = opts.now;
  const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));
  const std::size_t n = chain.size();
  d.chain_length = n;
  d.leaf_id = chain.back().id_text();

  // signature: a Warrant carries a verified issuer signature by construction; a Link of
  // diagnose_encoded says whether its signature verified.
  bool sig_ok = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (chain[i].signature_ok) continue;
    sig_ok = false;
    const Payload& p = chain[i].payload();
    add("signature", CheckStatus::Fail, ErrorCode::SignatureInvalid, i,
        fmt::format("{}: the warrant signature does not verify with its issuer's key {}", link_name(chain, i),
                    p.issuer.hex()));
    d.fixes.push_back(
        Fix{FixKind::Other,
            i == 0 ? std::string("the root warrant was altered or is not signed by its issuer: obtain a fresh copy, "
                                 "or a new root warrant")
                   : fmt::format("link {} was altered or is not signed by its issuer: obtain a fresh copy, or have "
                                 "its issuer ({}, the holder of {}) re-grant it",
                                 i, p.issuer.fingerprint(), i == 1 ? std::string("the root") : fmt::format("link {}", i - 1)),
            "", i == 0 ? std::nullopt : std::optional<std::size_t>(i - 1)});
  }
  if (sig_ok)
    add("signature", CheckStatus::Pass, std::nullopt, std::nullopt,
        fmt::format("{} warrant signature{} verify with their issuers' keys", n, n == 1 ? "" : "s"));

  // chain links
  bool chain_ok = true;
  const Payload& root = chain[0].payload();
  if (n >= 2 && (root.depth != 0 || root.parent_hash)) {
    chain_ok = false;
    add("chain", CheckStatus::Fail, ErrorCode::ChainBroken, 0, "the chain does not start at a depth-0 root warrant");
  }
  for (std::size_t i = 1; i < n; ++i) {
    auto r = check_link(chain[i - 1].payload(), chain[i - 1].payload_hash(), chain[i].payload());
    if (!r) {
      chain_ok = false;
      add("chain", CheckStatus::Fail, r.error().code, i, fmt::format("{}: {}", link_name(chain, i), r.error().message));
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (chain[i].id() == chain[j].id()) {
        chain_ok = false;
        add("chain", CheckStatus::Fail, ErrorCode::ChainBroken, i, fmt::format("warrant id {} appears twice", chain[i].id_text()));
      }
  if (opts.session == SessionCheck::Strict)
    for (std::size_t i = 1; i < n; ++i)
      if (chain[i].payload().session_id != root.session_id) {
        chain_ok = false;
        add("chain", CheckStatus::Fail, ErrorCode::ChainBroken, i, fmt::format("{} does not carry the root's session id", link_name(chain, i)));
      }
  if (chain_ok)
    add("chain", CheckStatus::Pass, std::nullopt, std::nullopt,
        n == 1 ? "a single warrant" : fmt::format("{} delegation link{}, each attenuating its parent", n - 1, n == 2 ? "" : "s"));

  // trust
  if (roots == nullptr) {
    add("trust", CheckStatus::Skip, std::nullopt, std::nullopt, "no trusted root given");
  } else if (roots->contains(root.issuer)) {
    add("trust", CheckStatus::Pass, std::nullopt, 0, fmt::format("root issuer {} is trusted", root.issuer.fingerprint()));
  } else {
    add("trust", CheckStatus::Fail, ErrorCode::UntrustedRoot, 0,
        fmt::format("root issuer {} is not among the {} trusted root(s)", root.issuer.hex(), roots->keys.size()));
    d.fixes.push_back(Fix{FixKind::Other,
                          fmt::format("if you trust the root issuer, pass --trusted-root {}; otherwise get a "
                                      "warrant minted by a trusted issuer",
                                      root.issuer.hex()),
                          "", std::nullopt});
  }

  // time
  bool time_ok = true;
  for (std::size_t i = 0; i < n; ++i) {
    const Payload& p = chain[i].payload();
    if (p.issued_at > unow + kClockToleranceSeconds) {
      time_ok = false;
      add("time", CheckStatus::Fail, ErrorCode::IssuedInFuture, i,
          fmt::format("{} is issued {} s in the future (clock skew beyond the {} s tolerance)", link_name(chain, i),
                      p.issued_at - unow, kClockToleranceSeconds));
    }
    const bool leaf = i + 1 == n;
    const bool expired = leaf ? unow >= p.expires_at : (i > 0 && unow > p.expires_at + kClockToleranceSeconds);
    if (expired) {
      time_ok = false;
      add("time", CheckStatus::Fail, ErrorCode::WarrantExpired, i,
          fmt::format("{} expired {} s ago (at {})", link_name(chain, i), unow - p.expires_at, p.expires_at));
      if (leaf) {
        const std::uint64_t ttl_needed = unow - p.issued_at + 1;
        Fix f{FixKind::Ttl,
              fmt::format("the leaf expired {} s ago; it would need a TTL of at least {} s from its issue time, or a "
                          "fresh grant",
                          unow - p.expires_at, ttl_needed),
              "", std::nullopt};
        if (n >= 2) {
          if (auto j = grantable_link(chain, n - 2, now)) {
            f.from_link = *j;
            // Re-grant with the leaf's own narrowing: a TTL fix must not widen the capability.
            const std::string tool = call ? call->tool : std::string("TOOL");
            f.command = grant_command(chain, *j, tool, leaf_narrowing(chain, *j, tool, {}), now);
            f.command += " --ttl 5m";
            f.summary += fmt::format("; {} can re-grant it (up to {} s remain there)", link_name(chain, *j),
                                     chain[*j].payload().expires_at - unow);
          }
        }
        if (f.command.empty()) f.summary += "; no link of the chain is still valid, so a new root warrant is needed";
        d.fixes.push_back(std::move(f));
      }
    }
  }
  if (time_ok)
    add("time", CheckStatus::Pass, std::nullopt, std::nullopt,
        fmt::format("valid at unix {} (leaf expires in {} s)", now,
                    static_cast<std::int64_t>(chain.back().payload().expires_at) - now));

  // revocation
  bool rev_ok = true;
  for (std::size_t i = 0; i < n; ++i)
    if (std::find(opts.revoked_ids.begin(), opts.revoked_ids.end(), chain[i].id_text()) != opts.revoked_ids.end()) {
      rev_ok = false;
      add("revocation", CheckStatus::Fail, ErrorCode::WarrantRevoked, i,
          fmt::format("{} ({}) is revoked", link_name(chain, i), chain[i].id_text()));
    }
  if (rev_ok)
    add("revocation", opts.revoked_ids.empty() ? CheckStatus::Skip : CheckStatus::Pass, std::nullopt, std::nullopt,
        opts.revoked_ids.empty() ? "no revocation list given" : "no warrant of the chain is revoked");

  // The verdict of record.
  std::optional<VerifiedChain> vc;
  if (!sig_ok) {
    d.first_code = ErrorCode::SignatureInvalid;  // decode_warrants refuses the chain first
  } else if (roots != nullptr) {
    VerifyOptions vo{.now = now, .revoked_ids = opts.revoked_ids, .session = opts.session};
    auto r = verify_chain(std::vector<Warrant>(verified.begin(), verified.end()), *roots, vo);
    if (r)
      vc.emplace(std::move(*r));
    else
      d.first_code = r.error().code;
  }

  if (call == nullptr) {
    d.allowed = vc.has_value();
    return d;
  }

  // tool
  const Payload& leaf = chain.back().payload();
  const auto* entry = lookup_tool(leaf, call->tool);
  if (leaf.type != WarrantType::Execution) {
    add("tool", CheckStatus::Fail, ErrorCode::InvalidPayloadStructure, n - 1, "the leaf is an issuer warrant; it cannot authorize calls");
  } else if (entry == nullptr) {
    add("tool", CheckStatus::Fail, ErrorCode::ToolNotAuthorized, n - 1,
        fmt::format("the leaf does not grant tool '{}'", call->tool));
    std::optional<std::size_t> last_with;
    for (std::size_t i = 0; i < n; ++i)
      if (lookup_tool(chain[i].payload(), call->tool) != nullptr) last_with = i;
    std::optional<std::size_t> j = last_with ? grantable_link(chain, *last_with, now) : std::nullopt;
    if (j && *j + 1 < n) {
      d.fixes.push_back(Fix{FixKind::Grant,
                            fmt::format("{} still grants '{}'; a grant from it allows the call", link_name(chain, *j), call->tool),
                            grant_command(chain, *j, call->tool, {}, now), *j});
    } else {
      d.fixes.push_back(Fix{FixKind::NewRoot,
                            fmt::format("no warrant of the chain grants '{}': a new root warrant is needed", call->tool), "",
                            std::nullopt});
    }
  } else {
    add("tool", CheckStatus::Pass, std::nullopt, n - 1,
        entry->first == call->tool ? fmt::format("tool '{}' is granted", call->tool)
                                   : fmt::format("tool '{}' is granted through the '*' entry", call->tool));
  }

  // PoP
  if (call->pop) {
    const PopDiagnosis pd =
        pop_diagnose(leaf.holder, leaf.id, call->tool, call->args, ByteView(*call->pop), now, opts.pop_windows);
    switch (pd.finding) {
      case PopFinding::Valid:
        add("pop", CheckStatus::Pass, std::nullopt, n - 1,
            fmt::format("signed by the leaf holder in window offset {}", pd.offset.value_or(0)));
        break;
      case PopFinding::OutsideWindow: {
        const int off = pd.offset.value_or(0);
        const int need = off < 0 ? -2 * off : 2 * off + 1;
        add("pop", CheckStatus::Fail, ErrorCode::SignatureInvalid, n - 1,
            fmt::format("the proof is valid but {} windows ({} s) {} — outside the accepted ±{} windows",
                        off < 0 ? -off : off, (off < 0 ? -off : off) * 30, off < 0 ? "old" : "in the future",
                        opts.pop_windows / 2));
        if (need <= kPopMaxWindows)
          d.fixes.push_back(Fix{FixKind::PopWindows,
                                fmt::format("clock skew of about {} s ({}): --pop-windows {} would accept it (or re-sign now)",
                                            (off < 0 ? -off : off) * 30, off < 0 ? "signed in the past" : "signed in the future", need),
                                "", std::nullopt});
        else
          d.fixes.push_back(Fix{FixKind::Resign,
                                fmt::format("clock skew of about {} s ({}) is beyond --pop-windows 10: re-sign the call with a correct clock",
                                            (off < 0 ? -off : off) * 30, off < 0 ? "signed in the past" : "signed in the future"),
                                "", std::nullopt});
        break;
      }
      case PopFinding::LegacySigner:
        add("pop", CheckStatus::Fail, ErrorCode::SignatureInvalid, n - 1,
            "the proof verifies only over 0.2.x-style arguments (nulls dropped / integral floats): a pre-0.3.2 signer");
        d.fixes.push_back(Fix{FixKind::Resign, "upgrade the signer to the 0.3.2 argument rules and re-sign", "", std::nullopt});
        break;
      case PopFinding::Invalid:
        add("pop", CheckStatus::Fail, ErrorCode::SignatureInvalid, n - 1,
            fmt::format("the proof does not verify for this warrant, tool and arguments with the leaf holder's key {}",
                        leaf.holder.fingerprint()));
        d.fixes.push_back(Fix{FixKind::Resign,
                              fmt::format("sign the call with the leaf holder's key ({}) over exactly these arguments",
                                          leaf.holder.fingerprint()),
                              sig_ok ? sign_command(chain, *call) : std::string(), std::nullopt});
        break;
    }
  } else if (opts.pop_required) {
    add("pop", CheckStatus::Fail, ErrorCode::SignatureInvalid, n - 1, "no proof-of-possession signature was given");
    d.fixes.push_back(Fix{FixKind::Resign,
                          fmt::format("sign the call with the leaf holder's key ({}) and pass the proof with "
                                      "--signature (or skip the check with --no-pop)",
                                      leaf.holder.fingerprint()),
                          sig_ok ? sign_command(chain, *call) : std::string(), std::nullopt});
  } else {
    add("pop", CheckStatus::Skip, std::nullopt, std::nullopt, "not checked");
  }

  // constraints: every argument, each failure attributed to the link that introduced it
  if (entry != nullptr && leaf.type == WarrantType::Execution) {
    const Object args = without_nulls(call->args);
    const ConstraintSet& cs = entry->second;
    std::vector<std::string> names;
    for (const auto& m : args) names.push_back(m.key);
    for (const auto& [arg, c] : cs.constraints) names.push_back(arg);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& arg : names) {
      const Value* v = nullptr;
      for (const auto& m : args)
        if (m.key == arg) v = &m.value;
      const Constraint* c = cs.find(arg);
      ArgumentFinding f;
      f.arg = arg;
      f.constraint = c ? display(*c) : "";
      f.value = v ? display(*v) : "(missing)";
      if (c == nullptr) {
        if (cs.empty() || cs.allow_unknown) continue;
        f.reason = "the warrant constrains its arguments (closed world) and does not name this one";
      } else if (v == nullptr) {
        f.reason = "a constrained argument is missing";
      } else {
        auto m = evaluate(*c, *v);
        if (m && m->ok) continue;
        if (!m) {
          f.code = m.error().code;
          f.reason = m.error().message;
        } else {
          f.reason = m->reason;
        }
      }
      for (std::size_t i = 0; i < n; ++i)
        if (link_rejects(chain[i].payload(), call->tool, arg, v)) {
          f.introduced_at = i;
          f.link = link_name(chain, i);
          break;
        }
      d.arguments.push_back(std::move(f));
    }
    if (d.arguments.empty()) {
      add("constraints", CheckStatus::Pass, std::nullopt, n - 1,
          cs.empty() ? "the tool accepts any arguments" : fmt::format("{} constraint(s) satisfied", cs.constraints.size()));
    } else {
      for (const auto& f : d.arguments)
        add("constraints", CheckStatus::Fail, f.code, f.introduced_at,
            fmt::format("{} = {}: {}{}", f.arg, f.value, f.reason, f.constraint.empty() ? "" : " (" + f.constraint + ")"));
      // A fix from the deepest link that permits every failing argument.
      std::size_t limit = n;
      bool root_rejects = false;
      for (const auto& f : d.arguments) {
        const std::size_t at = f.introduced_at.value_or(n - 1);
        if (at == 0) root_rejects = true;
        limit = std::min(limit, at);
      }
      std::optional<std::size_t> j = root_rejects ? std::nullopt : grantable_link(chain, limit - 1, now);
      if (j) {
        // Keep every narrowing of the leaf that did not cause a failure, including constraints
        // the parent does not have at all (dropping those would widen the grant).
        std::vector<std::string> failing;
        for (const auto& f : d.arguments) failing.push_back(f.arg);
        auto keep = leaf_narrowing(chain, *j, call->tool, failing);
        // A failing argument the parent leaves unconstrained must still be let through by the
        // new (closed-world) set once it names any argument: grant it as Wildcard.
        static const Constraint kAny = c::Wildcard{};
        if (!keep.empty())
          for (const auto& arg : failing)
            if (constraint_at(chain[*j].payload(), call->tool, arg) == nullptr) keep.emplace_back(arg, &kAny);
        std::sort(keep.begin(), keep.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        d.fixes.push_back(Fix{FixKind::Grant,
                              fmt::format("{} permits this call; granting from it with its own constraint on the "
                                          "failing argument(s) allows it",
                                          link_name(chain, *j)),
                              grant_command(chain, *j, call->tool, keep, now), *j});
      } else {
        d.fixes.push_back(Fix{FixKind::NewRoot,
                              "the root warrant itself does not permit these arguments: a new root warrant is needed",
                              "", std::nullopt});
      }
    }
  } else {
    add("constraints", CheckStatus::Skip, std::nullopt, std::nullopt, "no tool to check arguments against");
  }

  // Verdict of record for the call.
  if (vc) {
    AuthorizeOptions ao{.pop_windows = opts.pop_windows, .pop = opts.pop_required || call->pop ? PopPolicy::Required : PopPolicy::Skip};
    auto r = authorize(*vc, ToolCall{call->tool, call->args, call->pop}, ao);
    if (r)
      d.allowed = true;
    else
      d.first_code = r.error().code;
  }
  return d;
}

}  // namespace
}  // namespace tenuo
