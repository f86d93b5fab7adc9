// Red team (issue 10): correctly signed forgeries. Every row builds bytes that an attacker holding
// SOME valid key could produce — the issuer field always names the key that signed, so every
// envelope signature verifies — and runs them through the full pipeline a verifier runs
// (decode_warrants at `now`, verify_chain against the trusted root, authorize when a call is
// given). Each must be rejected with the §17.2 code of WIRE.md (where §17.2 leaves the code open,
// the row says which rule of ours decides). Builders that must refuse are called directly.
#include "warrant_fixtures.hpp"

#include <tenuo/authorize.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

struct Keys {
  SigningKey root = key_of(0x21);  // the only trusted root
  SigningKey a = key_of(0x22);     // root holder
  SigningKey b = key_of(0x23);     // link-1 holder
  SigningKey c = key_of(0x24);     // link-2 holder
  SigningKey x = key_of(0x25);     // a stranger with a valid key
};
const Keys& keys() {
  static const Keys k;
  return k;
}
constexpr std::int64_t kNow = static_cast<std::int64_t>(kT0) + 60;

const Object& good_args() {
  static const Object args{Member{"path", Value{"/data/a.txt"}}};
  return args;
}

// The decode -> verify -> authorize pipeline of a verifier.
Result<void> pipeline(ByteView input, const ToolCall* call = nullptr, int windows = kPopDefaultMaxWindows) {
  auto chain = decode_warrants(input, kNow);
  if (!chain) return Unexpected{chain.error()};
  auto vc = verify_chain(std::move(*chain), TrustedRoots{{keys().root.public_key()}}, VerifyOptions{.now = kNow});
  if (!vc) return Unexpected{vc.error()};
  if (call != nullptr) {
    auto a = authorize(*vc, *call, AuthorizeOptions{.pop_windows = windows});
    if (!a) return Unexpected{a.error()};
  }
  return {};
}

Payload root_payload(ConstraintSet rf = set_of("path", c::Pattern{"/data/*"})) {
  Payload p(keys().a.public_key(), keys().root.public_key());
  p.id = id_of(1);
  p.tools = {{"read_file", std::move(rf)}};
  p.issued_at = kT0;
  p.expires_at = kT0 + 3600;
  p.max_depth = 5;
  return p;
}
Warrant root_w() { return signed_warrant(root_payload(), keys().root); }
Payload child_of(const Warrant& parent, const SigningKey& holder, std::uint32_t id) {
  return child_payload(parent, holder.public_key(), id);
}
Bytes env(const Warrant& w) { return envelope_bytes(w); }
// The payload signed by the key its issuer field names (nothing validated).
Bytes signed_by_issuer(const Payload& p, const SigningKey& k) {
  REQUIRE(k.public_key() == p.issuer);
  return sign_unchecked(p, k);
}
Bytes tree_env(const cbor::Value& tree, const SigningKey& k) { return envelope_for(cbor::encode(tree), k); }
cbor::Value tree_of(const Payload& p) { return payload_tree(encode_payload(p)); }

// `b` with the single occurrence of `from` replaced by `to`.
Bytes replace_once(Bytes b, const Bytes& from, const Bytes& to) {
  auto it = std::search(b.begin(), b.end(), from.begin(), from.end());
  REQUIRE_MESSAGE(it != b.end(), "pattern not found");
  REQUIRE_MESSAGE(std::search(it + 1, b.end(), from.begin(), from.end()) == b.end(), "pattern not unique");
  const auto pos = it - b.begin();
  b.erase(b.begin() + pos, b.begin() + pos + static_cast<std::ptrdiff_t>(from.size()));
  b.insert(b.begin() + pos, to.begin(), to.end());
  return b;
}

cbor::Value& entry(cbor::Value& map, std::int64_t k) {
  for (auto& e : map.as_map())
    if (e.key.as_int() == k) return e.value;
  FAIL("payload key missing");
  throw std::logic_error("unreachable");
}

// A root granting read_file{x: parent} and a child (B, signed by A) narrowing it to {x: child}.
Result<void> widen(Constraint parent, Constraint child) {
  Warrant r = signed_warrant(root_payload(set_of("x", std::move(parent))), keys().root);
  Payload cp = child_of(r, keys().b, 10);
  cp.tools = {{"read_file", set_of("x", std::move(child))}};
  return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
}
Result<void> widen_set(ConstraintSet parent, ConstraintSet child) {
  Warrant r = signed_warrant(root_payload(std::move(parent)), keys().root);
  Payload cp = child_of(r, keys().b, 10);
  cp.tools = {{"read_file", std::move(child)}};
  return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
}

// A root with one tool and the given constraint set, authorizing read_file(args) with a valid PoP.
Result<void> call_root(ConstraintSet rf, const Object& args) {
  Payload p = root_payload(std::move(rf));
  p.holder = keys().a.public_key();
  Warrant r = signed_warrant(p, keys().root);
  ToolCall call{"read_file", args, pop_sign(keys().a, r.id(), "read_file", args, kNow)};
  return pipeline(env(r), &call);
}

// The valid chain root -> B (id 10), and a PoP by `signer` over (id, tool, args) at `at`.
Result<void> pop_case(const WarrantId& signed_id, std::string_view signed_tool, const Object& signed_args,
                      std::int64_t at, const SigningKey& signer, const std::string& tool, const Object& args,
                      int windows = kPopDefaultMaxWindows) {
  Warrant r = root_w();
  Payload cp = child_of(r, keys().b, 10);
  cp.tools.emplace_back("write_file", ConstraintSet{});
  Payload rp = root_payload();
  rp.tools.emplace_back("write_file", ConstraintSet{});
  r = signed_warrant(rp, keys().root);
  cp = child_of(r, keys().b, 10);
  Warrant c = signed_warrant(cp, keys().a);
  ToolCall call{tool, args, pop_sign(signer, signed_id, signed_tool, signed_args, at)};
  return pipeline(stack_of({env(r), env(c)}), &call, windows);
}

