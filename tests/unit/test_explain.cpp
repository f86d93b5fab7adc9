// diagnose() / diagnose_encoded() (explain.hpp): every failing check reported at once with its
// code and chain index, a link whose signature does not verify diagnosed from the payloads
// (never allowed, no grant from it), PoP missing / invalid / outside the window, and the
// structured fixes (kind, from_link, command) — asserted on codes, indexes and fields.
#include "warrant_fixtures.hpp"

#include <tenuo/arguments.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/verify.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

// root (21) -> A (22) -> B (23) -> C (24). The root grants read_file {path: /data/*, size <= 100}
// and write_file; link 1 narrows path to /data/reports/* and drops write_file; link 2 (the
// depth-2 leaf, when used) copies link 1.
struct Fixture {
  SigningKey root = key_of(0x21);
  SigningKey a = key_of(0x22);
  SigningKey b = key_of(0x23);
  SigningKey c = key_of(0x24);
  SigningKey stranger = key_of(0x25);
  TrustedRoots roots{{root.public_key()}};
  std::int64_t now = static_cast<std::int64_t>(kT0) + 60;

  Warrant w0 = make_root();
  Warrant w1 = make_link1();
  Warrant w2 = signed_warrant(child_payload(w1, c.public_key(), 3), b);

  Warrant make_root() const {
    Payload p(a.public_key(), root.public_key());
    p.id = id_of(1);
    ConstraintSet rf;
    rf.set("path", c::Pattern{"/data/*"});
    rf.set("size", c::Range{0.0, 100.0});
    p.tools = {{"read_file", rf}, {"write_file", ConstraintSet{}}};
    p.issued_at = kT0;
    p.expires_at = kT0 + 7200;
    p.max_depth = 5;
    return signed_warrant(std::move(p), root);
  }
  Warrant make_link1() const {
    Payload p = child_payload(w0, b.public_key(), 2);
    ConstraintSet rf;
    rf.set("path", c::Pattern{"/data/reports/*"});
    rf.set("size", c::Range{0.0, 100.0});
    p.tools = {{"read_file", rf}};
    p.expires_at = kT0 + 3600;
    return signed_warrant(std::move(p), a);
  }

  std::vector<Warrant> chain2() const { return {w0, w1}; }
  std::vector<Warrant> chain3() const { return {w0, w1, w2}; }
  DiagnoseOptions opts() const { return DiagnoseOptions{.now = now}; }
};

Object args_of(std::string_view json) {
  auto a = parse_arguments(json);
  REQUIRE(a.has_value());
  return std::move(*a);
}

constexpr std::string_view kGood = R"({"path": "/data/reports/q1.csv", "size": 10})";

using Failures = std::vector<std::pair<std::optional<ErrorCode>, std::optional<std::size_t>>>;

// The failing checks named `check`, as (code, chain_index) pairs.
Failures failures(const Diagnosis& d, std::string_view check) {
  Failures out;
  for (const auto& c : d.checks)
    if (c.check == check && c.status == CheckStatus::Fail) out.emplace_back(c.code, c.chain_index);
  return out;
}

// Exactly one failure, with `code` at `index`.
Failures one(ErrorCode code, std::size_t index) { return {{code, index}}; }

std::optional<CheckStatus> status_of(const Diagnosis& d, std::string_view check) {
  std::optional<CheckStatus> s;
  for (const auto& c : d.checks)
    if (c.check == check) {
      if (c.status == CheckStatus::Fail) return c.status;
      s = c.status;
    }
  return s;
}

std::size_t fail_count(const Diagnosis& d) {
  return static_cast<std::size_t>(
      std::count_if(d.checks.begin(), d.checks.end(), [](const CheckResult& c) { return c.status == CheckStatus::Fail; }));
}

std::vector<const Fix*> fixes_of(const Diagnosis& d, FixKind k) {
  std::vector<const Fix*> out;
  for (const auto& f : d.fixes)
    if (f.kind == k) out.push_back(&f);
  return out;
}

const ArgumentFinding* finding(const Diagnosis& d, std::string_view arg) {
  for (const auto& f : d.arguments)
    if (f.arg == arg) return &f;
  return nullptr;
}