Constraint nested_not(std::size_t depth) {  // Not(Not(…(Wildcard))) with Constraint::depth() == depth
  Constraint c = c::Wildcard{};
  while (c.depth() < depth) c = make_not(std::move(c));
  REQUIRE(c.depth() == depth);
  return c;
}

struct Forgery {
  std::string name;
  std::function<Result<void>()> attempt;
  ErrorCode code;
};

std::vector<Forgery> forgeries() {
  using E = ErrorCode;
  std::vector<Forgery> f;
  auto add = [&f](std::string n, std::function<Result<void>()> fn, E code) {
    f.push_back(Forgery{std::move(n), std::move(fn), code});
  };

  // ---- chain splicing: valid children attached under the wrong parent
  add("splice: child of root #2 under root #1", [&] {
    Payload p2 = root_payload();
    p2.id = id_of(2);
    Warrant r2 = signed_warrant(p2, keys().root);
    return pipeline(stack_of({env(root_w()), env(signed_warrant(child_of(r2, keys().b, 10), keys().a))}));
  }, E::ChainBroken);
  add("splice: grandchild of a sibling link under link 1", [&] {
    Warrant r = root_w();
    Warrant c1 = signed_warrant(child_of(r, keys().b, 10), keys().a);
    Warrant c1b = signed_warrant(child_of(r, keys().b, 11), keys().a);
    Warrant g = signed_warrant(child_of(c1b, keys().c, 12), keys().b);
    return pipeline(stack_of({env(r), env(c1), env(g)}));
  }, E::ChainBroken);
  add("splice: grandchild directly under the root (link skipped)", [&] {
    Warrant r = root_w();
    Warrant c1 = signed_warrant(child_of(r, keys().b, 10), keys().a);
    return pipeline(stack_of({env(r), env(signed_warrant(child_of(c1, keys().c, 12), keys().b))}));
  }, E::ChainBroken);
  add("splice: child of an untrusted root under its own root", [&] {
    Payload p = root_payload();
    p.issuer = keys().x.public_key();
    Warrant rx = signed_warrant(p, keys().x);
    return pipeline(stack_of({env(rx), env(signed_warrant(child_of(rx, keys().b, 10), keys().a))}));
  }, E::UntrustedRoot);
  add("splice: stack in leaf-first order", [&] {
    Warrant r = root_w();
    return pipeline(stack_of({env(signed_warrant(child_of(r, keys().b, 10), keys().a)), env(r)}));
  }, E::UntrustedRoot);
  add("splice: the root twice", [&] { return pipeline(stack_of({env(root_w()), env(root_w())})); }, E::ChainBroken);
  add("splice: a link repeated", [&] {
    Warrant r = root_w();
    Warrant c1 = signed_warrant(child_of(r, keys().b, 10), keys().a);
    return pipeline(stack_of({env(r), env(c1), env(c1)}));
  }, E::ChainBroken);
  add("splice: a child presented alone (no root)", [&] {
    return pipeline(env(signed_warrant(child_of(root_w(), keys().b, 10), keys().a)));
  }, E::UntrustedRoot);

  // ---- issuer != parent holder (signature valid for the issuer it names)
  add("issuer: link signed by a stranger", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.issuer = keys().x.public_key();
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().x)}));
  }, E::ChainBroken);
  add("issuer: link signed by the root issuer instead of the holder", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.issuer = keys().root.public_key();
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().root)}));
  }, E::ChainBroken);
  add("issuer: link self-issued by its own holder", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.issuer = keys().b.public_key();
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().b)}));
  }, E::ChainBroken);
  add("issuer: link 2 signed by the link-1 issuer", [&] {
    Warrant r = root_w();
    Warrant c1 = signed_warrant(child_of(r, keys().b, 10), keys().a);
    Payload c2 = child_of(c1, keys().c, 11);
    c2.issuer = keys().a.public_key();
    return pipeline(stack_of({env(r), env(c1), signed_by_issuer(c2, keys().a)}));
  }, E::ChainBroken);
  add("issuer: root held by the stranger, trusted issuer key not used", [&] {
    Payload p = root_payload();
    p.issuer = keys().a.public_key();
    return pipeline(signed_by_issuer(p, keys().a));
  }, E::UntrustedRoot);

  // ---- depth escalation
  auto depth_case = [&](std::string n, std::function<void(Payload&)> edit) {
    add("depth: " + std::move(n), [&, edit] {
      Warrant r = root_w();
      Payload cp = child_of(r, keys().b, 10);
      edit(cp);
      return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
    }, E::ChainBroken);
  };
  depth_case("depth jumps to 2", [](Payload& p) { p.depth = 2; });
  depth_case("depth repeats the parent's 0", [](Payload& p) { p.depth = 0; });
  depth_case("depth 1000", [](Payload& p) { p.depth = 1000; p.max_depth = 255; });
  depth_case("max_depth raised above the parent's", [](Payload& p) { p.max_depth = 6; });
  depth_case("max_depth raised to 255", [](Payload& p) { p.max_depth = 255; });
  depth_case("depth above its own max_depth", [](Payload& p) { p.max_depth = 0; });
  add("depth: child of a terminal root (max_depth 0)", [&] {
    Payload rp = root_payload();
    rp.max_depth = 0;
    Warrant r = signed_warrant(rp, keys().root);
    Payload cp = child_of(r, keys().b, 10);
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
  }, E::ChainBroken);
  add("depth: link 2 raises max_depth above link 1's", [&] {
    Warrant r = root_w();
    Payload c1p = child_of(r, keys().b, 10);
    c1p.max_depth = 2;
    Warrant c1 = signed_warrant(c1p, keys().a);
    Payload c2 = child_of(c1, keys().c, 11);
    c2.max_depth = 4;
    return pipeline(stack_of({env(r), env(c1), signed_by_issuer(c2, keys().b)}));
  }, E::ChainBroken);
  add("depth: root of a chain with depth 1", [&] {
    Payload rp = root_payload();
    rp.depth = 1;
    Warrant r = signed_warrant(rp, keys().root);
    return pipeline(stack_of({env(r), signed_by_issuer(child_of(r, keys().b, 10), keys().a)}));
  }, E::ChainBroken);
  add("depth: root of a chain with a parent hash", [&] {
    Payload rp = root_payload();
    rp.parent_hash = Sha256Digest{};
    Warrant r = signed_warrant(rp, keys().root);
    return pipeline(stack_of({env(r), signed_by_issuer(child_of(r, keys().b, 10), keys().a)}));
  }, E::ChainBroken);

  // ---- TTL escalation
  auto ttl_case = [&](std::string n, std::function<void(Payload&)> edit, E code) {
    add("ttl: " + std::move(n), [&, edit] {
      Warrant r = root_w();
      Payload cp = child_of(r, keys().b, 10);
      edit(cp);
      return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
    }, code);
  };
  ttl_case("child expires 1 s after its parent", [](Payload& p) { p.expires_at += 1; }, E::ChainBroken);
  ttl_case("child expires a year after its parent", [](Payload& p) { p.expires_at += 365ULL * 86400; }, E::ChainBroken);
  ttl_case("child issued 1 s before its parent", [](Payload& p) { p.issued_at = kT0 - 1; }, E::ChainBroken);
  ttl_case("child backdated a day", [](Payload& p) { p.issued_at = kT0 - 86400; }, E::ChainBroken);
  ttl_case("child issued in the future", [](Payload& p) { p.issued_at = static_cast<std::uint64_t>(kNow) + 31; },
           E::IssuedInFuture);
  ttl_case("child expires before it is issued", [](Payload& p) { p.expires_at = p.issued_at; },
           E::InvalidPayloadStructure);
  add("ttl: link 2 outlives link 1", [&] {
    Warrant r = root_w();
    Payload c1p = child_of(r, keys().b, 10);
    c1p.expires_at = kT0 + 600;
    Warrant c1 = signed_warrant(c1p, keys().a);
    Payload c2 = child_of(c1, keys().c, 11);
    c2.expires_at = kT0 + 1200;
    return pipeline(stack_of({env(r), env(c1), signed_by_issuer(c2, keys().b)}));
  }, E::ChainBroken);
  add("ttl: expired root, lone", [&] {
    Payload rp = root_payload();
    rp.expires_at = kT0 + 30;
    return pipeline(env(signed_warrant(rp, keys().root)));
  }, E::WarrantExpired);

  // ---- constraint widening per type pair (WIRE §12.2): parent -> child, expected code
  const c::UrlSafe strict_safe{};
  auto url_safe = [](auto edit) {
    c::UrlSafe u;
    edit(u);
    return Constraint{u};
  };
  struct Pair {
    std::string name;
    Constraint parent, child;
    E code;
  };
  std::vector<Pair> pairs = {
      {"Pattern -> Wildcard", c::Pattern{"/data/*"}, c::Wildcard{}, E::CapabilityExpansion},
      {"Exact -> Wildcard", c::Exact{Value{"a"}}, c::Wildcard{}, E::CapabilityExpansion},
      {"Range -> Wildcard", c::Range{0.0, 10.0, true, true}, c::Wildcard{}, E::CapabilityExpansion},
      {"Pattern prefix -> wider prefix", c::Pattern{"/data/*"}, c::Pattern{"/*"}, E::CapabilityExpansion},
      {"Pattern prefix -> suffix", c::Pattern{"/data/*"}, c::Pattern{"*.txt"}, E::CapabilityExpansion},
      {"Pattern prefix -> complex", c::Pattern{"/data/*"}, c::Pattern{"/data/*/x*"}, E::CapabilityExpansion},
      {"Pattern suffix -> wider suffix", c::Pattern{"*.tar.gz"}, c::Pattern{"*.gz"}, E::CapabilityExpansion},
      {"Pattern star -> suffix with prefix", c::Pattern{"*"}, c::Pattern{"*-x"}, E::CapabilityExpansion},
      {"Pattern -> Exact outside", c::Pattern{"/data/*"}, c::Exact{Value{"/etc/passwd"}}, E::CapabilityExpansion},
      {"Pattern -> Exact non-string", c::Pattern{"/data/*"}, c::Exact{Value{42}}, E::CapabilityExpansion},
      {"Regex -> other Regex", c::Regex{"^[a-z]+$"}, c::Regex{"^.*$"}, E::InvalidAttenuation},
      {"Exact -> other Exact", c::Exact{Value{"a"}}, c::Exact{Value{"b"}}, E::InvalidAttenuation},
      {"Exact -> Pattern", c::Exact{Value{"a"}}, c::Pattern{"*"}, E::InvalidAttenuation},
      {"OneOf -> superset", c::OneOf{{Value{"a"}, Value{"b"}}}, c::OneOf{{Value{"a"}, Value{"b"}, Value{"c"}}},
       E::CapabilityExpansion},
      {"OneOf -> Exact not in set", c::OneOf{{Value{"a"}, Value{"b"}}}, c::Exact{Value{"c"}}, E::CapabilityExpansion},
      {"OneOf -> NotOneOf", c::OneOf{{Value{"a"}}}, c::NotOneOf{{Value{"b"}}}, E::InvalidAttenuation},
      {"NotOneOf -> fewer exclusions", c::NotOneOf{{Value{"rm"}, Value{"dd"}}}, c::NotOneOf{{Value{"rm"}}},
       E::CapabilityExpansion},
      {"Range max widened", c::Range{0.0, 10.0, true, true}, c::Range{0.0, 11.0, true, true}, E::CapabilityExpansion},
      {"Range min widened", c::Range{5.0, 10.0, true, true}, c::Range{4.0, 10.0, true, true}, E::CapabilityExpansion},
      {"Range max dropped", c::Range{0.0, 10.0, true, true}, c::Range{0.0, std::nullopt, true, true},
       E::CapabilityExpansion},
      {"Range exclusive bound made inclusive", c::Range{0.0, 10.0, true, false}, c::Range{0.0, 10.0, true, true},
       E::CapabilityExpansion},
      {"Range -> Exact outside", c::Range{0.0, 10.0, true, true}, c::Exact{Value{11}}, E::ConstraintViolation},
      {"Range -> Exact non-numeric", c::Range{0.0, 10.0, true, true}, c::Exact{Value{"5"}}, E::InvalidAttenuation},
      {"Cidr -> wider network", c::Cidr{"10.1.0.0/16"}, c::Cidr{"10.0.0.0/8"}, E::CapabilityExpansion},
      {"Cidr -> disjoint network", c::Cidr{"10.0.0.0/8"}, c::Cidr{"192.168.0.0/16"}, E::CapabilityExpansion},
      {"Cidr -> Exact outside", c::Cidr{"10.0.0.0/8"}, c::Exact{Value{"192.168.1.1"}}, E::CapabilityExpansion},
      {"UrlPattern scheme widened", c::UrlPattern{"https://api.example.com/*"}, c::UrlPattern{"*://api.example.com/*"},
       E::CapabilityExpansion},
      {"UrlPattern host widened", c::UrlPattern{"https://api.example.com/*"}, c::UrlPattern{"https://*.example.com/*"},
       E::CapabilityExpansion},
      // (an explicit default port, https://h:443, means "any port" as in WHATWG and the reference)
      {"UrlPattern port changed", c::UrlPattern{"https://api.example.com:8080/*"},
       c::UrlPattern{"https://api.example.com:9090/*"}, E::CapabilityExpansion},
      {"UrlPattern path widened", c::UrlPattern{"https://api.example.com/v1/*"}, c::UrlPattern{"https://api.example.com/*"},
       E::CapabilityExpansion},
      {"Contains -> fewer required", c::Contains{{Value{"a"}, Value{"b"}}}, c::Contains{{Value{"a"}}},
       E::CapabilityExpansion},
      {"Subset -> more allowed", c::Subset{{Value{"a"}}}, c::Subset{{Value{"a"}, Value{"b"}}}, E::InvalidAttenuation},
      {"All -> clause dropped", c::All{{c::Pattern{"/data/*"}, c::NotOneOf{{Value{"/data/secret"}}}}},
       c::All{{c::Pattern{"/data/*"}}}, E::InvalidAttenuation},
      {"All -> empty All", c::All{{c::Pattern{"/data/*"}}}, c::All{{}}, E::InvalidAttenuation},
      {"Any -> clause added", c::Any{{c::Exact{Value{"a"}}}}, c::Any{{c::Exact{Value{"a"}}, c::Exact{Value{"b"}}}},
       E::InvalidAttenuation},
      {"Not -> narrower exclusion", make_not(c::OneOf{{Value{"a"}, Value{"b"}}}), make_not(c::Exact{Value{"a"}}),
       E::InvalidAttenuation},
      {"Pattern -> All", c::Pattern{"/data/*"}, c::All{{c::Pattern{"/data/*"}}}, E::InvalidAttenuation},
      {"Cel -> other expression", c::Cel{"value < 10", std::nullopt}, c::Cel{"value < 100", std::nullopt},
       E::InvalidAttenuation},
      // WIRE §12.2 Subpath: 1501 when the parent does not contain the child's root, 1502 for flags
      {"Subpath root widened", c::Subpath{"/data", true, true}, c::Subpath{"/", true, true}, E::ConstraintViolation},
      {"Subpath made case-insensitive", c::Subpath{"/data", true, true}, c::Subpath{"/data", false, true},
       E::InvalidAttenuation},
      {"Subpath allow_equal turned on", c::Subpath{"/data", true, false}, c::Subpath{"/data", true, true},
       E::InvalidAttenuation},
      {"Subpath -> Exact outside", c::Subpath{"/data", true, true}, c::Exact{Value{"/data/../etc/passwd"}},
       E::ConstraintViolation},
      {"UrlSafe scheme added", strict_safe, url_safe([](c::UrlSafe& u) { u.schemes.emplace_back("ftp"); }),
       E::InvalidAttenuation},
      {"UrlSafe block_private turned off", strict_safe, url_safe([](c::UrlSafe& u) { u.block_private = false; }),
       E::InvalidAttenuation},
      {"UrlSafe block_metadata turned off", strict_safe, url_safe([](c::UrlSafe& u) { u.block_metadata = false; }),
       E::InvalidAttenuation},
      {"UrlSafe allow_ports dropped", url_safe([](c::UrlSafe& u) { u.allow_ports = std::vector<std::uint16_t>{443}; }),
       strict_safe, E::InvalidAttenuation},
      {"UrlSafe deny_domains dropped",
       url_safe([](c::UrlSafe& u) { u.deny_domains = std::vector<std::string>{"evil.com"}; }), strict_safe,
       E::InvalidAttenuation},
      {"UrlSafe allow_domains widened",
       url_safe([](c::UrlSafe& u) { u.allow_domains = std::vector<std::string>{"api.example.com"}; }),
       url_safe([](c::UrlSafe& u) { u.allow_domains = std::vector<std::string>{"*.example.com"}; }),
       E::InvalidAttenuation},
      {"Shlex -> more commands", c::Shlex{{"ls"}}, c::Shlex{{"ls", "rm"}}, E::InvalidAttenuation},
      {"Unknown -> Unknown", c::Unknown{99, Bytes{0x01}}, c::Unknown{99, Bytes{0x01}}, E::InvalidAttenuation},
  };
  for (auto& p : pairs)
    add("widen: " + p.name, [p] { return widen(p.parent, p.child); }, p.code);
  add("widen: closed set -> allow_unknown", [] {
    ConstraintSet parent = set_of("x", c::Pattern{"/data/*"});
    ConstraintSet child = parent;
    child.allow_unknown = true;
    return widen_set(parent, child);
  }, E::InvalidAttenuation);  // §12.1 names no code: generic monotonicity (1502)
  add("widen: constrained argument dropped", [] {
    ConstraintSet parent = set_of("x", c::Pattern{"/data/*"});
    parent.set("y", c::Exact{Value{"a"}});
    return widen_set(parent, set_of("x", c::Pattern{"/data/*"}));
  }, E::InvalidAttenuation);

  // ---- tool addition
  add("tools: child adds a tool", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.tools.emplace_back("write_file", ConstraintSet{});
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
  }, E::CapabilityExpansion);
  add("tools: child adds the '*' tool", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.tools.insert(cp.tools.begin(), {"*", ConstraintSet{}});
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
  }, E::CapabilityExpansion);
  add("tools: child renames its tool", [&] {
    Warrant r = root_w();
    Payload cp = child_of(r, keys().b, 10);
    cp.tools = {{"read_filf", r.payload().tools[0].second}};
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
  }, E::CapabilityExpansion);
  add("tools: call to a tool the leaf lacks", [&] {
    Warrant r = root_w();
    ToolCall call{"write_file", good_args(), pop_sign(keys().a, r.id(), "write_file", good_args(), kNow)};
    return pipeline(env(r), &call);
  }, E::ToolNotAuthorized);
  add("tools: execution child of an issuer warrant adds an un-issuable tool", [&] {
    Payload rp = root_payload();
    rp.type = WarrantType::Issuer;
    rp.tools.clear();
    rp.issuable_tools = std::vector<std::string>{"read_file"};
    Warrant r = signed_warrant(rp, keys().root);
    Payload cp = child_of(r, keys().b, 10);
    cp.type = WarrantType::Execution;
    cp.issuable_tools.reset();
    cp.tools = {{"write_file", ConstraintSet{}}};
    return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
  }, E::InvalidAttenuation);

  // ---- parent hash mismatch
  auto hash_case = [&](std::string n, std::function<void(Payload&, const Warrant&)> edit) {
    add("parent hash: " + std::move(n), [&, edit] {
      Warrant r = root_w();
      Payload cp = child_of(r, keys().b, 10);
      edit(cp, r);
      return pipeline(stack_of({env(r), signed_by_issuer(cp, keys().a)}));
    }, E::ChainBroken);
  };
  hash_case("one bit wrong", [](Payload& p, const Warrant&) { (*p.parent_hash)[31] ^= 1; });
  hash_case("missing", [](Payload& p, const Warrant&) { p.parent_hash.reset(); });
  hash_case("all zero", [](Payload& p, const Warrant&) { p.parent_hash = Sha256Digest{}; });
  hash_case("hash of the envelope instead of the payload", [](Payload& p, const Warrant& r) {
    p.parent_hash = detail::sha256(r.envelope_bytes());
  });
  hash_case("hash of the parent's signing message", [](Payload& p, const Warrant& r) {
    p.parent_hash = detail::sha256(warrant_signing_message(r.payload_bytes()));
  });

  // ---- PoP replay (authorize): a valid proof reused for something else
  const Object other_args{Member{"path", Value{"/data/b.txt"}}};
  const Object extra_args{Member{"mode", Value{"r"}}, Member{"path", Value{"/data/a.txt"}}};
  const WarrantId leaf_id = id_of(10);
  add("pop: replayed for another tool", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow, keys().b, "write_file", good_args());
  }, E::SignatureInvalid);
  add("pop: replayed with other arguments", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow, keys().b, "read_file", other_args);
  }, E::SignatureInvalid);
  add("pop: replayed with an extra argument", [=] {
    return pop_case(leaf_id, "write_file", good_args(), kNow, keys().b, "write_file", extra_args);
  }, E::SignatureInvalid);
  add("pop: replayed with an argument removed", [=] {
    return pop_case(leaf_id, "write_file", extra_args, kNow, keys().b, "write_file", good_args());
  }, E::SignatureInvalid);
  add("pop: replayed across warrants (same holder, other id)", [=] {
    return pop_case(id_of(11), "read_file", good_args(), kNow, keys().b, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: the parent's id", [=] {
    return pop_case(id_of(1), "read_file", good_args(), kNow, keys().b, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: replayed 5 minutes later", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow - 300, keys().b, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: signed 5 minutes ahead", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow + 300, keys().b, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: 3 windows old with --pop-windows 2", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow - 90, keys().b, "read_file", good_args(), 2);
  }, E::SignatureInvalid);
  add("pop: signed by the parent's holder", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow, keys().a, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: signed by the root issuer", [=] {
    return pop_case(leaf_id, "read_file", good_args(), kNow, keys().root, "read_file", good_args());
  }, E::SignatureInvalid);
  add("pop: missing", [&] {
    Warrant r = root_w();
    ToolCall call{"read_file", good_args(), std::nullopt};
    return pipeline(env(r), &call);
  }, E::SignatureInvalid);
  add("pop: null argument added after signing", [=] {
    Object with_null{Member{"mode", Value{}}, Member{"path", Value{"/data/a.txt"}}};
    return pop_case(leaf_id, "write_file", good_args(), kNow, keys().b, "write_file", with_null);
  }, E::SignatureInvalid);

  // ---- unknown constraint type (decodes; never matches)
  add("unknown: type 99 on an argument", [] {
    return call_root(set_of("path", c::Unknown{99, Bytes{0x01}}), good_args());
  }, E::ConstraintViolation);
  add("unknown: type 99 inside Any", [] {
    return call_root(set_of("path", c::Any{{c::Unknown{99, Bytes{}}}}), good_args());
  }, E::ConstraintViolation);
  add("unknown: type 99 inside All with a matching clause", [] {
    return call_root(set_of("path", c::All{{c::Pattern{"/data/*"}, c::Unknown{99, Bytes{0x02}}}}), good_args());
  }, E::ConstraintViolation);
  add("unknown: type 99 under Not", [] {
    return call_root(set_of("path", make_not(c::Unknown{99, Bytes{}})), good_args());
  }, E::ConstraintViolation);
  add("widen: Pattern -> Unknown", [] { return widen(c::Pattern{"/data/*"}, c::Unknown{99, Bytes{}}); },
      E::InvalidAttenuation);

  // ---- oversize
  add("oversize: warrant over 64 KiB", [&] {
    Payload p = root_payload();
    p.tools.clear();
    for (int i = 0; i < 250; ++i) p.tools.emplace_back(fmt::format("t{:03}_{}", i, std::string(280, 'x')), ConstraintSet{});
    Bytes e = signed_by_issuer(p, keys().root);
    REQUIRE(e.size() > kMaxWarrantBytes);
    return pipeline(e);
  }, E::WarrantTooLarge);
  add("oversize: stack over 256 KiB", [&] {
    Payload p = root_payload();
    p.tools.clear();
    for (int i = 0; i < 200; ++i) p.tools.emplace_back(fmt::format("t{:03}_{}", i, std::string(280, 'x')), ConstraintSet{});
    Bytes e = signed_by_issuer(p, keys().root);
    REQUIRE(e.size() < kMaxWarrantBytes);
    Bytes s = stack_of({e, e, e, e, e});
    REQUIRE(s.size() > kMaxStackBytes);
    return pipeline(s);
  }, E::WarrantTooLarge);
  add("oversize: 257 tools", [&] {
    Payload p = root_payload();
    p.tools.clear();
    for (int i = 0; i < 257; ++i) p.tools.emplace_back(fmt::format("t{:03}", i), ConstraintSet{});
    return pipeline(signed_by_issuer(p, keys().root));
  }, E::InvalidPayloadStructure);
  add("oversize: 65 constraints on one tool", [&] {
    ConstraintSet s;
    for (int i = 0; i < 65; ++i) s.set(fmt::format("a{:02}", i), c::Wildcard{});
    return pipeline(signed_by_issuer(root_payload(s), keys().root));
  }, E::InvalidPayloadStructure);
  add("oversize: constraint nesting 33", [&] {
    Constraint n = nested_not(33);
    REQUIRE(n.depth() == 33);
    return pipeline(signed_by_issuer(root_payload(set_of("path", n)), keys().root));
  }, E::TooManyConstraints);
  add("oversize: constraint nesting 60", [&] {
    return pipeline(signed_by_issuer(root_payload(set_of("path", nested_not(60))), keys().root));
  }, E::TooManyConstraints);
  add("oversize: 65 extension keys", [&] {
    Payload p = root_payload();
    for (int i = 0; i < 65; ++i) p.extensions.emplace_back(fmt::format("e{:02}", i), Bytes{0x01});
    return pipeline(signed_by_issuer(p, keys().root));
  }, E::InvalidPayloadStructure);
  add("oversize: extension value of 8193 bytes", [&] {
    Payload p = root_payload();
    p.extensions.emplace_back("big", Bytes(8193, 0x41));
    return pipeline(signed_by_issuer(p, keys().root));
  }, E::InvalidPayloadStructure);
  add("oversize: 65-link stack", [&] {
    const Bytes e = env(root_w());
    return pipeline(stack_of(std::vector<Bytes>(65, e)));
  }, E::ChainTooLong);

  // ---- duplicate keys in the payload CBOR (signed over the duplicated bytes)
  auto tree_case = [&](std::string n, std::function<void(cbor::Value&)> edit, E code = E::MalformedCbor) {
    add(std::move(n), [&, edit] {
      cbor::Value t = tree_of(root_payload(set_of("path", c::Range{0.0, 15.0, true, true})));
      edit(t);
      return pipeline(tree_env(t, keys().root));
    }, code);
  };
  tree_case("duplicate: payload key 6 twice", [](cbor::Value& t) {
    auto& m = t.as_map();
    auto it = std::find_if(m.begin(), m.end(), [](const cbor::Entry& e) { return e.key.as_int() == 6; });
    m.insert(it + 1, *it);
  });
  tree_case("duplicate: payload key 7 repeated at the end", [](cbor::Value& t) {
    auto& m = t.as_map();
    auto it = std::find_if(m.begin(), m.end(), [](const cbor::Entry& e) { return e.key.as_int() == 7; });
    m.push_back(*it);
  });
  tree_case("duplicate: tool name twice", [](cbor::Value& t) {
    auto& tools = entry(t, 3).as_map();
    tools.push_back(tools.front());
  });
  tree_case("duplicate: constraint argument twice", [](cbor::Value& t) {
    auto& set = entry(t, 3).as_map().front().value.as_map().front().value.as_map();
    set.push_back(set.front());
  });
  tree_case("duplicate: Range field twice", [](cbor::Value& t) {
    auto& c = entry(t, 3).as_map().front().value.as_map().front().value.as_map().front().value;
    auto& body = c.as_array()[1].as_map();
    body.insert(body.begin() + 1, body.front());
  });
  tree_case("duplicate: extension key twice", [](cbor::Value& t) {
    cbor::Map ext;
    ext.push_back(cbor::Entry{cbor::Value::text("x"), cbor::Value::uint_array(Bytes{1})});
    ext.push_back(cbor::Entry{cbor::Value::text("x"), cbor::Value::uint_array(Bytes{2})});
    set_key(t, 10, cbor::Value::map(std::move(ext)));
  });
  tree_case("duplicate: constraint-set key twice", [](cbor::Value& t) {
    auto& set_map = entry(t, 3).as_map().front().value.as_map();
    set_map.push_back(set_map.front());
  });

  // ---- non-canonical encodings of an otherwise valid payload
  auto bytes_case = [&](std::string n, std::function<Bytes(Bytes)> edit) {
    add("non-canonical: " + std::move(n), [&, edit] {
      Bytes pb = encode_payload(root_payload(set_of("path", c::Range{0.0, 15.0, true, true})));
      return pipeline(envelope_for(edit(pb), keys().root));
    }, E::MalformedCbor);
  };
  const Bytes issued{0x06, 0x1a, 0x65, 0x92, 0x00, 0x80};
  bytes_case("issued_at with an 8-byte head", [=](Bytes b) {
    return replace_once(std::move(b), issued, {0x06, 0x1b, 0, 0, 0, 0, 0x65, 0x92, 0x00, 0x80});
  });
  bytes_case("version with a 1-byte head", [](Bytes b) {
    REQUIRE(b[1] == 0x00);
    REQUIRE(b[2] == 0x01);
    b.insert(b.begin() + 2, 0x18);
    return b;
  });
  bytes_case("depth with a 1-byte head", [](Bytes b) {
    REQUIRE(b[b.size() - 2] == 0x12);
    b.insert(b.end() - 1, 0x18);
    return b;
  });
  bytes_case("payload map with a 1-byte length head", [](Bytes b) {
    REQUIRE(b[0] == 0xaa);
    b[0] = 0x0a;
    b.insert(b.begin(), 0xb8);
    return b;
  });
  bytes_case("tool name with a 1-byte length head", [](Bytes b) {
    return replace_once(std::move(b), {0x69, 'r', 'e', 'a', 'd', '_'}, {0x78, 0x09, 'r', 'e', 'a', 'd', '_'});
  });
  bytes_case("Range bound as f64 when f16 is exact", [](Bytes b) {
    return replace_once(std::move(b), {0xf9, 0x4b, 0x80}, {0xfb, 0x40, 0x2e, 0, 0, 0, 0, 0, 0});
  });
  bytes_case("Range bound as f32 when f16 is exact", [](Bytes b) {
    return replace_once(std::move(b), {0xf9, 0x4b, 0x80}, {0xfa, 0x41, 0x70, 0, 0});
  });
  bytes_case("issued_at behind a tag", [=](Bytes b) {
    return replace_once(std::move(b), issued, {0x06, 0xc1, 0x1a, 0x65, 0x92, 0x00, 0x80});
  });
  bytes_case("trailing byte after the payload map", [](Bytes b) {
    b.push_back(0x00);
    return b;
  });
  bytes_case("indefinite-length tools map", [](Bytes b) {
    // 03 a1 69 "read_file" ... -> 03 bf 69 "read_file" ... ff (the tools map ends before key 4)
    const Bytes head{0x03, 0xa1, 0x69};
    auto it = std::search(b.begin(), b.end(), head.begin(), head.end());
    REQUIRE(it != b.end());
    *(it + 1) = 0xbf;
    const Bytes holder_key{0x04, 0x82, 0x01, 0x58, 0x20};
    auto h = std::search(b.begin(), b.end(), holder_key.begin(), holder_key.end());
    REQUIRE(h != b.end());
    b.insert(h, 0xff);
    return b;
  });
  tree_case("non-canonical: tool names out of byte order", [](cbor::Value& t) {
    auto& tools = entry(t, 3).as_map();
    cbor::Entry e = tools.front();
    e.key = cbor::Value::text("a_tool");
    tools.push_back(e);  // "read_file" then "a_tool"
  });
  tree_case("non-canonical: payload keys out of order", [](cbor::Value& t) {
    auto& m = t.as_map();
    auto it = std::find_if(m.begin(), m.end(), [](const cbor::Entry& e) { return e.key.as_int() == 6; });
    std::iter_swap(it, it + 1);
  });
  tree_case("non-canonical: Range fields out of declaration order", [](cbor::Value& t) {
    auto& c = entry(t, 3).as_map().front().value.as_map().front().value.as_map().front().value;
    auto& body = c.as_array()[1].as_map();
    std::iter_swap(body.begin(), body.begin() + 1);
  });
  tree_case("non-canonical: warrant id as a uint-array", [](cbor::Value& t) {
    entry(t, 1) = cbor::Value::uint_array(ByteView(id_of(1)));
  });
  tree_case("non-canonical: holder key bytes as a uint-array", [](cbor::Value& t) {
    auto& key = entry(t, 4).as_array();
    key[1] = cbor::Value::uint_array(key[1].as_bytes());
  });
  tree_case("non-canonical: extension value as a byte string", [](cbor::Value& t) {
    cbor::Map ext;
    ext.push_back(cbor::Entry{cbor::Value::text("x"), cbor::Value::bytes(Bytes{1, 2})});
    set_key(t, 10, cbor::Value::map(std::move(ext)));
  });
  add("non-canonical: parent_hash as a byte string", [&] {
    Warrant r = root_w();
    cbor::Value t = tree_of(child_of(r, keys().b, 10));
    entry(t, 9) = cbor::Value::bytes(ByteView(r.payload_hash()));
    return pipeline(stack_of({env(r), tree_env(t, keys().a)}));
  }, E::MalformedCbor);
  add("non-canonical: envelope payload as a uint-array", [&] {
    const Bytes pb = encode_payload(root_payload());
    const Signature sig = keys().root.sign(warrant_signing_message(pb));
    return pipeline(cbor::encode(cbor::Value::array(
        {cbor::Value::integer(1), cbor::Value::uint_array(pb),
         cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})})));
  }, E::MalformedCbor);
  add("non-canonical: trailing byte after the envelope", [&] {
    Bytes e = env(root_w());
    e.push_back(0x00);
    return pipeline(e);
  }, E::MalformedCbor);

  // ---- other structural forgeries
  tree_case("structure: payload version 2", [](cbor::Value& t) { entry(t, 0) = cbor::Value::integer(2); },
            E::InvalidPayloadStructure);
  tree_case("structure: retired key 12", [](cbor::Value& t) { set_key(t, 12, cbor::Value::integer(1)); });
  tree_case("structure: unknown key 19", [](cbor::Value& t) { t.as_map().push_back({cbor::Value::integer(19), cbor::Value::integer(0)}); });
  tree_case("structure: warrant type 2", [](cbor::Value& t) { entry(t, 2) = cbor::Value::integer(2); });
  tree_case("structure: issuer warrant carrying tools", [](cbor::Value& t) { entry(t, 2) = cbor::Value::integer(1); },
            E::InvalidPayloadStructure);
  add("structure: envelope version 2", [&] {
    const Bytes pb = encode_payload(root_payload());
    const Signature sig = keys().root.sign(warrant_signing_message(pb));
    return pipeline(cbor::encode(cbor::Value::array(
        {cbor::Value::integer(2), cbor::Value::bytes(pb),
         cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})})));
  }, E::MalformedCbor);
  add("structure: signature algorithm 2", [&] {
    const Bytes pb = encode_payload(root_payload());
    const Signature sig = keys().root.sign(warrant_signing_message(pb));
    return pipeline(cbor::encode(cbor::Value::array(
        {cbor::Value::integer(1), cbor::Value::bytes(pb),
         cbor::Value::array({cbor::Value::integer(2), cbor::Value::bytes(ByteView(sig))})})));
  }, E::MalformedCbor);
  add("structure: signature over the payload without the context prefix", [&] {
    const Bytes pb = encode_payload(root_payload());
    const Signature sig = keys().root.sign(pb);
    return pipeline(cbor::encode(cbor::Value::array(
        {cbor::Value::integer(1), cbor::Value::bytes(pb),
         cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})})));
  }, E::SignatureInvalid);

  // ---- reserved tool names: refused by the root builder (WIRE §17.2: 1201, not 2100)
  for (const char* name : {"tenuo:x", "tenuo:", "tenuo:admin"}) {
    add(fmt::format("reserved: mint refuses tool '{}'", name), [name] {
      MintRequest req;
      req.tools = {{name, ConstraintSet{}}};
      req.now = kNow;
      req.ttl = 300;
      auto w = mint(req, keys().root);
      if (!w) return Result<void>{Unexpected{w.error()}};
      return Result<void>{};
    }, E::InvalidPayloadStructure);
  }
  return f;
}

}  // namespace

TEST_SUITE("tenuo::redteam") {
  TEST_CASE("red team: the un-forged baseline passes the same pipeline") {
      Warrant r = root_w();
    Warrant c1 = signed_warrant(child_of(r, keys().b, 10), keys().a);
    Warrant c2 = signed_warrant(child_of(c1, keys().c, 11), keys().b);
    ToolCall call{"read_file", good_args(), pop_sign(keys().c, c2.id(), "read_file", good_args(), kNow)};
    CHECK(pipeline(stack_of({env(r), env(c1), env(c2)}), &call).has_value());
    // the widening helper accepts a true narrowing, and each tree/bytes edit starts from valid bytes
    CHECK(widen(c::Pattern{"/data/*"}, c::Pattern{"/data/reports/*"}).has_value());
    CHECK(widen(c::Range{0.0, 10.0, true, true}, c::Range{1.0, 9.0, true, true}).has_value());
    CHECK(pipeline(tree_env(tree_of(root_payload(set_of("path", c::Range{0.0, 15.0, true, true}))), keys().root))
              .has_value());
    CHECK(pipeline(signed_by_issuer(root_payload(set_of("path", nested_not(32))), keys().root)).has_value());
    CHECK(pop_case(id_of(10), "read_file", good_args(), kNow - 30, keys().b, "read_file", good_args()).has_value());
  }

  TEST_CASE("red team: every correctly signed forgery is rejected with its expected code") {
    const auto table = forgeries();
    CHECK(table.size() >= 80);
    std::set<std::string> names;
    std::map<ErrorCode, int> per_code;
    for (const auto& row : table) {
      CAPTURE(row.name);
      CHECK(names.insert(row.name).second);
      const Result<void> r = row.attempt();
      CHECK_FALSE(r.has_value());
      if (r.has_value()) continue;
      CHECK_MESSAGE(r.error().code == row.code, row.name, ": got ", static_cast<int>(r.error().code), " ",
                    r.error().message);
      ++per_code[row.code];
    }
    MESSAGE(fmt::format("{} forgeries rejected", table.size()));
  }
}