// The chain's WarrantStack bytes with one byte of link `link`'s signature flipped.
Bytes with_bad_signature(const std::vector<Warrant>& chain, std::size_t link) {
  std::vector<Bytes> envs;
  for (const auto& w : chain) envs.push_back(envelope_bytes(w));
  Bytes& e = envs[link];
  e[e.size() - 7] ^= 0x01;  // inside the 64 signature bytes, which end the envelope
  return stack_of(envs);
}

}  // namespace

TEST_SUITE("tenuo::explain") {
  TEST_CASE("a call with a valid proof is allowed and no check fails") {
    Fixture f;
    const auto chain = f.chain2();
    DiagnoseCall call{"read_file", args_of(kGood), std::nullopt};
    call.pop = pop_sign(f.b, f.w1.id(), call.tool, call.args, f.now);
    const Diagnosis d = diagnose(chain, &f.roots, f.opts(), &call);
    CHECK(d.allowed);
    CHECK_FALSE(d.first_code.has_value());
    CHECK(fail_count(d) == 0);
    CHECK(d.arguments.empty());
    CHECK(d.fixes.empty());
    CHECK(status_of(d, "pop") == CheckStatus::Pass);
    CHECK(status_of(d, "signature") == CheckStatus::Pass);
    CHECK(d.chain_length == 2);
    CHECK(d.leaf_id == id_text(id_of(2)));
  }

  TEST_CASE("simultaneous failures are all reported with their codes and chain indexes") {
    Fixture f;
    const auto chain = f.chain2();
    DiagnoseOptions o = f.opts();
    o.revoked_ids = {id_text(id_of(2))};
    // path rejected by link 1, size by the root, mode by closed-world matching; no proof.
    DiagnoseCall call{"read_file", args_of(R"({"path": "/data/x.csv", "size": 1000, "mode": "x"})"), std::nullopt};
    const Diagnosis d = diagnose(chain, &f.roots, o, &call);
    CHECK_FALSE(d.allowed);
    CHECK(d.first_code == ErrorCode::WarrantRevoked);  // verify_chain's verdict comes first
    CHECK(failures(d, "revocation") == one(ErrorCode::WarrantRevoked, 1));
    CHECK(failures(d, "pop") == one(ErrorCode::SignatureInvalid, 1));
    const auto cons = failures(d, "constraints");
    CHECK(cons.size() == 3);
    CHECK(std::count(cons.begin(), cons.end(), std::make_pair(std::optional(ErrorCode::ConstraintViolation),
                                                              std::optional<std::size_t>(1))) == 1);
    REQUIRE(d.arguments.size() == 3);
    const auto* path = finding(d, "path");
    const auto* size = finding(d, "size");
    const auto* mode = finding(d, "mode");
    REQUIRE(path != nullptr);
    REQUIRE(size != nullptr);
    REQUIRE(mode != nullptr);
    CHECK(path->code == ErrorCode::ConstraintViolation);
    CHECK(path->introduced_at == std::optional<std::size_t>(1));
    CHECK(size->code == ErrorCode::ConstraintViolation);
    CHECK(size->introduced_at == std::optional<std::size_t>(0));
    CHECK(mode->code == ErrorCode::ConstraintViolation);
    CHECK(mode->introduced_at == std::optional<std::size_t>(0));  // the root's set is closed too
    CHECK(mode->constraint.empty());
    CHECK(status_of(d, "signature") == CheckStatus::Pass);
    CHECK(status_of(d, "chain") == CheckStatus::Pass);
    CHECK(status_of(d, "trust") == CheckStatus::Pass);
    CHECK(status_of(d, "tool") == CheckStatus::Pass);
  }

  TEST_CASE("untrusted root, expired leaf and missing tool together") {
    Fixture f;
    const auto chain = f.chain2();
    const TrustedRoots other{{f.stranger.public_key()}};
    DiagnoseOptions o = f.opts();
    o.now = static_cast<std::int64_t>(kT0) + 3600;  // the leaf's expiry instant: expired
    o.pop_required = false;
    DiagnoseCall call{"write_file", Object{}, std::nullopt};
    const Diagnosis d = diagnose(chain, &other, o, &call);
    CHECK_FALSE(d.allowed);
    CHECK(d.first_code == ErrorCode::UntrustedRoot);
    CHECK(failures(d, "trust") == one(ErrorCode::UntrustedRoot, 0));
    CHECK(failures(d, "time") == one(ErrorCode::WarrantExpired, 1));
    CHECK(failures(d, "tool") == one(ErrorCode::ToolNotAuthorized, 1));
    CHECK(status_of(d, "pop") == CheckStatus::Skip);
    CHECK(status_of(d, "constraints") == CheckStatus::Skip);
    // TTL: re-grant from the root (still valid); tool: the root grants write_file.
    const auto ttl = fixes_of(d, FixKind::Ttl);
    REQUIRE(ttl.size() == 1);
    CHECK(ttl[0]->from_link == std::optional<std::size_t>(0));
    CHECK(ttl[0]->command.starts_with("tenuo grant "));
    const auto grant = fixes_of(d, FixKind::Grant);
    REQUIRE(grant.size() == 1);
    CHECK(grant[0]->from_link == std::optional<std::size_t>(0));
    CHECK(grant[0]->command.starts_with("tenuo grant "));
    CHECK(grant[0]->command.find("--key HOLDER_KEY_OF_ROOT ") != std::string::npos);
    CHECK(fixes_of(d, FixKind::Other).size() == 1);  // the trust fix
  }

  TEST_CASE("structured fixes: a grant from the link that permits the call, else a new root") {
    Fixture f;
    const auto chain = f.chain2();
    DiagnoseOptions o = f.opts();
    o.pop_required = false;
    SUBCASE("a narrowing of link 1: grant from the root") {
      DiagnoseCall call{"read_file", args_of(R"({"path": "/data/x.csv", "size": 1})"), std::nullopt};
      const Diagnosis d = diagnose(chain, &f.roots, o, &call);
      CHECK(d.first_code == ErrorCode::ConstraintViolation);
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::Grant);
      CHECK(d.fixes[0].from_link == std::optional<std::size_t>(0));
      CHECK(d.fixes[0].command.starts_with("tenuo grant "));
      CHECK(d.fixes[0].command.find("--holder " + f.b.public_key().hex()) != std::string::npos);
    }
    SUBCASE("the root rejects the value: a new root, with neither command nor link") {
      DiagnoseCall call{"read_file", args_of(R"({"path": "/etc/passwd", "size": 1})"), std::nullopt};
      const Diagnosis d = diagnose(chain, &f.roots, o, &call);
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::NewRoot);
      CHECK(d.fixes[0].command.empty());
      CHECK_FALSE(d.fixes[0].from_link.has_value());
    }
    SUBCASE("a tool no link grants: a new root") {
      DiagnoseCall call{"delete_file", Object{}, std::nullopt};
      const Diagnosis d = diagnose(chain, &f.roots, o, &call);
      CHECK(failures(d, "tool") == one(ErrorCode::ToolNotAuthorized, 1));
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::NewRoot);
    }
  }

  TEST_CASE("proof of possession: missing, skipped, invalid, outside the window, valid") {
    Fixture f;
    const auto chain = f.chain2();
    DiagnoseCall call{"read_file", args_of(kGood), std::nullopt};
    SUBCASE("missing and required: pop fails at the leaf, the fix is the sign command") {
      const Diagnosis d = diagnose(chain, &f.roots, f.opts(), &call);
      CHECK_FALSE(d.allowed);
      CHECK(d.first_code == ErrorCode::SignatureInvalid);
      CHECK(failures(d, "pop") == one(ErrorCode::SignatureInvalid, 1));
      CHECK(fail_count(d) == 1);
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::Resign);
      CHECK(d.fixes[0].command.starts_with("tenuo sign --warrant " + to_text(chain, TextFormat::Base64) + " "));
      CHECK(d.fixes[0].command.find("--key HOLDER_KEY_OF_LINK_1 ") != std::string::npos);
      CHECK(d.fixes[0].command.find("--args '" + canonical_json(call.args) + "'") != std::string::npos);
    }
    SUBCASE("missing and not required: skipped, allowed") {
      DiagnoseOptions o = f.opts();
      o.pop_required = false;
      const Diagnosis d = diagnose(chain, &f.roots, o, &call);
      CHECK(d.allowed);
      CHECK(status_of(d, "pop") == CheckStatus::Skip);
      CHECK(d.fixes.empty());
    }
    SUBCASE("signed by another key") {
      call.pop = pop_sign(f.stranger, f.w1.id(), call.tool, call.args, f.now);
      const Diagnosis d = diagnose(chain, &f.roots, f.opts(), &call);
      CHECK(d.first_code == ErrorCode::SignatureInvalid);
      CHECK(failures(d, "pop") == one(ErrorCode::SignatureInvalid, 1));
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::Resign);
      CHECK(d.fixes[0].command.starts_with("tenuo sign "));
    }
    SUBCASE("signed 4 windows early: --pop-windows fix") {
      call.pop = pop_sign(f.b, f.w1.id(), call.tool, call.args, f.now - 120);
      const Diagnosis d = diagnose(chain, &f.roots, f.opts(), &call);
      CHECK(failures(d, "pop") == one(ErrorCode::SignatureInvalid, 1));
      REQUIRE(d.fixes.size() == 1);
      CHECK(d.fixes[0].kind == FixKind::PopWindows);
      CHECK(d.fixes[0].command.empty());
    }
    SUBCASE("valid") {
      call.pop = pop_sign(f.b, f.w1.id(), call.tool, call.args, f.now);
      const Diagnosis d = diagnose(chain, &f.roots, f.opts(), &call);
      CHECK(d.allowed);
      CHECK(status_of(d, "pop") == CheckStatus::Pass);
    }
  }

  TEST_CASE("diagnose_encoded: an intact chain is diagnosed as diagnose() does") {
    Fixture f;
    const auto chain = f.chain3();
    DiagnoseCall call{"read_file", args_of(kGood), std::nullopt};
    call.pop = pop_sign(f.c, f.w2.id(), call.tool, call.args, f.now);
    const Bytes bytes = encode_stack(chain);
    auto d = diagnose_encoded(bytes, &f.roots, f.opts(), &call);
    REQUIRE(d.has_value());
    CHECK(d->allowed);
    CHECK(fail_count(*d) == 0);
    CHECK(d->chain_length == 3);
    CHECK(d->leaf_id == id_text(id_of(3)));
  }

  TEST_CASE("diagnose_encoded: a bad signature on link 1 is reported there, everything else still checked") {
    Fixture f;
    const auto chain = f.chain3();
    const Bytes bad = with_bad_signature(chain, 1);
    REQUIRE(decode_warrants(bad).error().code == ErrorCode::SignatureInvalid);
    // path rejected by link 1, no proof: both still reported from the payloads.
    DiagnoseCall call{"read_file", args_of(R"({"path": "/data/x.csv", "size": 10})"), std::nullopt};
    auto d = diagnose_encoded(bad, &f.roots, f.opts(), &call);
    REQUIRE(d.has_value());
    CHECK_FALSE(d->allowed);
    CHECK(d->first_code == ErrorCode::SignatureInvalid);
    CHECK(d->chain_length == 3);
    CHECK(d->leaf_id == id_text(id_of(3)));
    CHECK(failures(*d, "signature") == one(ErrorCode::SignatureInvalid, 1));
    CHECK(status_of(*d, "chain") == CheckStatus::Pass);
    CHECK(status_of(*d, "trust") == CheckStatus::Pass);
    CHECK(status_of(*d, "time") == CheckStatus::Pass);
    CHECK(status_of(*d, "tool") == CheckStatus::Pass);
    CHECK(failures(*d, "pop") == one(ErrorCode::SignatureInvalid, 2));
    CHECK(failures(*d, "constraints") == one(ErrorCode::ConstraintViolation, 1));
    REQUIRE(d->arguments.size() == 1);
    CHECK(d->arguments[0].arg == "path");
    CHECK(d->arguments[0].introduced_at == std::optional<std::size_t>(1));
    // Fixes: link 1 re-granted from the root (Other, from_link 0); the grant for the argument
    // starts from the root, the only link whose signature and ancestors verify; no sign command
    // for a chain `tenuo sign` would refuse.
    const auto other = fixes_of(*d, FixKind::Other);
    REQUIRE(other.size() == 1);
    CHECK(other[0]->from_link == std::optional<std::size_t>(0));
    CHECK(other[0]->command.empty());
    const auto grant = fixes_of(*d, FixKind::Grant);
    REQUIRE(grant.size() == 1);
    CHECK(grant[0]->from_link == std::optional<std::size_t>(0));
    const auto resign = fixes_of(*d, FixKind::Resign);
    REQUIRE(resign.size() == 1);
    CHECK(resign[0]->command.empty());
  }

  TEST_CASE("diagnose_encoded: a bad signature is never allowed, even when nothing else fails") {
    Fixture f;
    const auto chain = f.chain3();
    DiagnoseCall call{"read_file", args_of(kGood), std::nullopt};
    call.pop = pop_sign(f.c, f.w2.id(), call.tool, call.args, f.now);
    for (const TrustedRoots* roots : {static_cast<const TrustedRoots*>(&f.roots), static_cast<const TrustedRoots*>(nullptr)}) {
      auto d = diagnose_encoded(with_bad_signature(chain, 2), roots, f.opts(), &call);
      REQUIRE(d.has_value());
      CHECK_FALSE(d->allowed);
      CHECK(d->first_code == ErrorCode::SignatureInvalid);
      CHECK(fail_count(*d) == 1);
      CHECK(failures(*d, "signature") == one(ErrorCode::SignatureInvalid, 2));
      CHECK(status_of(*d, "pop") == CheckStatus::Pass);
    }
  }

  TEST_CASE("diagnose_encoded: an altered payload fails its signature and the next link's parent hash") {
    Fixture f;
    const auto chain = f.chain3();
    Bytes bytes = encode_stack(chain);
    // Widen link 1's pattern in place (same length, so the CBOR stays well-formed): the link's
    // signature no longer verifies, and link 2's parent_hash no longer matches it.
    const ByteView from = as_bytes("/data/reports/*");
    const ByteView to = as_bytes("/data/reportz/*");
    const Bytes env1 = envelope_bytes(chain[1]);
    auto at = std::search(bytes.begin(), bytes.end(), env1.begin(), env1.end());
    REQUIRE(at != bytes.end());
    auto p = std::search(at, at + static_cast<std::ptrdiff_t>(env1.size()), from.begin(), from.end());
    REQUIRE(p != at + static_cast<std::ptrdiff_t>(env1.size()));
    std::copy(to.begin(), to.end(), p);
    DiagnoseCall call{"read_file", args_of(kGood), std::nullopt};
    DiagnoseOptions o = f.opts();
    o.pop_required = false;
    auto d = diagnose_encoded(bytes, &f.roots, o, &call);
    REQUIRE(d.has_value());
    CHECK_FALSE(d->allowed);
    CHECK(failures(*d, "signature") == one(ErrorCode::SignatureInvalid, 1));
    CHECK(failures(*d, "chain") == one(ErrorCode::ChainBroken, 2));
  }

  TEST_CASE("diagnose_encoded: a bad root signature offers no grant at all") {
    Fixture f;
    const auto chain = f.chain2();
    DiagnoseOptions o = f.opts();
    o.pop_required = false;
    DiagnoseCall call{"read_file", args_of(R"({"path": "/data/x.csv", "size": 1})"), std::nullopt};
    auto d = diagnose_encoded(with_bad_signature(chain, 0), &f.roots, o, &call);
    REQUIRE(d.has_value());
    CHECK(failures(*d, "signature") == one(ErrorCode::SignatureInvalid, 0));
    const auto other = fixes_of(*d, FixKind::Other);
    REQUIRE(other.size() == 1);
    CHECK_FALSE(other[0]->from_link.has_value());
    CHECK(fixes_of(*d, FixKind::Grant).empty());
    CHECK(fixes_of(*d, FixKind::NewRoot).size() == 1);
  }

  TEST_CASE("diagnose_encoded: input that does not decode keeps decode_warrants' error") {
    Fixture f;
    const Bytes whole = encode_stack(f.chain2());
    DiagnoseCall call{"read_file", Object{}, std::nullopt};
    for (const Bytes& input : {Bytes(whole.begin(), whole.begin() + 40), Bytes{0x80}, Bytes{0x01, 0x02}}) {
      auto d = diagnose_encoded(input, &f.roots, f.opts(), &call);
      REQUIRE_FALSE(d.has_value());
      CHECK(d.error().code == decode_warrants(input).error().code);
    }
    // A link whose signature fails and whose payload does not decode either: the same error.
    std::vector<Bytes> envs{envelope_bytes(f.w0), envelope_bytes(f.w1)};
    Payload broken = f.w1.payload();
    broken.expires_at = broken.issued_at;  // validate_payload rejects it
    envs[1] = sign_unchecked(broken, f.stranger);
    const Bytes bad = stack_of(envs);
    REQUIRE(decode_warrants(bad).error().code == ErrorCode::SignatureInvalid);
    auto d = diagnose_encoded(bad, &f.roots, f.opts(), &call);
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().code == ErrorCode::SignatureInvalid);
    CHECK(d.error().chain_index == std::optional<std::size_t>(1));
  }
}
